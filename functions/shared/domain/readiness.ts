/**
 * Readiness rules (DESIGN section 4, docs/readiness.md): whether
 * replication is healthy and caught up enough to move applications.
 *
 * Each rule looks at the metrics of one poll window; `advanceTracker` turns
 * the per-poll verdicts into the sustained window (every rule held on every
 * poll for `sustainedMinutes`). Missing data is never zero lag: a metric
 * without datapoints fails its rule and says so. Pure functions, no AWS.
 */
import type { LabelledSeries } from './metric-queries.ts';
import type { Readiness } from './plan.ts';
import type { Trends } from './trend.ts';
import type {
  GroupMeasurement,
  MeasureEvidenceData,
  RuleId,
  RuleOutcome,
} from './types.ts';

export type { RuleId, RuleOutcome } from './types.ts';

export interface ReadinessVerdict {
  /** Every rule held in this poll window. */
  ok: boolean;
  /** The failed rules' sentences, in rule order. */
  reasons: string[];
  /** Reported numbers that never fail a poll (ThrottleTime). */
  notes: string[];
  outcomes: RuleOutcome[];
}

export interface ReadinessRulesInput {
  series: LabelledSeries[];
  thresholds: Pick<
    Readiness,
    'maxMessageLag' | 'maxReplicationLatencyMs' | 'maxSumOffsetLag'
  >;
  /** Consumer groups each replicator should be syncing (at least). */
  expectedGroupCount: ReadonlyMap<string, number>;
  /** The groups in scope (source-side lag is checked for each). */
  groups: readonly string[];
  /** The `measure` evidence just before this poll. */
  measurement: readonly GroupMeasurement[];
}

const n = (v: number) => v.toLocaleString('en-US');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const values = (s: LabelledSeries) => s.points.map((p) => p.value);
const latest = (s: LabelledSeries) => s.points.at(-1)?.value ?? null;

function where(s: LabelledSeries): string {
  if (s.kind === 'alias') {
    return `${s.replicator} (${s.cluster} cluster ${s.alias})`;
  }
  if (s.kind === 'replicator') {
    return s.topic === undefined
      ? s.replicator
      : `${s.replicator} topic ${s.topic}`;
  }
  return `group ${s.group} topic ${s.topic}`;
}

/**
 * Replicators whose `KafkaClusterPingSuccessCount` has data for both
 * clusters in the window, every point 1: running and observable.
 */
export function pingingReplicators(
  series: readonly LabelledSeries[],
): Set<string> {
  const clusters = new Map<string, number>();
  for (const s of series) {
    if (s.kind !== 'alias' || s.metric !== 'KafkaClusterPingSuccessCount') {
      continue;
    }
    if (s.points.length === 0 || s.points.some((p) => p.value < 1)) continue;
    clusters.set(s.replicator, (clusters.get(s.replicator) ?? 0) + 1);
  }
  return new Set([...clusters].filter(([, n]) => n >= 2).map(([name]) => name));
}

/** Evaluates every rule on one poll window. */
export function evaluateReadiness(
  input: ReadinessRulesInput,
): ReadinessVerdict {
  const outcomes: RuleOutcome[] = [];
  const notes: string[] = [];
  const { thresholds: t } = input;
  const of = (metric: string) =>
    input.series.filter((s) => s.metric === metric);

  const pass = (
    rule: RuleId,
    subject: string,
    value: number,
    limit: number | null,
  ) => outcomes.push({ rule, subject, ok: true, value, limit });
  const fail = (
    rule: RuleId,
    subject: string,
    value: number | null,
    limit: number | null,
    reason: string,
  ) => outcomes.push({ rule, subject, ok: false, value, limit, reason });

  for (const metric of [
    'ReplicatorFailure',
    'ReplicationFailures',
    'ConsumerGroupOffsetSyncFailure',
  ] as const) {
    for (const s of of(metric)) {
      const at = where(s);
      if (s.points.length === 0) {
        fail(metric, at, null, 0, `${metric}: no data for ${at}`);
        continue;
      }
      const total = sum(values(s));
      if (total > 0) {
        fail(
          metric,
          at,
          total,
          0,
          `${metric} ${n(total)} on ${at} (must be 0)`,
        );
      } else pass(metric, at, total, 0);
    }
  }

  for (const s of of('KafkaClusterPingSuccessCount')) {
    const at = where(s);
    if (s.points.length === 0) {
      fail(
        'KafkaClusterPingSuccessCount',
        at,
        null,
        1,
        `KafkaClusterPingSuccessCount: no data for ${at}: the replicator is not reaching it`,
      );
      continue;
    }
    const min = Math.min(...values(s));
    if (min < 1) {
      fail(
        'KafkaClusterPingSuccessCount',
        at,
        min,
        1,
        `KafkaClusterPingSuccessCount ${n(min)} on ${at}: a ping failed (must be 1)`,
      );
    } else pass('KafkaClusterPingSuccessCount', at, min, 1);
  }

  // A replicator that copies nothing may publish no lag or latency at all
  // (ReplicationLatency is measured on replicated records): the reverse one
  // until an application produces on the target, the forward one for a
  // topic whose producers all moved. When it pings both clusters in the
  // window it is idle, not unobservable: its missing lag and latency are
  // noted, not failed. What it does publish is judged.
  const pinging = pingingReplicators(input.series);
  const idle = (replicator: string) => pinging.has(replicator);

  const below = (
    metric: 'MessageLag' | 'ReplicationLatency',
    limit: number,
    unit: string,
  ) => {
    for (const s of of(metric)) {
      const at = where(s);
      if (s.points.length === 0) {
        if (s.kind === 'replicator' && idle(s.replicator)) {
          outcomes.push({
            rule: metric,
            subject: at,
            ok: true,
            value: null,
            limit,
          });
          notes.push(
            `${metric}: no data for ${at}, which pings both clusters: nothing copied in the window`,
          );
          continue;
        }
        fail(metric, at, null, limit, `${metric}: no data for ${at}`);
        continue;
      }
      const max = Math.max(...values(s));
      if (max > limit) {
        fail(
          metric,
          at,
          max,
          limit,
          `${metric} ${n(max)}${unit} > ${n(limit)}${unit} on ${at}`,
        );
      } else pass(metric, at, max, limit);
    }
  };
  below('MessageLag', t.maxMessageLag, '');
  below('ReplicationLatency', t.maxReplicationLatencyMs, ' ms');

  for (const s of of('ConsumerGroupCount')) {
    if (s.kind !== 'replicator') continue;
    const expected = input.expectedGroupCount.get(s.replicator) ?? 0;
    if (expected === 0) continue;
    const at = where(s);
    const count = latest(s);
    if (count === null) {
      fail(
        'ConsumerGroupCount',
        at,
        null,
        expected,
        `ConsumerGroupCount: no data for ${at} (${n(expected)} groups expected)`,
      );
    } else if (count < expected) {
      fail(
        'ConsumerGroupCount',
        at,
        count,
        expected,
        `ConsumerGroupCount ${n(count)} < ${n(expected)} expected on ${at}`,
      );
    } else pass('ConsumerGroupCount', at, count, expected);
  }

  for (const s of of('AuthError')) {
    const at = where(s);
    // No datapoint means no authentication attempt failed in the window.
    const total = sum(values(s));
    if (total > 0) {
      fail(
        'AuthError',
        at,
        total,
        0,
        `AuthError ${n(total)} on ${at}: the replicator's credentials are refused`,
      );
    } else pass('AuthError', at, total, 0);
  }

  for (const s of of('ThrottleTime')) {
    const max = s.points.length === 0 ? 0 : Math.max(...values(s));
    if (max > 0) {
      notes.push(
        `ThrottleTime up to ${n(max)} ms on ${where(s)}: the brokers throttle the replicator`,
      );
    }
  }

  // Target SumOffsetLag: per group, summed over the topics it consumes.
  const byGroup = new Map<string, LabelledSeries[]>();
  for (const s of of('SumOffsetLag')) {
    if (s.kind !== 'targetLag') continue;
    byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);
  }
  for (const [group, list] of byGroup) {
    const missing = list.filter((s) => s.points.length === 0);
    if (missing.length > 0) {
      const topics = missing.map((s) =>
        s.kind === 'targetLag' ? s.topic : '',
      );
      fail(
        'TargetSumOffsetLag',
        group,
        null,
        t.maxSumOffsetLag,
        `SumOffsetLag on the target: no data for group ${group} on ${topics.join(', ')} (offsets not synced yet, or the group is rebalancing)`,
      );
      continue;
    }
    const total = sum(list.map((s) => latest(s) ?? 0));
    if (total > t.maxSumOffsetLag) {
      fail(
        'TargetSumOffsetLag',
        group,
        total,
        t.maxSumOffsetLag,
        `SumOffsetLag ${n(total)} > ${n(t.maxSumOffsetLag)} on the target for group ${group}`,
      );
    } else pass('TargetSumOffsetLag', group, total, t.maxSumOffsetLag);
  }

  // Source SumOffsetLag: from the Kafka-side measurement.
  const measured = new Map(input.measurement.map((m) => [m.group, m]));
  for (const group of input.groups) {
    const m = measured.get(group);
    const lag = m?.source?.sumOffsetLag ?? null;
    if (!m?.source) {
      fail(
        'SourceSumOffsetLag',
        group,
        null,
        t.maxSumOffsetLag,
        m
          ? `SumOffsetLag on the source: the source cluster could not be read for group ${group}`
          : `SumOffsetLag on the source: group ${group} was not measured`,
      );
    } else if (lag === null) {
      fail(
        'SourceSumOffsetLag',
        group,
        null,
        t.maxSumOffsetLag,
        `SumOffsetLag on the source: group ${group} has no committed offset there`,
      );
    } else if (lag > t.maxSumOffsetLag) {
      fail(
        'SourceSumOffsetLag',
        group,
        lag,
        t.maxSumOffsetLag,
        `SumOffsetLag ${n(lag)} > ${n(t.maxSumOffsetLag)} on the source for group ${group}`,
      );
    } else pass('SourceSumOffsetLag', group, lag, t.maxSumOffsetLag);
  }

  const reasons = outcomes.flatMap((o) => (o.reason ? [o.reason] : []));
  return { ok: reasons.length === 0, reasons, notes, outcomes };
}

/** The groups of a `measure` evidence record's data (empty when absent). */
export function measuredGroups(data: unknown): GroupMeasurement[] {
  const groups = (data as Partial<MeasureEvidenceData> | undefined)?.groups;
  return Array.isArray(groups) ? groups : [];
}

// ------------------------------------------------------------ sustained window

/** Bookkeeping of one readiness wait, kept in the ledger between polls. */
export interface ReadinessTracker {
  /** When this wait began (for `maxWaitHours`). */
  waitingSince: string;
  lastPollAt: string;
  /** Since when every poll passed every rule; absent while not. */
  readySince?: string;
  /** When "ready" was announced in this wait. */
  readyNotifiedAt?: string;
  /** When the last "still not ready" notice went out. */
  lastNotReadyNoticeAt?: string;
  /** Per failing lag rule, its recent worst values (./trend.ts). */
  trends?: Trends;
  /** The last poll's forecast, one line (for `status` and `watch`). */
  forecast?: string;
  /** Since when every poll's forecast said "never" or "late". */
  stalledSince?: string;
  /** When the "Readiness Stalled" notice went out in this wait. */
  stallNotifiedAt?: string;
}

export interface TrackerStep {
  tracker: ReadinessTracker;
  /** The rules held for the whole sustained window. */
  ready: boolean;
  /** Minutes the rules have held so far (0 when they do not). */
  heldMinutes: number;
  /** Not ready and waited longer than `maxWaitHours`. */
  timedOut: boolean;
}

/**
 * A gap longer than this between two polls starts a new wait: without polls
 * in between nothing shows that the rules kept holding (the loop was
 * postponed, or a rollback brought the application back).
 */
export function maxPollGapMs(pollIntervalSeconds: number): number {
  return Math.max(3 * pollIntervalSeconds * 1000, 15 * 60_000);
}

/** Folds one poll's verdict into the tracker. */
export function advanceTracker(
  previous: ReadinessTracker | null,
  rulesOk: boolean,
  now: Date,
  settings: Pick<
    Readiness,
    'sustainedMinutes' | 'pollIntervalSeconds' | 'maxWaitHours'
  >,
): TrackerStep {
  const at = now.toISOString();
  const fresh =
    previous === null ||
    now.getTime() - Date.parse(previous.lastPollAt) >
      maxPollGapMs(settings.pollIntervalSeconds);
  const base: ReadinessTracker = fresh
    ? { waitingSince: at, lastPollAt: at }
    : { ...previous, lastPollAt: at };
  let tracker: ReadinessTracker;
  if (rulesOk) {
    tracker = { ...base, readySince: base.readySince ?? at };
  } else {
    const { readySince: _, ...rest } = base;
    tracker = rest;
  }
  const heldMinutes = tracker.readySince
    ? (now.getTime() - Date.parse(tracker.readySince)) / 60_000
    : 0;
  const ready = rulesOk && heldMinutes >= settings.sustainedMinutes;
  const waitedHours =
    (now.getTime() - Date.parse(tracker.waitingSince)) / 3_600_000;
  return {
    tracker,
    ready,
    heldMinutes,
    timedOut: !ready && waitedHours > settings.maxWaitHours,
  };
}

/** How often a "still not ready" notice goes out during a long wait. */
export const NOT_READY_NOTICE_EVERY_MS = 6 * 3_600_000;

/** Whether this poll should send the periodic "still not ready" notice. */
export function notReadyNoticeDue(t: ReadinessTracker, now: Date): boolean {
  const since = Date.parse(t.lastNotReadyNoticeAt ?? t.waitingSince);
  return now.getTime() - since >= NOT_READY_NOTICE_EVERY_MS;
}

// ------------------------------------------------------------ group rules

/**
 * While the replicator-level rules fail, the consumer groups are measured
 * this often instead of on every poll: their lag cannot make the
 * migration ready until the replicators are healthy, and measuring every
 * group of a large estate on both clusters (and asking CloudWatch for each
 * group's target lag) every few minutes through a long outage or backlog
 * would load the source cluster's brokers and cost metrics for nothing.
 * The slower cadence keeps the evidence and the dashboard's totals alive.
 */
export const UNHEALTHY_MEASURE_EVERY_MS = 30 * 60_000;

/** Why the group rules were not judged in a poll. */
export const GROUP_RULES_DEFERRED =
  'consumer-group lag (source and target) is judged once the replicator rules above hold';

/** One readiness poll, as the measurement before the next one sees it. */
export interface PollOutcome {
  /** When the poll ran (ISO time). */
  at: string;
  /**
   * Whether the replicator-level rules held. While they do not, the
   * consumer-group rules are not judged.
   */
  replicatorsHealthy: boolean;
}

/**
 * Whether the migration-wide `MeasureSourceLag` before a poll must measure
 * the groups: always, unless the previous poll of the same wait (carried
 * in the state machine's state) found the replicator rules failing and the
 * newest measurement is less than {@link UNHEALTHY_MEASURE_EVERY_MS} old.
 */
export function groupMeasurementDue(
  previous: PollOutcome | null | undefined,
  latestMeasuredAt: string | null,
  now: Date,
  pollIntervalSeconds: number,
): boolean {
  if (!previous || previous.replicatorsHealthy || latestMeasuredAt === null) {
    return true;
  }
  const t = now.getTime();
  if (t - Date.parse(previous.at) > maxPollGapMs(pollIntervalSeconds)) {
    return true;
  }
  return t - Date.parse(latestMeasuredAt) >= UNHEALTHY_MEASURE_EVERY_MS;
}
