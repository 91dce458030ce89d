import { readFileSync } from 'node:fs';
import type { CreateReplicatorCommandInput } from '@aws-sdk/client-kafka';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ClusterModel,
  type ModelFaults,
  type SimulationParameters,
} from '../../../cli/rehearsal/simulator.ts';
import {
  type Plan,
  PlanSchema,
} from '../../../functions/shared/domain/plan.ts';

const MINUTE = 60_000;
const plan: Plan = PlanSchema.parse(
  JSON.parse(readFileSync('events/start-migration.json', 'utf8')),
);
const START = Date.parse('2026-01-05T08:00:00Z');

function request(
  name: string,
  direction: 'forward' | 'reverse',
): CreateReplicatorCommandInput {
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
        ...(direction === 'forward'
          ? {
              SourceKafkaClusterId: 'lkc-1',
              TargetKafkaClusterArn: plan.target.mskClusterArn,
            }
          : {
              SourceKafkaClusterArn: plan.target.mskClusterArn,
              TargetKafkaClusterId: 'lkc-1',
            }),
        TargetCompressionType: 'NONE',
        TopicReplication: {
          TopicsToReplicate: ['orders', 'order_status'],
          StartingPosition: {
            Type: direction === 'forward' ? 'EARLIEST' : 'LATEST',
          },
        },
        ConsumerGroupReplication: { ConsumerGroupsToReplicate: ['.*'] },
      },
    ],
  };
}

describe('ClusterModel', () => {
  let now: number;
  const clock = () => new Date(now);
  const model = (
    params: Partial<SimulationParameters> = {},
    faults: ModelFaults = {},
  ) => new ClusterModel(plan, clock, params, faults);
  const at = (minutes: number) => START + minutes * MINUTE;

  beforeEach(() => {
    now = START;
  });

  it('should keep a replicator CREATING for creatingMinutes, then RUNNING', () => {
    const m = model({ creatingMinutes: 30 });
    const created = m.createReplicator(request('r-fwd', 'forward'));
    if (!created.ok) throw new Error('expected a new replicator');
    expect(m.stateOf(created.replicator, at(29))).toBe('CREATING');
    expect(m.stateOf(created.replicator, at(30))).toBe('RUNNING');
  });

  it('should refuse a duplicate name until the old replicator is gone', () => {
    const m = model();
    const first = m.createReplicator(request('r-fwd', 'forward'));
    expect(first.ok).toBe(true);
    expect(m.createReplicator(request('r-fwd', 'forward')).ok).toBe(false);
    if (!first.ok) return;
    now = at(40);
    m.deleteReplicator(first.replicator.arn);
    expect(m.stateOf(first.replicator)).toBe('DELETING');
    expect(m.createReplicator(request('r-fwd', 'forward')).ok).toBe(false);
    now = at(41);
    expect(m.stateOf(first.replicator)).toBe('GONE');
    expect(m.listReplicators()).toEqual([]);
    expect(m.createReplicator(request('r-fwd', 'forward')).ok).toBe(true);
  });

  it('should list only replicators whose name starts with the prefix', () => {
    const m = model();
    m.createReplicator(request('msk-cutover-a-fwd', 'forward'));
    m.createReplicator(request('msk-cutover-a-rev', 'reverse'));
    m.createReplicator(request('msk-cutover-ab-fwd', 'forward'));
    m.createReplicator(request('other-a-fwd', 'forward'));
    expect(m.listReplicators('msk-cutover-a-').map((r) => r.name)).toEqual([
      'msk-cutover-a-fwd',
      'msk-cutover-a-rev',
    ]);
    expect(m.listReplicators('msk-cutover-')).toHaveLength(3);
  });

  it('should end FAILED with StateInfo or stay CREATING when a fault says so', () => {
    const failing = model(
      {},
      {
        replicatorFailed: {
          nameContains: '-fwd',
          code: 'CONNECTIVITY',
          message: 'cannot reach kafka-1:9096',
        },
      },
    );
    const f = failing.createReplicator(request('r-fwd', 'forward'));
    if (!f.ok) throw new Error('expected a new replicator');
    expect(failing.stateOf(f.replicator, at(31))).toBe('FAILED');
    expect(f.replicator.stateInfo?.Message).toContain('kafka-1');
    const stuck = model({}, { stuckCreating: true });
    const s = stuck.createReplicator(request('r-fwd', 'forward'));
    if (!s.ok) throw new Error('expected a new replicator');
    expect(stuck.stateOf(s.replicator, at(600))).toBe('CREATING');
  });

  it('should drain the EARLIEST backlog at the capacity its partitions allow', () => {
    // Two topics of one partition: 2 x 0.3 MB/s = 600,000 B/s, which is
    // 1,000 records/s of 600 bytes.
    const m = model({
      backlogRecords: 200_000,
      produceRatePerSecond: 50,
      partitionsPerTopic: 1,
      recordSizeBytes: 600,
      creatingMinutes: 30,
    });
    const c = m.createReplicator(request('r-fwd', 'forward'));
    if (!c.ok) throw new Error('expected a new replicator');
    const r = c.replicator;
    expect(r.capacity.limitedBy).toBe('partitions');
    expect(r.capacity.recordsPerSecond).toBeCloseTo(1_000);
    // 200,000 backlog + 2 producing apps x 50/s x 30 min = 380,000 pending.
    expect(m.pendingAt(r, at(30))).toBeCloseTo(380_000, -2);
    // Net drain 60,000 - 6,000 per minute: 54,000 per minute.
    expect(m.pendingAt(r, at(31))).toBeCloseTo(326_000, -2);
    const lagEarly = m.replicatorMetric(r, 'MessageLag', {}, at(32));
    const latencyEarly = m.replicatorMetric(
      r,
      'ReplicationLatency',
      {},
      at(32),
    );
    expect(lagEarly).toBeGreaterThan(200_000);
    expect(m.pendingAt(r, at(40))).toBe(0);
    // Once caught up, only records in flight remain (2 x 50/s x 0.02 s).
    expect(m.replicatorMetric(r, 'MessageLag', {}, at(45))).toBe(2);
    expect(m.replicatorMetric(r, 'ReplicationLatency', {}, at(45))).toBe(250);
    expect(latencyEarly).toBeGreaterThan(60_000);
    // Per topic: each of the two topics carries its share.
    const perTopic = m.replicatorMetric(
      r,
      'MessageLag',
      { Topic: 'orders' },
      at(32),
    );
    expect(perTopic).toBeGreaterThan(0);
    expect(perTopic).toBeLessThan(lagEarly ?? 0);
    // Metrics exist only while RUNNING.
    expect(m.replicatorMetric(r, 'MessageLag', {}, at(10))).toBeUndefined();
  });

  it('should copy no faster than a Kafka quota on its principal, and never catch up below the inflow', () => {
    // 2 apps x 50 records/s of 1 KiB = 102,400 B/s in; the quota lets 51,200.
    const m = model({
      backlogRecords: 0,
      replicatorQuotaBytesPerSecond: 51_200,
      creatingMinutes: 0,
    });
    const c = m.createReplicator(request('r-fwd', 'forward'));
    if (!c.ok) throw new Error('expected a new replicator');
    const r = c.replicator;
    expect(r.capacity.limitedBy).toBe('quota');
    expect(r.capacity.recordsPerSecond).toBeCloseTo(50);
    // Pending grows by (100 - 50) records/s: 180,000 an hour.
    expect(m.pendingAt(r, at(60))).toBeCloseTo(180_000, -2);
    expect(m.pendingAt(r, at(120))).toBeCloseTo(360_000, -2);
    // ReplicatorThroughput is in bytes per second ([D-MET]): what the quota
    // lets through, not the 102,400 B/s flowing in.
    expect(
      m.replicatorMetric(r, 'ReplicatorThroughput', {}, at(60)),
    ).toBeCloseTo(51_200);
    const draining = model({
      backlogRecords: 1_000_000,
      replicatorQuotaBytesPerSecond: 51_200,
      produceRatePerSecond: 0,
      creatingMinutes: 0,
    });
    const d = draining.createReplicator(request('r-fwd', 'forward'));
    if (!d.ok) throw new Error('expected a new replicator');
    expect(
      draining.replicatorMetric(
        d.replicator,
        'ReplicatorThroughput',
        {},
        at(5),
      ),
    ).toBeCloseTo(51_200);
  });

  it('should copy at the documented capacity with the default parameters', () => {
    // Defaults: 1 KiB records, 6 partitions per topic, no quota: two topics
    // give 12 x 0.3 MB/s = 3.6 MB/s, well above 100 records/s.
    const m = model({ creatingMinutes: 0 });
    const c = m.createReplicator(request('r-fwd', 'forward'));
    if (!c.ok) throw new Error('expected a new replicator');
    expect(c.replicator.capacity.bytesPerSecond).toBe(3_600_000);
    expect(c.replicator.capacity.recordsPerSecond).toBeCloseTo(3_515.6, 1);
  });

  it('should copy the whole backlog to the target end offsets', () => {
    const m = model({ backlogRecords: 10_000, produceRatePerSecond: 0 });
    m.createReplicator(request('r-fwd', 'forward'));
    expect(m.endOffset('orders', 'target', at(29))).toBe(0);
    expect(m.endOffset('orders', 'source', at(29))).toBe(5_000);
    expect(m.endOffset('orders', 'target', at(40))).toBeCloseTo(5_000);
  });

  it('should produce on the cluster each application runs on', () => {
    const m = model({ backlogRecords: 0, appMoveMinutes: 5 });
    now = at(60);
    m.moveApp('orders', 'target');
    // Before the move: 50/s on the source only.
    expect(m.endOffset('orders', 'source', at(60))).toBeCloseTo(180_000);
    expect(m.location('orders', at(64.1))).toBe('stopped');
    expect(m.location('orders', at(65))).toBe('target');
    const sourceAt65 = m.endOffset('orders', 'source', at(65));
    // After the move the source gets nothing (no reverse replicator here).
    expect(m.endOffset('orders', 'source', at(70))).toBeCloseTo(sourceAt65);
    expect(m.endOffset('orders', 'target', at(70))).toBeCloseTo(5 * 60 * 50);
  });

  it('should sync offsets only onto a cluster where the group has no active member', () => {
    const m = model({ backlogRecords: 0, creatingMinutes: 0 });
    m.createReplicator(request('r-fwd', 'forward'));
    m.createReplicator(request('r-rev', 'reverse'));
    now = at(60);
    // Consuming on the source: the target copy is synced, 30 s behind.
    const src = m.group('order-status', 'source');
    const tgt = m.group('order-status', 'target');
    expect(src).toMatchObject({ state: 'Stable', members: 3 });
    expect(tgt).toMatchObject({ state: 'Empty', members: 0 });
    const srcCommitted = src.topics[0]?.committed ?? 0;
    const tgtCommitted = tgt.topics[0]?.committed ?? 0;
    expect(srcCommitted - tgtCommitted).toBeCloseTo(15 * 50, -1);

    m.moveApp('order-status', 'target');
    now = at(70);
    // Consuming on the target: it commits its own offsets (near the tip),
    // and now the source copy is the one synced.
    const tgt2 = m.group('order-status', 'target');
    const src2 = m.group('order-status', 'source');
    expect(tgt2).toMatchObject({ state: 'Stable', members: 3 });
    expect(src2).toMatchObject({ state: 'Empty', members: 0 });
    const tip = tgt2.topics[0];
    expect((tip?.end ?? 0) - (tip?.committed ?? 0)).toBeCloseTo(50, 0);
  });

  it('should catch the synced offset up within 30 s after a client stops', () => {
    const m = model({
      backlogRecords: 0,
      creatingMinutes: 0,
      appMoveMinutes: 5,
    });
    m.createReplicator(request('r-fwd', 'forward'));
    m.createReplicator(request('r-rev', 'reverse'));
    now = at(60);
    m.moveApp('customer-notification', 'target');
    const stop = at(64);
    expect(m.location('customer-notification', stop)).toBe('stopped');
    const final = m.group('customer-notification', 'source', stop).topics[0];
    const early = m.group('customer-notification', 'target', stop + 5_000);
    const late = m.group('customer-notification', 'target', stop + 16_000);
    expect(early.topics[0]?.committed).toBeLessThan(final?.committed ?? 0);
    expect(late.topics[0]?.committed).toBeCloseTo(final?.committed ?? 0, 0);
  });

  it('should report no group offsets on the target before any replicator runs', () => {
    const m = model();
    now = at(5);
    expect(m.group('order-status', 'target')).toMatchObject({
      state: 'Dead',
      sumOffsetLag: null,
    });
    expect(m.group('order-status', 'source').sumOffsetLag).toBe(50);
  });

  it('should leave gaps for missing metrics and zero pings for auth errors', () => {
    const m = model(
      { creatingMinutes: 0 },
      {
        metricsMissing: { fromMinute: 10, toMinute: 20 },
        authError: { cluster: 'source', fromMinute: 30 },
      },
    );
    const c = m.createReplicator(request('r-fwd', 'forward'));
    if (!c.ok) throw new Error('expected a new replicator');
    const src = { ClusterAlias: m.aliasOf('source') };
    const tgt = { ClusterAlias: m.aliasOf('target') };
    const ping = (minute: number, dims: Record<string, string>) =>
      m.replicatorMetric(
        c.replicator,
        'KafkaClusterPingSuccessCount',
        dims,
        at(minute),
      );
    expect(ping(5, src)).toBe(1);
    expect(ping(15, src)).toBeUndefined();
    expect(ping(35, src)).toBe(0);
    expect(ping(35, tgt)).toBe(1);
    expect(
      m.replicatorMetric(c.replicator, 'AuthError', src, at(35)),
    ).toBeGreaterThan(0);
  });

  it('should publish the target SumOffsetLag per group and topic only once the group has offsets there', () => {
    const m = model({ creatingMinutes: 30 });
    m.createReplicator(request('r-fwd', 'forward'));
    expect(
      m.targetSumOffsetLag('order-status', 'orders', at(20)),
    ).toBeUndefined();
    const view = m.group('order-status', 'target', at(45));
    const t = view.topics[0];
    expect(m.targetSumOffsetLag('order-status', 'orders', at(45))).toBeCloseTo(
      (t?.end ?? 0) - (t?.committed ?? 0),
    );
    expect(
      m.targetSumOffsetLag('order-status', 'order_status', at(45)),
    ).toBeUndefined();
    expect(m.targetSumOffsetLag('nobody', 'orders', at(45))).toBeUndefined();
  });
});
