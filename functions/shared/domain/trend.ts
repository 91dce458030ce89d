/**
 * Readiness trends and forecasts (docs/readiness.md, "Trend and forecast"):
 * per failing lag rule, the worst value of each recent poll, the slope of a
 * least-squares line through them, and when the rule will hold at that pace
 * (or that it never will). A forecast that stays "never", or later than the
 * readiness deadline, for `readiness.stallMinutes` is a stall.
 *
 * Hand-written: a least-squares slope over a dozen points is a few lines of
 * arithmetic, smaller than any statistics dependency. Pure functions, no AWS.
 */
import { PARTITION_BYTES_PER_SECOND } from './capacity.ts';
import type { RuleId, RuleOutcome } from './types.ts';

/** Rules whose value drains towards a limit: the ones a trend can forecast. */
export const TREND_RULES = [
  'MessageLag',
  'ReplicationLatency',
  'TargetSumOffsetLag',
  'SourceSumOffsetLag',
] as const satisfies readonly RuleId[];
export type TrendRule = (typeof TREND_RULES)[number];

/** `[epoch milliseconds, worst value]` of one poll. */
export type TrendPoint = [number, number];
/** Per failing trend rule, its recent polls, oldest first. */
export type Trends = Partial<Record<TrendRule, TrendPoint[]>>;

/**
 * Polls kept per rule: an hour at the default 5-minute interval. Small on
 * purpose: the points live on the readiness tracker's ledger item.
 */
export const TREND_POINTS = 12;
/** A slope needs at least this many polls. */
export const MIN_TREND_POINTS = 3;

const isTrendRule = (rule: RuleId): rule is TrendRule =>
  (TREND_RULES as readonly RuleId[]).includes(rule);

/**
 * Adds this poll's worst value of each failing trend rule to its series.
 * A rule that holds (or was not judged) in this poll drops its series;
 * a rule without any value in this poll keeps its series unchanged.
 */
export function appendTrends(
  previous: Trends | undefined,
  outcomes: readonly RuleOutcome[],
  at: Date,
): Trends {
  const failing = new Set<TrendRule>();
  const worst = new Map<TrendRule, number>();
  for (const o of outcomes) {
    if (!isTrendRule(o.rule)) continue;
    if (!o.ok) failing.add(o.rule);
    if (o.value !== null) {
      worst.set(o.rule, Math.max(worst.get(o.rule) ?? o.value, o.value));
    }
  }
  const out: Trends = {};
  for (const rule of TREND_RULES) {
    if (!failing.has(rule)) continue;
    const points = [...(previous?.[rule] ?? [])];
    const value = worst.get(rule);
    if (value !== undefined) points.push([at.getTime(), value]);
    out[rule] = points.slice(-TREND_POINTS);
  }
  return out;
}

/** Slope of the least-squares line through the points, per second. */
export function slopePerSecond(points: readonly TrendPoint[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const t0 = points[0]?.[0] ?? 0;
  let st = 0;
  let sv = 0;
  for (const [t, v] of points) {
    st += (t - t0) / 1000;
    sv += v;
  }
  const mt = st / n;
  const mv = sv / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    const dt = (t - t0) / 1000 - mt;
    num += dt * (v - mv);
    den += dt * dt;
  }
  return den === 0 ? 0 : num / den;
}

export interface RuleForecast {
  rule: TrendRule;
  /** The latest worst value and the rule's limit. */
  value: number;
  limit: number;
  /** Change per second (negative: falling). */
  perSecond: number;
  /**
   * `falling`: below the limit in `etaSeconds`; `never`: flat or growing;
   * `unknown`: fewer than {@link MIN_TREND_POINTS} polls so far.
   */
  outlook: 'falling' | 'never' | 'unknown';
  etaSeconds: number | null;
  /** One phrase, e.g. "MessageLag 14.4 M, falling 1.1 M/h: below 1,000 in about 13 h". */
  text: string;
}

/** Forecasts one rule from its series and limit. */
export function forecastRule(
  rule: TrendRule,
  points: readonly TrendPoint[],
  limit: number,
): RuleForecast | null {
  const last = points.at(-1);
  if (!last) return null;
  const value = last[1];
  const unit = rule === 'ReplicationLatency' ? ' ms' : '';
  const head = `${rule} ${valueText(rule, value)}`;
  const result = (
    outlook: RuleForecast['outlook'],
    text: string,
    perSecond = 0,
    etaSeconds: number | null = null,
  ): RuleForecast => ({
    rule,
    value,
    limit,
    perSecond,
    outlook,
    etaSeconds,
    text: `${head}${text}`,
  });
  if (points.length < MIN_TREND_POINTS) {
    return result('unknown', `: trend after ${MIN_TREND_POINTS} polls`);
  }
  if (value <= limit) {
    // Failing for want of data elsewhere: nothing to extrapolate.
    return result(
      'unknown',
      `: within ${valueText(rule, limit)} where measured`,
    );
  }
  const perSecond = slopePerSecond(points);
  if (perSecond >= 0) {
    return result(
      'never',
      `, ${perSecond > 0 ? `growing ${rate(perSecond, unit)}` : 'not falling'}: will not catch up`,
      perSecond,
    );
  }
  const etaSeconds = (value - limit) / -perSecond;
  return result(
    'falling',
    `, falling ${rate(-perSecond, unit)}: below ${valueText(rule, limit)} in about ${duration(etaSeconds)}`,
    perSecond,
    etaSeconds,
  );
}

/** Forecasts every rule with a series, in {@link TREND_RULES} order. */
export function forecastRules(
  trends: Trends,
  outcomes: readonly RuleOutcome[],
): RuleForecast[] {
  const limits = new Map<RuleId, number>();
  for (const o of outcomes) {
    if (o.limit !== null) limits.set(o.rule, o.limit);
  }
  const out: RuleForecast[] = [];
  for (const rule of TREND_RULES) {
    const points = trends[rule];
    const limit = limits.get(rule);
    if (!points || limit === undefined) continue;
    const f = forecastRule(rule, points, limit);
    if (f) out.push(f);
  }
  return out;
}

export interface ReadinessOutlook {
  /**
   * `never`: a rule will not catch up; `late`: every rule falls, but the
   * rules and the sustained window after them end past the deadline;
   * `on-time`: before it; `unknown`: no forecast (no lag rule failing with
   * data, or too few polls).
   */
  status: 'never' | 'late' | 'on-time' | 'unknown';
  /** When the rules and the sustained window after them should hold. */
  readyAt?: string;
  /** The rule that decides it. */
  rule?: TrendRule;
}

/** The whole poll's outlook: the slowest rule, plus the sustained window. */
export function readinessOutlook(
  forecasts: readonly RuleForecast[],
  now: Date,
  deadline: Date,
  sustainedMinutes: number,
): ReadinessOutlook {
  if (forecasts.length === 0) return { status: 'unknown' };
  const never = forecasts.find((f) => f.outlook === 'never');
  if (never) return { status: 'never', rule: never.rule };
  if (forecasts.some((f) => f.outlook === 'unknown')) {
    return { status: 'unknown' };
  }
  let slowest = forecasts[0] as RuleForecast;
  for (const f of forecasts) {
    if ((f.etaSeconds ?? 0) > (slowest.etaSeconds ?? 0)) slowest = f;
  }
  const readyMs =
    now.getTime() +
    (slowest.etaSeconds ?? 0) * 1000 +
    sustainedMinutes * 60_000;
  return {
    status: readyMs > deadline.getTime() ? 'late' : 'on-time',
    readyAt: new Date(readyMs).toISOString(),
    rule: slowest.rule,
  };
}

/** Stall bookkeeping kept on the readiness tracker. */
export interface StallState {
  /** Since when every poll's outlook was `never` or `late`. */
  stalledSince?: string;
  /** When the "Readiness Stalled" notice went out in this wait. */
  stallNotifiedAt?: string;
}

/**
 * Folds one poll's outlook into the stall state. Stalled once the outlook
 * was `never` or `late` on every poll for `stallMinutes`; any other
 * outlook ends the streak.
 */
export function advanceStall(
  previous: StallState,
  outlook: ReadinessOutlook['status'],
  now: Date,
  stallMinutes: number,
): { state: StallState; stalled: boolean; stalledMinutes: number } {
  const { stalledSince, ...rest } = previous;
  const state: StallState =
    outlook === 'never' || outlook === 'late'
      ? { ...rest, stalledSince: stalledSince ?? now.toISOString() }
      : rest;
  const stalledMinutes = state.stalledSince
    ? (now.getTime() - Date.parse(state.stalledSince)) / 60_000
    : 0;
  return {
    state,
    stalled: state.stalledSince !== undefined && stalledMinutes >= stallMinutes,
    stalledMinutes,
  };
}

// ------------------------------------------------------------ text

/** 14,443,595 → "14.4 M"; below a million, grouped digits. */
export function amount(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)} bn`;
  if (a >= 1e6) return `${trim(v / 1e6)} M`;
  return Math.round(v).toLocaleString('en-US');
}

const trim = (v: number) =>
  v.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** A rule's value: latency as a duration ("90 s", "3.4 h"), lag as an amount. */
export function valueText(rule: TrendRule, value: number): string {
  if (rule !== 'ReplicationLatency') return amount(value);
  if (value < 1000) return `${Math.round(value)} ms`;
  const s = value / 1000;
  if (s < 120) return `${trim(s)} s`;
  if (s < 7200) return `${trim(s / 60)} min`;
  return `${trim(s / 3600)} h`;
}

/** Per second from 1,000/s up, per hour below ("1.1 M/h", "5,100/s"). */
export function rate(perSecond: number, unit = ''): string {
  return perSecond >= 1000
    ? `${amount(perSecond)}${unit}/s`
    : `${amount(perSecond * 3600)}${unit}/h`;
}

/** Seconds as "12 min", "13 h", "4 d". */
export function duration(seconds: number): string {
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.max(1, Math.round(minutes))} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${Math.round(hours)} h`;
  return `${Math.round(hours / 24)} d`;
}

// ------------------------------------------------------------ diagnosis

export interface StallDiagnosisInput {
  outlook: ReadinessOutlook;
  forecasts: readonly RuleForecast[];
  /** This poll's outcomes (the failing lag ones are listed). */
  outcomes: readonly RuleOutcome[];
  /** The replicators in scope and their shards. */
  replicators: readonly { name: string; shard: string }[];
  /** The poll's notes (ThrottleTime shows a quota at work). */
  notes: readonly string[];
  deadline: Date;
}

/** [D-SIZE] in capacity.ts: 0.3 MB/s per partition. */
const PARTITION_MB_PER_SECOND = PARTITION_BYTES_PER_SECOND / 1e6;

/** Failing replicators listed in a notice; the evidence has them all. */
const DIAGNOSIS_REPLICATORS = 10;

/**
 * Why readiness stalled and what to do, as lines of the notice: the
 * forecast, each lagging replicator with its shard, and the remedies that
 * fit the trend's shape.
 */
export function stallDiagnosis(input: StallDiagnosisInput): string[] {
  const lines: string[] = [];
  const shardOf = new Map(input.replicators.map((r) => [r.name, r.shard]));
  for (const f of input.forecasts) lines.push(`Forecast: ${f.text}.`);
  if (input.outlook.status === 'late' && input.outlook.readyAt) {
    lines.push(
      `At this pace readiness holds around ${input.outlook.readyAt}, after the deadline ${input.deadline.toISOString()}.`,
    );
  }
  const lagging = input.outcomes.filter(
    (o) =>
      !o.ok &&
      o.value !== null &&
      (o.rule === 'MessageLag' || o.rule === 'ReplicationLatency'),
  );
  const byReplicator = new Map<string, RuleOutcome[]>();
  for (const o of lagging) {
    const name = o.subject.split(' ')[0] ?? o.subject;
    byReplicator.set(name, [...(byReplicator.get(name) ?? []), o]);
  }
  if (byReplicator.size > 0) lines.push('Per replicator:');
  for (const [name, list] of [...byReplicator].slice(
    0,
    DIAGNOSIS_REPLICATORS,
  )) {
    const worst = (rule: RuleId) =>
      Math.max(...list.filter((o) => o.rule === rule).map((o) => o.value ?? 0));
    const parts = [];
    if (list.some((o) => o.rule === 'MessageLag')) {
      parts.push(`MessageLag ${amount(worst('MessageLag'))}`);
    }
    if (list.some((o) => o.rule === 'ReplicationLatency')) {
      parts.push(
        `ReplicationLatency ${amount(worst('ReplicationLatency'))} ms`,
      );
    }
    lines.push(
      `- ${name} (shard ${shardOf.get(name) ?? 'unknown'}): ${parts.join(', ')}`,
    );
  }
  if (byReplicator.size > DIAGNOSIS_REPLICATORS) {
    lines.push(
      `- and ${byReplicator.size - DIAGNOSIS_REPLICATORS} more in the evidence`,
    );
  }
  for (const note of input.notes) {
    if (note.startsWith('ThrottleTime')) lines.push(note);
  }
  lines.push('What to do:');
  const growing = input.forecasts.find(
    (f) => f.outlook === 'never' && f.perSecond > 0,
  );
  const flat = input.forecasts.find(
    (f) => f.outlook === 'never' && f.perSecond <= 0,
  );
  if (growing) {
    lines.push(
      `- ${growing.rule} grows ${rate(growing.perSecond, growing.rule === 'ReplicationLatency' ? ' ms' : '')}: the source receives records faster than the replicator copies them${growing.rule === 'MessageLag' ? ` (about ${amount(growing.perSecond)} records/s more)` : ''}. Raise its capacity:`,
      '  - lift the Kafka quota (consumer_byte_rate) on the replicator principal on the source cluster, especially if ThrottleTime is reported;',
      '  - split the shard (replication.shards) so that each replicator copies fewer topics;',
      `  - add partitions to the busiest topics (a replicator copies about ${PARTITION_MB_PER_SECOND} MB/s per partition, at most 1 GB/s).`,
    );
  }
  if (flat) {
    lines.push(
      `- ${flat.rule} is not falling: if it stays level above ${valueText(flat.rule, flat.limit)}, the records in flight alone exceed the threshold; raise readiness.${flat.rule === 'ReplicationLatency' ? 'maxReplicationLatencyMs' : flat.rule === 'MessageLag' ? 'maxMessageLag' : 'maxSumOffsetLag'} above the level it holds.${flat.rule === 'MessageLag' || flat.rule === 'ReplicationLatency' ? '' : " Or the group's consumers are not consuming: check that they run."}`,
    );
  }
  if (input.outlook.status === 'late') {
    lines.push(
      '- it catches up, but not before the deadline: raise readiness.maxWaitHours, or add capacity as above.',
    );
  }
  return lines;
}
