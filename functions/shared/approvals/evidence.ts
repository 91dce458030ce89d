/**
 * Evidence read for a person deciding: each readiness rule as a plain name,
 * its value, threshold, unit and verdict (with its trend when the poll
 * forecast one), and each consumer group's offset parity as its
 * consequence for the application (records it reads again, records it
 * could miss). Built from the ledger's evidence records (their shapes are
 * owned by poll-readiness, probe-source's measure and verify-cutover) and
 * read defensively: a field that is missing or of another shape is left
 * out, never invented.
 */
import type { Readiness } from '../domain/plan.ts';
import { duration, rate } from '../domain/trend.ts';
import type { GroupMeasurement, RuleId } from '../domain/types.ts';

/** How a rule compares its value with its threshold. */
type Comparator = '=' | '≤' | '≥';

interface RuleMeta {
  /** What the rule checks, in words. */
  name: string;
  /** What the value counts. */
  unit: string;
  comparator: Comparator;
  /** The threshold from the plan, when the evidence does not carry it. */
  threshold: (r: ReadinessThresholds | undefined) => number | null;
  /** Which of several subjects' values is the worst one. */
  worst: 'max' | 'min';
}

export type ReadinessThresholds = Pick<
  Readiness,
  'maxMessageLag' | 'maxReplicationLatencyMs' | 'maxSumOffsetLag'
>;

/**
 * The rules of docs/readiness.md in the order of its table, with the names
 * that table gives them.
 */
export const RULES: Record<RuleId, RuleMeta> = {
  ReplicatorFailure: {
    name: 'Replicator healthy',
    unit: 'failures',
    comparator: '=',
    threshold: () => 0,
    worst: 'max',
  },
  ReplicationFailures: {
    name: 'No failed replication',
    unit: 'failures',
    comparator: '=',
    threshold: () => 0,
    worst: 'max',
  },
  ConsumerGroupOffsetSyncFailure: {
    name: 'Offset sync healthy',
    unit: 'failures',
    comparator: '=',
    threshold: () => 0,
    worst: 'max',
  },
  KafkaClusterPingSuccessCount: {
    name: 'Both clusters reachable',
    unit: 'successful pings (lowest)',
    comparator: '=',
    threshold: () => 1,
    worst: 'min',
  },
  MessageLag: {
    name: 'Caught up (records not yet copied)',
    unit: 'records',
    comparator: '≤',
    threshold: (r) => r?.maxMessageLag ?? null,
    worst: 'max',
  },
  ReplicationLatency: {
    name: 'Copy delay',
    unit: 'ms',
    comparator: '≤',
    threshold: (r) => r?.maxReplicationLatencyMs ?? null,
    worst: 'max',
  },
  ConsumerGroupCount: {
    name: 'Consumer groups synced',
    unit: 'groups',
    comparator: '≥',
    threshold: () => null,
    worst: 'min',
  },
  AuthError: {
    name: 'Credentials accepted',
    unit: 'authentication errors',
    comparator: '=',
    threshold: () => 0,
    worst: 'max',
  },
  TargetSumOffsetLag: {
    name: 'Consumer lag on MSK',
    unit: 'records',
    comparator: '≤',
    threshold: (r) => r?.maxSumOffsetLag ?? null,
    worst: 'max',
  },
  SourceSumOffsetLag: {
    name: 'Consumer lag on the source',
    unit: 'records',
    comparator: '≤',
    threshold: (r) => r?.maxSumOffsetLag ?? null,
    worst: 'max',
  },
};

const RULE_IDS = Object.keys(RULES) as RuleId[];
const isRuleId = (v: unknown): v is RuleId =>
  typeof v === 'string' && Object.hasOwn(RULES, v);

/** One readiness rule as the page shows it. */
export interface RuleRow {
  rule: RuleId;
  name: string;
  /** The worst value over the rule's subjects; null: no data. */
  value: number | null;
  comparator: Comparator;
  /** null when the evidence does not say (e.g. the expected group count). */
  threshold: number | null;
  unit: string;
  verdict: 'pass' | 'fail';
  /** Subjects (replicators, topics, groups) that held and that failed. */
  held: number;
  failed: number;
  /** The failing subjects (first few), e.g. a replicator or a group. */
  failing: string[];
  /** The rule's trend, when the poll forecast one. */
  trend?: string;
}

/** The poll's forecast of when readiness holds. */
export interface ForecastView {
  /** `on-time`, `late`, `never` or `unknown` (see domain/trend.ts). */
  outlook: string;
  readyAt: string | null;
  deadline: string | null;
  /** One sentence. */
  text: string;
}

/** What one consumer group's move means for the records it reads. */
export interface ParityView {
  group: string;
  sourceLag: number | null;
  targetLag: number | null;
  /** Records read again after the move (duplicates, not loss). */
  reread: number | null;
  /**
   * Records it could miss: 0 when the offsets on MSK never start later
   * than on the source; null when unknown.
   */
  couldMiss: number | null;
  /** Partitions whose offsets have not reached MSK yet. */
  unsynced: number;
  /** The consequence, in one or two sentences. */
  text: string;
  /** Whether the approver should look twice. */
  warn: boolean;
}

/** Everything a gate's page shows about one evidence record. */
export interface EvidenceView {
  evidenceId: string;
  at: string;
  kind: string;
  ready: boolean | null;
  reasons: string[];
  rules: RuleRow[];
  /** How long every rule has held, of the minutes needed. */
  sustained: { held: number; needed: number } | null;
  forecast: ForecastView | null;
  parity: ParityView[];
  /** The verification of a move (keep-or-rollback and timeout gates). */
  verification: {
    direction: string;
    location: string;
    verified: boolean;
    deadline: string | null;
  } | null;
  /** Notes that never fail a poll (throttling, idle replicators). */
  notes: string[];
  /** Flat numbers not shown above, with their recorded names (folded). */
  figures: { name: string; value: string }[];
  groups: GroupMeasurement[];
  /** When the MessageLag rule was judged, its worst value (for parity). */
  messageLag: number | null;
}

const obj = (v: unknown): Record<string, unknown> | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** A number as the page and the email show it (en-US grouping). */
export function formatNumber(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/**
 * The rule rows of a readiness record's data (`worst`, `passed`,
 * `outcomes` as poll-readiness writes them).
 */
export function ruleRows(
  data: Record<string, unknown>,
  thresholds?: ReadinessThresholds,
): RuleRow[] {
  const worst = obj(data.worst) ?? {};
  const passed = obj(data.passed) ?? {};
  const outcomes = Array.isArray(data.outcomes) ? data.outcomes : [];
  const failedBy = new Map<
    RuleId,
    { subject: string; value: number | null; limit: number | null }[]
  >();
  for (const o of outcomes) {
    const r = obj(o);
    if (!r || !isRuleId(r.rule) || r.ok === true) continue;
    const list = failedBy.get(r.rule) ?? [];
    list.push({
      subject: str(r.subject) ?? '',
      value: num(r.value),
      limit: num(r.limit),
    });
    failedBy.set(r.rule, list);
  }
  const trends = new Map<RuleId, string>();
  const forecast = obj(data.forecast);
  for (const f of Array.isArray(forecast?.rules) ? forecast.rules : []) {
    const r = obj(f);
    if (!r || !isRuleId(r.rule)) continue;
    const t = trendText(r, r.rule === 'ReplicationLatency' ? ' ms' : '');
    if (t) trends.set(r.rule, t);
  }
  const rows: RuleRow[] = [];
  for (const rule of RULE_IDS) {
    const failed = failedBy.get(rule) ?? [];
    const held = num(passed[rule]) ?? 0;
    if (!Object.hasOwn(worst, rule) && failed.length === 0 && held === 0) {
      continue;
    }
    const meta = RULES[rule];
    const values = failed.flatMap((f) => (f.value === null ? [] : [f.value]));
    const recorded = num(worst[rule]);
    // A failing rule's worst value is among its failing subjects; `worst`
    // keeps the largest value, which for the ping rule is the best one.
    const value =
      failed.length > 0
        ? failed.some((f) => f.value === null)
          ? null
          : meta.worst === 'min'
            ? Math.min(...values)
            : Math.max(...values)
        : recorded;
    const limit =
      failed.find((f) => f.limit !== null)?.limit ?? meta.threshold(thresholds);
    const trend = trends.get(rule);
    rows.push({
      rule,
      name: meta.name,
      value,
      comparator: meta.comparator,
      threshold: limit,
      unit: meta.unit,
      verdict: failed.length > 0 ? 'fail' : 'pass',
      held,
      failed: failed.length,
      failing: failed.slice(0, 5).map((f) => f.subject),
      ...(trend ? { trend } : {}),
    });
  }
  return rows;
}

function trendText(f: Record<string, unknown>, unit: string): string | null {
  const perSecond = num(f.perSecond);
  const eta = num(f.etaSeconds);
  if (perSecond === null || perSecond === 0) {
    return typeof f.text === 'string' && /not falling/.test(f.text)
      ? 'not falling: will not catch up at this pace'
      : null;
  }
  if (perSecond > 0) {
    return `growing ${rate(perSecond, unit)}: will not catch up at this pace`;
  }
  return `falling ${rate(-perSecond, unit)}${eta === null ? '' : `: within the threshold in about ${duration(eta)}`}`;
}

/** `2026-11-24T11:05:00.000Z` as `2026-11-24 11:05 UTC` (ISO if unreadable). */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

/** The poll's forecast, when it made one. */
export function forecastOf(data: Record<string, unknown>): ForecastView | null {
  const f = obj(data.forecast);
  if (!f) return null;
  const outlook = str(f.outlook) ?? 'unknown';
  const readyAt = str(f.readyAt);
  const deadline = str(f.deadline);
  const text =
    outlook === 'on-time' && readyAt
      ? `At the current pace every rule holds around ${shortTime(readyAt)} (sustained window included), before the readiness deadline.`
      : outlook === 'late' && readyAt
        ? `At the current pace every rule holds around ${shortTime(readyAt)}, after the readiness deadline${deadline ? ` ${shortTime(deadline)}` : ''}.`
        : outlook === 'never'
          ? 'At the current pace a lag rule will not catch up: it is flat or growing.'
          : null;
  if (!text) return null;
  return { outlook, readyAt, deadline, text };
}

/**
 * Offset parity of the groups as consequences. Uses the measurement's
 * per-partition parity (`parity[group]`: a list of partitions, or the
 * migration-wide summary) where recorded, otherwise the groups' lag on
 * both clusters.
 *
 * After a move a group resumes from its offset on MSK. The records it
 * still has to read there, minus those it had to read on the source, is
 * how far back it starts: those records are read a second time. MSK
 * Replicator translates offsets conservatively, so consumers re-read a
 * few records and skip none ("Offset translation is approximate &
 * conservative": Amazon MSK Developer Guide, MSK Replicator,
 * https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator.html).
 * Fewer records left on MSK than on the source therefore means
 * records not yet copied (MessageLag), or, if replication has caught up,
 * records the group would skip: the page shows the number and says which.
 */
export function parityViews(
  groups: readonly GroupMeasurement[],
  parityData: unknown,
  messageLag: number | null,
): ParityView[] {
  const parity = obj(parityData);
  return groups.map((g) => {
    const sourceLag = g.source?.sumOffsetLag ?? null;
    const targetLag = g.target?.sumOffsetLag ?? null;
    const recorded = parity ? parity[g.group] : undefined;
    let reread: number | null = null;
    let couldMiss: number | null = null;
    let unsynced = 0;
    let perPartition = false;
    if (Array.isArray(recorded)) {
      reread = 0;
      couldMiss = 0;
      let known = 0;
      for (const p of recorded) {
        const row = obj(p);
        const w = num(row?.duplicateWindow);
        if (row && row.targetCommitted === null && row.sourceCommitted !== null)
          unsynced++;
        if (w === null) continue;
        known++;
        if (w >= 0) reread += w;
        else couldMiss += -w;
      }
      if (known === 0) {
        reread = null;
        couldMiss = null;
      }
    } else if (obj(recorded)) {
      const s = obj(recorded) as Record<string, unknown>;
      unsynced = num(s.unsynced) ?? 0;
      const max = num(s.maxWindow);
      const min = num(s.minWindow);
      reread = max === null ? null : Math.max(0, max);
      couldMiss = min === null ? null : Math.max(0, -min);
      perPartition = true;
    } else if (sourceLag !== null && targetLag !== null) {
      reread = Math.max(0, targetLag - sourceLag);
      couldMiss = Math.max(0, sourceLag - targetLag);
    }
    return {
      group: g.group,
      sourceLag,
      targetLag,
      reread,
      couldMiss,
      unsynced,
      ...parityText({
        reread,
        couldMiss,
        unsynced,
        perPartition,
        messageLag,
        targetSynced: (g.target?.sumOffsetLag ?? null) !== null,
      }),
    };
  });
}

function parityText(p: {
  reread: number | null;
  couldMiss: number | null;
  unsynced: number;
  /** Values are per partition (the migration-wide summary). */
  perPartition: boolean;
  messageLag: number | null;
  targetSynced: boolean;
}): { text: string; warn: boolean } {
  const parts: string[] = [];
  let warn = false;
  const per = p.perPartition ? ' (largest on one partition)' : '';
  if (p.unsynced > 0) {
    warn = true;
    parts.push(
      `Offsets of ${formatNumber(p.unsynced)} partition(s) have not reached MSK yet: consumers started there now would begin at auto.offset.reset.`,
    );
  }
  if (p.reread === null || p.couldMiss === null) {
    if (!p.targetSynced) {
      warn = true;
      parts.push(
        'No committed offset on MSK yet: the group has nothing to resume from there.',
      );
    } else if (parts.length === 0) {
      parts.push('Not measured on both clusters: the consequence is unknown.');
    }
    return { text: parts.join(' '), warn };
  }
  parts.push(
    p.reread > 0
      ? `On MSK the group resumes about ${formatNumber(p.reread)} records earlier${per}: those records are read again (duplicates, no loss).`
      : 'On MSK the group resumes where it is on the source: nothing is read again.',
  );
  if (p.couldMiss === 0) {
    parts.push('Records it could miss: none.');
  } else {
    warn = true;
    const lag =
      p.messageLag === null
        ? 'check that replication has caught up'
        : p.messageLag > 0
          ? `the last poll saw ${formatNumber(p.messageLag)} records not yet copied, which would explain it`
          : 'the last poll saw no records waiting to be copied, so they would be skipped';
    parts.push(
      `Records it could miss: up to ${formatNumber(p.couldMiss)}${per}: MSK has fewer records left for the group than the source; either they are not copied yet or the group would skip them (${lag}).`,
    );
  }
  return { text: parts.join(' '), warn };
}

/** Sustained window of a readiness record: minutes held of those needed. */
export function sustainedOf(
  data: Record<string, unknown>,
): { held: number; needed: number } | null {
  const held = num(data.heldMinutes);
  const needed = num(data.sustainedMinutes);
  return held === null || needed === null ? null : { held, needed };
}

/** The verification of a move, from a `verify` record. */
export function verificationOf(
  kind: string,
  data: Record<string, unknown>,
): EvidenceView['verification'] {
  if (kind !== 'verify') return null;
  return {
    direction: str(data.direction) ?? 'unknown',
    location: str(data.location) ?? 'unknown',
    verified: data.verified === true,
    deadline: str(data.deadline),
  };
}

/** Notes of a readiness record (never fail a poll). */
export function notesOf(data: Record<string, unknown>): string[] {
  return Array.isArray(data.notes)
    ? data.notes.filter((n): n is string => typeof n === 'string').slice(0, 20)
    : [];
}
