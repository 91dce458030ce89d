import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GroupMeasurement } from '../../../functions/shared/contracts.ts';
import { LOOP_ITERATIONS_PER_EXECUTION } from '../../../functions/shared/contracts.ts';
import {
  LedgerConflictError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import {
  endOffsetFlow,
  judgeCutover,
  runVerifyCutover,
} from '../../../functions/verify-cutover/verify-cutover.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  FWD,
  Harness,
  type MetricSource,
  MIGRATION,
  mocks,
  planRef,
  planText,
  REV,
  side,
} from '../poll-readiness/fixtures.ts';

let db: LocalDynamo;
let h: Harness;
let n = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  h = new Harness(db, await db.createTable(`verify-${++n}`));
  await h.setUp();
  await h.ledger.putApps(MIGRATION, [
    'order-status',
    'orders',
    'customer-notification',
  ]);
});

const APP = 'order-status';

/** Producers of `on` flow through the replicator into the other cluster. */
function producing(on: 'source' | 'target', lag = 5): MetricSource {
  return (metric, dims) => {
    const into = dims.ReplicatorName === FWD ? 'source' : 'target';
    if (metric === 'ReplicatorThroughput') return [into === on ? 800 : 0];
    if (metric === 'MessageLag') return [lag];
    return undefined;
  };
}

const group = (
  source: [string, number, number | null],
  target: [string, number, number | null],
): GroupMeasurement[] => [
  { group: APP, source: side(...source), target: side(...target) },
];

async function verify(
  direction: 'toTarget' | 'toSource',
  groups: GroupMeasurement[],
  app = APP,
  iteration = 0,
) {
  const measurementId = await h.measure(groups, app);
  return runVerifyCutover(
    {
      migrationId: MIGRATION,
      planRef,
      app,
      direction,
      measurementId,
      iteration,
    },
    h.deps(),
  );
}

const moved = () => group(['Empty', 0, 7], ['Stable', 2, 3]);
const stayed = () => group(['Stable', 2, 3], ['Empty', 0, 7]);

describe('verify-cutover toTarget', () => {
  beforeEach(async () => {
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
  });

  it('should verify a finished cutover and record ON_TARGET', async () => {
    h.metrics = producing('target');
    const r = await verify('toTarget', moved());
    expect(r).toEqual({
      verified: true,
      location: 'target',
      reasons: [],
      iteration: 1,
      continueAsNew: false,
      // The first check sets the deadline, the plan's 60 minutes ahead.
      deadline: new Date(
        Date.parse(h.clock.now().toISOString()) + 60 * 60_000,
      ).toISOString(),
      deadlineReached: false,
    });
    expect((await h.ledger.getApp(MIGRATION, APP))?.state).toBe('ON_TARGET');
    const ev = await h.ledger.latestEvidence(MIGRATION, 'verify', APP);
    expect(ev?.data).toMatchObject({ location: 'target', verified: true });
    // Throughput and lag of the produced topic, both directions, one call.
    const input = mocks.cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(
      input?.MetricDataQueries?.map((q) =>
        q.MetricStat?.Metric?.Dimensions?.map((d) => d.Value).join('/'),
      ),
    ).toEqual([
      `${FWD}/order_status`,
      `${FWD}/order_status`,
      FWD,
      FWD,
      `${REV}/order_status`,
      `${REV}/order_status`,
      REV,
      REV,
    ]);
    expect(
      input?.MetricDataQueries?.map((q) => q.MetricStat?.Metric?.MetricName),
    ).toEqual([
      'ReplicatorThroughput',
      'MessageLag',
      'ReplicatorFailure',
      'ReplicationFailures',
      'ReplicatorThroughput',
      'MessageLag',
      'ReplicatorFailure',
      'ReplicationFailures',
    ]);
  });

  it('should not verify while a replicator of the app reports ReplicationFailures', async () => {
    const flowing = producing('target');
    h.metrics = (metric, dims) =>
      metric === 'ReplicationFailures' && dims.ReplicatorName === REV
        ? [0, 4]
        : flowing(metric, dims);
    const r = await verify('toTarget', moved());
    expect(r.verified).toBe(false);
    expect(r.reasons).toContain(`ReplicationFailures 4 on ${REV} (must be 0)`);
  });

  it('should explain why an application has not moved yet', async () => {
    h.metrics = producing('source');
    const r = await verify('toTarget', stayed());
    expect(r.verified).toBe(false);
    expect(r.location).toBe('source');
    expect(r.reasons).toEqual([
      'group order-status has no active member on the target (Empty)',
      'group order-status still has 2 member(s) on the source (Stable)',
      'no records produced to order_status on the target in the last minutes',
      'records are still produced to order_status on the source',
    ]);
    expect((await h.ledger.getApp(MIGRATION, APP))?.state).toBe(
      'CUTOVER_APPROVED',
    );
  });

  it('should see an application stopped everywhere as nowhere', async () => {
    h.metrics = (metric) =>
      metric === 'ReplicatorThroughput'
        ? [0]
        : metric === 'MessageLag'
          ? [0]
          : undefined;
    const r = await verify('toTarget', group(['Empty', 0, 0], ['Empty', 0, 0]));
    expect(r).toMatchObject({ verified: false, location: 'none' });
  });

  it('should see an application running on both clusters as split', async () => {
    h.metrics = producing('target');
    const r = await verify(
      'toTarget',
      group(['Stable', 1, 0], ['Stable', 2, 3]),
    );
    expect(r.location).toBe('split');
    expect(r.verified).toBe(false);
  });

  it('should wait for the lag on the new cluster and the old direction to drain', async () => {
    h.metrics = producing('target', 5000);
    const r = await verify(
      'toTarget',
      group(['Empty', 0, 0], ['Stable', 2, 2500]),
    );
    expect(r.reasons).toEqual([
      'group order-status lag 2,500 > 1,000 on the target',
      'MessageLag 5,000 > 1,000 for order_status from the source',
    ]);
  });

  it('should never read missing metrics as drained', async () => {
    h.metrics = (metric, dims) =>
      metric === 'MessageLag' ? undefined : producing('target')(metric, dims);
    const r = await verify('toTarget', moved());
    expect(r.reasons).toEqual([
      'MessageLag: no data for order_status from the source',
    ]);
    const r2 = await verify(
      'toTarget',
      group(['Empty', 0, 0], ['Stable', 2, null]),
    );
    expect(r2.reasons).toContain(
      'group order-status has no committed offset on the target yet',
    );
  });

  it('should count a direction with nothing left to copy as drained only while it pings', async () => {
    await h.putReplicators({ source: 'src-alias', target: 'tgt-alias' });
    // The producer moved: the forward replicator publishes no MessageLag
    // for its topic any more, but pings both clusters.
    let pings: number[] | undefined = [1];
    h.metrics = (metric, dims) =>
      metric === 'KafkaClusterPingSuccessCount'
        ? pings
        : metric === 'MessageLag' && dims.ReplicatorName === FWD
          ? undefined
          : producing('target')(metric, dims);
    const idle = await verify('toTarget', moved());
    expect(idle.reasons).toEqual([]);
    expect(idle.verified).toBe(true);
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['ON_TARGET'],
      'CUTOVER_APPROVED',
    );
    pings = undefined;
    const unobservable = await verify('toTarget', moved());
    expect(unobservable.reasons).toEqual([
      'MessageLag: no data for order_status from the source',
    ]);
  });

  it('should accept a retried invocation after the move was recorded', async () => {
    h.metrics = producing('target');
    await verify('toTarget', moved());
    const again = await verify('toTarget', moved());
    expect(again.verified).toBe(true);
    expect((await h.ledger.getApp(MIGRATION, APP))?.version).toBe(2);
  });

  it('should ignore another producer of a shared topic on the old side', async () => {
    await h.setUp(
      planText((p) => {
        p.applications[0]?.produces?.push('order_status');
      }),
    );
    h.metrics = (metric) =>
      metric === 'ReplicatorThroughput'
        ? [500]
        : metric === 'MessageLag'
          ? [1]
          : undefined;
    const r = await verify('toTarget', moved());
    expect(r).toMatchObject({ verified: true, location: 'target' });
  });

  it('should hand the loop to a new execution at the limit', async () => {
    h.metrics = producing('source');
    const r = await verify(
      'toTarget',
      stayed(),
      APP,
      LOOP_ITERATIONS_PER_EXECUTION - 1,
    );
    expect(r.continueAsNew).toBe(true);
  });
});

describe('verify-cutover toSource', () => {
  it('should verify a rollback and record ROLLED_BACK', async () => {
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['CUTOVER_APPROVED'],
      'ON_TARGET',
    );
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['ON_TARGET'],
      'ROLLBACK_APPROVED',
    );
    h.metrics = producing('source');
    const r = await verify('toSource', stayed());
    expect(r).toMatchObject({ verified: true, location: 'source' });
    expect((await h.ledger.getApp(MIGRATION, APP))?.state).toBe('ROLLED_BACK');
  });
});

describe('verify-cutover errors and edge cases', () => {
  it('should record the approval a verified move implies', async () => {
    h.metrics = producing('target');
    const r = await verify('toTarget', moved());
    expect(r.verified).toBe(true);
    expect(await h.ledger.getApp(MIGRATION, APP)).toMatchObject({
      state: 'ON_TARGET',
      version: 2,
    });
    expect((await h.ledger.listAudit(MIGRATION)).map((a) => a.event)).toEqual([
      'app-decision-implied',
    ]);
  });

  it('should refuse a move the application state does not allow', async () => {
    await h.ledger.transitionApp(MIGRATION, APP, ['ON_SOURCE'], 'SKIPPED');
    h.metrics = producing('target');
    await expect(verify('toTarget', moved())).rejects.toThrow(
      /order-status is SKIPPED, not CUTOVER_APPROVED/,
    );
    await expect(verify('toTarget', moved())).rejects.toThrow(
      LedgerConflictError,
    );
  });

  it('should verify a producer-only application by its topics', async () => {
    await h.ledger.transitionApp(
      MIGRATION,
      'orders',
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    h.metrics = producing('target');
    const r = await verify('toTarget', [], 'orders');
    expect(r).toMatchObject({ verified: true, location: 'target' });
  });

  it('should not verify without the measurement', async () => {
    h.metrics = producing('target');
    const r = await runVerifyCutover(
      {
        migrationId: MIGRATION,
        planRef,
        app: APP,
        direction: 'toTarget',
        measurementId: 'missing',
        iteration: 0,
      },
      h.deps(),
    );
    expect(r.verified).toBe(false);
    expect(r.reasons.slice(0, 2)).toEqual([
      'measurement missing is not in the ledger',
      'group order-status was not measured',
    ]);
  });

  it('should refuse an application the plan does not have', async () => {
    await expect(verify('toTarget', [], 'ghost')).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('verify-cutover deadline', () => {
  beforeEach(async () => {
    await h.ledger.transitionApp(
      MIGRATION,
      APP,
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    h.metrics = producing('source');
  });

  const poll = async (deadline: string | null, iteration = 3) =>
    runVerifyCutover(
      {
        migrationId: MIGRATION,
        planRef,
        app: APP,
        direction: 'toTarget',
        measurementId: await h.measure(stayed(), APP),
        iteration,
        deadline,
      },
      h.deps(),
    );

  it('should keep the deadline it is given and say when it has passed', async () => {
    const now = h.clock.now().getTime();
    const before = await poll(new Date(now + 60_000).toISOString());
    expect(before).toMatchObject({ verified: false, deadlineReached: false });
    const after = await poll(new Date(now - 1).toISOString());
    expect(after).toMatchObject({
      verified: false,
      deadlineReached: true,
      deadline: new Date(now - 1).toISOString(),
    });
    // The evidence the verify-timeout gate shows says why.
    const ev = await h.ledger.latestEvidence(MIGRATION, 'verify', APP);
    expect(ev?.data).toMatchObject({ deadlineReached: true });
    expect(ev?.reasons).toContain(
      'group order-status still has 2 member(s) on the source (Stable)',
    );
    expect((await h.ledger.getApp(MIGRATION, APP))?.state).toBe(
      'CUTOVER_APPROVED',
    );
  });

  it('should hand the gate the decision rather than continue in a new execution', async () => {
    const past = new Date(h.clock.now().getTime() - 1).toISOString();
    const r = await poll(past, LOOP_ITERATIONS_PER_EXECUTION - 1);
    expect(r).toMatchObject({ deadlineReached: true, continueAsNew: false });
  });
});

describe('unidirectional verification (no reverse replicator)', () => {
  const ends = (source: number, target: number) => ({
    order_status: { source, target },
  });
  const base = {
    app: {
      name: APP,
      produces: ['order_status'],
      consumerGroups: [],
    },
    measurement: [],
    series: [
      {
        kind: 'replicator' as const,
        replicator: FWD,
        metric: 'MessageLag',
        topic: 'order_status',
        points: [{ at: new Date(0), value: 10 }],
      },
    ],
    forward: [FWD],
    reverse: [],
    sharedTopics: new Set<string>(),
    maxSumOffsetLag: 1000,
    maxMessageLag: 1000,
  };

  it('should see the producer on the target when only the target grows', () => {
    expect(
      endOffsetFlow('order_status', ends(100, 5000), ends(100, 100), 1000),
    ).toEqual({
      source: false,
      target: true,
      growth: { source: 0, target: 4900 },
    });
    const j = judgeCutover({
      ...base,
      direction: 'toTarget',
      endOffsets: ends(100, 5000),
      previousEndOffsets: ends(100, 100),
    } as never);
    expect(j).toMatchObject({ verified: true, location: 'target' });
  });

  it('should see the producer still on the source when the source grows (the forward replicator grows the target too)', () => {
    const j = judgeCutover({
      ...base,
      direction: 'toTarget',
      endOffsets: ends(5000, 5000),
      previousEndOffsets: ends(100, 100),
    } as never);
    expect(j.verified).toBe(false);
    expect(j.location).toBe('source');
    expect(j.reasons).toContain(
      'no records produced to order_status on the target since the last check (end offsets grew 4,900 on the source, 4,900 on the target)',
    );
  });

  it('should wait for a second reading before judging', () => {
    const j = judgeCutover({
      ...base,
      direction: 'toTarget',
      endOffsets: ends(100, 100),
    } as never);
    expect(j.verified).toBe(false);
    expect(j.reasons[0]).toMatch(/no earlier reading/);
  });

  it('should verify a rollback without a reverse lag to drain', () => {
    const j = judgeCutover({
      ...base,
      direction: 'toSource',
      endOffsets: ends(5000, 5000),
      previousEndOffsets: ends(100, 100),
    } as never);
    expect(j).toMatchObject({ verified: true, location: 'source' });
  });
});
