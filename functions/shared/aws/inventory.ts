/**
 * Read-only AWS lookups for preflight: the MSK target, the secrets, the VPC
 * pieces and the replicator quota. Nothing here creates or changes anything.
 */

import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterV2Command,
  type DescribeClusterV2CommandOutput,
  type KafkaClient,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  type ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import {
  DEFAULT_REPLICATOR_QUOTA,
  REPLICATOR_QUOTA_CODE,
} from '../domain/replicator-config.ts';
import type { AwsInventory, MskClusterInfo } from '../ports.ts';
import { MskBootstrapBrokers } from './bootstrap-brokers.ts';
import { readSecretJson } from './secret-json.ts';

type SecurityGroupInfo = Awaited<
  ReturnType<AwsInventory['securityGroups']>
>[number];

/** {@link AwsInventory} over MSK, Secrets Manager, EC2 and Service Quotas. */
export class AwsInventoryAdapter implements AwsInventory {
  private readonly kafka: KafkaClient;
  private readonly secrets: SecretsManagerClient;
  private readonly ec2: EC2Client;
  private readonly quotas: ServiceQuotasClient;
  private readonly brokers: MskBootstrapBrokers;

  constructor(clients: {
    kafka: KafkaClient;
    secrets: SecretsManagerClient;
    ec2: EC2Client;
    quotas: ServiceQuotasClient;
  }) {
    this.kafka = clients.kafka;
    this.secrets = clients.secrets;
    this.ec2 = clients.ec2;
    this.quotas = clients.quotas;
    this.brokers = new MskBootstrapBrokers(clients.kafka);
  }

  async mskCluster(arn: string): Promise<MskClusterInfo | null> {
    let info: DescribeClusterV2CommandOutput;
    try {
      info = await this.kafka.send(
        new DescribeClusterV2Command({ ClusterArn: arn }),
      );
    } catch (err) {
      if (err instanceof NotFoundException) return null;
      throw err;
    }
    const c = info.ClusterInfo;
    if (!c) return null;
    const p = c.Provisioned;
    const s = c.Serverless;
    return {
      arn: c.ClusterArn ?? arn,
      name: c.ClusterName ?? '',
      state: c.State ?? 'UNKNOWN',
      clusterType: c.ClusterType ?? 'UNKNOWN',
      instanceType: p?.BrokerNodeGroupInfo?.InstanceType ?? null,
      iamAuthEnabled:
        (p?.ClientAuthentication?.Sasl?.Iam?.Enabled ??
          s?.ClientAuthentication?.Sasl?.Iam?.Enabled) === true,
      kafkaVersion: p?.CurrentBrokerSoftwareInfo?.KafkaVersion ?? null,
      subnetIds:
        p?.BrokerNodeGroupInfo?.ClientSubnets ??
        s?.VpcConfigs?.flatMap((v) => v.SubnetIds ?? []) ??
        [],
    };
  }

  bootstrapBrokers(clusterArn: string): Promise<string | null> {
    return this.brokers.bootstrapBrokers(clusterArn);
  }

  secretJson(arn: string): Promise<Record<string, unknown> | null> {
    return readSecretJson(this.secrets, arn);
  }

  async subnets(
    ids: string[],
  ): Promise<{ id: string; vpcId: string; az: string }[]> {
    if (ids.length === 0) return [];
    // A filter (not SubnetIds) so missing ids are simply absent from the
    // answer instead of failing the whole call with InvalidSubnetID.NotFound.
    const found: { id: string; vpcId: string; az: string }[] = [];
    for await (const page of paginateDescribeSubnets(
      { client: this.ec2 },
      { Filters: [{ Name: 'subnet-id', Values: ids }] },
    )) {
      for (const s of page.Subnets ?? []) {
        found.push({
          id: s.SubnetId ?? '',
          vpcId: s.VpcId ?? '',
          az: s.AvailabilityZone ?? '',
        });
      }
    }
    return found;
  }

  async securityGroups(ids: string[]): Promise<SecurityGroupInfo[]> {
    if (ids.length === 0) return [];
    const found: SecurityGroupInfo[] = [];
    for await (const page of paginateDescribeSecurityGroups(
      { client: this.ec2 },
      { Filters: [{ Name: 'group-id', Values: ids }] },
    )) {
      for (const g of page.SecurityGroups ?? []) {
        found.push({
          id: g.GroupId ?? '',
          vpcId: g.VpcId ?? '',
          egress: (g.IpPermissionsEgress ?? []).map((p) => ({
            protocol: p.IpProtocol ?? '-1',
            ...(p.FromPort === undefined ? {} : { fromPort: p.FromPort }),
            ...(p.ToPort === undefined ? {} : { toPort: p.ToPort }),
            cidrs: [
              ...(p.IpRanges ?? []).map((r) => r.CidrIp ?? ''),
              ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''),
            ].filter((c) => c !== ''),
            groups: [
              ...(p.UserIdGroupPairs ?? []).map((u) => u.GroupId ?? ''),
              ...(p.PrefixListIds ?? []).map((l) => l.PrefixListId ?? ''),
            ].filter((c) => c !== ''),
          })),
        });
      }
    }
    return found;
  }

  async replicatorQuota(): Promise<number> {
    const input = { ServiceCode: 'kafka', QuotaCode: REPLICATOR_QUOTA_CODE };
    try {
      const out = await this.quotas.send(new GetServiceQuotaCommand(input));
      if (out.Quota?.Value !== undefined) return out.Quota.Value;
    } catch (err) {
      // No applied value in this account: the AWS default applies.
      if (!(err instanceof NoSuchResourceException)) {
        return DEFAULT_REPLICATOR_QUOTA;
      }
    }
    try {
      const out = await this.quotas.send(
        new GetAWSDefaultServiceQuotaCommand(input),
      );
      return out.Quota?.Value ?? DEFAULT_REPLICATOR_QUOTA;
    } catch {
      return DEFAULT_REPLICATOR_QUOTA;
    }
  }
}
