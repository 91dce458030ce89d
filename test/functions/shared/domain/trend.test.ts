import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RuleOutcome } from '../../../../functions/shared/domain/readiness.ts';
import {
  advanceStall,
  amount,
  appendTrends,
  duration,
  forecastRule,
  forecastRules,
  rate,
  readinessOutlook,
  slopePerSecond,
  stallDiagnosis,
  TREND_POINTS,
  type TrendPoint,
} from '../../../../functions/shared/domain/trend.ts';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const POLL_MS = 300_000;

/** Polls every 5 minutes of `value(i)`. */
const series = (n: number, value: (i: number) => number): TrendPoint[] =>
  Array.from({ length: n }, (_, i) => [T0 + i * POLL_MS, value(i)]);

const lag = (value: number | null, ok = false): RuleOutcome => ({
  rule: 'MessageLag',
  subject: 'msk-cutover-m-fwd',
  ok,
  value,
  limit: 1000,
});

describe('appendTrends', () => {
  it('should keep the worst value of each failing lag rule, at most TREND_POINTS', () => {
    let trends = {};
    for (let i = 0; i < TREND_POINTS + 5; i++) {
      trends = appendTrends(
        trends,
        [lag(5000 + i, false), lag(200, true)],
        new Date(T0 + i * POLL_MS),
      );
    }
    const points = (trends as { MessageLag: TrendPoint[] }).MessageLag;
    expect(points).toHaveLength(TREND_POINTS);
    expect(points.at(-1)).toEqual([
      T0 + (TREND_POINTS + 4) * POLL_MS,
      5000 + TREND_POINTS + 4,
    ]);
  });

  it('should drop the series of a rule that holds, and skip polls without data', () => {
    const at = new Date(T0);
    const one = appendTrends({}, [lag(5000)], at);
    expect(appendTrends(one, [lag(null)], at).MessageLag).toHaveLength(1);
    expect(appendTrends(one, [lag(10, true)], at)).toEqual({});
    // Not a trend rule: never kept.
    expect(
      appendTrends(
        {},
        [{ ...lag(3), rule: 'ReplicatorFailure', limit: 0 }],
        at,
      ),
    ).toEqual({});
  });
});

describe('forecastRule', () => {
  it('should say when a falling lag reaches its limit', () => {
    // 14.4 M falling 1.1 M/h: about 13 h to go.
    const perPoll = 1_100_000 / 12;
    const points = series(12, (i) => 14_400_000 + (11 - i) * perPoll);
    const f = forecastRule('MessageLag', points, 1000);
    expect(f?.outlook).toBe('falling');
    expect((f?.etaSeconds ?? 0) / 3600).toBeCloseTo(14_399_000 / 1_100_000, 3);
    expect(f?.text).toBe(
      'MessageLag 14.4 M, falling 1.1 M/h: below 1,000 in about 13 h',
    );
  });

  it('should say "will not catch up" when it grows or stays flat', () => {
    const growing = forecastRule(
      'MessageLag',
      series(6, (i) => 1_000_000 + i * 5100 * 300),
      1000,
    );
    expect(growing?.outlook).toBe('never');
    expect(growing?.etaSeconds).toBeNull();
    expect(growing?.text).toBe(
      'MessageLag 8.7 M, growing 5,100/s: will not catch up',
    );
    const flat = forecastRule(
      'ReplicationLatency',
      series(4, () => 120_000),
      90_000,
    );
    expect(flat?.text).toBe(
      'ReplicationLatency 2 min, not falling: will not catch up',
    );
  });

  it('should not guess from fewer than three polls, or from a value within the limit', () => {
    expect(forecastRule('MessageLag', [], 1000)).toBeNull();
    expect(
      forecastRule(
        'MessageLag',
        series(2, (i) => 9000 - i),
        1000,
      )?.outlook,
    ).toBe('unknown');
    expect(
      forecastRule(
        'MessageLag',
        series(5, () => 10),
        1000,
      )?.outlook,
    ).toBe('unknown');
  });

  it('property: a linearly falling series gets an ETA within 1 % of the true crossing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: TREND_POINTS }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        fc.integer({ min: 0, max: 1e6 }),
        (n, perSecond, above, limit) => {
          // The last point is `above` the limit; it falls `perSecond`.
          const last = limit + above;
          const points = series(
            n,
            (i) => last + (n - 1 - i) * perSecond * (POLL_MS / 1000),
          );
          const f = forecastRule('MessageLag', points, limit);
          const truth = above / perSecond;
          expect(f?.outlook).toBe('falling');
          expect(Math.abs((f?.etaSeconds ?? 0) - truth)).toBeLessThanOrEqual(
            truth * 0.01,
          );
        },
      ),
    );
  });

  it('property: a series that grows, however noisily around its line, is "never"', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: TREND_POINTS }),
        fc.double({ min: 0.01, max: 1e6, noNaN: true }),
        fc.array(fc.double({ min: -0.4, max: 0.4, noNaN: true }), {
          minLength: TREND_POINTS,
          maxLength: TREND_POINTS,
        }),
        (n, perSecond, noise) => {
          const step = perSecond * (POLL_MS / 1000);
          // Noise below half a step keeps the least-squares slope positive.
          const points = series(
            n,
            (i) => 2000 + i * step + (noise[i] ?? 0) * step,
          );
          const f = forecastRule('MessageLag', points, 1000);
          expect(f?.outlook).toBe('never');
          expect(f?.text).toMatch(/growing .*: will not catch up$/);
        },
      ),
    );
  });
});

describe('slopePerSecond', () => {
  it('should be the least-squares slope, and 0 without a time span', () => {
    expect(slopePerSecond(series(5, (i) => 10 + 600 * i))).toBeCloseTo(2, 9);
    expect(slopePerSecond([[T0, 5]])).toBe(0);
    expect(
      slopePerSecond([
        [T0, 5],
        [T0, 9],
      ]),
    ).toBe(0);
  });
});

describe('readinessOutlook', () => {
  const now = new Date(T0 + 11 * POLL_MS);
  const deadline = new Date(T0 + 6 * 3_600_000);
  const falling = (etaHours: number) => {
    const step = 1000;
    const perSecond = step / (POLL_MS / 1000);
    const above = etaHours * 3600 * perSecond;
    return forecastRule(
      'MessageLag',
      series(12, (i) => 1000 + above + (11 - i) * step),
      1000,
    );
  };
  const outcomes = [lag(5000)];

  it('should be on time, late or never by the slowest rule and the sustained window', () => {
    const onTime = readinessOutlook(
      [falling(1) as NonNullable<ReturnType<typeof falling>>],
      now,
      deadline,
      15,
    );
    expect(onTime.status).toBe('on-time');
    expect(onTime.readyAt).toBe(
      new Date(now.getTime() + 75 * 60_000).toISOString(),
    );
    const late = readinessOutlook(
      [falling(5.5) as NonNullable<ReturnType<typeof falling>>],
      now,
      deadline,
      15,
    );
    expect(late.status).toBe('late');
    const trends = { MessageLag: series(4, (i) => 2000 + i) };
    expect(
      readinessOutlook(forecastRules(trends, outcomes), now, deadline, 15)
        .status,
    ).toBe('never');
    expect(readinessOutlook([], now, deadline, 15).status).toBe('unknown');
  });
});

describe('advanceStall', () => {
  it('should stall only after stallMinutes of "never" or "late" in a row', () => {
    const at = (m: number) => new Date(T0 + m * 60_000);
    let s = advanceStall({}, 'never', at(0), 60);
    expect(s.stalled).toBe(false);
    s = advanceStall(s.state, 'late', at(30), 60);
    expect(s.stalled).toBe(false);
    s = advanceStall(s.state, 'never', at(60), 60);
    expect(s.stalled).toBe(true);
    // Any other outlook ends the streak, keeping the notice's record.
    const notified = { ...s.state, stallNotifiedAt: at(60).toISOString() };
    s = advanceStall(notified, 'unknown', at(65), 60);
    expect(s.stalled).toBe(false);
    expect(s.state).toEqual({ stallNotifiedAt: at(60).toISOString() });
  });
});

describe('text', () => {
  it('should write amounts, rates and durations as a person reads them', () => {
    expect(amount(14_443_595)).toBe('14.4 M');
    expect(amount(2_500_000_000)).toBe('2.5 bn');
    expect(amount(5100.4)).toBe('5,100');
    expect(rate(5100)).toBe('5,100/s');
    expect(rate(50)).toBe('180,000/h');
    expect(duration(30)).toBe('1 min');
    expect(duration(40 * 60)).toBe('40 min');
    expect(duration(13 * 3600)).toBe('13 h');
    expect(duration(5 * 86_400)).toBe('5 d');
  });
});

describe('stallDiagnosis', () => {
  const now = new Date(T0 + 11 * POLL_MS);
  const deadline = new Date(T0 + 6 * 3_600_000);
  const replicators = [
    { name: 'msk-cutover-m-a-fwd', shard: 'a' },
    { name: 'msk-cutover-m-b-fwd', shard: 'b' },
  ];

  it('should name each lagging replicator, its shard, and the capacity remedies when lag grows', () => {
    const outcomes: RuleOutcome[] = [
      { ...lag(605_000), subject: 'msk-cutover-m-a-fwd topic orders' },
      { ...lag(200, true), subject: 'msk-cutover-m-b-fwd topic status' },
    ];
    const forecasts = forecastRules(
      { MessageLag: series(12, (i) => 440_000 + i * 15_000) },
      outcomes,
    );
    const outlook = readinessOutlook(forecasts, now, deadline, 15);
    const lines = stallDiagnosis({
      outlook,
      forecasts,
      outcomes,
      replicators,
      notes: [
        'ThrottleTime up to 500 ms on msk-cutover-m-a-fwd (source cluster s): the brokers throttle the replicator',
      ],
      deadline,
    });
    expect(lines).toContain(
      '- msk-cutover-m-a-fwd (shard a): MessageLag 605,000',
    );
    expect(lines.join('\n')).not.toMatch(/m-b-fwd/);
    expect(lines.join('\n')).toMatch(/about 50 records\/s more/);
    expect(lines.join('\n')).toMatch(/lift the Kafka quota/);
    expect(lines.join('\n')).toMatch(/split the shard/);
    expect(lines.join('\n')).toMatch(/add partitions/);
    expect(lines.join('\n')).toMatch(/ThrottleTime up to 500 ms/);
    expect(lines.join('\n')).not.toMatch(/raise readiness\.maxMessageLag/);
  });

  it('should point at the threshold when lag holds level above it', () => {
    const outcomes = [{ ...lag(1500), subject: 'msk-cutover-m-a-fwd' }];
    const forecasts = forecastRules(
      { MessageLag: series(12, () => 1500) },
      outcomes,
    );
    const lines = stallDiagnosis({
      outlook: readinessOutlook(forecasts, now, deadline, 15),
      forecasts,
      outcomes,
      replicators,
      notes: [],
      deadline,
    }).join('\n');
    expect(lines).toMatch(
      /in flight alone exceed the threshold; raise readiness\.maxMessageLag/,
    );
    expect(lines).not.toMatch(/split the shard/);
  });

  it('should say when a draining wait ends after the deadline', () => {
    const outcomes = [{ ...lag(9_000_000), subject: 'msk-cutover-m-a-fwd' }];
    // Falls 1 M/h: 9 h to go, past the 6 h deadline.
    const forecasts = forecastRules(
      {
        MessageLag: series(12, (i) => 9_000_000 + (11 - i) * (1e6 / 12)),
      },
      outcomes,
    );
    const outlook = readinessOutlook(forecasts, now, deadline, 15);
    expect(outlook.status).toBe('late');
    const lines = stallDiagnosis({
      outlook,
      forecasts,
      outcomes,
      replicators,
      notes: [],
      deadline,
    }).join('\n');
    expect(lines).toMatch(/after the deadline 2026-01-05T14:00:00.000Z/);
    expect(lines).toMatch(/raise readiness\.maxWaitHours/);
  });
});
