import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeReplicatorCommand } from '@aws-sdk/client-kafka';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runPollReadiness } from '../../../functions/poll-readiness/poll-readiness.ts';
import { LOOP_ITERATIONS_PER_EXECUTION } from '../../../functions/shared/contracts.ts';
import {
  ReadinessStalledError,
  ReadinessTimeoutError,
  ReplicatorFailedError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import { GROUP_RULES_DEFERRED } from '../../../functions/shared/domain/readiness.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  FWD,
  Harness,
  healthyMetrics,
  MIGRATION,
  mocks,
  onSource,
  planRef,
  planText,
  T0,
} from './fixtures.ts';

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
  h = new Harness(db, await db.createTable(`poll-${++n}`));
  await h.setUp();
});

async function poll(app?: string, iteration = 0) {
  const measurementId = await h.measure(onSource(), app);
  return runPollReadiness(
    {
      migrationId: MIGRATION,
      planRef,
      iteration,
      measurementId,
      ...(app ? { app } : {}),
    },
    h.deps(),
  );
}

describe('poll-readiness (migration)', () => {
  it('should be ready after the rules held for the sustained window', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await poll(undefined, i));
      h.advance(5);
    }
    expect(results.map((r) => r.ready)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(results[0]?.reasons).toEqual([
      `every rule holds since ${T0.toISOString()}; ready once they held 15 minutes (15 to go)`,
    ]);
    expect(results[3]).toMatchObject({
      reasons: [],
      iteration: 4,
      continueAsNew: false,
    });
    // One GetMetricData request per poll; aliases read once per replicator.
    expect(mocks.cw.commandCalls(GetMetricDataCommand)).toHaveLength(5);
    expect(mocks.kafka.commandCalls(DescribeReplicatorCommand)).toHaveLength(2);
    // "Ready" is announced once.
    const published = mocks.sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    expect(published[0]?.args[0].input.Subject).toBe(
      'orders-platform: replication is ready',
    );
    expect((await h.ledger.getMigration(MIGRATION))?.readySince).toBe(
      T0.toISOString(),
    );
  });

  it('should read every metric of both replicators in one request', async () => {
    await poll();
    const input = mocks.cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    const queries = input?.MetricDataQueries ?? [];
    const names = (metric: string) =>
      queries
        .filter((q) => q.MetricStat?.Metric?.MetricName === metric)
        .map((q) =>
          Object.fromEntries(
            (q.MetricStat?.Metric?.Dimensions ?? []).map((d) => [
              d.Name,
              d.Value,
            ]),
          ),
        );
    expect(names('KafkaClusterPingSuccessCount')).toEqual([
      { ReplicatorName: FWD, ClusterAlias: 'src-alias' },
      { ReplicatorName: FWD, ClusterAlias: 'tgt-alias' },
      {
        ReplicatorName: 'msk-cutover-orders-platform-rev',
        ClusterAlias: 'src-alias',
      },
      {
        ReplicatorName: 'msk-cutover-orders-platform-rev',
        ClusterAlias: 'tgt-alias',
      },
    ]);
    // order-status consumes orders; customer-notification consumes order_status.
    expect(names('SumOffsetLag')).toEqual([
      {
        'Cluster Name': 'orders-express',
        'Consumer Group': 'order-status',
        Topic: 'orders',
      },
      {
        'Cluster Name': 'orders-express',
        'Consumer Group': 'customer-notification',
        Topic: 'order_status',
      },
    ]);
    expect(input?.EndTime).toEqual(T0);
    expect(input?.StartTime).toEqual(new Date(T0.getTime() - 360_000));
  });

  it('should say why it is not ready and keep the numbers as evidence', async () => {
    h.metrics = (metric, dims) =>
      metric === 'MessageLag' && dims.ReplicatorName === FWD
        ? [900, 12_400]
        : healthyMetrics(metric, dims);
    const r = await poll();
    expect(r.ready).toBe(false);
    expect(r.reasons).toEqual([
      `MessageLag 12,400 > 1,000 on ${FWD}`,
      GROUP_RULES_DEFERRED,
    ]);
    const ev = await h.ledger.getEvidence(MIGRATION, r.evidenceId);
    expect(ev).toMatchObject({ kind: 'readiness', ready: false });
    expect(ev?.data).toMatchObject({
      failing: 2,
      worst: { MessageLag: 12_400, ReplicationLatency: 300 },
      // Passing subjects are counted per rule; only failures are listed.
      passed: { MessageLag: 1, ReplicationLatency: 2 },
      outcomes: [
        {
          rule: 'MessageLag',
          subject: FWD,
          ok: false,
          value: 12_400,
          limit: 1000,
        },
      ],
    });
  });

  it('should treat missing metrics as not ready, never as zero lag', async () => {
    h.metrics = () => undefined;
    const r = await poll();
    expect(r.ready).toBe(false);
    expect(r.reasons).toContain(`MessageLag: no data for ${FWD}`);
    expect(r.reasons).toContain(
      `KafkaClusterPingSuccessCount: no data for ${FWD} (source cluster src-alias): the replicator is not reaching it`,
    );
    // The consumer-group rules wait until the replicator rules hold.
    expect(r.reasons).toHaveLength(17);
    expect(r.reasons.at(-1)).toBe(GROUP_RULES_DEFERRED);
    // The next measurement learns it from the state, not the ledger.
    expect(r.poll.replicatorsHealthy).toBe(false);
  });

  it('should report an unknown measurement as not ready', async () => {
    const r = await runPollReadiness(
      { migrationId: MIGRATION, planRef, iteration: 0, measurementId: 'nope' },
      h.deps(),
    );
    expect(r.ready).toBe(false);
    expect(r.reasons[0]).toBe(
      'measurement nope is not in the ledger: source-side lag unknown',
    );
  });

  it('should continue as a new execution after the iteration limit', async () => {
    h.metrics = () => undefined;
    const r = await poll(undefined, LOOP_ITERATIONS_PER_EXECUTION - 1);
    expect(r).toMatchObject({
      iteration: LOOP_ITERATIONS_PER_EXECUTION,
      continueAsNew: true,
    });
  });

  it('should send a "still not ready" notice every six hours, not every poll', async () => {
    h.metrics = () => undefined;
    await poll();
    h.advance(5);
    await poll();
    expect(mocks.sns.commandCalls(PublishCommand)).toHaveLength(0);
    // Six hours of five-minute polls, as the tracker remembers them.
    await h.ledger.putReadinessTracker(MIGRATION, undefined, {
      waitingSince: T0.toISOString(),
      lastPollAt: new Date(T0.getTime() + 355 * 60_000).toISOString(),
    });
    h.now = new Date(T0.getTime() + 360 * 60_000);
    await poll();
    h.advance(5);
    await poll();
    const published = mocks.sns.commandCalls(PublishCommand);
    expect(published).toHaveLength(1);
    expect(published[0]?.args[0].input.Subject).toBe(
      'orders-platform: replication still not ready after 6 h',
    );
    expect(published[0]?.args[0].input.Message).toMatch(
      /- MessageLag: no data for/,
    );
  });

  it('should give up after maxWaitHours', async () => {
    await h.setUp(
      planText((p) => {
        p.readiness = { ...p.readiness, maxWaitHours: 1 };
      }),
    );
    h.metrics = () => undefined;
    let error: unknown;
    for (let i = 0; i <= 13 && !error; i++) {
      await poll(undefined, i).catch((e: unknown) => {
        error = e;
      });
      h.advance(5);
    }
    expect(error).toBeInstanceOf(ReadinessTimeoutError);
    expect(String(error)).toMatch(
      /orders-platform: replication not ready after 1 hours \(since 2026-03-01T10:00:00.000Z\): ReplicatorFailure: no data .* \(12 more in readiness-/,
    );
  });
});

describe('poll-readiness (trend and stall)', () => {
  /** The forward replicator's MessageLag at poll `i`: `lag(i)`. */
  const lagging = (lag: () => number) => {
    h.metrics = (metric, dims) =>
      metric === 'MessageLag' && dims.ReplicatorName === FWD
        ? [lag()]
        : healthyMetrics(metric, dims);
  };
  const stalledNotices = () =>
    mocks.sns
      .commandCalls(PublishCommand)
      .filter((c) =>
        String(c.args[0].input.Subject).includes('readiness stalled'),
      );

  it('should forecast a falling lag: rate and ETA in the reasons, evidence and tracker', async () => {
    // 14.4 M falling 1.1 M/h (91,667 per 5-minute poll).
    let i = 0;
    lagging(() => 14_400_000 + (3 - i) * (1_100_000 / 12));
    let r = await poll(undefined, 0);
    for (i = 1; i <= 3; i++) {
      h.advance(5);
      r = await poll(undefined, i);
    }
    expect(r.reasons[0]).toBe(
      'MessageLag 14.4 M, falling 1.1 M/h: below 1,000 in about 13 h',
    );
    expect(r.reasons[1]).toBe(`MessageLag 14,400,000 > 1,000 on ${FWD}`);
    const ev = await h.ledger.getEvidence(MIGRATION, r.evidenceId);
    expect(ev?.data).toMatchObject({
      // 13 h of drain + 15 minutes held: within the 168-hour deadline.
      forecast: { outlook: 'on-time', rules: [{ rule: 'MessageLag' }] },
    });
    const tracker = await h.ledger.getReadinessTracker(MIGRATION);
    expect(tracker?.trends?.MessageLag).toHaveLength(4);
    expect(tracker?.forecast).toBe(r.reasons[0]);
    expect(tracker?.stalledSince).toBeUndefined();
  });

  it('should send one "Readiness Stalled" notice after stallMinutes of "will not catch up"', async () => {
    // Grows 50 records/s: 15,000 more every 5-minute poll.
    let i = 0;
    lagging(() => 400_000 + i * 15_000);
    const results = [];
    for (; i < 20; i++) {
      results.push(await poll(undefined, i));
      h.advance(5);
    }
    expect(results[2]?.reasons[0]).toBe(
      'MessageLag 430,000, growing 180,000/h: will not catch up',
    );
    // "Never" from the third poll (10 min) on; stalled 60 minutes later.
    const notices = stalledNotices();
    expect(notices).toHaveLength(1);
    const input = notices[0]?.args[0].input;
    expect(input?.Subject).toBe(
      'orders-platform: replication readiness stalled: will not catch up',
    );
    expect(input?.Message).toMatch(
      `- ${FWD} (shard default): MessageLag 610,000`,
    );
    expect(input?.Message).toMatch(/about 50 records\/s more/);
    expect(input?.Message).toMatch(/lift the Kafka quota/);
    const events = mocks.eb
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input.Entries?.[0])
      .filter((e) => e?.DetailType === 'Readiness Stalled');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.Detail ?? '{}')).toMatchObject({
      migrationId: MIGRATION,
      outlook: 'never',
      stalledSince: new Date(T0.getTime() + 10 * 60_000).toISOString(),
      replicators: expect.arrayContaining([{ name: FWD, shard: 'default' }]),
    });
    const tracker = await h.ledger.getReadinessTracker(MIGRATION);
    expect(tracker?.stallNotifiedAt).toBe(
      new Date(T0.getTime() + 70 * 60_000).toISOString(),
    );
  });

  it('should not stall while the lag drains in time, nor on missing data', async () => {
    let i = 0;
    lagging(() => 400_000 - i * 15_000);
    for (; i < 20; i++) {
      await poll(undefined, i);
      h.advance(5);
    }
    h.metrics = () => undefined;
    for (; i < 40; i++) {
      await poll(undefined, i);
      h.advance(5);
    }
    expect(stalledNotices()).toHaveLength(0);
  });

  it('should end the wait with ReadinessStalledError when failWhenStalled is set', async () => {
    await h.setUp(
      planText((p) => {
        p.readiness = {
          ...p.readiness,
          stallMinutes: 30,
          failWhenStalled: true,
        } as typeof p.readiness;
      }),
    );
    let i = 0;
    lagging(() => 400_000 + i * 15_000);
    let error: unknown;
    for (; i < 20 && !error; i++) {
      await poll(undefined, i).catch((e: unknown) => {
        error = e;
      });
      h.advance(5);
    }
    expect(error).toBeInstanceOf(ReadinessStalledError);
    // Third poll (10 min) starts the stall; 30 minutes later it ends it.
    expect(i).toBe(9);
    expect(String(error)).toMatch(
      /replication readiness stalled since 2026-03-01T10:10:00.000Z: MessageLag 520,000, growing 180,000\/h: will not catch up/,
    );
    expect(stalledNotices()).toHaveLength(1);
  });
});

describe('poll-readiness (a large estate)', () => {
  /** 600 more groups consuming `orders`: over 500 queries in all. */
  const wide = () =>
    planText((p) => {
      const app = p.applications.find((a) => a.name === 'order-status');
      app?.consumerGroups?.push(
        ...Array.from({ length: 600 }, (_, i) => `order-status-${i}`),
      );
      p.replication.consumerGroups?.push('order-status-[0-9]+');
    });
  const queried = () =>
    mocks.cw
      .commandCalls(GetMetricDataCommand)
      .map((c) =>
        (c.args[0].input.MetricDataQueries ?? []).filter(
          (q) => q.MetricStat?.Metric?.MetricName === 'SumOffsetLag',
        ),
      );

  it('should not ask for the groups while the replicator rules fail', async () => {
    await h.setUp(wide());
    h.metrics = (metric, dims) =>
      metric === 'KafkaClusterPingSuccessCount'
        ? undefined
        : healthyMetrics(metric, dims);
    const r = await poll();
    expect(r.ready).toBe(false);
    expect(r.reasons.at(-1)).toBe(GROUP_RULES_DEFERRED);
    // One request, replicator metrics only.
    expect(queried()).toEqual([[]]);
  });

  it('should ask for every group once the replicator rules hold', async () => {
    await h.setUp(wide());
    h.metrics = (metric, dims) =>
      metric === 'ConsumerGroupCount' ? [602] : healthyMetrics(metric, dims);
    const r = await poll();
    expect(r.reasons).not.toContain(GROUP_RULES_DEFERRED);
    const lag = queried();
    // The replicator request, then the 602 group queries in two more.
    expect(lag.map((q) => q.length)).toEqual([0, 500, 102]);
  });

  it('should not judge the groups on a measurement from before the window', async () => {
    const measurementId = await h.measure(onSource());
    h.advance(30);
    const r = await runPollReadiness(
      { migrationId: MIGRATION, planRef, iteration: 1, measurementId },
      h.deps(),
    );
    expect(r.ready).toBe(false);
    expect(r.reasons[0]).toBe(
      `the newest measurement (${measurementId}) is from before this poll window; the groups are measured again for the next poll`,
    );
  });
});

describe('poll-readiness (one application)', () => {
  it('should scope topics and groups to the application', async () => {
    const r = await poll('order-status');
    expect(r.evidenceId).toBe(`readiness-${T0.toISOString()}-order-status`);
    const queries =
      mocks.cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input
        .MetricDataQueries ?? [];
    const dims = (metric: string) =>
      queries
        .filter((q) => q.MetricStat?.Metric?.MetricName === metric)
        .map((q) => q.MetricStat?.Metric?.Dimensions?.map((d) => d.Value));
    expect(dims('MessageLag')).toEqual([
      [FWD, 'order_status'],
      [FWD, 'orders'],
      ['msk-cutover-orders-platform-rev', 'order_status'],
      ['msk-cutover-orders-platform-rev', 'orders'],
    ]);
    expect(dims('SumOffsetLag')).toEqual([
      ['orders-express', 'order-status', 'orders'],
    ]);
    // Application readiness is not announced (its gate emails next).
    for (let i = 1; i < 5; i++) {
      h.advance(5);
      await poll('order-status', i);
    }
    expect(mocks.sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(
      (await h.ledger.latestEvidence(MIGRATION, 'readiness', 'order-status'))
        ?.ready,
    ).toBe(true);
  });

  it('should refuse an application the plan does not have', async () => {
    await expect(poll('ghost')).rejects.toThrow(ValidationError);
  });
});

describe('poll-readiness (replicators)', () => {
  it('should fail when a replicator was never recorded', async () => {
    await h.setUp(
      planText((p) => {
        p.migrationId = 'other';
      }),
    );
    const measurementId = await h.measure(onSource());
    await expect(
      runPollReadiness(
        { migrationId: 'other', planRef, iteration: 0, measurementId },
        h.deps(),
      ),
    ).rejects.toThrow(/msk-cutover-other-fwd is not recorded/);
  });

  it('should fail when a replicator has vanished', async () => {
    const { NotFoundException } = await import('@aws-sdk/client-kafka');
    mocks.kafka
      .on(DescribeReplicatorCommand)
      .rejects(new NotFoundException({ message: 'gone', $metadata: {} }));
    await expect(poll()).rejects.toThrow(ReplicatorFailedError);
  });

  it('should wait for cluster aliases with a TransientError', async () => {
    mocks.kafka.on(DescribeReplicatorCommand).resolves({
      ReplicatorState: 'CREATING',
      KafkaClusters: [],
    });
    await expect(poll()).rejects.toThrow(
      /reports no cluster alias yet \(state CREATING\)/,
    );
  });
});

describe('poll-readiness (shards)', () => {
  it('should read only the shards of the application', async () => {
    await h.setUp(
      planText((p) => {
        p.replication = {
          ...p.replication,
          topics: undefined,
          topicsToExclude: undefined,
          shards: [
            { name: 'a', topics: ['orders'] },
            { name: 'b', topics: ['order_status'] },
          ],
        };
      }),
    );
    for (const name of ['a-fwd', 'a-rev', 'b-fwd', 'b-rev']) {
      await h.ledger.putReplicator(MIGRATION, {
        name: `msk-cutover-orders-platform-${name}`,
        arn: `arn:${name}`,
        shard: name.slice(0, 1),
        direction: name.endsWith('fwd') ? 'forward' : 'reverse',
      });
    }
    h.metrics = () => undefined;
    const r = await poll('orders');
    const queries =
      mocks.cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input
        .MetricDataQueries ?? [];
    const replicators = new Set(
      queries.flatMap((q) =>
        (q.MetricStat?.Metric?.Dimensions ?? [])
          .filter((d) => d.Name === 'ReplicatorName')
          .map((d) => d.Value),
      ),
    );
    expect([...replicators]).toEqual([
      'msk-cutover-orders-platform-a-fwd',
      'msk-cutover-orders-platform-a-rev',
    ]);
    expect(r.ready).toBe(false);
  });

  it('should keep 20 reasons in the result and the rest in the evidence', async () => {
    await h.setUp(
      planText((p) => {
        p.replication = {
          ...p.replication,
          topics: undefined,
          topicsToExclude: undefined,
          shards: [
            { name: 'a', topics: ['orders'] },
            { name: 'b', topics: ['order_status'] },
          ],
        };
      }),
    );
    for (const name of ['a-fwd', 'a-rev', 'b-fwd', 'b-rev']) {
      await h.ledger.putReplicator(MIGRATION, {
        name: `msk-cutover-orders-platform-${name}`,
        arn: `arn:${name}`,
        shard: name.slice(0, 1),
        direction: name.endsWith('fwd') ? 'forward' : 'reverse',
      });
    }
    h.metrics = () => undefined;
    const r = await poll();
    expect(r.reasons).toHaveLength(21);
    expect(r.reasons[20]).toMatch(/^… and \d+ more in the evidence$/);
    const ev = await h.ledger.getEvidence(MIGRATION, r.evidenceId);
    expect(ev?.reasons.length).toBeGreaterThan(20);
  });
});
