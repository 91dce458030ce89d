import { readFileSync } from 'node:fs';
import {
  CloudWatchClient,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ResourceNotFoundException as FirehoseResourceNotFound,
} from '@aws-sdk/client-firehose';
import {
  type CreateReplicatorCommandInput,
  KafkaClient,
} from '@aws-sdk/client-kafka';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedAws } from '../../../cli/rehearsal/sim-aws.ts';
import { ClusterModel } from '../../../cli/rehearsal/simulator.ts';
import { AwsInventoryAdapter } from '../../../functions/shared/aws/inventory.ts';
import { AwsLogDestinations } from '../../../functions/shared/aws/log-destinations.ts';
import { CloudWatchMetrics } from '../../../functions/shared/aws/metrics.ts';
import { SnsEventBridgeNotifier } from '../../../functions/shared/aws/notifier.ts';
import { S3PlanStore } from '../../../functions/shared/aws/plan-store.ts';
import { MskReplicators } from '../../../functions/shared/aws/replicators.ts';
import { KmsTokenCipher } from '../../../functions/shared/aws/token-cipher.ts';
import {
  type Plan,
  PlanSchema,
} from '../../../functions/shared/domain/plan.ts';
import type { MetricQuery } from '../../../functions/shared/ports.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-01-05T08:00:00Z');
const planText = readFileSync('events/start-migration.json', 'utf8');
const plan: Plan = PlanSchema.parse(JSON.parse(planText));
const SECRET = plan.source.saslScram.secretArn;

function request(name: string): CreateReplicatorCommandInput {
  return {
    ReplicatorName: name,
    ServiceExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
    KafkaClusters: [
      {
        ApacheKafkaCluster: {
          ApacheKafkaClusterId: 'lkc-1',
          BootstrapBrokerString: 'kafka-1:9096',
        },
      },
      { AmazonMskCluster: { MskClusterArn: plan.target.mskClusterArn } },
    ],
    ReplicationInfoList: [
      {
        SourceKafkaClusterId: 'lkc-1',
        TargetKafkaClusterArn: plan.target.mskClusterArn,
        TargetCompressionType: 'NONE',
        TopicReplication: {
          TopicsToReplicate: ['orders', 'order_status'],
          StartingPosition: { Type: 'EARLIEST' },
        },
        ConsumerGroupReplication: { ConsumerGroupsToReplicate: ['.*'] },
      },
    ],
  };
}

describe('SimulatedAws', () => {
  let now: number;
  let model: ClusterModel;
  let aws: SimulatedAws;
  const region = 'us-east-1';
  const clients = () => {
    const c = {
      kafka: new KafkaClient({ region }),
      cw: new CloudWatchClient({ region, maxAttempts: 3 }),
      s3: new S3Client({ region }),
      kms: new KMSClient({ region }),
      secrets: new SecretsManagerClient({ region }),
      ec2: new EC2Client({ region }),
      quotas: new ServiceQuotasClient({ region }),
      sns: new SNSClient({ region }),
      eventbridge: new EventBridgeClient({ region }),
      logs: new CloudWatchLogsClient({ region }),
      firehose: new FirehoseClient({ region }),
    };
    for (const client of Object.values(c)) {
      aws.installOn(client as unknown as Parameters<typeof aws.installOn>[0]);
    }
    return c;
  };

  beforeAll(() => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAREHEARSAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'rehearsal';
  });

  beforeEach(() => {
    now = START;
    model = new ClusterModel(plan, () => new Date(now), {
      creatingMinutes: 30,
    });
    aws = new SimulatedAws({
      model,
      now: () => new Date(now),
      secrets: { [SECRET]: JSON.stringify({ username: 'u', password: 'p' }) },
      faults: {
        throttling: {
          commands: ['CloudWatch.GetMetricData'],
          every: 2,
          times: 1,
        },
      },
    });
  });

  it('should run the real replicator adapter: create, conflict, list, describe, delete', async () => {
    const c = clients();
    const replicators = new MskReplicators(c.kafka);
    const created = await replicators.create(request('msk-cutover-x-fwd'));
    expect(created).toMatchObject({ kind: 'created', state: 'CREATING' });
    expect(await replicators.create(request('msk-cutover-x-fwd'))).toEqual({
      kind: 'conflict',
    });
    await replicators.create(request('other-fwd'));
    const listed = await replicators.listByPrefix('msk-cutover-x-');
    expect(listed.map((r) => r.ReplicatorName)).toEqual(['msk-cutover-x-fwd']);
    if (created.kind !== 'created') return;
    now = START + 31 * MINUTE;
    const described = await replicators.describe(created.arn);
    expect(described?.ReplicatorState).toBe('RUNNING');
    expect(
      described?.KafkaClusters?.map((k) => k.KafkaClusterAlias).sort(),
    ).toEqual([model.aliasOf('source'), model.aliasOf('target')].sort());
    expect(described?.ReplicationInfoList?.[0]?.SourceKafkaClusterAlias).toBe(
      model.aliasOf('source'),
    );
    await replicators.delete(created.arn);
    now += 2 * MINUTE;
    expect(await replicators.describe(created.arn)).toBeNull();
    await replicators.delete(created.arn);
    expect(aws.calls.get('Kafka.CreateReplicator')).toBe(3);
    expect(aws.calls.get('Kafka.DeleteReplicator')).toBe(2);
  });

  it('should answer GetMetricData with 1-minute datapoints over virtual time, retrying a throttle', async () => {
    const c = clients();
    const replicators = new MskReplicators(c.kafka);
    await replicators.create(request('msk-cutover-x-fwd'));
    now = START + 60 * MINUTE;
    const metrics = new CloudWatchMetrics(c.cw);
    const query: MetricQuery[] = [
      {
        id: 'lag',
        namespace: 'AWS/Kafka',
        metricName: 'MessageLag',
        dimensions: { ReplicatorName: 'msk-cutover-x-fwd' },
        stat: 'Maximum',
        periodSeconds: 60,
      },
      {
        id: 'ping',
        namespace: 'AWS/Kafka',
        metricName: 'KafkaClusterPingSuccessCount',
        dimensions: {
          ReplicatorName: 'msk-cutover-x-fwd',
          ClusterAlias: model.aliasOf('source'),
        },
        stat: 'Minimum',
        periodSeconds: 60,
      },
    ];
    const from = new Date(START + 20 * MINUTE);
    const to = new Date(now);
    const first = await metrics.query(query, from, to);
    const second = await metrics.query(query, from, to);
    expect(second).toEqual(first);
    const lag = first.find((s) => s.id === 'lag')?.points ?? [];
    // RUNNING from minute 30: datapoints for minutes 30..59 only.
    expect(lag).toHaveLength(30);
    expect(lag[0]?.at.getTime()).toBe(START + 30 * MINUTE);
    expect(lag[0]?.value).toBeGreaterThan(lag.at(-1)?.value ?? 0);
    expect(
      first.find((s) => s.id === 'ping')?.points.every((p) => p.value === 1),
    ).toBe(true);
    // The second call was throttled once and retried by the SDK.
    expect(aws.calls.get('CloudWatch.GetMetricData')).toBe(3);
  });

  describe('GetMetricData, as strict as CloudWatch', () => {
    const FWD = 'msk-cutover-x-fwd';
    const q = (
      metricName: string,
      dimensions: Record<string, string>,
      extra: Partial<MetricQuery> = {},
    ): MetricQuery => ({
      id: `q${metricName.length}${Object.keys(dimensions).length}`,
      namespace: 'AWS/Kafka',
      metricName,
      dimensions,
      stat: 'Maximum',
      periodSeconds: 60,
      ...extra,
    });
    /** Points of one query after an hour of a RUNNING replicator. */
    async function pointsOf(query: MetricQuery) {
      const c = clients();
      await new MskReplicators(c.kafka).create(request(FWD));
      now = START + 60 * MINUTE;
      const [series] = await new CloudWatchMetrics(c.cw).query(
        [query],
        new Date(START + 40 * MINUTE),
        new Date(now),
      );
      return series?.points ?? [];
    }

    it.each([
      ['ReplicatorFailure', { ReplicatorName: FWD }],
      ['ReplicationFailures', { ReplicatorName: FWD }],
      ['MessageLag', { ReplicatorName: FWD }],
      ['MessageLag', { ReplicatorName: FWD, Topic: 'orders' }],
      ['ConsumerGroupCount', { ReplicatorName: FWD }],
      ['ConsumerGroupOffsetSyncFailure', { ReplicatorName: FWD }],
      ['AuthError', { ReplicatorName: FWD, ClusterAlias: 'SRC' }],
    ])(
      'should return data for %s by its documented dimensions %j',
      async (name, dims) => {
        const alias = model.aliasOf('source');
        const d = Object.fromEntries(
          Object.entries(dims).map(([k, v]) => [k, v === 'SRC' ? alias : v]),
        );
        expect(await pointsOf(q(name, d))).toHaveLength(20);
      },
    );

    it.each([
      ['a misspelt dimension name', 'MessageLag', { ReplicatorNAME: FWD }],
      ['a misspelt value', 'MessageLag', { ReplicatorName: `${FWD}x` }],
      [
        'an extra dimension',
        'ReplicatorFailure',
        { ReplicatorName: FWD, Topic: 'orders' },
      ],
      [
        'a missing dimension',
        'KafkaClusterPingSuccessCount',
        { ReplicatorName: FWD },
      ],
      [
        'a dimension of another metric',
        'ReplicationFailures',
        { ReplicatorName: FWD, ClusterAlias: 'x' },
      ],
      [
        'the consumer-lag metric without Cluster Name',
        'SumOffsetLag',
        { 'Consumer Group': 'order-status', Topic: 'orders' },
      ],
    ])(
      'should return no data and no error for %s',
      async (_what, name, dims) => {
        expect(await pointsOf(q(name, dims))).toEqual([]);
      },
    );

    it('should return no data in another namespace', async () => {
      expect(
        await pointsOf(
          q('MessageLag', { ReplicatorName: FWD }, { namespace: 'AWS/MSK' }),
        ),
      ).toEqual([]);
    });

    it('should aggregate by period and statistic, aligned to the period', async () => {
      const sum = await pointsOf(
        q(
          'ConsumerGroupCount',
          { ReplicatorName: FWD },
          {
            stat: 'Sum',
            periodSeconds: 300,
          },
        ),
      );
      // 20 minutes in 5-minute periods from the start time, each the sum
      // of five 1-minute values (the replicator's groups).
      const groups = model.allReplicators()[0]?.groups.length ?? 0;
      expect(groups).toBeGreaterThan(0);
      expect(sum.map((p) => p.value)).toEqual(
        [1, 1, 1, 1].map(() => 5 * groups),
      );
      expect(sum.map((p) => (p.at.getTime() - START) / MINUTE)).toEqual([
        40, 45, 50, 55,
      ]);
    });

    it('should refuse a period that is not a multiple of 60, as a ValidationError', async () => {
      await expect(
        pointsOf(
          q('MessageLag', { ReplicatorName: FWD }, { periodSeconds: 90 }),
        ),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    });

    it('should refuse more than 500 metrics in one request', async () => {
      const c = clients();
      const queries = Array.from({ length: 501 }, (_, i) => ({
        Id: `q${i}`,
        MetricStat: {
          Metric: {
            Namespace: 'AWS/Kafka',
            MetricName: 'MessageLag',
            Dimensions: [{ Name: 'ReplicatorName', Value: FWD }],
          },
          Period: 60,
          Stat: 'Maximum',
        },
      }));
      await expect(
        c.cw.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(START),
            EndTime: new Date(START + MINUTE),
          }),
        ),
      ).rejects.toMatchObject({
        name: 'ValidationError',
        $metadata: { httpStatusCode: 400 },
      });
    });

    it('should page by MaxDatapoints, newest first unless ScanBy says otherwise', async () => {
      const c = clients();
      await new MskReplicators(c.kafka).create(request(FWD));
      now = START + 60 * MINUTE;
      const input = {
        MetricDataQueries: ['a', 'b'].map((Id) => ({
          Id,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'ConsumerGroupCount',
              Dimensions: [{ Name: 'ReplicatorName', Value: FWD }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        })),
        StartTime: new Date(START + 50 * MINUTE),
        EndTime: new Date(now),
        MaxDatapoints: 15,
      };
      const first = await c.cw.send(new GetMetricDataCommand(input));
      expect(first.MetricDataResults?.map((r) => r.Values?.length)).toEqual([
        10, 5,
      ]);
      const stamps = first.MetricDataResults?.[0]?.Timestamps ?? [];
      expect(stamps[0]?.getTime()).toBe(START + 59 * MINUTE);
      expect(first.NextToken).toBeDefined();
      const rest = await c.cw.send(
        new GetMetricDataCommand({ ...input, NextToken: first.NextToken }),
      );
      expect(rest.MetricDataResults?.map((r) => r.Values?.length)).toEqual([
        0, 5,
      ]);
      expect(rest.NextToken).toBeUndefined();
      const ascending = await c.cw.send(
        new GetMetricDataCommand({ ...input, ScanBy: 'TimestampAscending' }),
      );
      expect(ascending.MetricDataResults?.[0]?.Timestamps?.[0]?.getTime()).toBe(
        START + 50 * MINUTE,
      );
    });
  });

  it('should answer the log-delivery lookups from what exists in the account', async () => {
    aws = new SimulatedAws({
      model,
      now: () => new Date(now),
      secrets: {},
      logDestinations: {
        logGroups: ['/replicators/a', '/replicators/ab', '/other'],
        deliveryStreams: ['stream-1'],
        buckets: ['logs-bucket'],
      },
    });
    const c = clients();
    const destinations = new AwsLogDestinations(c);
    expect(await destinations.logGroupExists('/replicators/a')).toBe(true);
    expect(await destinations.logGroupExists('/replicators')).toBe(false);
    expect(await destinations.deliveryStreamExists('stream-1')).toBe(true);
    expect(await destinations.deliveryStreamExists('stream-2')).toBe(false);
    expect(await destinations.bucketExists('logs-bucket')).toBe(true);
    expect(await destinations.bucketExists('logs')).toBe(false);
    aws.logGroups.delete('/replicators/a');
    expect(await destinations.logGroupExists('/replicators/a')).toBe(false);
    aws.deliveryStreams.add('stream-2');
    expect(await destinations.deliveryStreamExists('stream-2')).toBe(true);
    expect(aws.calls.get('CloudWatchLogs.DescribeLogGroups')).toBe(3);
    expect(aws.calls.get('Firehose.DescribeDeliveryStream')).toBe(3);
    expect(aws.calls.get('S3.ListBuckets')).toBe(2);
  });

  it('should answer DescribeLogGroups and DescribeDeliveryStream as the SDK models them', async () => {
    aws = new SimulatedAws({
      model,
      now: () => new Date(now),
      secrets: {},
      logDestinations: {
        logGroups: ['/b', '/a/2', '/a/1', '/a/3'],
        deliveryStreams: ['stream-1'],
      },
    });
    const c = clients();
    // ASCII-sorted, a prefix match, pages of `limit` behind `nextToken`.
    const first = await c.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/a/', limit: 2 }),
    );
    expect(first.logGroups?.map((g) => g.logGroupName)).toEqual([
      '/a/1',
      '/a/2',
    ]);
    expect(first.logGroups?.[0]?.arn).toBe(
      'arn:aws:logs:us-east-1:123456789012:log-group:/a/1:*',
    );
    const rest = await c.logs.send(
      new DescribeLogGroupsCommand({
        logGroupNamePrefix: '/a/',
        limit: 2,
        nextToken: first.nextToken,
      }),
    );
    expect(rest.logGroups?.map((g) => g.logGroupName)).toEqual(['/a/3']);
    expect(rest.nextToken).toBeUndefined();
    const described = await c.firehose.send(
      new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'stream-1' }),
    );
    expect(described.DeliveryStreamDescription).toMatchObject({
      DeliveryStreamName: 'stream-1',
      DeliveryStreamStatus: 'ACTIVE',
    });
    // The SDK's own exception class, as the service's error would become.
    const missing = await c.firehose
      .send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'gone' }))
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(FirehoseResourceNotFound);
    expect(missing).toMatchObject({
      name: 'ResourceNotFoundException',
      $fault: 'client',
      message: 'Firehose gone under account 123456789012 not found.',
    });
    // A filter the simulation does not model is refused, not ignored.
    await expect(
      c.logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'a' })),
    ).rejects.toThrow(/simulated with logGroupNamePrefix only/);
  });

  it('should keep custom metrics put with PutMetricData', async () => {
    const c = clients();
    const metrics = new CloudWatchMetrics(c.cw);
    await metrics.put([
      {
        metricName: 'SourceSumOffsetLag',
        dimensions: { Migration: 'm', Group: 'g' },
        value: 42,
        at: new Date(START + 5 * MINUTE),
      },
    ]);
    now = START + 10 * MINUTE;
    const [series] = await metrics.query(
      [
        {
          id: 'src',
          namespace: 'msk-cutover',
          metricName: 'SourceSumOffsetLag',
          dimensions: { Group: 'g', Migration: 'm' },
          stat: 'Maximum',
          periodSeconds: 60,
        },
      ],
      new Date(START),
      new Date(now),
    );
    expect(series?.points).toEqual([
      { at: new Date(START + 5 * MINUTE), value: 42 },
    ]);
  });

  it('should drop custom datapoints older than the retention', async () => {
    aws = new SimulatedAws({
      model,
      now: () => new Date(now),
      secrets: {},
      metricRetentionMinutes: 60,
    });
    const metrics = new CloudWatchMetrics(clients().cw);
    const point = (minute: number, value: number) => ({
      metricName: 'SourceSumOffsetLag',
      dimensions: { Group: 'g' },
      value,
      at: new Date(START + minute * MINUTE),
    });
    await metrics.put([point(0, 1), point(30, 2)]);
    await metrics.put([point(120, 3)]);
    now = START + 180 * MINUTE;
    const [series] = await metrics.query(
      [
        {
          id: 'src',
          namespace: 'msk-cutover',
          metricName: 'SourceSumOffsetLag',
          dimensions: { Group: 'g' },
          stat: 'Maximum',
          periodSeconds: 60,
        },
      ],
      new Date(START),
      new Date(now),
    );
    expect(series?.points.map((p) => p.value)).toEqual([3]);
  });

  it('should serve the plan object by version, secrets, KMS, quotas and the MSK cluster', async () => {
    const c = clients();
    const versionId = aws.putObject('plans', 'm/plan.json', planText);
    const store = new S3PlanStore(c.s3);
    expect(
      await store.get({ bucket: 'plans', key: 'm/plan.json', versionId }),
    ).toBe(planText);
    await expect(
      store.get({ bucket: 'plans', key: 'm/plan.json', versionId: 'nope' }),
    ).rejects.toThrow(/does not exist/);

    const cipher = new KmsTokenCipher(c.kms, 'alias/k');
    const sealed = await cipher.encrypt('token-1', { approvalId: 'a1' });
    expect(sealed).not.toContain('token-1');
    expect(await cipher.decrypt(sealed, { approvalId: 'a1' })).toBe('token-1');
    await expect(cipher.decrypt(sealed, { approvalId: 'a2' })).rejects.toThrow(
      /invalid/,
    );

    const inventory = new AwsInventoryAdapter(c);
    expect(await inventory.secretJson(SECRET)).toEqual({
      username: 'u',
      password: 'p',
    });
    expect(await inventory.replicatorQuota()).toBe(15);
    expect(await inventory.mskCluster(plan.target.mskClusterArn)).toMatchObject(
      {
        state: 'ACTIVE',
        instanceType: 'express.m7g.large',
        iamAuthEnabled: true,
      },
    );
    const subnets = await inventory.subnets(plan.source.vpc.subnetIds);
    expect(subnets.map((s) => s.id)).toEqual(plan.source.vpc.subnetIds);
  });

  it('should keep every email and event the notifier sends', async () => {
    const c = clients();
    const notifier = new SnsEventBridgeNotifier({
      sns: c.sns,
      eventbridge: c.eventbridge,
      topicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      eventBusName: 'bus',
    });
    await notifier.publish({
      migrationId: 'm',
      type: 'Phase Changed',
      subject: 'Replicators RUNNING',
      body: 'Both replicators are RUNNING.',
      detail: { phase: 'AwaitRunning' },
    });
    expect(aws.emails).toMatchObject([
      { subject: 'Replicators RUNNING', body: 'Both replicators are RUNNING.' },
    ]);
    expect(aws.events[0]).toMatchObject({
      detailType: 'Phase Changed',
      detail: { migrationId: 'm', phase: 'AwaitRunning' },
    });
  });

  it('should fail loudly on a command it does not simulate', async () => {
    await expect(aws.answer('Kafka', 'RebootBroker', {})).rejects.toThrow(
      /Kafka.RebootBroker is not simulated/,
    );
  });
});
