/**
 * The forecast of a migration before anything starts: how long each phase
 * takes (CREATING, backlog drain and readiness per shard, the cutovers at
 * the plan's concurrency, the rollback window, teardown) and what it costs
 * at list prices (`prices.ts`).
 *
 * Source sizes and rates: the plan does not declare them for AWS, so the
 * forecast takes them from the plan's `rehearsal` block (or its defaults):
 * the backlog, each application's produce rate, the record size and the
 * partitions per topic, the same numbers the rehearsal simulates. Replicator
 * capacity comes from `capacity.ts` (the documented limits).
 *
 * The workflow's shape (which states each loop passes, which call a Lambda
 * function) is counted from `statemachines/*.asl.json`; a test walks the
 * files to keep these counts true.
 *
 * No AWS imports: pure arithmetic over the plan.
 */
import {
  type Capacity,
  drainSeconds,
  inFlightRecords,
  replicatorCapacity,
} from './capacity.ts';
import {
  QUERIES_PER_REQUEST,
  readinessQueries,
  verifyQueries,
} from './metric-queries.ts';
import { appGroups, appTopics, PatternSet } from './patterns.ts';
import { type Plan, RehearsalSchema } from './plan.ts';
import {
  DEFAULT_PRICES,
  PRICE_KEYS,
  PRICE_TABLE_DATE,
  PRICE_TABLE_REGION,
  type PriceKey,
  type PriceStatus,
  type PriceTable,
} from './prices.ts';
import { UNHEALTHY_MEASURE_EVERY_MS } from './readiness.ts';
import { planShards, shardOfTopic, shardsOfApp } from './replicator-config.ts';
import { cutoverConcurrency, cutoverSequence } from './waves.ts';

/** Seconds between DescribeReplicators while CREATING (validate-plan). */
export const RUNNING_POLL_SECONDS = 60;
/**
 * DeleteReplicator to gone: not documented; the rehearsal's DELETING lasts
 * a minute.
 */
const DELETING_MINUTES = 1;
/** Lambda memory: PhaseFunction's default (infra/constructs/phase-function.ts). */
export const LAMBDA_MEMORY_GB = 0.5;
/** The Kafka-side functions (probe-source, measure-source-lag) have 1,024 MB (functions/shared/phases.ts). */
export const PROBE_MEMORY_GB = 1;
/** Average Lambda invocation, for GB-seconds (an assumption: not measured). */
export const DEFAULT_LAMBDA_DURATION_MS = 1000;
/** PutMetricData takes at most this many datums per request. */
const DATUMS_PER_PUT = 1000;

/**
 * The states each part of the workflow passes (statemachines/*.asl.json):
 * every entered state is one state transition; Task states in `lambdas`
 * invoke a Lambda function once.
 */
export const WORKFLOW_SHAPE = {
  parent: {
    once: [
      'RouteStartChoice',
      'ValidatePlan',
      'Preflight',
      'ProbeSource',
      'CreateReplicators',
      'SetRunningLoopStart',
      'SetReadinessLoopStart',
      'CutoverApplications',
      'WaitForRollbackWindow',
      'IsTeardownApprovalRequiredChoice',
      'Teardown',
      'PublishMigrationCompleted',
      'MigrationSucceeded',
    ],
    teardownGate: ['RequestTeardownApproval', 'TeardownDecisionChoice'],
    runningLoop: [
      'WaitForReplicators',
      'DescribeReplicators',
      'AreReplicatorsRunningChoice',
    ],
    readinessLoop: [
      'WaitBeforeReadinessPoll',
      'MeasureSourceLag',
      'PollReadiness',
      'IsReplicationReadyChoice',
    ],
  },
  child: {
    once: [
      'RouteAppStartChoice',
      'SetAppReadinessLoopStart',
      'RequestCutoverApproval',
      'CutoverDecisionChoice',
      'SetCutoverLoopStart',
      'RequestKeepOrRollbackApproval',
      'KeepOrRollbackChoice',
      'SetOnTargetOutcome',
      'AppCutoverSucceeded',
    ],
    readinessLoop: [
      'WaitBeforeAppReadinessPoll',
      'MeasureAppGroups',
      'PollAppReadiness',
      'IsAppReadyChoice',
    ],
    cutoverCheckLoop: [
      'WaitBeforeCutoverCheck',
      'MeasureGroupsAfterCutover',
      'VerifyCutover',
      'IsCutoverVerifiedChoice',
    ],
  },
  /** Task states that invoke a Lambda function. */
  lambdas: [
    'ValidatePlan',
    'Preflight',
    'ProbeSource',
    'CreateReplicators',
    'Teardown',
    'RequestTeardownApproval',
    'DescribeReplicators',
    'MeasureSourceLag',
    'PollReadiness',
    'RequestCutoverApproval',
    'RequestKeepOrRollbackApproval',
    'MeasureAppGroups',
    'PollAppReadiness',
    'MeasureGroupsAfterCutover',
    'VerifyCutover',
  ],
  /** Lambda states of the Kafka-side functions (1,024 MB). */
  probeLambdas: [
    'ProbeSource',
    'MeasureSourceLag',
    'MeasureAppGroups',
    'MeasureGroupsAfterCutover',
  ],
} as const;

/** Invocations of the approval page's function per gate: GET, then POST. */
export const APPROVAL_API_CALLS_PER_GATE = 2;

export interface ForecastOptions {
  prices?: PriceTable;
  /** Minutes a person takes to answer a gate. @default 10 */
  decisionMinutes?: number;
  /** Average Lambda invocation, for GB-seconds. @default 1,000 ms */
  lambdaDurationMs?: number;
}

export interface ShardForecast {
  shard: string;
  topics: number;
  partitions: number;
  /** Records pending when the forward replicator starts (backlog + CREATING). */
  pendingAtStart: number;
  inflowRecordsPerSecond: number;
  inflowBytesPerSecond: number;
  capacity: Capacity;
  /** Hours to copy what is pending; null: never catches up. */
  drainHours: number | null;
  /** Records in flight once caught up, against `readiness.maxMessageLag`. */
  inFlightRecords: number;
}

/** What the migration uses (forecast or simulated). */
export interface Usage {
  hours: number;
  replicatorHours: number;
  gbReplicated: number;
  stateTransitions: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  metricsRequested: number;
  putMetricDataRequests: number;
}

export interface CostLine {
  item: PriceKey;
  quantity: number;
  unit: string;
  unitUsd: number;
  usd: number;
  status: PriceStatus;
  source: string;
}

export interface Forecast {
  /** Hours from the start to the replicators' deletion (or to the failure). */
  hours: number;
  costUsd: number;
  outcome: 'completes' | 'readiness-timeout';
  /** Why readiness never holds, when it does not. */
  reason?: string;
  phases: {
    creatingHours: number;
    readinessHours: number;
    cutoverHours: number;
    rollbackWindowHours: number;
    teardownHours: number;
  };
  shards: ShardForecast[];
  usage: Usage;
  cost: CostLine[];
  prices: { date: string; region: string; unverified: PriceKey[] };
  assumptions: string[];
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b - 1e-9);
const LITERAL = /^[A-Za-z0-9._-]+$/;

/** Forecast of a valid plan. */
export function forecast(plan: Plan, options: ForecastOptions = {}): Forecast {
  const prices = options.prices ?? DEFAULT_PRICES;
  const decision = options.decisionMinutes ?? 10;
  const lambdaSeconds =
    (options.lambdaDurationMs ?? DEFAULT_LAMBDA_DURATION_MS) / 1000;
  const sim = RehearsalSchema.parse(plan.rehearsal ?? {});
  const { readiness, teardown } = plan;
  const poll = readiness.pollIntervalSeconds / 60;
  const sustainedPolls = ceilDiv(readiness.sustainedMinutes, poll);

  // ------------------------------------------------------------- shards
  const topics = topicUniverse(plan);
  const perTopicBacklog = topics.length
    ? sim.backlogRecords / topics.length
    : 0;
  const topicRate = new Map<string, number>();
  for (const app of plan.applications) {
    const each = app.produces.length
      ? sim.produceRatePerSecond / app.produces.length
      : 0;
    for (const t of app.produces)
      topicRate.set(t, (topicRate.get(t) ?? 0) + each);
  }
  const shardDefs = planShards(plan);
  const creatingSeconds = sim.creatingMinutes * 60;
  const shards: ShardForecast[] = shardDefs.map((s) => {
    const include = new PatternSet(s.topics);
    const exclude = new PatternSet(s.topicsToExclude);
    const mine = topics.filter(
      (t) => include.matches(t) && !exclude.matches(t),
    );
    const inflow = mine.reduce((sum, t) => sum + (topicRate.get(t) ?? 0), 0);
    const capacity = replicatorCapacity({
      partitions: mine.length * sim.partitionsPerTopic,
      recordSizeBytes: sim.recordSizeBytes,
      quotaBytesPerSecond: sim.replicatorQuotaBytesPerSecond,
      quotaSharedBy: shardDefs.length,
      recordsPerSecondCap: sim.replicatorThroughputPerSecond,
    });
    const pending =
      (plan.replication.startingPosition === 'EARLIEST'
        ? perTopicBacklog * mine.length
        : 0) +
      inflow * creatingSeconds;
    const drain = drainSeconds(pending, inflow, capacity.recordsPerSecond);
    return {
      shard: s.name,
      topics: mine.length,
      partitions: mine.length * sim.partitionsPerTopic,
      pendingAtStart: pending,
      inflowRecordsPerSecond: inflow,
      inflowBytesPerSecond: inflow * sim.recordSizeBytes,
      capacity,
      drainHours: drain === null ? null : drain / 3600,
      inFlightRecords: inFlightRecords(inflow),
    };
  });

  // ------------------------------------------------------------- timing
  const runningIterations =
    ceilDiv(sim.creatingMinutes * 60, RUNNING_POLL_SECONDS) + 1;
  const creatingMinutes = sim.creatingMinutes;
  const stuck = shards.find((s) => s.drainHours === null);
  const overLag = shards.find(
    (s) => s.inFlightRecords > readiness.maxMessageLag,
  );
  let reason: string | undefined;
  if (stuck) {
    reason = `shard ${stuck.shard}: ${fmt(stuck.inflowBytesPerSecond)} B/s in, the replicator copies at most ${fmt(stuck.capacity.bytesPerSecond)} B/s (limited by ${stuck.capacity.limitedBy}): MessageLag never falls`;
  } else if (overLag) {
    reason = `shard ${overLag.shard}: ${fmt(overLag.inFlightRecords)} records in flight alone exceed readiness.maxMessageLag ${fmt(readiness.maxMessageLag)}`;
  }
  const never = reason !== undefined;
  const drainMinutes = Math.max(
    0,
    ...shards.map((s) => (s.drainHours ?? 0) * 60),
  );
  const readinessPolls = never
    ? Math.ceil((readiness.maxWaitHours * 60) / poll)
    : ceilDiv(drainMinutes, poll) + 1 + sustainedPolls;
  const readinessMinutes = readinessPolls * poll;

  // Children: Map with MaxConcurrency = cutoverConcurrency; each child
  // waits for its readiness (a poll, then the sustained window), a person
  // decides, the application moves, verification sees it, a person keeps.
  const order = cutoverSequence(plan);
  const byName = new Map(plan.applications.map((a) => [a.name, a]));
  const appPolls = 1 + sustainedPolls;
  const children = never
    ? []
    : order.map((name) => {
        const app = byName.get(name);
        const verifyPolls =
          ceilDiv(sim.appMoveMinutes, poll) +
          ((app?.produces.length ?? 0) > 0 ? 1 : 0);
        const untilMove = appPolls * poll + decision + sim.appMoveMinutes;
        return {
          name,
          verifyPolls: Math.max(1, verifyPolls),
          untilMove,
          minutes:
            appPolls * poll +
            decision +
            Math.max(1, verifyPolls) * poll +
            decision,
        };
      });
  const slots: number[] = new Array(
    Math.min(cutoverConcurrency(plan), Math.max(1, children.length)),
  ).fill(0);
  const moveAt = new Map<string, number>();
  for (const c of children) {
    let i = 0;
    for (let j = 1; j < slots.length; j++)
      if ((slots[j] ?? 0) < (slots[i] ?? 0)) i = j;
    const start = slots[i] ?? 0;
    moveAt.set(c.name, start + c.untilMove);
    slots[i] = start + c.minutes;
  }
  const cutoverMinutes = never ? 0 : Math.max(0, ...slots);
  const rollbackMinutes = never ? 0 : teardown.rollbackWindowHours * 60;
  const teardownMinutes =
    (never ? 0 : teardown.requireApproval ? decision : 0) + DELETING_MINUTES;
  const totalMinutes =
    creatingMinutes +
    readinessMinutes +
    cutoverMinutes +
    rollbackMinutes +
    teardownMinutes;

  // ------------------------------------------------------------- usage
  const replicators =
    shardDefs.length * (plan.replication.bidirectional ? 2 : 1);
  const startOfCutover = creatingMinutes + readinessMinutes;
  let records = sim.backlogRecords;
  if (never) {
    // What each forward replicator copies before the deadline: at most its
    // capacity (it never catches up where inflow exceeds it).
    const running = readinessMinutes * 60;
    records = shards.reduce(
      (sum, sh) =>
        sum +
        Math.min(
          sh.pendingAtStart + sh.inflowRecordsPerSecond * running,
          sh.capacity.recordsPerSecond * running,
        ),
      0,
    );
  }
  for (const app of never ? [] : plan.applications) {
    const rate = app.produces.length ? sim.produceRatePerSecond : 0;
    const moved = moveAt.get(app.name);
    const onSource =
      moved === undefined ? totalMinutes : startOfCutover + moved;
    records += rate * onSource * 60;
    if (plan.replication.bidirectional) {
      records += rate * Math.max(0, totalMinutes - onSource) * 60;
    }
  }
  const parent = WORKFLOW_SHAPE.parent;
  const child = WORKFLOW_SHAPE.child;
  const gates =
    children.length * 2 + (teardown.requireApproval && !never ? 1 : 0);
  const transitions =
    (never
      ? // Through SetReadinessLoopStart; the poll's ReadinessTimeoutError
        // then leads to RecordFailure and MigrationFailed.
        parent.once.indexOf('SetReadinessLoopStart') + 1 + 2
      : parent.once.length +
        (teardown.requireApproval ? parent.teardownGate.length : 0)) +
    runningIterations * parent.runningLoop.length +
    readinessPolls * parent.readinessLoop.length +
    children.reduce(
      (sum, c) =>
        sum +
        child.once.length +
        appPolls * child.readinessLoop.length +
        c.verifyPolls * child.cutoverCheckLoop.length,
      0,
    );
  // Lambda invocations (Task states of WORKFLOW_SHAPE.lambdas) and their
  // memory, plus the approval page's function (a GET and a POST per gate).
  const invocations = { small: gates * APPROVAL_API_CALLS_PER_GATE, probe: 0 };
  const invoke = (states: readonly string[], times: number) => {
    for (const state of states) {
      if (!(WORKFLOW_SHAPE.lambdas as readonly string[]).includes(state)) {
        continue;
      }
      if ((WORKFLOW_SHAPE.probeLambdas as readonly string[]).includes(state)) {
        invocations.probe += times;
      } else invocations.small += times;
    }
  };
  if (never) {
    invoke(parent.once.slice(0, 5), 1);
    invocations.small += 1; // RecordFailure
  } else {
    invoke(parent.once, 1);
    if (teardown.requireApproval) invoke(parent.teardownGate, 1);
  }
  invoke(parent.runningLoop, runningIterations);
  invoke(parent.readinessLoop, readinessPolls);
  for (const c of children) {
    invoke(child.once, 1);
    invoke(child.readinessLoop, appPolls);
    invoke(child.cutoverCheckLoop, c.verifyPolls);
  }
  const lambdaRequests = invocations.small + invocations.probe;
  const lambdaGbSeconds =
    (invocations.small * LAMBDA_MEMORY_GB +
      invocations.probe * PROBE_MEMORY_GB) *
    lambdaSeconds;

  const metrics = metricCounts(plan);
  // While the replicator rules fail (the drain, or forever when never
  // ready), a poll whose queries exceed one request leaves the group
  // queries out, and the source groups are measured every 30 minutes
  // (poll-readiness, readiness.ts groupMeasurementDue).
  const failingPolls = never ? readinessPolls : ceilDiv(drainMinutes, poll);
  const perFailingPoll =
    metrics.migration <= QUERIES_PER_REQUEST
      ? metrics.migration
      : metrics.migrationReplicators;
  const metricsRequested =
    failingPolls * perFailingPoll +
    (readinessPolls - failingPolls) * metrics.migration +
    children.reduce(
      (s, c) =>
        s +
        appPolls * (metrics.appReadiness.get(c.name) ?? 0) +
        c.verifyPolls * (metrics.verify.get(c.name) ?? 0),
      0,
    );
  const puts = putCounts(plan);
  const measuredPolls =
    readinessPolls -
    failingPolls +
    Math.ceil((failingPolls * poll) / (UNHEALTHY_MEASURE_EVERY_MS / 60_000));
  const putMetricDataRequests =
    measuredPolls * puts.migration +
    children.reduce(
      (s, c) => s + (appPolls + c.verifyPolls) * (puts.app.get(c.name) ?? 0),
      0,
    );
  const usage: Usage = {
    hours: totalMinutes / 60,
    replicatorHours: replicators * (totalMinutes / 60),
    gbReplicated: (records * sim.recordSizeBytes) / 1e9,
    stateTransitions: transitions,
    lambdaRequests,
    lambdaGbSeconds,
    metricsRequested,
    putMetricDataRequests,
  };
  const cost = costOf(usage, prices);
  const unverified = PRICE_KEYS.filter(
    (k) => prices[k].status === 'UNVERIFIED',
  );
  const assumptions = [
    `source sizes and rates from the plan's rehearsal block${plan.rehearsal ? '' : ' (its defaults: the plan has none)'}: ${fmt(sim.backlogRecords)} records already on the source, ${fmt(sim.produceRatePerSecond)} records/s per producing application, records of ${fmt(sim.recordSizeBytes)} bytes, ${sim.partitionsPerTopic} partitions per topic${sim.replicatorQuotaBytesPerSecond === undefined ? '' : `, a Kafka quota of ${fmt(sim.replicatorQuotaBytesPerSecond)} B/s on the replicators' principal`}`,
    `replicators CREATING for ${sim.creatingMinutes} minutes (AWS: about 30)`,
    `a person answers each gate ${decision} minutes after it opens; applications move ${sim.appMoveMinutes} minutes after an approved cutover`,
    `Lambda invocations take ${fmt(lambdaSeconds * 1000)} ms on average`,
    `list prices in ${PRICE_TABLE_REGION} as of ${PRICE_TABLE_DATE}, without free tiers${plan.region === PRICE_TABLE_REGION ? '' : `; ${plan.region} may differ`}`,
    'GB are 10^9 bytes; replicator-hours count from creation to deletion',
  ];
  return {
    hours: round(totalMinutes / 60, 2),
    costUsd: round(
      cost.reduce((s, l) => s + l.usd, 0),
      2,
    ),
    outcome: never ? 'readiness-timeout' : 'completes',
    ...(reason ? { reason } : {}),
    phases: {
      creatingHours: round(creatingMinutes / 60, 2),
      readinessHours: round(readinessMinutes / 60, 2),
      cutoverHours: round(cutoverMinutes / 60, 2),
      rollbackWindowHours: round(rollbackMinutes / 60, 2),
      teardownHours: round(teardownMinutes / 60, 2),
    },
    shards,
    usage,
    cost,
    prices: { date: PRICE_TABLE_DATE, region: PRICE_TABLE_REGION, unverified },
    assumptions,
  };
}

/** The cost of a usage at the given prices, one line per price. */
export function costOf(usage: Usage, prices: PriceTable): CostLine[] {
  const quantity: Record<PriceKey, number> = {
    mskReplicatorHour: usage.replicatorHours,
    mskReplicatorGb: usage.gbReplicated,
    stepFunctionsTransition: usage.stateTransitions,
    lambdaRequest: usage.lambdaRequests,
    lambdaGbSecond: usage.lambdaGbSeconds,
    cloudWatchMetricRequested: usage.metricsRequested,
    cloudWatchPutMetricDataRequest: usage.putMetricDataRequests,
  };
  return PRICE_KEYS.map((item) => {
    const p = prices[item];
    const q = quantity[item];
    return {
      item,
      quantity: round(q, 3),
      unit: p.unit,
      unitUsd: p.usd,
      usd: round(q * p.usd, 6),
      status: p.status,
      source: p.source,
    };
  });
}

/**
 * The topics the migration moves, as the rehearsal sees them: every topic
 * an application produces or consumes, and every literal topic name in the
 * replication patterns, less the excluded ones.
 */
function topicUniverse(plan: Plan): string[] {
  const names = new Set<string>();
  for (const app of plan.applications)
    for (const t of appTopics(app)) names.add(t);
  const rep = plan.replication;
  const excluded = new PatternSet([
    ...(rep.topicsToExclude ?? []),
    ...(rep.shards ?? []).flatMap((s) => s.topicsToExclude),
  ]);
  for (const t of [
    ...(rep.topics ?? []),
    ...(rep.shards ?? []).flatMap((s) => s.topics),
  ]) {
    if (LITERAL.test(t) && !excluded.matches(t)) names.add(t);
  }
  return [...names].sort();
}

/** Metrics one poll requests: the migration's, and each application's. */
function metricCounts(plan: Plan): {
  migration: number;
  /** The replicator and alias queries alone. */
  migrationReplicators: number;
  appReadiness: Map<string, number>;
  verify: Map<string, number>;
} {
  const aliases = { source: 'source', target: 'target' };
  const directions = plan.replication.bidirectional ? ['fwd', 'rev'] : ['fwd'];
  const replicatorsOf = (shards: readonly string[]) =>
    shards.flatMap((shard) =>
      directions.map((d) => ({ name: `${shard}-${d}`, shard, aliases })),
    );
  const all = replicatorsOf(planShards(plan).map((s) => s.name));
  const lagPairs = (apps: Plan['applications']) =>
    apps.flatMap((a) =>
      appGroups(a).flatMap((group) =>
        a.consumes.map((topic) => ({ group, topic })),
      ),
    );
  const migrationSet = readinessQueries({
    replicators: all,
    targetClusterName: 'target',
    lagPairs: lagPairs(plan.applications),
  });
  const migration = migrationSet.queries.length;
  const migrationReplicators = migrationSet.ofKind([
    'replicator',
    'alias',
  ]).length;
  const appReadiness = new Map<string, number>();
  const verify = new Map<string, number>();
  for (const app of plan.applications) {
    const shards = shardsOfApp(plan, app);
    const topics = appTopics(app);
    const shardOf = new Map(topics.map((t) => [t, shardOfTopic(plan, t)]));
    appReadiness.set(
      app.name,
      readinessQueries({
        replicators: replicatorsOf(shards).map((r) => ({
          ...r,
          topics: topics.filter((t) => shardOf.get(t) === r.shard),
        })),
        targetClusterName: 'target',
        lagPairs: lagPairs([app]),
      }).queries.length,
    );
    const scoped = (d: string) =>
      shards.map((shard) => ({
        name: `${shard}-${d}`,
        topics: app.produces.filter((t) => shardOf.get(t) === shard),
        aliases,
      }));
    verify.set(
      app.name,
      verifyQueries({
        forward: scoped('fwd'),
        reverse: plan.replication.bidirectional ? scoped('rev') : [],
      }).queries.length,
    );
  }
  return { migration, migrationReplicators, appReadiness, verify };
}

/** PutMetricData requests of one measurement (source lag of the groups). */
function putCounts(plan: Plan): {
  migration: number;
  app: Map<string, number>;
} {
  const datums = (apps: Plan['applications']) =>
    apps.reduce((s, a) => s + appGroups(a).length * a.consumes.length, 0);
  const migration = ceilDiv(datums(plan.applications), DATUMS_PER_PUT);
  const app = new Map(
    plan.applications.map((a) => [
      a.name,
      ceilDiv(datums([a]), DATUMS_PER_PUT),
    ]),
  );
  return { migration, app };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}
