import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterV2Command,
  GetBootstrapBrokersCommand,
  KafkaClient,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  AccessDeniedException,
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsInventoryAdapter } from '../../../../functions/shared/aws/inventory.ts';

const kafka = mockClient(KafkaClient);
const secrets = mockClient(SecretsManagerClient);
const ec2 = mockClient(EC2Client);
const quotas = mockClient(ServiceQuotasClient);
const meta = { $metadata: {} };

const inventory = () =>
  new AwsInventoryAdapter({
    kafka: new KafkaClient({}),
    secrets: new SecretsManagerClient({}),
    ec2: new EC2Client({}),
    quotas: new ServiceQuotasClient({}),
  });

beforeEach(() => {
  kafka.reset();
  secrets.reset();
  ec2.reset();
  quotas.reset();
});

describe('mskCluster', () => {
  it('should read an Express cluster with IAM auth', async () => {
    kafka.on(DescribeClusterV2Command).resolves({
      ClusterInfo: {
        ClusterArn: 'arn:c',
        ClusterName: 'orders-express',
        State: 'ACTIVE',
        ClusterType: 'PROVISIONED',
        Provisioned: {
          BrokerNodeGroupInfo: {
            InstanceType: 'express.m7g.large',
            ClientSubnets: ['subnet-1'],
          },
          ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
          CurrentBrokerSoftwareInfo: { KafkaVersion: '3.9.x' },
          NumberOfBrokerNodes: 3,
        },
      },
    });
    await expect(inventory().mskCluster('arn:c')).resolves.toEqual({
      arn: 'arn:c',
      name: 'orders-express',
      state: 'ACTIVE',
      clusterType: 'PROVISIONED',
      instanceType: 'express.m7g.large',
      iamAuthEnabled: true,
      kafkaVersion: '3.9.x',
      subnetIds: ['subnet-1'],
    });
  });

  it('should read a serverless cluster and an empty answer', async () => {
    kafka
      .on(DescribeClusterV2Command, { ClusterArn: 'arn:s' })
      .resolves({
        ClusterInfo: {
          ClusterType: 'SERVERLESS',
          Serverless: {
            VpcConfigs: [{ SubnetIds: ['subnet-a', 'subnet-b'] }],
            ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
          },
        },
      })
      .on(DescribeClusterV2Command, { ClusterArn: 'arn:none' })
      .resolves({});
    await expect(inventory().mskCluster('arn:s')).resolves.toMatchObject({
      arn: 'arn:s',
      clusterType: 'SERVERLESS',
      instanceType: null,
      iamAuthEnabled: true,
      subnetIds: ['subnet-a', 'subnet-b'],
    });
    await expect(inventory().mskCluster('arn:none')).resolves.toBeNull();
  });

  it('should read a missing cluster as null', async () => {
    kafka
      .on(DescribeClusterV2Command)
      .rejects(new NotFoundException({ message: 'no', ...meta }));
    await expect(inventory().mskCluster('arn:c')).resolves.toBeNull();
  });
});

describe('bootstrapBrokers', () => {
  it('should return the SASL/IAM string, or null when there is none', async () => {
    kafka
      .on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:c' })
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1:9098,b-2:9098' })
      .on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:tls-only' })
      .resolves({ BootstrapBrokerStringTls: 'b-1:9094' })
      .on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:gone' })
      .rejects(new NotFoundException({ message: 'no', ...meta }));
    await expect(inventory().bootstrapBrokers('arn:c')).resolves.toBe(
      'b-1:9098,b-2:9098',
    );
    await expect(inventory().bootstrapBrokers('arn:tls-only')).resolves.toBe(
      null,
    );
    await expect(inventory().bootstrapBrokers('arn:gone')).resolves.toBe(null);
  });
});

describe('secretJson', () => {
  it('should parse a JSON secret and read a missing one as null', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'good' })
      .resolves({ SecretString: '{"username":"u","password":"p"}' })
      .on(GetSecretValueCommand, { SecretId: 'gone' })
      .rejects(new ResourceNotFoundException({ message: 'no', ...meta }));
    await expect(inventory().secretJson('good')).resolves.toEqual({
      username: 'u',
      password: 'p',
    });
    await expect(inventory().secretJson('gone')).resolves.toBeNull();
  });

  it('should read a binary secret and refuse a JSON array', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'bin' })
      .resolves({ SecretBinary: Buffer.from('{"certificate":"x"}') })
      .on(GetSecretValueCommand, { SecretId: 'arr' })
      .resolves({ SecretString: '["a"]' });
    await expect(inventory().secretJson('bin')).resolves.toEqual({
      certificate: 'x',
    });
    await expect(inventory().secretJson('arr')).rejects.toThrow(
      /arr is not a JSON object/,
    );
  });

  it('should reject a non-JSON secret without quoting it', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: 'hunter2-plain' });
    const err = await inventory()
      .secretJson('arn:s')
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/arn:s is not a JSON object/);
    expect(String(err)).not.toContain('hunter2');
  });
});

describe('subnets and security groups', () => {
  it('should filter by id so missing ids are simply absent', async () => {
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-1', VpcId: 'vpc-1', AvailabilityZone: 'a' },
      ],
    });
    await expect(
      inventory().subnets(['subnet-1', 'subnet-2']),
    ).resolves.toEqual([{ id: 'subnet-1', vpcId: 'vpc-1', az: 'a' }]);
    expect(ec2).toReceiveCommandWith(DescribeSubnetsCommand, {
      Filters: [{ Name: 'subnet-id', Values: ['subnet-1', 'subnet-2'] }],
    });
  });

  it('should flatten egress rules', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-1',
          VpcId: 'vpc-1',
          IpPermissionsEgress: [
            {
              IpProtocol: 'tcp',
              FromPort: 9096,
              ToPort: 9098,
              IpRanges: [{ CidrIp: '10.0.0.0/8' }],
              UserIdGroupPairs: [{ GroupId: 'sg-2' }],
            },
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        },
      ],
    });
    await expect(inventory().securityGroups(['sg-1'])).resolves.toEqual([
      {
        id: 'sg-1',
        vpcId: 'vpc-1',
        egress: [
          {
            protocol: 'tcp',
            fromPort: 9096,
            toPort: 9098,
            cidrs: ['10.0.0.0/8'],
            groups: ['sg-2'],
          },
          { protocol: '-1', cidrs: ['0.0.0.0/0'], groups: [] },
        ],
      },
    ]);
  });

  it('should not call EC2 for no ids', async () => {
    await expect(inventory().subnets([])).resolves.toEqual([]);
    await expect(inventory().securityGroups([])).resolves.toEqual([]);
    expect(ec2.calls()).toHaveLength(0);
  });
});

describe('replicatorQuota', () => {
  it('should use the applied quota', async () => {
    quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 30 } });
    await expect(inventory().replicatorQuota()).resolves.toBe(30);
    expect(quotas).toReceiveCommandWith(GetServiceQuotaCommand, {
      ServiceCode: 'kafka',
      QuotaCode: 'L-8F940D28',
    });
  });

  it('should fall back to the AWS default, then to 15', async () => {
    quotas
      .on(GetServiceQuotaCommand)
      .rejects(new NoSuchResourceException({ message: 'no', ...meta }))
      .on(GetAWSDefaultServiceQuotaCommand)
      .resolves({ Quota: { Value: 20 } });
    await expect(inventory().replicatorQuota()).resolves.toBe(20);
    quotas.reset();
    quotas
      .on(GetServiceQuotaCommand)
      .rejects(new AccessDeniedException({ message: 'no', ...meta }));
    await expect(inventory().replicatorQuota()).resolves.toBe(15);
  });
});
