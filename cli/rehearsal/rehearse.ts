/**
 * The rehearsal: the real workflow (both ASL files in the local runner,
 * every Task served by the real handler) against simulated AWS, a local
 * DynamoDB ledger, simulated clusters and a virtual clock, with a person's
 * decisions scripted by the scenario (or taken from a browser in
 * interactive mode). Returns everything the terminal, the JSON document and
 * the HTML report show.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import type {
  AppState,
  StartMigrationInput,
} from '../../functions/shared/contracts.ts';
import { ledgerLocation } from '../../functions/shared/domain/app-state.ts';
import {
  costOf,
  DEFAULT_LAMBDA_DURATION_MS,
  type Forecast,
  forecast as forecastOf,
  LAMBDA_MEMORY_GB,
  PROBE_MEMORY_GB,
  type Usage,
} from '../../functions/shared/domain/forecast.ts';
import {
  type Plan,
  RehearsalSchema,
} from '../../functions/shared/domain/plan.ts';
import { DEFAULT_PRICES } from '../../functions/shared/domain/prices.ts';
import type { PlanIssue } from '../../functions/shared/domain/validate.ts';
import { validatePlan } from '../../functions/shared/domain/validate.ts';
import { lambdaContext } from '../../functions/shared/lambda-context.ts';
import { phaseSpec } from '../../functions/shared/phases.ts';
import { type Comparison, compareUsage } from '../format/forecast-report.ts';
import type { IamAuthorizer, IamDenial } from './iam.ts';
import type { ResolvedPolicies } from './iam-policies.ts';
import { localLedgerTable, testCertificate } from './local-aws.ts';
import type {
  ExecutionAccount,
  LambdaHandler,
  LocalWorkflow as LocalWorkflowType,
  VirtualClock as VirtualClockType,
  WorkflowEvent,
  WorkflowPhase,
} from './local-sfn.ts';
import {
  LOCAL_ACCOUNT,
  LOCAL_EVENT_BUS,
  LOCAL_REGION,
  LocalWorkflow,
  localStateMachineArn,
  VirtualClock,
  WORKFLOW_PHASES,
} from './local-sfn.ts';
import { asPrincipal } from './principal.ts';
import { DecisionScript, mergePlan, type Scenario } from './scenario.ts';
import { type SentEmail, type SentEvent, SimulatedAws } from './sim-aws.ts';
import { SimulatedKafka } from './sim-kafka.ts';
import { ClusterModel, type ClusterSide } from './simulator.ts';

const MINUTE = 60_000;
const AUTO_APPROVAL_BASE_URL = 'https://approvals.rehearsal.invalid/';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const SIGNING_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:msk-cutover/approval-signing-rehearsal`;
const PLAN_BUCKET = 'msk-cutover-plans-rehearsal';
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:msk-cutover-notifications`;
const SERVICE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/msk-cutover-replicator`;
const TOKEN_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/rehearsal`;
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The rehearsal's operator, as recorded with each decision. */
export const REHEARSAL_APPROVER = 'rehearsal operator';

/** The plan did not validate: nothing ran. */
export class InvalidPlanError extends Error {
  constructor(readonly issues: PlanIssue[]) {
    super(`the plan is invalid (${issues.length} problem(s))`);
    this.name = 'InvalidPlanError';
  }
}

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

export interface TimelineEntry {
  /** Virtual time. */
  at: string;
  /** Wall milliseconds since the rehearsal started. */
  wallMs: number;
  kind: 'execution' | 'phase' | 'gate' | 'email' | 'wait' | 'cleanup';
  execution?: string;
  text: string;
}

export interface GateRecord {
  app?: string;
  kind: string;
  /** The decision, `timeout` or `open` (never answered). */
  decision: string;
  /** Virtual time the gate opened. */
  openedAt: string;
  /** Virtual time it closed. */
  at?: string;
  approvalId?: string;
  /** Extra form posts (replayed, tampered) and what the page answered. */
  attempts: { kind: string; status: number; title: string }[];
  /** The email that asked for the decision. */
  email?: { subject: string; body: string };
  /** What the simulated clusters showed when the gate opened. */
  evidence: {
    replicators: { name: string; messageLag?: number; latencyMs?: number }[];
    groups: { group: string; source: number | null; target: number | null }[];
  };
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

export interface RehearsalOptions {
  /** The plan as parsed JSON (before the scenario's changes). */
  plan: unknown;
  scenario: Scenario;
  /** `interactive`: a person decides on the real approval page. */
  mode?: 'auto' | 'interactive';
  /** Live timeline. */
  onTimeline?: (entry: TimelineEntry) => void;
  /** Interactive mode: each email as it is sent (with its link). */
  onEmail?: (email: SentEmail) => void;
  /** @default 2026-01-05T08:00:00Z */
  start?: Date;
  /** @default 25,000 (the Step Functions history quota) */
  maxHistoryEvents?: number;
  /**
   * Replace a phase's handler (experiments with the rehearsal itself);
   * every other phase runs its real handler.
   */
  replaceHandlers?: Partial<Record<WorkflowPhase, Handler>>;
  /** After each handler invocation: the AWS calls it made (benchmarks). */
  observe?: (invocation: PhaseInvocation) => void;
  /**
   * Authorize every AWS call against the IAM policies of the stack
   * synthesized from `CutoverStack` (docs/iam-enforcement.md). @default true
   */
  iam?: boolean;
  /** Changes the synthesized policies first (tests: remove a grant). */
  editPolicies?: (policies: ResolvedPolicies) => void;
  /** Receives the authorizer (tests: what each role exercised). */
  onAuthorizer?: (authorizer: IamAuthorizer) => void;
}

/** What one handler invocation cost. */
export interface PhaseInvocation {
  phase: WorkflowPhase;
  event: unknown;
  result: unknown;
  /** `Service.Command` → calls made during the invocation. */
  calls: Record<string, number>;
  /** Metrics requested through GetMetricData during the invocation. */
  metricsRequested: number;
  /** Wall milliseconds the handler took (simulated AWS included). */
  wallMs: number;
}

type Handler = LambdaHandler;
type HandlerModule = {
  createHandler: (overrides?: Record<string, unknown>) => Handler;
};

/** The handlers are loaded by path so each is wired only when it exists. */
async function loadHandler(phase: string): Promise<HandlerModule> {
  const url = new URL(`../../functions/${phase}/handler.ts`, import.meta.url);
  try {
    return (await import(url.href)) as HandlerModule;
  } catch (err) {
    throw new Error(
      `rehearsal: cannot load functions/${phase}/handler.ts: ${(err as Error).message}`,
    );
  }
}

/** Sets the environment every function parses at cold start. */
function setEnvironment(
  tableName: string,
  endpoint: string,
  approvalBaseUrl: string,
): void {
  // Dummy credentials: the rehearsal never picks up real ones.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAREHEARSALLOCAL00',
    AWS_SECRET_ACCESS_KEY: 'rehearsal-local-not-a-secret',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    LEDGER_TABLE: tableName,
    TOPIC_ARN,
    EVENT_BUS_NAME: LOCAL_EVENT_BUS,
    SERVICE_EXECUTION_ROLE_ARN: SERVICE_ROLE_ARN,
    TOKEN_KEY_ID: TOKEN_KEY_ARN,
    SIGNING_SECRET_ARN,
    APPROVAL_BASE_URL: approvalBaseUrl,
    STATE_MACHINE_ARN: localStateMachineArn('migration'),
    METRICS_NAMESPACE: 'msk-cutover',
  });
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

/**
 * Runs one rehearsal to its end.
 *
 * @throws InvalidPlanError when the plan (with the scenario's changes) does
 * not validate; nothing runs then.
 */
export async function rehearse(
  opts: RehearsalOptions,
): Promise<RehearsalResult> {
  const wallStart = performance.now();
  const scenario = opts.scenario;
  const merged = mergePlan(opts.plan, scenario.plan);
  const validation = validatePlan(merged);
  if (!validation.ok) throw new InvalidPlanError(validation.issues);
  const plan = validation.plan;

  const mode = opts.mode ?? 'auto';
  const clock = new VirtualClock(
    opts.start ?? new Date('2026-01-05T08:00:00Z'),
  );
  const startMs = clock.now().getTime();
  const timeline: TimelineEntry[] = [];
  const note = (
    kind: TimelineEntry['kind'],
    text: string,
    execution?: string,
  ) => {
    const entry: TimelineEntry = {
      at: clock.now().toISOString(),
      wallMs: Math.round(performance.now() - wallStart),
      kind,
      text,
      ...(execution ? { execution } : {}),
    };
    timeline.push(entry);
    opts.onTimeline?.(entry);
  };

  const f = scenario.faults;
  const model = new ClusterModel(plan, () => clock.now(), scenario.parameters, {
    ...(f.replicatorFailed ? { replicatorFailed: f.replicatorFailed } : {}),
    ...(f.stuckCreating ? { stuckCreating: true } : {}),
    ...(f.metricsMissing ? { metricsMissing: f.metricsMissing } : {}),
    ...(f.authError ? { authError: f.authError } : {}),
    ...(f.throttleTime ? { throttleTime: f.throttleTime } : {}),
  });

  // The forecast sees the simulator's parameters as the plan's rehearsal
  // block (the scenario's parameters included).
  const rehearsalKeys = Object.keys(RehearsalSchema.shape);
  const predicted = forecastOf({
    ...plan,
    rehearsal: RehearsalSchema.parse(
      Object.fromEntries(
        Object.entries(model.params).filter(
          ([k, v]) => rehearsalKeys.includes(k) && v !== undefined,
        ),
      ),
    ),
  });
  const invoked = { small: 0, probe: 0 };

  // ---------------------------------------------------------------- AWS
  const { endpoint, tableName } = await localLedgerTable();
  const certificate = testCertificate();
  const sourceSecret = JSON.stringify({
    username: 'msk-replicator',
    password: randomBytes(18).toString('base64url'),
    ...(certificate ? { certificate } : {}),
  });
  const secrets: Record<string, string> = {
    [plan.source.saslScram.secretArn]: sourceSecret,
    [SIGNING_SECRET_ARN]: randomBytes(48).toString('hex'),
  };
  if (plan.source.tls.rootCaSecretArn && certificate) {
    secrets[plan.source.tls.rootCaSecretArn] = JSON.stringify({ certificate });
  }

  interface GateState {
    record: GateRecord;
    token: string;
    approvalId?: string;
  }
  /** `execution|state` → the token of the gate open there. */
  const openByState = new Map<string, string>();
  const gatesByToken = new Map<string, GateState>();
  const gates: GateRecord[] = [];
  const decidedApps = new Map<string, string[]>();
  let workflow: LocalWorkflowType | undefined;

  // ---------------------------------------------------------------- IAM
  let authorizer: IamAuthorizer | undefined;
  if (opts.iam !== false) {
    const { IamAuthorizer } = await import('./iam.ts');
    authorizer = await IamAuthorizer.create({
      projectRoot: PROJECT_ROOT,
      // The deploying account is the target cluster's; the local runner's
      // own ARNs stand for it.
      account: plan.target.mskClusterArn.split(':')[4] ?? ACCOUNT,
      region: plan.region,
      local: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
      names: {
        Ledger: tableName,
        Notifications: TOPIC_ARN,
        Bus: LOCAL_EVENT_BUS,
        TaskTokenKey: TOKEN_KEY_ARN,
        ApprovalSigningKey: SIGNING_SECRET_ARN,
        PlanBucket: PLAN_BUCKET,
        ReplicatorRole: SERVICE_ROLE_ARN,
      },
      stateMachineOfToken: (token) => workflow?.stateMachineOfToken(token),
      ...(opts.editPolicies ? { editPolicies: opts.editPolicies } : {}),
    });
    opts.onAuthorizer?.(authorizer);
  }

  const aws = new SimulatedAws({
    ...(authorizer ? { iam: authorizer } : {}),
    model,
    now: () => clock.now(),
    secrets,
    // The readiness window plus a margin is as far back as a phase reads.
    metricRetentionMinutes: plan.readiness.sustainedMinutes + 180,
    // The plan's log-delivery destinations exist, unless the scenario
    // says they do not.
    logDestinations: f.missingLogDestinations
      ? {}
      : {
          logGroups: [plan.replication.logDelivery?.cloudWatchLogGroup ?? ''],
          buckets: [plan.replication.logDelivery?.s3?.bucket ?? ''],
          deliveryStreams: [
            plan.replication.logDelivery?.firehoseDeliveryStream ?? '',
          ],
        },
    faults: {
      ...(f.throttling ? { throttling: f.throttling } : {}),
      ...(f.interruptAfterCreate !== undefined
        ? { interruptAfterCreate: f.interruptAfterCreate }
        : {}),
    },
    onTaskSuccess: (token, output) => {
      if (!workflow) throw new Error('rehearsal: no workflow is running');
      const gate = gatesByToken.get(token);
      const parsed = JSON.parse(output) as { decision?: string };
      const open = workflow.openGates().some((g) => g.token === token);
      if (gate && open && parsed.decision) {
        const { record } = gate;
        record.decision = parsed.decision;
        record.at = clock.now().toISOString();
        if (record.app) {
          const list = decidedApps.get(record.app) ?? [];
          list.push(parsed.decision);
          decidedApps.set(record.app, list);
          // The people who own the application move it now.
          if (parsed.decision === 'cutover') {
            model.moveApp(record.app, 'target');
          } else if (parsed.decision === 'rollback') {
            model.moveApp(record.app, 'source');
          }
        }
        note(
          'gate',
          `${record.kind}${record.app ? ` ${record.app}` : ''}: decided ${parsed.decision}`,
        );
      }
      // Throws TaskTimedOut / InvalidToken exactly as Step Functions does.
      workflow.decide(token, output);
    },
    onTaskFailure: (token, error, cause) => {
      workflow?.fail(token, error, cause);
    },
    onEmail: (email) => {
      note('email', `email: ${email.subject}`);
      opts.onEmail?.(email);
    },
  });
  aws.install();
  const planText = JSON.stringify(merged, null, 2);
  const versionId = aws.putObject(
    PLAN_BUCKET,
    `${plan.migrationId}/plan.json`,
    planText,
  );

  // ---------------------------------------------------------------- approvals
  let approvalHandler: Handler | undefined;
  let server: { baseUrl: string; close(): Promise<void> } | undefined;
  // The approval functions build their ledger without the injected clock;
  // give them one on the virtual clock so every timestamp is virtual.
  const { DynamoLedger } = await import('../../functions/shared/aws/ledger.ts');
  const { dynamodbClient } = await import('../../functions/shared/clients.ts');
  const virtualLedger = () =>
    new DynamoLedger(dynamodbClient(), tableName, clock);
  const approvalModule = await loadHandler('approval-api');
  const approvalApi = approvalModule.createHandler({
    clock,
    ledger: virtualLedger(),
  });
  // The page's calls are made by the approval-api function's role.
  approvalHandler = (event: never, context: Context) => {
    invoked.small += 1;
    return asPrincipal('approval-api', () => approvalApi(event, context));
  };
  if (mode === 'interactive') {
    const { serveApprovalApi } = await import(
      '../../functions/approval-api/local-server.ts'
    );
    server = await serveApprovalApi(approvalHandler as never);
  }
  setEnvironment(
    tableName,
    endpoint,
    server?.baseUrl ?? AUTO_APPROVAL_BASE_URL,
  );

  // ---------------------------------------------------------------- handlers
  const kafka = new SimulatedKafka(
    model,
    plan,
    aws.targetBootstrap().split(','),
    f.noSourceAcls ? { noAcls: true } : {},
  );
  const handlers: Partial<Record<WorkflowPhase, Handler>> = {};
  for (const phase of WORKFLOW_PHASES) {
    const replaced = opts.replaceHandlers?.[phase];
    const mod = replaced
      ? undefined
      : await loadHandler(phase).catch(() => undefined);
    if (!mod && !replaced) continue;
    const overrides: Record<string, unknown> = { clock };
    if (phase === 'request-approval') overrides.ledger = virtualLedger();
    if (phase === 'probe-source') overrides.kafka = kafka;
    if (phase === 'measure-source-lag') {
      overrides.kafka = kafka;
      overrides.iamToken = () => async () => 'rehearsal-iam-token';
    }
    const real = replaced ?? (mod as HandlerModule).createHandler(overrides);
    handlers[phase] = async (event: never, context: Context) => {
      if (phaseSpec(phase).kafka) invoked.probe += 1;
      else invoked.small += 1;
      const callsBefore = new Map(aws.calls);
      const metricsBefore = aws.metricsRequested;
      const t0 = performance.now();
      try {
        const out = await real(event, context);
        if (opts.observe) {
          const calls: Record<string, number> = {};
          for (const [k, v] of aws.calls) {
            const d = v - (callsBefore.get(k) ?? 0);
            if (d > 0) calls[k] = d;
          }
          opts.observe({
            phase,
            event,
            result: out,
            calls,
            metricsRequested: aws.metricsRequested - metricsBefore,
            wallMs: performance.now() - t0,
          });
        }
        const line = summarize(phase, event, out);
        if (line) note('phase', line);
        if (phase === 'request-approval') {
          const ev = event as { taskToken: string };
          const state = gatesByToken.get(ev.taskToken);
          const approvalId = (out as { approvalId?: string }).approvalId;
          if (state && approvalId) {
            state.approvalId = approvalId;
            state.record.approvalId = approvalId;
          }
        }
        return out;
      } catch (err) {
        note(
          'phase',
          `${phase} failed: ${(err as Error).name}: ${(err as Error).message}`,
        );
        throw err;
      }
    };
  }
  // request-approval needs the gate before it runs (to match its email).
  const requestApproval = handlers['request-approval'];
  if (requestApproval) {
    handlers['request-approval'] = async (event: never, context: Context) => {
      const ev = event as { taskToken: string; kind: string; app?: string };
      const record: GateRecord = {
        kind: ev.kind,
        ...(ev.app ? { app: ev.app } : {}),
        decision: 'open',
        openedAt: clock.now().toISOString(),
        attempts: [],
        evidence: evidenceOf(model, ev.app),
      };
      gates.push(record);
      gatesByToken.set(ev.taskToken, { record, token: ev.taskToken });
      const before = aws.emails.length;
      const out = await requestApproval(event, context);
      // Several gates may ask at once (Map concurrency): this gate's email
      // is the one whose link carries the approval id the handler returned.
      const id = (out as { approvalId?: string }).approvalId;
      const mine = id ? `/approvals/${encodeURIComponent(id)}?` : null;
      const email = aws.emails
        .slice(before)
        .find((e) => mine !== null && linkIn(e.body)?.includes(mine));
      if (email) record.email = { subject: email.subject, body: email.body };
      return out;
    };
  }

  // ---------------------------------------------------------------- person
  const script = new DecisionScript(scenario.decisions);
  const pending: Promise<void>[] = [];
  const holds = new Map<string, () => void>();
  const approve = async (token: string) => {
    const gate = gatesByToken.get(token);
    if (!gate || !approvalHandler) return;
    const rule = script.next(gate.record.kind, gate.record.app);
    if (rule.decide === 'none') return;
    await clock.sleep(rule.afterMinutes * 60);
    await clock.run(async () => {
      const link = gate.record.email ? linkIn(gate.record.email.body) : null;
      if (!link) {
        note('gate', `no approval link in the email for ${gate.record.kind}`);
        return;
      }
      const page = await callPage(approvalHandler as Handler, 'GET', link);
      const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const form = new URLSearchParams({
        nonce,
        decision: rule.decide,
        approver: REHEARSAL_APPROVER,
        comment: `scenario ${scenario.name}`,
      }).toString();
      if (rule.attack === 'tamper') {
        const forged = forgeSignature(link);
        const res = await callPage(
          approvalHandler as Handler,
          'POST',
          forged,
          form,
        );
        gate.record.attempts.push({
          kind: 'tampered',
          status: res.status,
          title: res.title,
        });
        note('gate', `forged link posted: ${res.status} ${res.title}`);
      }
      const res = await callPage(
        approvalHandler as Handler,
        'POST',
        link,
        form,
      );
      if (res.status !== 200) {
        gate.record.attempts.push({
          kind: 'decision',
          status: res.status,
          title: res.title,
        });
        note('gate', `decision refused: ${res.status} ${res.title}`);
      }
      if (rule.attack === 'replay') {
        const again = await callPage(
          approvalHandler as Handler,
          'POST',
          link,
          form,
        );
        gate.record.attempts.push({
          kind: 'replayed',
          status: again.status,
          title: again.title,
        });
        note('gate', `same form posted again: ${again.status} ${again.title}`);
      }
    });
  };

  const onEvent = (event: WorkflowEvent) => {
    switch (event.type) {
      case 'ExecutionStarted':
        note('execution', `started ${event.execution}`, event.execution);
        break;
      case 'ExecutionSucceeded':
        note('execution', `${event.execution} SUCCEEDED`, event.execution);
        break;
      case 'ExecutionFailed':
        note(
          'execution',
          `${event.execution} FAILED: ${event.error ?? ''}`,
          event.execution,
        );
        break;
      case 'StateEntered':
        if (event.stateType === 'Wait') {
          note('wait', event.state, event.execution);
        }
        break;
      case 'GateOpened': {
        openByState.set(`${event.execution}|${event.state}`, event.token);
        note(
          'gate',
          `waiting for a decision: ${event.kind}${event.app ? ` ${event.app}` : ''}`,
          event.execution,
        );
        if (mode === 'interactive') {
          holds.set(event.token, clock.hold());
        } else {
          pending.push(approve(event.token));
        }
        break;
      }
      case 'GateClosed': {
        const key = `${event.execution}|${event.state}`;
        const token = openByState.get(key);
        openByState.delete(key);
        const closed = token ? gatesByToken.get(token) : undefined;
        if (token) {
          holds.get(token)?.();
          holds.delete(token);
        }
        if (event.outcome === 'timed-out' && closed) {
          closed.record.decision = 'timeout';
          closed.record.at = clock.now().toISOString();
          note('gate', 'gate timed out', event.execution);
        }
        break;
      }
      default:
        break;
    }
  };
  workflow = new LocalWorkflow({
    handlers,
    clock,
    onEvent,
    authorize: async ({ principal, call, checks }) => {
      const mine = aws.callsByPrincipal.get(principal) ?? new Map();
      mine.set(call, (mine.get(call) ?? 0) + 1);
      aws.callsByPrincipal.set(principal, mine);
      for (const check of checks) {
        const denial = await authorizer?.authorize(principal, check);
        if (denial !== undefined) return denial;
      }
      return undefined;
    },
    eventSink: async (entries) => {
      for (const e of entries) {
        aws.events.push({
          at: clock.now(),
          source: String(e.Source ?? ''),
          detailType: String(e.DetailType ?? ''),
          detail: JSON.parse(String(e.Detail ?? '{}')) as Record<
            string,
            unknown
          >,
        });
      }
    },
    ...(opts.maxHistoryEvents
      ? { maxHistoryEvents: opts.maxHistoryEvents }
      : {}),
  });

  const executionBase = `${plan.migrationId}-rehearsal`;
  const input: StartMigrationInput = {
    migrationId: plan.migrationId,
    planRef: {
      bucket: PLAN_BUCKET,
      key: `${plan.migrationId}/plan.json`,
      versionId,
    },
    executionBase,
    generation: 0,
  };

  let outcome: 'SUCCEEDED' | 'FAILED' = 'FAILED';
  let error: string | undefined;
  let cause: string | undefined;
  let limitsOk = true;
  try {
    const result = await workflow.start(input);
    outcome = result.status;
    ({ error, cause } = rootError(result.error, result.cause));
  } catch (err) {
    limitsOk = (err as Error).name !== 'WorkflowLimitError';
    outcome = 'FAILED';
    error = (err as Error).name;
    cause = (err as Error).message;
  }
  await Promise.allSettled(pending);

  // ---------------------------------------------------------------- cleanup
  let cleanup: RehearsalResult['cleanup'];
  if (outcome === 'FAILED') {
    cleanup = await runCleanup(clock, input, note, error, cause);
  }
  // Let deletions finish (DELETING lasts a minute).
  await clock.sleep(120);

  // ---------------------------------------------------------------- result
  aws.uninstall();
  // Read as the operator's `status` reads it, after the simulated account
  // is gone: no function's role makes this call, and it is not counted.
  // fromEntries: own keys whatever the names (`__proto__` included).
  const ledgerApps: Record<string, string> = Object.fromEntries(
    (await virtualLedger().listApps(plan.migrationId)).map((a) => [
      a.app,
      a.state,
    ]),
  );
  await server?.close();
  for (const release of holds.values()) release();

  // The summary says what the ledger says (status, cleanup and teardown
  // read it too); the checks below compare it with the decisions.
  // fromEntries defines own keys: application names are data, whatever
  // they are (`constructor`, `__proto__`).
  const apps: Record<string, AppOutcome> = Object.fromEntries(
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
  const executions = workflow.executions();
  const historyMax = Math.max(0, ...executions.map((e) => e.historyEvents));
  const payloadMax = Math.max(
    0,
    ...executions.map((e) => e.largestPayloadBytes),
  );
  const endMs = clock.now().getTime();
  const result: RehearsalResult = {
    outcome,
    ...(error ? { error } : {}),
    ...(cause ? { cause } : {}),
    scenario: scenario.name,
    description: scenario.description,
    migrationId: plan.migrationId,
    apps,
    ledgerApps,
    replicators: {
      created: model.allReplicators().map((r) => r.name),
      remaining: model
        .listReplicators()
        .filter((r) => model.stateOf(r) !== 'DELETING')
        .map((r) => r.name),
    },
    gates,
    accounting: {
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
    },
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
    wallMs: Math.round(performance.now() - wallStart),
    expected: scenario.expected,
    mismatches: [],
    timeline,
    emails: aws.emails.map((e) => ({
      at: e.at.toISOString(),
      subject: e.subject,
      body: e.body,
    })),
    notifications: notificationsOf(aws.emails, aws.events),
    charts: charts(model, startMs, endMs),
  };
  const hours = (ms: number) => ms / 3_600_000;
  const copiedBytes = model
    .allReplicators()
    .reduce(
      (s, r) => s + model.copiedRecords(r) * model.params.recordSizeBytes,
      0,
    );
  const usage: Usage = {
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
    stateTransitions: executions.reduce((s, e) => s + e.stateTransitions, 0),
    lambdaRequests: invoked.small + invoked.probe,
    // Lambda time is not simulated: the forecast's average duration.
    lambdaGbSeconds:
      (invoked.small * LAMBDA_MEMORY_GB + invoked.probe * PROBE_MEMORY_GB) *
      (DEFAULT_LAMBDA_DURATION_MS / 1000),
    metricsRequested: aws.metricsRequested,
    putMetricDataRequests: aws.calls.get('CloudWatch.PutMetricData') ?? 0,
  };
  const costUsd =
    Math.round(
      costOf(usage, DEFAULT_PRICES).reduce((s, l) => s + l.usd, 0) * 100,
    ) / 100;
  result.forecast = {
    forecast: predicted,
    actual: { ...usage, costUsd },
    comparison: compareUsage(
      { ...predicted.usage, costUsd: predicted.costUsd },
      { ...usage, costUsd },
    ),
  };
  result.mismatches = [
    ...check(result),
    ...stateConflicts(ledgerApps, decidedApps),
  ];
  return result;
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

async function runCleanup(
  clock: VirtualClockType,
  input: StartMigrationInput,
  note: (kind: TimelineEntry['kind'], text: string) => void,
  error: string | undefined,
  cause: string | undefined,
): Promise<RehearsalResult['cleanup']> {
  const mod = await loadHandler('cleanup').catch(() => undefined);
  if (!mod) {
    note('cleanup', 'cleanup: functions/cleanup/handler.ts is not available');
    return undefined;
  }
  const handler = mod.createHandler({ clock });
  const smArn = localStateMachineArn('migration');
  // What EventBridge delivers for a failed execution.
  const event = {
    version: '0',
    id: randomBytes(16).toString('hex'),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: ACCOUNT,
    time: clock.now().toISOString(),
    region: REGION,
    resources: [
      `${smArn.replace(':stateMachine:', ':execution:')}:${input.executionBase}`,
    ],
    detail: {
      executionArn: `${smArn.replace(':stateMachine:', ':execution:')}:${input.executionBase}`,
      stateMachineArn: smArn,
      name: input.executionBase,
      status: 'FAILED',
      startDate: clock.now().getTime(),
      stopDate: clock.now().getTime(),
      input: JSON.stringify(input),
      error: error ?? null,
      cause: cause ? cause.slice(0, 500) : null,
    },
  };
  try {
    const out = (await clock.run(() =>
      asPrincipal('cleanup', () =>
        handler(event as never, phaseContext('cleanup')),
      ),
    )) as {
      migrations?: { action: string; reason: string; deleted: string[] }[];
    };
    const m = out.migrations?.[0];
    if (m) note('cleanup', `cleanup: ${m.action}: ${m.reason}`);
    return m
      ? { action: m.action, reason: m.reason, deleted: m.deleted }
      : undefined;
  } catch (err) {
    note(
      'cleanup',
      `cleanup failed: ${(err as Error).name}: ${(err as Error).message}`,
    );
    return undefined;
  }
}

function phaseContext(phase: string): Context {
  const name = `msk-cutover-${phase}`;
  return lambdaContext(name, {
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
  });
}

/** The approval link in an email body. */
export function linkIn(body: string): string | null {
  return (
    /https?:\/\/\S+\/approvals\/[^\s?]+\?sig=[^\s)>"]+/.exec(body)?.[0] ?? null
  );
}

/** The same link with its signature's last character changed. */
function forgeSignature(link: string): string {
  // A character well inside the MAC: the last one carries two spare bits.
  const i = link.length - 10;
  const forged = link.charAt(i) === 'A' ? 'B' : 'A';
  return `${link.slice(0, i)}${forged}${link.slice(i + 1)}`;
}

/** One request to the approval API handler, as API Gateway would send it. */
async function callPage(
  handler: Handler,
  method: 'GET' | 'POST',
  link: string,
  form?: string,
): Promise<{ status: number; body: string; title: string }> {
  const url = new URL(link);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const approvalId = /^\/approvals\/([^/]+)$/.exec(url.pathname)?.[1];
  const headers: Record<string, string> = {
    host: url.host,
    'user-agent': 'msk-cutover-rehearsal',
    ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
  };
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: `${method} /approvals/{approvalId}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: query,
    ...(approvalId
      ? { pathParameters: { approvalId: decodeURIComponent(approvalId) } }
      : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'rehearsal',
      domainName: url.host,
      domainPrefix: 'rehearsal',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'msk-cutover-rehearsal',
      },
      requestId: randomBytes(8).toString('hex'),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(form ? { body: form } : {}),
    isBase64Encoded: false,
  };
  const out = (await handler(event as never, phaseContext('approval-api'))) as {
    statusCode?: number;
    body?: string;
  };
  const body = out.body ?? '';
  const title =
    /<title>([^<]*)<\/title>/.exec(body)?.[1] ??
    /<h1[^>]*>([^<]*)<\/h1>/.exec(body)?.[1] ??
    '';
  return { status: out.statusCode ?? 200, body, title };
}

/** A one-line summary of a phase's result for the timeline. */
function summarize(phase: string, event: unknown, out: unknown): string | null {
  const o = (out ?? {}) as Record<string, unknown>;
  const e = (event ?? {}) as Record<string, unknown>;
  const app = typeof e.app === 'string' ? ` ${e.app}` : '';
  const first = (x: unknown) =>
    Array.isArray(x) && x.length ? `: ${String(x[0])}` : '';
  switch (phase) {
    case 'validate-plan':
      return `plan valid: ${(o.apps as unknown[] | undefined)?.length ?? 0} applications, ${(o.replicatorNames as unknown[] | undefined)?.length ?? 0} replicators`;
    case 'preflight':
      return `preflight: ${o.passed} passed, ${o.failed} failed, ${o.warnings} warnings`;
    case 'probe-source':
      return `source probed: ${o.passed} passed, ${o.failed} failed, ${o.topicCount} topics`;
    case 'create-replicators':
      return `replicators: ${o.created} created, ${o.adopted} adopted`;
    case 'describe-replicators':
      return o.allRunning
        ? 'replicators RUNNING'
        : `replicators: ${Object.values((o.states ?? {}) as Record<string, string>).join(', ')}`;
    case 'poll-readiness':
      return o.ready
        ? `readiness${app}: ready`
        : `readiness${app}: not ready${first(o.reasons)}`;
    case 'verify-cutover':
      return o.verified
        ? `verified${app}: ${e.direction} (${o.location})`
        : `verifying${app} ${e.direction}: ${o.location}${first(o.reasons)}`;
    case 'teardown':
      return `teardown: deleted ${((o.deleted ?? []) as string[]).join(', ') || 'nothing'}`;
    case 'record-failure':
      return `failure recorded: ${(e.error as { Error?: string } | undefined)?.Error ?? ''}`;
    default:
      return null;
  }
}

/** What the simulated clusters show now, for a gate's evidence. */
function evidenceOf(model: ClusterModel, app?: string): GateRecord['evidence'] {
  const now = model.currentTime();
  const replicators = model
    .listReplicators()
    .filter((r) => model.stateOf(r) === 'RUNNING')
    .map((r) => {
      const lag = model.replicatorMetric(r, 'MessageLag', {}, now);
      const latency = model.replicatorMetric(r, 'ReplicationLatency', {}, now);
      return {
        name: r.name,
        ...(lag !== undefined ? { messageLag: lag } : {}),
        ...(latency !== undefined ? { latencyMs: latency } : {}),
      };
    });
  const groups = (
    app ? model.groupsOf(app) : model.groupNames().slice(0, 20)
  ).map((group) => ({
    group,
    source: model.group(group, 'source').sumOffsetLag,
    target: model.group(group, 'target').sumOffsetLag,
  }));
  return { replicators, groups };
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

export type { Plan };
