import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateReplicatorCommand,
  type CreateReplicatorCommandInput,
  type DescribeReplicatorResponse,
} from '@aws-sdk/client-kafka';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../../functions/shared/domain/plan.ts';
import {
  buildReplicatorRequests,
  REPLICATOR_NAME_PATTERN,
  replicatorNames,
  sameReplicatorSettings,
  shardsOfApp,
} from '../../../../functions/shared/domain/replicator-config.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const GOLDEN = join(ROOT, 'test/fixtures/golden/start-migration');
const sampleInput = () =>
  JSON.parse(readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'));
const ROLE =
  'arn:aws:iam::123456789012:role/msk-cutover-replicator-orders-platform';
const CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:123456789012:cluster/orders-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2';
const SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/onprem-replicator-AbCdEf';

function parse(input: unknown): Plan {
  const result = validatePlan(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.plan;
}

function requests(input: unknown = sampleInput()) {
  return buildReplicatorRequests(parse(input), {
    sourceClusterId: 'lkc-abc123',
    serviceExecutionRoleArn: ROLE,
  });
}

const golden = (path: string): unknown =>
  JSON.parse(readFileSync(join(GOLDEN, path), 'utf8'));

describe('buildReplicatorRequests for the published example', () => {
  const [forward, reverse] = requests();

  it('builds one forward then one reverse request named after the migration', () => {
    expect(requests().map((r) => [r.shard, r.direction, r.name])).toEqual([
      ['default', 'forward', 'msk-cutover-orders-platform-fwd'],
      ['default', 'reverse', 'msk-cutover-orders-platform-rev'],
    ]);
  });

  it('matches the golden requests, which were checked against the API facts', () => {
    expect(forward?.input).toEqual(golden('forward/create-replicator.json'));
    expect(reverse?.input).toEqual(golden('reverse/create-replicator.json'));
    expect(forward?.input.KafkaClusters).toEqual(
      golden('forward/kafka-clusters.json'),
    );
    expect(reverse?.input.ReplicationInfoList).toEqual(
      golden('reverse/replication-info.json'),
    );
  });

  it('registers the external source with SCRAM, TLS and its VPC, and the MSK target by ARN', () => {
    const [external, msk] = forward?.input.KafkaClusters ?? [];
    expect(external).toEqual({
      ApacheKafkaCluster: {
        ApacheKafkaClusterId: 'lkc-abc123',
        BootstrapBrokerString:
          'kafka-1.onprem.example.com:9096,kafka-2.onprem.example.com:9096,kafka-3.onprem.example.com:9096',
      },
      VpcConfig: {
        SubnetIds: [
          'subnet-0a1b2c3d4e5f60001',
          'subnet-0a1b2c3d4e5f60002',
          'subnet-0a1b2c3d4e5f60003',
        ],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60001'],
      },
      ClientAuthentication: {
        SaslScram: { Mechanism: 'SHA512', SecretArn: SECRET_ARN },
      },
      // No separate CA secret: the SCRAM secret's `certificate` key.
      EncryptionInTransit: {
        EncryptionType: 'TLS',
        RootCaCertificate: SECRET_ARN,
      },
    });
    expect(msk).toEqual({
      AmazonMskCluster: { MskClusterArn: CLUSTER_ARN },
      VpcConfig: {
        SubnetIds: [
          'subnet-0a1b2c3d4e5f60011',
          'subnet-0a1b2c3d4e5f60012',
          'subnet-0a1b2c3d4e5f60013',
        ],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f60011'],
      },
    });
  });

  it('registers both clusters the same way in both directions (ENHANCED needs it)', () => {
    expect(reverse?.input.KafkaClusters).toEqual(forward?.input.KafkaClusters);
  });

  it('points forward from the cluster id to the MSK ARN and reverse the other way', () => {
    const f = forward?.input.ReplicationInfoList?.[0];
    const r = reverse?.input.ReplicationInfoList?.[0];
    expect(f).toMatchObject({
      SourceKafkaClusterId: 'lkc-abc123',
      TargetKafkaClusterArn: CLUSTER_ARN,
    });
    expect(f).not.toHaveProperty('SourceKafkaClusterArn');
    expect(f).not.toHaveProperty('TargetKafkaClusterId');
    expect(r).toMatchObject({
      SourceKafkaClusterArn: CLUSTER_ARN,
      TargetKafkaClusterId: 'lkc-abc123',
    });
    expect(r).not.toHaveProperty('SourceKafkaClusterId');
    expect(r).not.toHaveProperty('TargetKafkaClusterArn');
  });

  it('uses IDENTICAL names, ENHANCED sync, EARLIEST forward and LATEST reverse, every boolean explicit', () => {
    for (const [req, start] of [
      [forward, 'EARLIEST'],
      [reverse, 'LATEST'],
    ] as const) {
      const info = req?.input.ReplicationInfoList?.[0];
      expect(info?.TargetCompressionType).toBe('NONE');
      expect(info?.TopicReplication).toEqual({
        TopicsToReplicate: ['orders', 'order_status'],
        TopicsToExclude: [],
        CopyAccessControlListsForTopics: true,
        CopyTopicConfigurations: true,
        DetectAndCopyNewTopics: true,
        StartingPosition: { Type: start },
        TopicNameConfiguration: { Type: 'IDENTICAL' },
      });
      expect(info?.ConsumerGroupReplication).toEqual({
        ConsumerGroupsToReplicate: ['order-status', 'customer-notification'],
        ConsumerGroupsToExclude: [],
        DetectAndCopyNewConsumerGroups: true,
        SynchroniseConsumerGroupOffsets: true,
        ConsumerGroupOffsetSyncMode: 'ENHANCED',
      });
    }
  });

  it('carries the role, log delivery and the msk-cutover tags', () => {
    expect(forward?.input.ServiceExecutionRoleArn).toBe(ROLE);
    expect(forward?.input.LogDelivery).toEqual({
      ReplicatorLogDelivery: {
        CloudWatchLogs: {
          Enabled: true,
          LogGroup: '/msk-cutover/orders-platform/replicators',
        },
        Firehose: { Enabled: false },
        S3: { Enabled: false },
      },
    });
    expect(reverse?.input.Tags).toEqual({
      'msk-cutover:migration-id': 'orders-platform',
      'msk-cutover:shard': 'default',
      'msk-cutover:direction': 'reverse',
    });
    expect(forward?.input.Description?.length).toBeLessThanOrEqual(1024);
  });

  it('is accepted by the SDK command as its input', () => {
    const command = new CreateReplicatorCommand(
      forward?.input as CreateReplicatorCommandInput,
    );
    expect(command.input.ReplicatorName).toBe(
      'msk-cutover-orders-platform-fwd',
    );
  });
});

describe('replicator settings from plan options', () => {
  it('uses a separate root CA secret when the plan names one', () => {
    const input = sampleInput();
    const ca = SECRET_ARN.replace(
      'onprem-replicator-AbCdEf',
      'onprem-ca-XyZ123',
    );
    input.source.tls = { rootCaSecretArn: ca };
    const [forward] = requests(input);
    expect(forward?.input.KafkaClusters?.[0]?.EncryptionInTransit).toEqual({
      EncryptionType: 'TLS',
      RootCaCertificate: ca,
    });
  });

  it('builds a forward replicator only, with LEGACY sync, when bidirectional is false', () => {
    const input = sampleInput();
    input.replication.bidirectional = false;
    const all = requests(input);
    expect(all.map((r) => r.name)).toEqual(['msk-cutover-orders-platform-fwd']);
    expect(
      all[0]?.input.ReplicationInfoList?.[0]?.ConsumerGroupReplication
        ?.ConsumerGroupOffsetSyncMode,
    ).toBe('LEGACY');
  });

  it('enables S3 and Firehose delivery when configured and disables all when absent', () => {
    const input = sampleInput();
    input.replication.logDelivery = {
      firehoseDeliveryStream: 'replicator-logs',
      s3: { bucket: 'my-logs', prefix: 'replicators/' },
    };
    expect(requests(input)[0]?.input.LogDelivery).toEqual({
      ReplicatorLogDelivery: {
        CloudWatchLogs: { Enabled: false },
        Firehose: { Enabled: true, DeliveryStream: 'replicator-logs' },
        S3: { Enabled: true, Bucket: 'my-logs', Prefix: 'replicators/' },
      },
    });
    delete input.replication.logDelivery;
    expect(requests(input)[0]?.input.LogDelivery).toEqual({
      ReplicatorLogDelivery: {
        CloudWatchLogs: { Enabled: false },
        Firehose: { Enabled: false },
        S3: { Enabled: false },
      },
    });
  });

  it('uses the plan compression, flags and starting positions', () => {
    const input = sampleInput();
    Object.assign(input.replication, {
      targetCompression: 'ZSTD',
      startingPosition: 'LATEST',
      reverseStartingPosition: 'EARLIEST',
      copyTopicConfigurations: false,
      detectAndCopyNewConsumerGroups: false,
    });
    const [f, r] = requests(input);
    const fi = f?.input.ReplicationInfoList?.[0];
    expect(fi?.TargetCompressionType).toBe('ZSTD');
    expect(fi?.TopicReplication?.StartingPosition).toEqual({ Type: 'LATEST' });
    expect(fi?.TopicReplication?.CopyTopicConfigurations).toBe(false);
    expect(fi?.ConsumerGroupReplication?.DetectAndCopyNewConsumerGroups).toBe(
      false,
    );
    expect(
      r?.input.ReplicationInfoList?.[0]?.TopicReplication?.StartingPosition,
    ).toEqual({ Type: 'EARLIEST' });
  });
});

describe('shards', () => {
  const sharded = () => {
    const input = sampleInput();
    delete input.replication.topics;
    delete input.replication.topicsToExclude;
    input.replication.shards = [
      { name: 'core', topics: ['orders'] },
      { name: 'status', topics: ['order_.*'], topicsToExclude: ['order_tmp'] },
    ];
    return input;
  };

  it('names a forward/reverse pair per shard, in shard order', () => {
    expect(replicatorNames(parse(sharded()))).toEqual([
      'msk-cutover-orders-platform-core-fwd',
      'msk-cutover-orders-platform-core-rev',
      'msk-cutover-orders-platform-status-fwd',
      'msk-cutover-orders-platform-status-rev',
    ]);
    for (const name of replicatorNames(parse(sharded()))) {
      expect(name).toMatch(REPLICATOR_NAME_PATTERN);
    }
  });

  it("gives each shard's replicators only that shard's topics and tags", () => {
    const all = requests(sharded());
    const status = all.find(
      (r) => r.shard === 'status' && r.direction === 'reverse',
    );
    expect(
      status?.input.ReplicationInfoList?.[0]?.TopicReplication,
    ).toMatchObject({
      TopicsToReplicate: ['order_.*'],
      TopicsToExclude: ['order_tmp'],
    });
    expect(status?.input.Tags?.['msk-cutover:shard']).toBe('status');
    expect(status?.input.Description).toContain('(shard status)');
  });

  it('finds the shards an application touches', () => {
    const plan = parse(sharded());
    expect(shardsOfApp(plan, 'order-status')).toEqual(['core', 'status']);
    expect(shardsOfApp(plan, 'orders')).toEqual(['core']);
    expect(shardsOfApp(plan, 'customer-notification')).toEqual(['status']);
    expect(shardsOfApp(plan, 'nobody')).toEqual([]);
    expect(shardsOfApp(parse(sampleInput()), 'orders')).toEqual(['default']);
  });
});

describe('sameReplicatorSettings', () => {
  const [forward] = requests();
  const input = forward?.input as CreateReplicatorCommandInput;

  /** What DescribeReplicator returns for a replicator created with `input`. */
  function described(): DescribeReplicatorResponse {
    return {
      ReplicatorName: input.ReplicatorName,
      ReplicatorArn:
        'arn:aws:kafka:us-east-1:123456789012:replicator/msk-cutover-orders-platform-fwd/abc-1',
      ReplicatorState: 'RUNNING',
      CurrentVersion: 'K1',
      ServiceExecutionRoleArn: input.ServiceExecutionRoleArn,
      KafkaClusters: (input.KafkaClusters ?? []).map((c, i) => ({
        ...structuredClone(c),
        KafkaClusterAlias: `alias-${i}`,
      })),
      ReplicationInfoList: (input.ReplicationInfoList ?? []).map((r) => ({
        SourceKafkaClusterAlias: 'alias-0',
        TargetKafkaClusterAlias: 'alias-1',
        TargetCompressionType: r.TargetCompressionType,
        TopicReplication: {
          ...structuredClone(r.TopicReplication),
          TopicsToReplicate: [
            ...(r.TopicReplication?.TopicsToReplicate ?? []),
          ].reverse(),
        } as NonNullable<typeof r.TopicReplication>,
        ConsumerGroupReplication: structuredClone(r.ConsumerGroupReplication),
      })),
      Tags: { ...input.Tags },
    };
  }

  it('accepts a replicator with the same settings, whatever the list order', () => {
    expect(sameReplicatorSettings(described(), input)).toEqual({
      same: true,
      differences: [],
    });
  });

  it('names every setting that differs', () => {
    const existing = described();
    const info = existing.ReplicationInfoList?.[0];
    if (info?.TopicReplication === undefined) throw new Error('fixture');
    info.TopicReplication.StartingPosition = { Type: 'LATEST' };
    info.TopicReplication.TopicsToReplicate = ['.*'];
    existing.ServiceExecutionRoleArn = 'arn:aws:iam::123456789012:role/other';
    existing.Tags = { 'msk-cutover:migration-id': 'someone-else' };
    const result = sameReplicatorSettings(existing, input);
    expect(result.same).toBe(false);
    expect(result.differences.map((d) => d.split(':')[0])).toEqual([
      'ServiceExecutionRoleArn',
      'TopicReplication.TopicsToReplicate',
      'TopicReplication.StartingPosition.Type',
      'Tags.msk-cutover',
    ]);
    expect(result.differences[2]).toBe(
      'TopicReplication.StartingPosition.Type: is "LATEST", plan wants "EARLIEST"',
    );
  });

  it('treats a missing migration tag as a different replicator', () => {
    const existing = described();
    existing.Tags = {};
    expect(sameReplicatorSettings(existing, input).same).toBe(false);
  });

  it('compares the MSK cluster and the external cluster id', () => {
    const existing = described();
    const [external] = existing.KafkaClusters ?? [];
    if (external?.ApacheKafkaCluster === undefined) throw new Error('fixture');
    external.ApacheKafkaCluster.ApacheKafkaClusterId = 'lkc-other';
    expect(sameReplicatorSettings(existing, input).differences).toEqual([
      'KafkaClusters.ApacheKafkaCluster.ApacheKafkaClusterId: is ["lkc-other"], plan wants ["lkc-abc123"]',
    ]);
  });
});
