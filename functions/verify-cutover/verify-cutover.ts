/**
 * verify-cutover: one iteration of the "await verified cutover" (toTarget)
 * and "await verified rollback" (toSource) loops of the child state machine.
 *
 * It decides where an application's clients are from two kinds of signal:
 * - its consumer groups, from the Kafka measurement just before it: members
 *   and state on each cluster, and the lag left on the new one;
 * - the topics it produces, from the replicator metrics: records produced on
 *   the target flow through the reverse replicator, records produced on the
 *   source through the forward one, and the old direction's lag must drain.
 * When the move is verified it records it in the ledger
 * (CUTOVER_APPROVED → ON_TARGET, ROLLBACK_APPROVED → ROLLED_BACK).
 */
import {
  type AppLocation,
  type AppState,
  type GroupMeasurement,
  type GroupSide,
  LOOP_ITERATIONS_PER_EXECUTION,
  type ProducedEndOffsets,
  type VerifyCutoverEvent,
  type VerifyCutoverResult,
} from '../shared/contracts.ts';
import { canTransition } from '../shared/domain/app-state.ts';
import {
  LedgerConflictError,
  ValidationError,
} from '../shared/domain/errors.ts';
import {
  type LabelledSeries,
  verifyQueries,
} from '../shared/domain/metric-queries.ts';
import { appGroups } from '../shared/domain/patterns.ts';
import type { Application, Plan } from '../shared/domain/plan.ts';
import {
  measuredGroups,
  pingingReplicators,
} from '../shared/domain/readiness.ts';
import {
  replicatorSpecs,
  shardOfTopic,
  shardsOfApp,
} from '../shared/domain/replicator-config.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  Ledger,
  Log,
  Metrics,
  PlanStore,
} from '../shared/ports.ts';

export interface VerifyCutoverDeps {
  plans: PlanStore;
  ledger: Ledger;
  metrics: Metrics;
  clock: Clock;
  log: Log;
}

type Side = 'source' | 'target';
type Direction = VerifyCutoverEvent['direction'];

/** Where each direction leads, and the ledger transition it completes. */
const MOVES: Record<Direction, { to: Side; from: AppState; done: AppState }> = {
  toTarget: { to: 'target', from: 'CUTOVER_APPROVED', done: 'ON_TARGET' },
  toSource: { to: 'source', from: 'ROLLBACK_APPROVED', done: 'ROLLED_BACK' },
};

const MIN_LOOKBACK_MS = 5 * 60_000;
const n = (v: number) => v.toLocaleString('en-US');
const other = (s: Side): Side => (s === 'source' ? 'target' : 'source');

/** Where one signal (a group or a produced topic) says the app runs. */
type Indicator = Side | 'both' | 'none';

export interface CutoverJudgement {
  verified: boolean;
  location: AppLocation;
  reasons: string[];
  /** Per group and topic: what was seen (kept as evidence). */
  signals: Record<string, unknown>[];
}

export interface JudgeInput {
  app: Pick<Application, 'name' | 'produces' | 'consumerGroups'>;
  direction: Direction;
  measurement: readonly GroupMeasurement[];
  series: LabelledSeries[];
  /** Replicator names of the app's shards by direction. */
  forward: readonly string[];
  reverse: readonly string[];
  /** Topics some other application of the plan also produces. */
  sharedTopics: ReadonlySet<string>;
  maxSumOffsetLag: number;
  maxMessageLag: number;
  /**
   * The produced topics' end offsets now and at the previous verification
   * of this application (the probe's measurement). With no reverse
   * replicator they are what shows where the producer writes.
   */
  endOffsets?: ProducedEndOffsets;
  previousEndOffsets?: ProducedEndOffsets;
}

/**
 * Where a producer writes when no reverse replicator carries its records
 * (`replication.bidirectional: false`), from how each cluster's end offset of
 * the topic grew since the previous verification: a producer on the source
 * grows the source (the forward replicator then grows the target too); a
 * producer on the target grows the target while the source stands still, or
 * grows it by more than the forward replicator can have brought (more than
 * the source's growth plus the lag allowed).
 */
export function endOffsetFlow(
  topic: string,
  now: ProducedEndOffsets | undefined,
  before: ProducedEndOffsets | undefined,
  maxMessageLag: number,
): { source: boolean; target: boolean; growth: Record<Side, number> | null } {
  const a = before?.[topic];
  const b = now?.[topic];
  if (
    a?.source == null ||
    a.target == null ||
    b?.source == null ||
    b.target == null
  ) {
    return { source: false, target: false, growth: null };
  }
  const growth = { source: b.source - a.source, target: b.target - a.target };
  return {
    source: growth.source > 0,
    target:
      growth.target > 0 &&
      (growth.source <= 0 || growth.target > growth.source + maxMessageLag),
    growth,
  };
}

/** Decides verified/location for one application. Pure. */
export function judgeCutover(input: JudgeInput): CutoverJudgement {
  const to = MOVES[input.direction].to;
  const from = other(to);
  const reasons: string[] = [];
  const signals: Record<string, unknown>[] = [];
  const indicators: Indicator[] = [];
  const measured = new Map(input.measurement.map((m) => [m.group, m]));

  for (const group of appGroups(input.app)) {
    const m = measured.get(group);
    if (!m?.source || !m.target) {
      reasons.push(
        m
          ? `group ${group}: the ${m.source ? 'target' : 'source'} cluster could not be read`
          : `group ${group} was not measured`,
      );
      indicators.push('none');
      signals.push({ group, measured: false });
      continue;
    }
    const at: Record<Side, GroupSide> = { source: m.source, target: m.target };
    const active = {
      source: m.source.members > 0,
      target: m.target.members > 0,
    };
    const lag = at[to].sumOffsetLag;
    signals.push({
      group,
      source: { state: m.source.state, members: m.source.members },
      target: { state: m.target.state, members: m.target.members },
      lagOnNewSide: lag,
    });
    indicators.push(
      active.source && active.target
        ? 'both'
        : active.source
          ? 'source'
          : active.target
            ? 'target'
            : 'none',
    );
    if (!active[to]) {
      reasons.push(
        `group ${group} has no active member on the ${to} (${at[to].state})`,
      );
    }
    if (active[from]) {
      reasons.push(
        `group ${group} still has ${n(at[from].members)} member(s) on the ${from} (${at[from].state})`,
      );
    }
    if (lag === null) {
      reasons.push(`group ${group} has no committed offset on the ${to} yet`);
    } else if (lag > input.maxSumOffsetLag) {
      reasons.push(
        `group ${group} lag ${n(lag)} > ${n(input.maxSumOffsetLag)} on the ${to}`,
      );
    }
  }

  // A producer on the target shows as records flowing through the reverse
  // replicator (target → source), one on the source through the forward one.
  const into: Record<Side, readonly string[]> = {
    target: input.reverse,
    source: input.forward,
  };
  const pinging = pingingReplicators(input.series);
  const latestBy = (
    replicators: readonly string[],
    metric: string,
    topic: string,
  ) =>
    input.series
      .filter(
        (s) =>
          s.kind === 'replicator' &&
          s.metric === metric &&
          s.topic === topic &&
          replicators.includes(s.replicator),
      )
      .map((s) => ({
        replicator: s.kind === 'replicator' ? s.replicator : '',
        value: s.points.at(-1)?.value ?? null,
      }));
  const latestOf = (
    replicators: readonly string[],
    metric: string,
    topic: string,
  ) => latestBy(replicators, metric, topic).map((x) => x.value);
  // Without a reverse replicator (replication.bidirectional: false) the
  // probe's end offsets tell where the producer writes.
  const unidirectional = input.reverse.length === 0;
  for (const topic of [...new Set(input.app.produces)]) {
    const flow = (side: Side) => {
      const values = latestOf(into[side], 'ReplicatorThroughput', topic);
      return values.some((v) => v !== null && v > 0);
    };
    const offsets = unidirectional
      ? endOffsetFlow(
          topic,
          input.endOffsets,
          input.previousEndOffsets,
          input.maxMessageLag,
        )
      : null;
    const flowing = offsets
      ? { source: offsets.source, target: offsets.target }
      : { source: flow('source'), target: flow('target') };
    // The old direction's lag: records written before the move still to
    // copy. A replicator with nothing left to copy may publish no lag at
    // all: that counts as drained only while it pings both clusters. With
    // no replicator in the old direction (a rollback without a reverse
    // replicator) nothing can be copied back: there is no lag to drain.
    const old = latestBy(into[from], 'MessageLag', topic);
    const oldLag = old.map((x) => x.value);
    const drained =
      (unidirectional && from === 'target') ||
      (old.length > 0 &&
        old.every((x) =>
          x.value === null
            ? pinging.has(x.replicator)
            : x.value <= input.maxMessageLag,
        ));
    const shared = input.sharedTopics.has(topic);
    signals.push({
      topic,
      flowing,
      drained,
      oldLag,
      shared,
      ...(offsets ? { endOffsetGrowth: offsets.growth } : {}),
    });
    // Another producer of a shared topic may stay on the old side.
    const onOld = flowing[from] && !shared;
    indicators.push(
      flowing[to] && onOld
        ? 'both'
        : flowing[to]
          ? to
          : onOld || flowing[from]
            ? from
            : 'none',
    );
    if (offsets && offsets.growth === null) {
      reasons.push(
        `end offsets of ${topic}: no earlier reading on both clusters to compare with (judged at the next check)`,
      );
    } else if (!flowing[to]) {
      reasons.push(
        offsets?.growth
          ? `no records produced to ${topic} on the ${to} since the last check (end offsets grew ${n(offsets.growth.source)} on the source, ${n(offsets.growth.target)} on the target)`
          : `no records produced to ${topic} on the ${to} in the last minutes`,
      );
    }
    if (onOld) {
      reasons.push(`records are still produced to ${topic} on the ${from}`);
    }
    if (!drained) {
      const worst = oldLag.filter((v) => v !== null) as number[];
      reasons.push(
        worst.length < oldLag.length || oldLag.length === 0
          ? `MessageLag: no data for ${topic} from the ${from}`
          : `MessageLag ${n(Math.max(...worst))} > ${n(input.maxMessageLag)} for ${topic} from the ${from}`,
      );
    }
  }

  // A replicator of the app's shards that fails records ("should be 0",
  // msk-replicator-monitor-external) cannot have copied the move faithfully.
  // No datapoint is not a failure here: flow and lag above decide.
  for (const s of input.series) {
    if (
      s.kind !== 'replicator' ||
      (s.metric !== 'ReplicatorFailure' && s.metric !== 'ReplicationFailures')
    ) {
      continue;
    }
    const total = s.points.reduce((a, p) => a + p.value, 0);
    if (total > 0) {
      reasons.push(`${s.metric} ${n(total)} on ${s.replicator} (must be 0)`);
    }
  }

  const location = locate(indicators);
  if (indicators.length === 0) {
    return {
      verified: true,
      location: 'none',
      reasons: [
        `application ${input.app.name} has no consumer group or produced topic to check`,
      ],
      signals,
    };
  }
  return { verified: reasons.length === 0, location, reasons, signals };
}

function locate(indicators: Indicator[]): AppLocation {
  const sides = new Set(indicators.filter((i) => i !== 'none'));
  if (sides.has('both') || (sides.has('source') && sides.has('target'))) {
    return 'split';
  }
  if (sides.has('target')) return 'target';
  if (sides.has('source')) return 'source';
  return 'none';
}

/**
 * Runs one verification poll.
 *
 * @throws ValidationError when `app` is not in the plan
 * @throws LedgerConflictError when the application is not in the state the
 *   direction completes (e.g. no cutover was approved)
 */
export async function runVerifyCutover(
  event: VerifyCutoverEvent,
  deps: VerifyCutoverDeps,
): Promise<VerifyCutoverResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const app = plan.applications.find((a) => a.name === event.app);
  if (!app) {
    throw new ValidationError(
      `app: "${event.app}" is not an application of plan ${plan.migrationId}`,
    );
  }
  const now = deps.clock.now();
  const shards = new Set(shardsOfApp(plan, app));
  const specs = replicatorSpecs(plan).filter((s) => shards.has(s.shard));
  const produced = [...new Set(app.produces)];
  const aliases = new Map(
    (await deps.ledger.listReplicators(event.migrationId)).map((r) => [
      r.name,
      r.clusterAliases,
    ]),
  );
  const scoped = (direction: 'forward' | 'reverse') =>
    specs
      .filter((s) => s.direction === direction)
      .map((s) => {
        const known = aliases.get(s.name);
        return {
          name: s.name,
          topics: produced.filter((t) => shardOfTopic(plan, t) === s.shard),
          ...(known ? { aliases: known } : {}),
        };
      });
  const scopedForward = scoped('forward');
  const scopedReverse = scoped('reverse');
  const queries = verifyQueries({
    forward: scopedForward,
    reverse: scopedReverse,
  });
  const forward = scopedForward.map((r) => r.name);
  const reverse = scopedReverse.map((r) => r.name);
  const lookback = Math.max(
    (plan.readiness.pollIntervalSeconds + 60) * 1000,
    MIN_LOOKBACK_MS,
  );
  const from = new Date(now.getTime() - lookback);
  const series =
    queries.queries.length === 0
      ? []
      : queries.label(await deps.metrics.query(queries.queries, from, now));
  const measurement = await deps.ledger.getEvidence(
    event.migrationId,
    event.measurementId,
  );
  const endOffsets = producedEndOffsetsOf(measurement?.data);
  const previous = await deps.ledger.latestEvidence(
    event.migrationId,
    'verify',
    event.app,
  );
  const judgement = judgeCutover({
    app,
    direction: event.direction,
    measurement: measuredGroups(measurement?.data),
    ...(endOffsets ? { endOffsets } : {}),
    ...(previous
      ? { previousEndOffsets: producedEndOffsetsOf(previous.data) }
      : {}),
    series,
    forward,
    reverse,
    sharedTopics: sharedTopics(plan, app),
    maxSumOffsetLag: plan.readiness.maxSumOffsetLag,
    maxMessageLag: plan.readiness.maxMessageLag,
  });
  if (!measurement) {
    judgement.verified = false;
    judgement.reasons.unshift(
      `measurement ${event.measurementId} is not in the ledger`,
    );
  }

  if (judgement.verified) await recordMove(event, deps.ledger);
  const deadline =
    event.deadline ??
    new Date(
      now.getTime() + plan.readiness.verifyTimeoutMinutes * 60_000,
    ).toISOString();
  const deadlineReached =
    !judgement.verified && now.getTime() >= Date.parse(deadline);

  const evidenceId = `verify-${now.toISOString()}-${event.app}`;
  await deps.ledger.putEvidence({
    migrationId: event.migrationId,
    evidenceId,
    at: now.toISOString(),
    kind: 'verify',
    app: event.app,
    ready: judgement.verified,
    reasons: judgement.reasons,
    data: {
      measurementId: event.measurementId,
      direction: event.direction,
      location: judgement.location,
      verified: judgement.verified,
      signals: judgement.signals,
      deadline,
      deadlineReached,
      ...(endOffsets ? { producedEndOffsets: endOffsets } : {}),
    },
  });
  deps.log.info('cutover verified', {
    direction: event.direction,
    verified: judgement.verified,
    location: judgement.location,
    evidenceId,
  });
  const iteration = event.iteration + 1;
  return {
    verified: judgement.verified,
    location: judgement.location,
    reasons: judgement.reasons.slice(0, 20),
    iteration,
    continueAsNew:
      !judgement.verified &&
      !deadlineReached &&
      iteration >= LOOP_ITERATIONS_PER_EXECUTION,
    deadline,
    deadlineReached,
  };
}

/** The `producedEndOffsets` of a measure or verify record, if it has them. */
function producedEndOffsetsOf(
  data: Record<string, unknown> | undefined,
): ProducedEndOffsets | undefined {
  const v = data?.producedEndOffsets;
  return v && typeof v === 'object' ? (v as ProducedEndOffsets) : undefined;
}

/**
 * The ledger transition; a retried invocation finds it already done. The
 * child only verifies after its gate's decision (cutover, or rollback), so
 * an application still in the state before that decision had it implied:
 * the approval is recorded first, then the move.
 */
async function recordMove(event: VerifyCutoverEvent, ledger: Ledger) {
  const move = MOVES[event.direction];
  // The transition table of app-state.ts must allow what verification does.
  if (!canTransition(move.from, move.done)) {
    throw new Error(`app-state forbids ${move.from} → ${move.done}`);
  }
  const { migrationId, app } = event;
  try {
    await ledger.transitionApp(migrationId, app, [move.from], move.done);
    return;
  } catch (err) {
    if (!(err instanceof LedgerConflictError)) throw err;
    const current = await ledger.getApp(migrationId, app);
    if (current?.state === move.done) return;
    if (!current || !canTransition(current.state, move.from)) throw err;
    await ledger.transitionApp(migrationId, app, [current.state], move.from);
    await ledger.transitionApp(migrationId, app, [move.from], move.done);
    await ledger.audit(migrationId, 'app-decision-implied', {
      app,
      from: current.state,
      via: move.from,
      to: move.done,
    });
  }
}

/** Topic → how many applications produce it, once per (read-only) plan. */
const producersOf = new WeakMap<Plan, Map<string, number>>();

function sharedTopics(plan: Plan, app: Application): Set<string> {
  let counts = producersOf.get(plan);
  if (!counts) {
    counts = new Map();
    for (const a of plan.applications) {
      for (const t of new Set(a.produces))
        counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    producersOf.set(plan, counts);
  }
  const own = new Set(app.produces);
  return new Set([...own].filter((t) => (counts.get(t) ?? 0) > 1));
}
