/**
 * The rehearsal's result: the types the terminal, the JSON document and
 * the HTML report read, and their assembly from what the run left (the
 * model, the simulated account, the executions, the ledger).
 */
import type { AppState } from '../../functions/shared/contracts.ts';
import { ledgerLocation } from '../../functions/shared/domain/app-state.ts';
import {
  costOf,
  DEFAULT_LAMBDA_DURATION_MS,
  type Forecast,
  LAMBDA_MEMORY_GB,
  PROBE_MEMORY_GB,
  type Usage,
} from '../../functions/shared/domain/forecast.ts';
import { DEFAULT_PRICES } from '../../functions/shared/domain/prices.ts';
import { type Comparison, compareUsage } from '../format/forecast-report.ts';
import type { GateRecord } from './gates.ts';
import type { Invocations } from './handlers.ts';
import type { IamAuthorizer, IamDenial } from './iam.ts';
import type { ExecutionAccount } from './local-sfn.ts';
import type { Scenario } from './scenario.ts';
import type { SentEmail, SentEvent, SimulatedAws } from './sim-aws.ts';
import type { ClusterModel, ClusterSide } from './simulator.ts';
import type { TimelineEntry } from './timeline.ts';

const MINUTE = 60_000;

/**
 * Where an application ended, as the ledger records it (the state status,
 * cleanup and teardown read): `MOVING` when a cutover or rollback was
 * decided (its clients were told to move) but not verified, e.g. when an
 * abort stopped its verification.
 */
export type AppOutcome =
  | 'ON_TARGET'
  | 'ON_SOURCE'
  | 'ROLLED_BACK'
  | 'SKIPPED'
  | 'MOVING';

/** The summary's outcome of a ledger state. */
export function outcomeOfState(state: string): AppOutcome {
  switch (state) {
    case 'ON_TARGET':
    case 'KEPT_ON_TARGET':
      return 'ON_TARGET';
    case 'CUTOVER_APPROVED':
    case 'ROLLBACK_APPROVED':
      return 'MOVING';
    case 'ROLLED_BACK':
    case 'SKIPPED':
      return state;
    default:
      return 'ON_SOURCE';
  }
}

/**
 * Where the people were told to run an application: the side of the last
 * decision that moves clients (cutover, rollback), the source before any.
 */
export function toldSide(decisions: readonly string[]): 'source' | 'target' {
  const last = decisions.filter((d) => d === 'cutover' || d === 'rollback');
  return last.at(-1) === 'cutover' ? 'target' : 'source';
}

/**
 * Disagreements between the ledger and where the application's clients were
 * told to be: a moving application must be heading where it was told, a
 * settled one must be there.
 */
export function stateConflicts(
  ledgerApps: Record<string, string>,
  decided: ReadonlyMap<string, readonly string[]>,
): string[] {
  const out: string[] = [];
  for (const [app, state] of Object.entries(ledgerApps)) {
    const told = toldSide(decided.get(app) ?? []);
    const recorded =
      state === 'CUTOVER_APPROVED'
        ? 'target'
        : state === 'ROLLBACK_APPROVED'
          ? 'source'
          : ledgerLocation(state as AppState);
    if (recorded !== told) {
      out.push(
        `${app}: the ledger says ${state} (${recorded}) but its clients were told to run on the ${told}`,
      );
    }
  }
  return out;
}

export interface Series {
  name: string;
  points: [number, number][];
}

export interface RehearsalResult {
  outcome: 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  scenario: string;
  description: string;
  migrationId: string;
  apps: Record<string, AppOutcome>;
  /** Each application's state in the ledger at the end (app-state.ts). */
  ledgerApps: Record<string, string>;
  replicators: { created: string[]; remaining: string[] };
  gates: GateRecord[];
  accounting: {
    executions: Pick<
      ExecutionAccount,
      'name' | 'historyEvents' | 'stateTransitions' | 'largestPayloadBytes'
    >[];
    awsCalls: Record<string, number>;
    /**
     * The same per caller: a phase folder name (its function's role) or
     * `migration` / `app-cutover` (the state machine's role, for its
     * integrations: `Lambda.Invoke`, `SFN.StartExecution`, ...).
     */
    awsCallsByPrincipal: Record<string, Record<string, number>>;
    limits: { historyEvents: number; payloadBytes: number; ok: boolean };
  };
  /**
   * IAM enforcement: whether every call was authorized against the
   * synthesized stack's policies, how many requests were evaluated, and
   * the ones AWS would have refused.
   */
  iam: { enforced: boolean; checked: number; denied: IamDenial[] };
  /** Faults the simulated AWS injected. */
  injected: { throttledCalls: number };
  cleanup?: { action: string; reason: string; deleted: string[] };
  /** ISO 8601 duration of virtual time. */
  virtualDuration: string;
  virtualStart: string;
  virtualEnd: string;
  wallMs: number;
  expected: Scenario['expected'];
  /** The expectation checks that failed (empty: the scenario passed). */
  mismatches: string[];
  timeline: TimelineEntry[];
  emails: { at: string; subject: string; body: string }[];
  /**
   * Every email (SNS) and every EventBridge event, in virtual time order:
   * `type` is the email's `type` attribute or the event's detail-type.
   */
  notifications: Notification[];
  charts: {
    messageLag: Series[];
    replicationLatency: Series[];
    sumOffsetLag: Series[];
  };
  /** Forecast (from the plan, before the run) and simulated actuals. */
  forecast?: ForecastCheck;
}

/** The forecast of the rehearsed plan beside what the simulation used. */
export interface ForecastCheck {
  forecast: Forecast;
  /** The simulated run's usage, priced like the forecast. */
  actual: Usage & { costUsd: number };
  comparison: Comparison[];
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Virtual milliseconds as an ISO 8601 duration (`P1DT2H3M`). */
export function isoDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const time = `${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec ? `${sec}S` : ''}`;
  return `P${d ? `${d}D` : ''}${time ? `T${time}` : d ? '' : 'T0S'}`;
}

/** One email or event the rehearsal sent, for the summary. */
export interface Notification {
  at: string;
  channel: 'email' | 'event';
  type: string;
  subject: string;
}

/**
 * Emails and events merged in time order (an email before the event of the
 * same notification). An event without a subject (one the state machine
 * puts itself) is named by its detail-type and application.
 */
export function notificationsOf(
  emails: readonly SentEmail[],
  events: readonly SentEvent[],
): Notification[] {
  const out = [
    ...emails.map((e, i) => ({
      n: {
        at: e.at.toISOString(),
        channel: 'email' as const,
        type: e.attributes.type ?? 'email',
        subject: e.subject,
      },
      order: i,
    })),
    ...events.map((e, i) => {
      const app = typeof e.detail.app === 'string' ? ` ${e.detail.app}` : '';
      return {
        n: {
          at: e.at.toISOString(),
          channel: 'event' as const,
          type: e.detailType,
          subject:
            typeof e.detail.subject === 'string'
              ? e.detail.subject
              : `${e.detailType}${app}`,
        },
        order: emails.length + i,
      };
    }),
  ];
  return out
    .sort((a, b) => a.n.at.localeCompare(b.n.at) || a.order - b.order)
    .map((x) => x.n);
}

/**
 * The error that ended the migration. A failure inside a child or a
 * continuation execution reaches the parent as `States.TaskFailed` whose
 * cause is the nested execution's description; follow it to the root.
 */
export function rootError(
  error: string | undefined,
  cause: string | undefined,
): { error: string | undefined; cause: string | undefined } {
  let e = error;
  let c = cause;
  for (let depth = 0; depth < 10 && e === 'States.TaskFailed' && c; depth++) {
    let inner: { Error?: unknown; Cause?: unknown };
    try {
      inner = JSON.parse(c) as typeof inner;
    } catch {
      break;
    }
    if (typeof inner.Error !== 'string') break;
    e = inner.Error;
    c = typeof inner.Cause === 'string' ? inner.Cause : undefined;
  }
  return { error: e, cause: c };
}

/** What differs from the scenario's expectation. */
export function check(r: RehearsalResult): string[] {
  const e = r.expected;
  const out: string[] = [];
  if (r.outcome !== e.outcome) {
    out.push(
      `outcome ${r.outcome} (${r.error ?? 'no error'}), expected ${e.outcome}`,
    );
  }
  if (e.error && r.error !== e.error) {
    out.push(`error ${r.error ?? 'none'}, expected ${e.error}`);
  }
  for (const [app, state] of Object.entries(r.apps)) {
    // Own keys only: `e.apps.constructor` is Object, not an expectation.
    const want =
      (Object.hasOwn(e.apps, app) ? e.apps[app] : undefined) ?? e.otherApps;
    if (want && state !== want)
      out.push(`${app} is ${state}, expected ${want}`);
  }
  if (r.replicators.remaining.length !== e.remainingReplicators) {
    out.push(
      `${r.replicators.remaining.length} replicator(s) remain, expected ${e.remainingReplicators}`,
    );
  }
  const names = r.replicators.created;
  if (new Set(names).size !== names.length) {
    out.push(`a replicator name was created twice: ${names.join(', ')}`);
  }
  if (e.cleanup && r.cleanup?.action !== e.cleanup) {
    out.push(
      `cleanup ${r.cleanup?.action ?? 'did not run'}, expected ${e.cleanup}`,
    );
  }
  if (r.iam.denied.length > 0) {
    const [first] = r.iam.denied;
    out.push(
      `IAM denied ${r.iam.denied.length} request(s), first: ${first?.principal} ${first?.action} on ${first?.resource}`,
    );
  }
  if (!r.accounting.limits.ok) {
    out.push(
      `Step Functions limits exceeded: ${r.accounting.limits.historyEvents} history events, ${r.accounting.limits.payloadBytes} payload bytes`,
    );
  }
  return out;
}

const CHART_POINTS = 240;
const CHART_GROUPS = 50;

/** Chart series sampled from the model over the whole virtual run. */
function charts(
  model: ClusterModel,
  from: number,
  to: number,
): RehearsalResult['charts'] {
  const step = Math.max(
    MINUTE,
    Math.ceil((to - from) / CHART_POINTS / MINUTE) * MINUTE,
  );
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  const messageLag: Series[] = [];
  const replicationLatency: Series[] = [];
  // Each point is the Maximum over its bucket's 1-minute values (what a
  // CloudWatch graph at that period shows), so a short drain stays visible.
  const bucketMax = (value: (at: number) => number | undefined, t: number) => {
    let max: number | undefined;
    for (let m = Math.max(from, t - step + MINUTE); m <= t; m += MINUTE) {
      const v = value(m);
      if (v !== undefined) max = Math.max(max ?? v, v);
    }
    return max;
  };
  for (const r of model.allReplicators()) {
    const lag: [number, number][] = [];
    const lat: [number, number][] = [];
    for (const t of times) {
      const l = bucketMax(
        (m) => model.replicatorMetric(r, 'MessageLag', {}, m),
        t,
      );
      const d = bucketMax(
        (m) => model.replicatorMetric(r, 'ReplicationLatency', {}, m),
        t,
      );
      if (l !== undefined) lag.push([t, l]);
      if (d !== undefined) lat.push([t, d]);
    }
    messageLag.push({ name: r.name, points: lag });
    replicationLatency.push({ name: r.name, points: lat });
  }
  const groups = model.groupNames().slice(0, CHART_GROUPS);
  const sumOffsetLag: Series[] = (['source', 'target'] as ClusterSide[]).map(
    (side) => ({
      name: `${side}${model.groupNames().length > CHART_GROUPS ? ` (first ${CHART_GROUPS} groups)` : ''}`,
      points: times.flatMap((t): [number, number][] => {
        let sum = 0;
        let seen = false;
        for (const g of groups) {
          const v = model.group(g, side, t).sumOffsetLag;
          if (v !== null) {
            sum += v;
            seen = true;
          }
        }
        return seen ? [[t, sum]] : [];
      }),
    }),
  );
  return { messageLag, replicationLatency, sumOffsetLag };
}

/** How the workflow ended. */
export interface RunEnd {
  outcome: 'SUCCEEDED' | 'FAILED';
  error?: string | undefined;
  cause?: string | undefined;
  /** false when the run stopped on a Step Functions quota. */
  limitsOk: boolean;
}

/** Everything a finished run leaves, for its result. */
export interface FinishedRun {
  scenario: Scenario;
  migrationId: string;
  model: ClusterModel;
  aws: SimulatedAws;
  authorizer: IamAuthorizer | undefined;
  executions: ExecutionAccount[];
  gates: readonly GateRecord[];
  decidedApps: ReadonlyMap<string, readonly string[]>;
  timeline: TimelineEntry[];
  invoked: Invocations;
  predicted: Forecast;
  end: RunEnd;
  cleanup: RehearsalResult['cleanup'];
  /** Each application's state in the ledger at the end. */
  ledgerApps: Record<string, string>;
  startMs: number;
  endMs: number;
  wallStart: number;
}

/** The result of a finished run, checked against the scenario. */
export function assembleResult(run: FinishedRun): RehearsalResult {
  const { scenario, model, aws, authorizer, end, cleanup, startMs, endMs } =
    run;
  const result: RehearsalResult = {
    outcome: end.outcome,
    ...(end.error ? { error: end.error } : {}),
    ...(end.cause ? { cause: end.cause } : {}),
    scenario: scenario.name,
    description: scenario.description,
    migrationId: run.migrationId,
    apps: appsOf(model, run.ledgerApps),
    ledgerApps: run.ledgerApps,
    replicators: {
      created: model.allReplicators().map((r) => r.name),
      remaining: model
        .listReplicators()
        .filter((r) => model.stateOf(r) !== 'DELETING')
        .map((r) => r.name),
    },
    gates: [...run.gates],
    accounting: accountingOf(run.executions, aws, end.limitsOk),
    iam: {
      enforced: authorizer !== undefined,
      checked: authorizer?.checked ?? 0,
      denied: authorizer ? [...authorizer.denied] : [],
    },
    injected: { throttledCalls: aws.throttled },
    ...(cleanup ? { cleanup } : {}),
    virtualDuration: isoDuration(endMs - startMs),
    virtualStart: iso(startMs),
    virtualEnd: iso(endMs),
    wallMs: Math.round(performance.now() - run.wallStart),
    expected: scenario.expected,
    mismatches: [],
    timeline: run.timeline,
    emails: aws.emails.map((e) => ({
      at: e.at.toISOString(),
      subject: e.subject,
      body: e.body,
    })),
    notifications: notificationsOf(aws.emails, aws.events),
    charts: charts(model, startMs, endMs),
  };
  result.forecast = forecastCheck(run.predicted, usageOf(run));
  result.mismatches = [
    ...check(result),
    ...stateConflicts(run.ledgerApps, run.decidedApps),
  ];
  return result;
}

/**
 * The summary says what the ledger says (status, cleanup and teardown
 * read it too); the checks compare it with the decisions.
 */
function appsOf(
  model: ClusterModel,
  ledgerApps: Record<string, string>,
): Record<string, AppOutcome> {
  // fromEntries defines own keys: application names are data, whatever
  // they are (`constructor`, `__proto__`).
  return Object.fromEntries(
    model
      .appNames()
      .map((name): [string, AppOutcome] => [
        name,
        outcomeOfState(
          Object.hasOwn(ledgerApps, name)
            ? (ledgerApps[name] ?? 'ON_SOURCE')
            : 'ON_SOURCE',
        ),
      ]),
  );
}

function accountingOf(
  executions: ExecutionAccount[],
  aws: SimulatedAws,
  limitsOk: boolean,
): RehearsalResult['accounting'] {
  const historyMax = Math.max(0, ...executions.map((e) => e.historyEvents));
  const payloadMax = Math.max(
    0,
    ...executions.map((e) => e.largestPayloadBytes),
  );
  return {
    executions: executions.map((e) => ({
      name: e.name,
      historyEvents: e.historyEvents,
      stateTransitions: e.stateTransitions,
      largestPayloadBytes: e.largestPayloadBytes,
    })),
    awsCalls: Object.fromEntries([...aws.calls].sort()),
    awsCallsByPrincipal: Object.fromEntries(
      [...aws.callsByPrincipal]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([principal, calls]) => [
          principal,
          Object.fromEntries([...calls].sort()),
        ]),
    ),
    limits: {
      historyEvents: historyMax,
      payloadBytes: payloadMax,
      ok: limitsOk && historyMax <= 25_000 && payloadMax <= 262_144,
    },
  };
}

/** The simulated run's usage, in the forecast's terms. */
function usageOf(run: FinishedRun): Usage {
  const { model, aws, invoked, startMs, endMs } = run;
  const hours = (ms: number) => ms / 3_600_000;
  const copiedBytes = model
    .allReplicators()
    .reduce(
      (s, r) => s + model.copiedRecords(r) * model.params.recordSizeBytes,
      0,
    );
  return {
    hours: hours(endMs - startMs),
    replicatorHours: model
      .allReplicators()
      .reduce(
        (s, r) =>
          s +
          hours(Math.min(endMs, (r.deletedAt ?? endMs) + MINUTE) - r.createdAt),
        0,
      ),
    gbReplicated: copiedBytes / 1e9,
    stateTransitions: run.executions.reduce(
      (s, e) => s + e.stateTransitions,
      0,
    ),
    lambdaRequests: invoked.small + invoked.probe,
    // Lambda time is not simulated: the forecast's average duration.
    lambdaGbSeconds:
      (invoked.small * LAMBDA_MEMORY_GB + invoked.probe * PROBE_MEMORY_GB) *
      (DEFAULT_LAMBDA_DURATION_MS / 1000),
    metricsRequested: aws.metricsRequested,
    putMetricDataRequests: aws.calls.get('CloudWatch.PutMetricData') ?? 0,
  };
}

function forecastCheck(predicted: Forecast, usage: Usage): ForecastCheck {
  const costUsd =
    Math.round(
      costOf(usage, DEFAULT_PRICES).reduce((s, l) => s + l.usd, 0) * 100,
    ) / 100;
  return {
    forecast: predicted,
    actual: { ...usage, costUsd },
    comparison: compareUsage(
      { ...predicted.usage, costUsd: predicted.costUsd },
      { ...usage, costUsd },
    ),
  };
}
