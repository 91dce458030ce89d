import { describe, expect, it } from 'vitest';
import type { GroupMeasurement } from '../../../../functions/shared/contracts.ts';
import {
  type LabelledSeries,
  readinessQueries,
} from '../../../../functions/shared/domain/metric-queries.ts';
import {
  advanceTracker,
  evaluateReadiness,
  groupMeasurementDue,
  maxPollGapMs,
  notReadyNoticeDue,
  type PollOutcome,
  type ReadinessTracker,
  UNHEALTHY_MEASURE_EVERY_MS,
} from '../../../../functions/shared/domain/readiness.ts';

const T = new Date('2026-03-01T10:00:00.000Z');
const pts = (...vs: number[]) =>
  vs.map((value, i) => ({ at: new Date(T.getTime() + i * 60_000), value }));
const thresholds = {
  maxMessageLag: 1000,
  maxReplicationLatencyMs: 90_000,
  maxSumOffsetLag: 1000,
};
const R = 'msk-cutover-m1-fwd';

/** Every series of one healthy replicator and one healthy group. */
function healthy(): LabelledSeries[] {
  const set = readinessQueries({
    replicators: [{ name: R, aliases: { source: 'src', target: 'tgt' } }],
    targetClusterName: 'express',
    lagPairs: [{ group: 'g1', topic: 'orders' }],
  });
  const value: Record<string, number[]> = {
    ReplicatorFailure: [0, 0],
    ReplicationFailures: [0, 0],
    ConsumerGroupOffsetSyncFailure: [0, 0],
    ConsumerGroupCount: [1, 1],
    MessageLag: [10, 20],
    ReplicationLatency: [500, 400],
    KafkaClusterPingSuccessCount: [1, 1],
    AuthError: [0],
    ThrottleTime: [0],
    SumOffsetLag: [5],
  };
  return set.label(
    set.queries.map((q) => ({
      id: q.id,
      points: pts(...(value[q.metricName] ?? [])),
    })),
  );
}

const measured = (lag: number | null): GroupMeasurement[] => [
  {
    group: 'g1',
    source: { state: 'Stable', members: 2, sumOffsetLag: lag, byTopic: {} },
    target: { state: 'Empty', members: 0, sumOffsetLag: 5, byTopic: {} },
  },
];

function run(
  change: (s: LabelledSeries[]) => LabelledSeries[] = (s) => s,
  measurement: GroupMeasurement[] = measured(3),
) {
  return evaluateReadiness({
    series: change(healthy()),
    thresholds,
    expectedGroupCount: new Map([[R, 1]]),
    groups: ['g1'],
    measurement,
  });
}

/** Replaces the points of series matching `metric` (and `cluster`). */
const set =
  (metric: string, points: LabelledSeries['points'], cluster?: string) =>
  (series: LabelledSeries[]) =>
    series.map((s) =>
      s.metric === metric &&
      (cluster === undefined || (s.kind === 'alias' && s.cluster === cluster))
        ? { ...s, points }
        : s,
    );

describe('evaluateReadiness', () => {
  it('should pass when every rule holds', () => {
    const v = run();
    expect(v.reasons).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.outcomes.every((o) => o.ok)).toBe(true);
  });

  it.each([
    [
      'ReplicatorFailure',
      pts(0, 2),
      /ReplicatorFailure 2 on msk-cutover-m1-fwd \(must be 0\)/,
    ],
    [
      'ReplicatorFailure',
      [],
      /ReplicatorFailure: no data for msk-cutover-m1-fwd/,
    ],
    [
      'ReplicationFailures',
      pts(0, 3),
      /ReplicationFailures 3 on msk-cutover-m1-fwd \(must be 0\)/,
    ],
    [
      'ReplicationFailures',
      [],
      /ReplicationFailures: no data for msk-cutover-m1-fwd/,
    ],
    [
      'ConsumerGroupOffsetSyncFailure',
      pts(1),
      /ConsumerGroupOffsetSyncFailure 1 on/,
    ],
    [
      'ConsumerGroupOffsetSyncFailure',
      [],
      /ConsumerGroupOffsetSyncFailure: no data/,
    ],
    [
      'MessageLag',
      pts(10, 12_400),
      /MessageLag 12,400 > 1,000 on msk-cutover-m1-fwd/,
    ],
    [
      'ReplicationLatency',
      pts(95_000),
      /ReplicationLatency 95,000 ms > 90,000 ms/,
    ],
    ['ConsumerGroupCount', pts(1, 0), /ConsumerGroupCount 0 < 1 expected/],
    [
      'ConsumerGroupCount',
      [],
      /ConsumerGroupCount: no data .*1 groups expected/,
    ],
    [
      'SumOffsetLag',
      pts(1500),
      /SumOffsetLag 1,500 > 1,000 on the target for group g1/,
    ],
    [
      'SumOffsetLag',
      [],
      /SumOffsetLag on the target: no data for group g1 on orders/,
    ],
  ])('should fail %s with %j', (metric, points, reason) => {
    const v = run(set(metric, points));
    expect(v.ok).toBe(false);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(reason);
  });

  describe('a replicator with nothing to copy', () => {
    const noLag = (pings = pts(1, 1)) =>
      run((s) =>
        set(
          'KafkaClusterPingSuccessCount',
          pings,
        )(set('ReplicationLatency', [])(set('MessageLag', [])(s))),
      );

    it('should note, not fail, missing lag and latency while it pings both clusters', () => {
      const v = noLag();
      expect(v.ok).toBe(true);
      expect(v.notes).toEqual([
        `MessageLag: no data for ${R}, which pings both clusters: nothing copied in the window`,
        `ReplicationLatency: no data for ${R}, which pings both clusters: nothing copied in the window`,
      ]);
      expect(v.outcomes.filter((o) => o.rule === 'MessageLag')).toEqual([
        { rule: 'MessageLag', subject: R, ok: true, value: null, limit: 1000 },
      ]);
    });

    it.each([
      ['no ping at all', []],
      ['a failed ping', pts(1, 0)],
    ])('should fail them with %s (nothing shows it is idle)', (_, pings) => {
      const v = noLag(pings);
      expect(v.ok).toBe(false);
      expect(v.reasons).toContain(`MessageLag: no data for ${R}`);
      expect(v.reasons).toContain(`ReplicationLatency: no data for ${R}`);
    });

    it('should judge the values it does publish', () => {
      const v = run(set('MessageLag', pts(5000)));
      expect(v.reasons).toEqual([`MessageLag 5,000 > 1,000 on ${R}`]);
    });
  });

  it.each([
    [
      'source',
      pts(1, 0),
      /KafkaClusterPingSuccessCount 0 on msk-cutover-m1-fwd \(source cluster src\)/,
    ],
    [
      'target',
      [],
      /KafkaClusterPingSuccessCount: no data for msk-cutover-m1-fwd \(target cluster tgt\)/,
    ],
  ])('should fail the ping of the %s cluster', (cluster, points, reason) => {
    const v = run(set('KafkaClusterPingSuccessCount', points, cluster));
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(reason);
  });

  it('should fail on authentication errors but not on missing AuthError data', () => {
    expect(run(set('AuthError', pts(12), 'source')).reasons[0]).toMatch(
      /AuthError 12 on msk-cutover-m1-fwd \(source cluster src\): the replicator's credentials are refused/,
    );
    expect(run(set('AuthError', [])).ok).toBe(true);
  });

  it('should report throttling without failing', () => {
    const v = run(set('ThrottleTime', pts(250), 'target'));
    expect(v.ok).toBe(true);
    expect(v.notes).toEqual([
      'ThrottleTime up to 250 ms on msk-cutover-m1-fwd (target cluster tgt): the brokers throttle the replicator',
    ]);
  });

  it('should skip the group count rule when no group is expected', () => {
    const v = evaluateReadiness({
      series: set('ConsumerGroupCount', [])(healthy()),
      thresholds,
      expectedGroupCount: new Map(),
      groups: ['g1'],
      measurement: measured(3),
    });
    expect(v.ok).toBe(true);
  });

  it.each([
    [
      'too high',
      measured(5000),
      /SumOffsetLag 5,000 > 1,000 on the source for group g1/,
    ],
    [
      'no committed offset',
      measured(null),
      /group g1 has no committed offset there/,
    ],
    ['not measured', [], /group g1 was not measured/],
    [
      'unreadable source',
      [{ group: 'g1', source: null, target: null }],
      /source cluster could not be read for group g1/,
    ],
  ])('should fail the source lag when %s', (_, measurement, reason) => {
    const v = run(undefined, measurement as GroupMeasurement[]);
    expect(v.ok).toBe(false);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatch(reason);
  });

  it('should sum target lag over the topics of a group', () => {
    const q = readinessQueries({
      replicators: [],
      targetClusterName: 'express',
      lagPairs: [
        { group: 'g1', topic: 'a' },
        { group: 'g1', topic: 'b' },
      ],
    });
    const v = evaluateReadiness({
      series: q.label(q.queries.map((x) => ({ id: x.id, points: pts(600) }))),
      thresholds,
      expectedGroupCount: new Map(),
      groups: [],
      measurement: [],
    });
    expect(v.reasons).toEqual([
      'SumOffsetLag 1,200 > 1,000 on the target for group g1',
    ]);
  });
});

describe('advanceTracker', () => {
  const settings = {
    sustainedMinutes: 15,
    pollIntervalSeconds: 300,
    maxWaitHours: 2,
  };
  const at = (min: number) => new Date(T.getTime() + min * 60_000);

  function polls(verdicts: [number, boolean][]) {
    let t: ReadinessTracker | null = null;
    return verdicts.map(([min, ok]) => {
      const step = advanceTracker(t, ok, at(min), settings);
      t = step.tracker;
      return step;
    });
  }

  it('should be ready only after the rules held for the whole window', () => {
    const steps = polls([
      [0, true],
      [5, true],
      [10, true],
      [15, true],
    ]);
    expect(steps.map((s) => s.ready)).toEqual([false, false, false, true]);
    expect(steps[3]?.heldMinutes).toBe(15);
    expect(steps[3]?.tracker.readySince).toBe(at(0).toISOString());
  });

  it('should restart the window when a rule fails', () => {
    const steps = polls([
      [0, true],
      [5, true],
      [10, false],
      [15, true],
      [25, true],
      [30, true],
    ]);
    expect(steps[2]?.tracker.readySince).toBeUndefined();
    expect(steps.map((s) => s.ready)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
  });

  it('should start a new wait after a long gap between polls', () => {
    const gapMin = maxPollGapMs(300) / 60_000 + 1;
    const steps = polls([
      [0, true],
      [5, true],
      [5 + gapMin, true],
    ]);
    expect(steps[2]?.tracker.waitingSince).toBe(at(5 + gapMin).toISOString());
    expect(steps[2]?.tracker.readySince).toBe(at(5 + gapMin).toISOString());
    expect(steps[2]?.ready).toBe(false);
  });

  it('should time out after maxWaitHours without readiness', () => {
    // A poll every 5 minutes for 2 hours and 5 minutes.
    const steps = polls(
      Array.from({ length: 26 }, (_, i): [number, boolean] => [i * 5, false]),
    );
    expect(steps.at(-2)?.timedOut).toBe(false);
    expect(steps.at(-1)?.timedOut).toBe(true);
  });

  it('should send the not-ready notice every six hours', () => {
    const t: ReadinessTracker = {
      waitingSince: T.toISOString(),
      lastPollAt: T.toISOString(),
    };
    expect(notReadyNoticeDue(t, at(60))).toBe(false);
    expect(notReadyNoticeDue(t, at(360))).toBe(true);
    expect(
      notReadyNoticeDue(
        { ...t, lastNotReadyNoticeAt: at(360).toISOString() },
        at(400),
      ),
    ).toBe(false);
  });
});

describe('groupMeasurementDue', () => {
  const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);
  const unhealthy: PollOutcome = {
    at: at(55).toISOString(),
    replicatorsHealthy: false,
  };

  it('should measure on every poll while the replicator rules hold', () => {
    expect(
      groupMeasurementDue(
        { ...unhealthy, replicatorsHealthy: true },
        at(59).toISOString(),
        at(60),
        300,
      ),
    ).toBe(true);
    expect(groupMeasurementDue(null, null, at(60), 300)).toBe(true);
    expect(
      groupMeasurementDue(undefined, at(59).toISOString(), at(60), 300),
    ).toBe(true);
  });

  it('should measure every half hour while they fail', () => {
    const every = UNHEALTHY_MEASURE_EVERY_MS / 60_000;
    expect(
      groupMeasurementDue(
        unhealthy,
        at(60 - every + 1).toISOString(),
        at(60),
        300,
      ),
    ).toBe(false);
    expect(
      groupMeasurementDue(unhealthy, at(60 - every).toISOString(), at(60), 300),
    ).toBe(true);
    // Nothing measured yet.
    expect(groupMeasurementDue(unhealthy, null, at(60), 300)).toBe(true);
  });

  it('should measure when the last poll belongs to an earlier wait', () => {
    expect(
      groupMeasurementDue(
        { ...unhealthy, at: at(0).toISOString() },
        at(59).toISOString(),
        at(60),
        300,
      ),
    ).toBe(true);
  });
});
