/**
 * Shared by the poll-readiness and verify-cutover tests: the published
 * example plan served by a mocked S3, a real ledger on dynalite, mocked
 * CloudWatch/MSK/SNS/EventBridge clients and a settable clock.
 */
import { readFileSync } from 'node:fs';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import {
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { DescribeReplicatorCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../../../functions/shared/aws/metrics.ts';
import { SnsEventBridgeNotifier } from '../../../functions/shared/aws/notifier.ts';
import { S3PlanStore } from '../../../functions/shared/aws/plan-store.ts';
import { MskReplicators } from '../../../functions/shared/aws/replicators.ts';
import type {
  GroupMeasurement,
  GroupSide,
} from '../../../functions/shared/contracts.ts';
import type { PlanInput } from '../../../functions/shared/domain/plan.ts';
import type { Log } from '../../../functions/shared/ports.ts';
import type { LocalDynamo } from '../../support/dynalite.ts';

export const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
export const MIGRATION = 'orders-platform';
export const FWD = 'msk-cutover-orders-platform-fwd';
export const REV = 'msk-cutover-orders-platform-rev';
export const T0 = new Date('2026-03-01T10:00:00.000Z');
const arnOf = (name: string) =>
  `arn:aws:kafka:us-east-1:123456789012:replicator/${name}/0000-1`;

export const mocks = {
  s3: mockClient(S3Client),
  cw: mockClient(CloudWatchClient),
  kafka: mockClient(KafkaClient),
  sns: mockClient(SNSClient),
  eb: mockClient(EventBridgeClient),
};

/** The example plan, with `edit` applied to its JSON. */
export function planText(edit: (p: PlanInput) => void = () => {}) {
  const plan = JSON.parse(readFileSync('events/start-migration.json', 'utf-8'));
  edit(plan);
  return JSON.stringify(plan);
}

/** Metric values by metric name and dimensions; `undefined` = no data. */
export type MetricSource = (
  metric: string,
  dims: Record<string, string>,
) => number[] | undefined;

export const healthyMetrics: MetricSource = (metric) =>
  ({
    ReplicatorFailure: [0],
    ReplicationFailures: [0],
    ConsumerGroupOffsetSyncFailure: [0],
    ConsumerGroupCount: [2],
    MessageLag: [10],
    ReplicationLatency: [300],
    KafkaClusterPingSuccessCount: [1],
    AuthError: [0],
    ThrottleTime: [0],
    SumOffsetLag: [4],
    ReplicatorThroughput: [100],
  })[metric];

export const silentLog: Log = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export class Harness {
  now = T0;
  metrics: MetricSource = healthyMetrics;
  readonly clock = { now: () => this.now };
  readonly ledger: DynamoLedger;

  constructor(db: LocalDynamo, table: string) {
    this.ledger = new DynamoLedger(db.client, table, this.clock);
  }

  /** Resets the AWS mocks and installs the plan, metrics and replicators. */
  async setUp(plan = planText()) {
    for (const m of Object.values(mocks)) m.reset();
    mocks.s3.on(GetObjectCommand).callsFake(() => ({
      Body: { transformToString: async () => plan },
    }));
    mocks.cw
      .on(GetMetricDataCommand)
      .callsFake((input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
          const m = q.MetricStat?.Metric;
          const dims = Object.fromEntries(
            (m?.Dimensions ?? []).map((d) => [d.Name, d.Value]),
          );
          const vs = this.metrics(m?.MetricName ?? '', dims) ?? [];
          return {
            Id: q.Id,
            Values: vs,
            Timestamps: vs.map(
              (_, i) => new Date(this.now.getTime() - (vs.length - i) * 60_000),
            ),
          };
        }),
      }));
    mocks.kafka
      .on(DescribeReplicatorCommand)
      .callsFake((input: { ReplicatorArn: string }) => ({
        ReplicatorArn: input.ReplicatorArn,
        ReplicatorState: 'RUNNING',
        KafkaClusters: [
          {
            ApacheKafkaCluster: { ApacheKafkaClusterId: 'src-id' },
            KafkaClusterAlias: 'src-alias',
          },
          {
            AmazonMskCluster: { MskClusterArn: 'arn:msk' },
            KafkaClusterAlias: 'tgt-alias',
          },
        ],
      }));
    await this.ledger.startMigration({
      migrationId: MIGRATION,
      planDigest: 'digest',
      planRef,
      status: 'RUNNING',
      startedAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    mocks.sns.on(PublishCommand).resolves({ MessageId: '1' });
    mocks.eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    await this.putReplicators();
  }

  /** Records both replicators, with their cluster aliases when given. */
  async putReplicators(clusterAliases?: { source: string; target: string }) {
    for (const [name, direction] of [
      [FWD, 'forward'],
      [REV, 'reverse'],
    ] as const) {
      await this.ledger.putReplicator(MIGRATION, {
        name,
        arn: arnOf(name),
        shard: 'default',
        direction,
        ...(clusterAliases ? { clusterAliases } : {}),
      });
    }
  }

  deps() {
    return {
      plans: new S3PlanStore(new S3Client({})),
      ledger: this.ledger,
      metrics: new CloudWatchMetrics(new CloudWatchClient({})),
      replicators: new MskReplicators(new KafkaClient({})),
      notifier: new SnsEventBridgeNotifier({
        sns: new SNSClient({}),
        eventbridge: new EventBridgeClient({}),
        topicArn: 'arn:aws:sns:us-east-1:123456789012:t',
        eventBusName: 'bus',
      }),
      clock: this.clock,
      log: silentLog,
    };
  }

  /** Records a measurement and returns its id. */
  async measure(groups: GroupMeasurement[], app?: string): Promise<string> {
    const evidenceId = `measure-${this.now.toISOString()}${app ? `-${app}` : ''}`;
    await this.ledger.putEvidence({
      migrationId: MIGRATION,
      evidenceId,
      at: this.now.toISOString(),
      kind: 'measure',
      ...(app ? { app } : {}),
      reasons: [],
      data: { groups },
    });
    return evidenceId;
  }

  advance(minutes: number) {
    this.now = new Date(this.now.getTime() + minutes * 60_000);
  }
}

export const side = (
  state: string,
  members: number,
  sumOffsetLag: number | null,
): GroupSide => ({ state, members, sumOffsetLag, byTopic: {} });

/** Both plan groups consuming on the source, caught up on both sides. */
export const onSource = (lag = 3): GroupMeasurement[] =>
  ['order-status', 'customer-notification'].map((group) => ({
    group,
    source: side('Stable', 2, lag),
    target: side('Empty', 0, 4),
  }));
