import { describe, expect, it } from 'vitest';
import {
  clusterResourceArns,
  readDeployContext,
} from '../../infra/deploy-context.ts';

const context = (values: Record<string, unknown>) => (key: string) =>
  values[key];

const CLUSTER =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/target/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3';

describe('readDeployContext', () => {
  it('should default to no network and empty scopes when no context is given', () => {
    expect(readDeployContext(context({}))).toEqual({
      replicatorSecretArnPrefixes: [],
      mskClusterArns: [],
      replicatorRoleArns: [],
      logDeliveryBuckets: [],
      logDeliveryStreams: [],
    });
  });

  it('should read the log-delivery buckets and streams and refuse what is not a name', () => {
    const deploy = readDeployContext(
      context({
        logDeliveryBuckets: 'replicator-logs-bucket,audit.logs',
        logDeliveryStreams: ['replicator-logs'],
      }),
    );
    expect(deploy.logDeliveryBuckets).toEqual([
      'replicator-logs-bucket',
      'audit.logs',
    ]);
    expect(deploy.logDeliveryStreams).toEqual(['replicator-logs']);
    expect(() =>
      readDeployContext(context({ logDeliveryBuckets: 'NOT A BUCKET' })),
    ).toThrow(/context logDeliveryBuckets: not S3 bucket names/);
    expect(() =>
      readDeployContext(context({ logDeliveryStreams: 'a stream!' })),
    ).toThrow(/context logDeliveryStreams: not Firehose delivery stream names/);
  });

  it('should read the extra replicator roles and refuse what is not a role ARN', () => {
    const role = 'arn:aws:iam::123456789012:role/team/replicator';
    expect(
      readDeployContext(context({ replicatorRoleArns: role }))
        .replicatorRoleArns,
    ).toEqual([role]);
    expect(() =>
      readDeployContext(context({ replicatorRoleArns: 'team-replicator' })),
    ).toThrow(/context replicatorRoleArns: not IAM role ARNs/);
  });

  it('should read comma-separated strings and arrays alike', () => {
    const deploy = readDeployContext(
      context({
        vpcId: 'vpc-0123456789abcdef0',
        sourceSubnetIds: 'subnet-0123456789abcdef0, subnet-0fedcba9876543210',
        sourceSecurityGroupIds: ['sg-0123456789abcdef0'],
        mskClusterArns: CLUSTER,
        replicatorSecretArnPrefixes: [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/prod-*',
        ],
      }),
    );
    expect(deploy.sourceNetwork).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
      securityGroupIds: ['sg-0123456789abcdef0'],
    });
    expect(deploy.mskClusterArns).toEqual([CLUSTER]);
    expect(deploy.replicatorSecretArnPrefixes).toHaveLength(1);
  });

  it('should refuse a half-given network, naming the three keys', () => {
    expect(() =>
      readDeployContext(context({ vpcId: 'vpc-0123456789abcdef0' })),
    ).toThrow(/vpcId, sourceSubnetIds and sourceSecurityGroupIds go together/);
  });

  it.each([
    ['sourceSubnetIds', 'sn-1', /context sourceSubnetIds: not subnet ids/],
    ['mskClusterArns', 'my-cluster', /context mskClusterArns: not MSK cluster/],
    [
      'replicatorSecretArnPrefixes',
      'msk-cutover/*',
      /context replicatorSecretArnPrefixes: not Secrets Manager/,
    ],
    [
      'mskClusterArns',
      42,
      /context mskClusterArns: expected a comma-separated/,
    ],
  ])(
    'should reject a wrong %s value with the key in the message',
    (key, value, message) => {
      const values: Record<string, unknown> = { [key]: value };
      if (key === 'sourceSubnetIds') {
        values.vpcId = 'vpc-0123456789abcdef0';
        values.sourceSecurityGroupIds = 'sg-0123456789abcdef0';
      }
      expect(() => readDeployContext(context(values))).toThrow(message);
    },
  );
});

describe('clusterResourceArns', () => {
  it('should cover the cluster, its topics and its groups', () => {
    expect(clusterResourceArns(CLUSTER)).toEqual([
      CLUSTER,
      'arn:aws:kafka:eu-west-1:123456789012:topic/target/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3/*',
      'arn:aws:kafka:eu-west-1:123456789012:group/target/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3/*',
    ]);
  });
});
