/**
 * The rehearsal: the real workflow (both ASL files in the local runner,
 * every Task served by the real handler) against simulated AWS, a local
 * DynamoDB ledger, simulated clusters and a virtual clock, with a person's
 * decisions scripted by the scenario (or taken from a browser in
 * interactive mode). Returns everything the terminal, the JSON document and
 * the HTML report show.
 *
 * The parts: the stand-in account (account.ts), gate tracking (gates.ts),
 * the operator that opens the approval pages and posts the forms
 * (operator.ts), handler instrumentation (handlers.ts), cleanup after a
 * failure (cleanup.ts) and the result (result.ts); this module wires them
 * and runs the workflow.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import type { StartMigrationInput } from '../../functions/shared/contracts.ts';
import {
  type Forecast,
  forecast as forecastOf,
} from '../../functions/shared/domain/forecast.ts';
import {
  type Plan,
  RehearsalSchema,
} from '../../functions/shared/domain/plan.ts';
import type { PlanIssue } from '../../functions/shared/domain/validate.ts';
import { validatePlan } from '../../functions/shared/domain/validate.ts';
import {
  ACCOUNT,
  AUTO_APPROVAL_BASE_URL,
  PLAN_BUCKET,
  SERVICE_ROLE_ARN,
  SIGNING_SECRET_ARN,
  setEnvironment,
  TOKEN_KEY_ARN,
  TOPIC_ARN,
} from './account.ts';
import { runCleanup } from './cleanup.ts';
import { GateTracker } from './gates.ts';
import {
  type Handler,
  type Invocations,
  loadHandler,
  type PhaseInvocation,
  wireHandlers,
} from './handlers.ts';
import type { IamAuthorizer } from './iam.ts';
import type { ResolvedPolicies } from './iam-policies.ts';
import { localLedgerTable, testCertificate } from './local-aws.ts';
import {
  LOCAL_ACCOUNT,
  LOCAL_EVENT_BUS,
  LOCAL_REGION,
  LocalWorkflow,
  type WorkflowEvent,
  type WorkflowPhase,
} from './local-sfn.ts';
import { Operator } from './operator.ts';
import { asPrincipal } from './principal.ts';
import {
  assembleResult,
  type RehearsalResult,
  type RunEnd,
  rootError,
} from './result.ts';
import { DecisionScript, mergePlan, type Scenario } from './scenario.ts';
import { type SentEmail, SimulatedAws } from './sim-aws.ts';
import { SimulatedKafka } from './sim-kafka.ts';
import { ClusterModel } from './simulator.ts';
import { Timeline, type TimelineEntry } from './timeline.ts';
import { VirtualClock } from './virtual-clock.ts';

export type { GateRecord } from './gates.ts';
export type { PhaseInvocation } from './handlers.ts';
export { linkIn, REHEARSAL_APPROVER } from './operator.ts';
export {
  type AppOutcome,
  check,
  type ForecastCheck,
  isoDuration,
  type Notification,
  notificationsOf,
  outcomeOfState,
  type RehearsalResult,
  rootError,
  type Series,
  stateConflicts,
  toldSide,
} from './result.ts';
export type { TimelineEntry } from './timeline.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The plan did not validate: nothing ran. */
export class InvalidPlanError extends Error {
  constructor(readonly issues: PlanIssue[]) {
    super(`the plan is invalid (${issues.length} problem(s))`);
    this.name = 'InvalidPlanError';
  }
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

/** The workflow, once it exists (the simulated account calls into it). */
interface WorkflowRef {
  current?: LocalWorkflow;
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
  const timeline = new Timeline(clock, wallStart, opts.onTimeline);
  const model = clusterModel(plan, scenario, clock);
  const predicted = forecastWith(plan, model);
  const invoked: Invocations = { small: 0, probe: 0 };

  const { endpoint, tableName } = await localLedgerTable();
  const gates = new GateTracker(
    clock,
    model,
    timeline,
    new Map(
      (plan.cutoverWaves ?? []).map((w) => [w.name, w.applications] as const),
    ),
    new Set(scenario.faults.neverMoved ?? []),
  );
  const workflowRef: WorkflowRef = {};
  const authorizer =
    opts.iam === false
      ? undefined
      : await iamAuthorizer(plan, tableName, workflowRef, opts);
  const aws = simulatedAws(plan, scenario, {
    model,
    clock,
    authorizer,
    gates,
    timeline,
    workflowRef,
    onEmail: opts.onEmail,
  });
  aws.install();
  const versionId = aws.putObject(
    PLAN_BUCKET,
    `${plan.migrationId}/plan.json`,
    JSON.stringify(merged, null, 2),
  );

  const { page, server } = await approvalApi(mode, clock, invoked);
  setEnvironment(
    tableName,
    endpoint,
    server?.baseUrl ?? AUTO_APPROVAL_BASE_URL,
  );
  const kafka = new SimulatedKafka(
    model,
    plan,
    aws.targetBootstrap().split(','),
    scenario.faults.noSourceAcls ? { noAcls: true } : {},
  );
  const handlers = await wireHandlers(kafka, opts.replaceHandlers, {
    clock,
    aws,
    timeline,
    gates,
    invoked,
    observe: opts.observe,
  });
  const operator = new Operator({
    mode,
    clock,
    gates,
    timeline,
    script: new DecisionScript(scenario.decisions),
    scenarioName: scenario.name,
    page,
  });
  const workflow = localWorkflow(handlers, {
    clock,
    aws,
    authorizer,
    timeline,
    gates,
    operator,
    maxHistoryEvents: opts.maxHistoryEvents,
  });
  workflowRef.current = workflow;

  const input: StartMigrationInput = {
    migrationId: plan.migrationId,
    planRef: {
      bucket: PLAN_BUCKET,
      key: `${plan.migrationId}/plan.json`,
      versionId,
    },
    executionBase: `${plan.migrationId}-rehearsal`,
    generation: 0,
  };
  const end = await runWorkflow(workflow, input);
  await operator.settled();

  let cleanup: RehearsalResult['cleanup'];
  if (end.outcome === 'FAILED') {
    cleanup = await runCleanup(
      clock,
      input,
      (kind, text) => timeline.note(kind, text),
      end.error,
      end.cause,
    );
  }
  // Let deletions finish (DELETING lasts a minute).
  await clock.sleep(120);

  aws.uninstall();
  const ledgerApps = await ledgerAppsAtEnd(tableName, clock, plan.migrationId);
  await server?.close();
  operator.releaseAll();

  return assembleResult({
    scenario,
    migrationId: plan.migrationId,
    model,
    aws,
    authorizer,
    executions: workflow.executions(),
    gates: gates.records,
    decidedApps: gates.decidedApps,
    timeline: timeline.entries,
    invoked,
    predicted,
    end,
    cleanup,
    ledgerApps,
    startMs,
    endMs: clock.now().getTime(),
    wallStart,
  });
}

/** The simulated clusters, with the scenario's parameters and faults. */
function clusterModel(
  plan: Plan,
  scenario: Scenario,
  clock: VirtualClock,
): ClusterModel {
  const f = scenario.faults;
  return new ClusterModel(plan, () => clock.now(), scenario.parameters, {
    ...(f.replicatorFailed ? { replicatorFailed: f.replicatorFailed } : {}),
    ...(f.stuckCreating ? { stuckCreating: true } : {}),
    ...(f.metricsMissing ? { metricsMissing: f.metricsMissing } : {}),
    ...(f.authError ? { authError: f.authError } : {}),
    ...(f.throttleTime ? { throttleTime: f.throttleTime } : {}),
  });
}

/**
 * The forecast of the plan. It sees the simulator's parameters as the
 * plan's rehearsal block (the scenario's parameters included).
 */
function forecastWith(plan: Plan, model: ClusterModel): Forecast {
  const rehearsalKeys = Object.keys(RehearsalSchema.shape);
  return forecastOf({
    ...plan,
    rehearsal: RehearsalSchema.parse(
      Object.fromEntries(
        Object.entries(model.params).filter(
          ([k, v]) => rehearsalKeys.includes(k) && v !== undefined,
        ),
      ),
    ),
  });
}

/** The authorizer of every AWS call, from the synthesized stack's policies. */
async function iamAuthorizer(
  plan: Plan,
  tableName: string,
  workflowRef: WorkflowRef,
  opts: RehearsalOptions,
): Promise<IamAuthorizer> {
  const { IamAuthorizer } = await import('./iam.ts');
  const authorizer = await IamAuthorizer.create({
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
    stateMachineOfToken: (token) =>
      workflowRef.current?.stateMachineOfToken(token),
    ...(opts.editPolicies ? { editPolicies: opts.editPolicies } : {}),
  });
  opts.onAuthorizer?.(authorizer);
  return authorizer;
}

/** The secrets the plan names, generated for this run. */
function generatedSecrets(plan: Plan): Record<string, string> {
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
  return secrets;
}

/** The simulated account, telling the gates and the workflow its decisions. */
function simulatedAws(
  plan: Plan,
  scenario: Scenario,
  run: {
    model: ClusterModel;
    clock: VirtualClock;
    authorizer: IamAuthorizer | undefined;
    gates: GateTracker;
    timeline: Timeline;
    workflowRef: WorkflowRef;
    onEmail: ((email: SentEmail) => void) | undefined;
  },
): SimulatedAws {
  const { model, clock, authorizer, gates, timeline, workflowRef } = run;
  const f = scenario.faults;
  const logDelivery = plan.replication.logDelivery;
  return new SimulatedAws({
    ...(authorizer ? { iam: authorizer } : {}),
    model,
    now: () => clock.now(),
    secrets: generatedSecrets(plan),
    // The readiness window plus a margin is as far back as a phase reads.
    metricRetentionMinutes: plan.readiness.sustainedMinutes + 180,
    // The plan's log-delivery destinations exist, unless the scenario
    // says they do not.
    logDestinations: f.missingLogDestinations
      ? {}
      : {
          logGroups: [logDelivery?.cloudWatchLogGroup ?? ''],
          buckets: [logDelivery?.s3?.bucket ?? ''],
          deliveryStreams: [logDelivery?.firehoseDeliveryStream ?? ''],
        },
    faults: {
      ...(f.throttling ? { throttling: f.throttling } : {}),
      ...(f.interruptAfterCreate !== undefined
        ? { interruptAfterCreate: f.interruptAfterCreate }
        : {}),
    },
    onTaskSuccess: (token, output) => {
      const workflow = workflowRef.current;
      if (!workflow) throw new Error('rehearsal: no workflow is running');
      const open = workflow.openGates().some((g) => g.token === token);
      gates.decided(token, output, open);
      // Throws TaskTimedOut / InvalidToken exactly as Step Functions does.
      workflow.decide(token, output);
    },
    onTaskFailure: (token, error, cause) => {
      workflowRef.current?.fail(token, error, cause);
    },
    onEmail: (email) => {
      timeline.note('email', `email: ${email.subject}`);
      run.onEmail?.(email);
    },
  });
}

/**
 * The approval-api function the pages are requested from (its calls are
 * made by its own role), and in interactive mode the local server that
 * serves them to a browser.
 */
async function approvalApi(
  mode: 'auto' | 'interactive',
  clock: VirtualClock,
  invoked: Invocations,
): Promise<{
  page: Handler;
  server: { baseUrl: string; close(): Promise<void> } | undefined;
}> {
  const approvalModule = await loadHandler('approval-api');
  if (!approvalModule) {
    throw new Error('rehearsal: functions/approval-api/handler.ts is missing');
  }
  const approvalApi = approvalModule.createHandler({ clock });
  const page: Handler = (event: never, context: Context) => {
    invoked.small += 1;
    return asPrincipal('approval-api', () => approvalApi(event, context));
  };
  if (mode !== 'interactive') return { page, server: undefined };
  const { serveApprovalApi } = await import(
    '../../functions/approval-api/local-server.ts'
  );
  return { page, server: await serveApprovalApi(page as never) };
}

/** Runs the parent execution to its end. */
async function runWorkflow(
  workflow: LocalWorkflow,
  input: StartMigrationInput,
): Promise<RunEnd> {
  try {
    const result = await workflow.start(input);
    return {
      outcome: result.status,
      ...rootError(result.error, result.cause),
      limitsOk: true,
    };
  } catch (err) {
    return {
      outcome: 'FAILED',
      error: (err as Error).name,
      cause: (err as Error).message,
      limitsOk: (err as Error).name !== 'WorkflowLimitError',
    };
  }
}

/**
 * Each application's state in the ledger, read as the operator's `status`
 * reads it, after the simulated account is gone: no function's role makes
 * this call, and it is not counted.
 */
async function ledgerAppsAtEnd(
  tableName: string,
  clock: VirtualClock,
  migrationId: string,
): Promise<Record<string, string>> {
  const { DynamoLedger } = await import('../../functions/shared/aws/ledger.ts');
  const { dynamodbClient } = await import('../../functions/shared/clients.ts');
  const ledger = new DynamoLedger(dynamodbClient(), tableName, clock);
  // fromEntries: own keys whatever the names (`__proto__` included).
  return Object.fromEntries(
    (await ledger.listApps(migrationId)).map((a) => [a.app, a.state]),
  );
}

/**
 * The local runner over the handlers: its integrations counted by
 * principal and authorized, its EventBridge events kept by the simulated
 * account, its events told to the timeline, the gates and the operator.
 */
function localWorkflow(
  handlers: Partial<Record<WorkflowPhase, Handler>>,
  run: {
    clock: VirtualClock;
    aws: SimulatedAws;
    authorizer: IamAuthorizer | undefined;
    timeline: Timeline;
    gates: GateTracker;
    operator: Operator;
    maxHistoryEvents: number | undefined;
  },
): LocalWorkflow {
  const { clock, aws, authorizer, timeline, gates, operator } = run;
  return new LocalWorkflow({
    handlers,
    clock,
    onEvent: (event) => onWorkflowEvent(event, timeline, gates, operator),
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
    ...(run.maxHistoryEvents ? { maxHistoryEvents: run.maxHistoryEvents } : {}),
  });
}

/** The workflow's events, on the timeline, the gates and the operator. */
function onWorkflowEvent(
  event: WorkflowEvent,
  timeline: Timeline,
  gates: GateTracker,
  operator: Operator,
): void {
  const note = (kind: TimelineEntry['kind'], text: string) =>
    timeline.note(kind, text, event.execution);
  switch (event.type) {
    case 'ExecutionStarted':
      note('execution', `started ${event.execution}`);
      break;
    case 'ExecutionSucceeded':
      note('execution', `${event.execution} SUCCEEDED`);
      break;
    case 'ExecutionFailed':
      note('execution', `${event.execution} FAILED: ${event.error ?? ''}`);
      break;
    case 'StateEntered':
      if (event.stateType === 'Wait') note('wait', event.state);
      break;
    case 'GateOpened':
      gates.opened(event.execution, event.state, event.token);
      note(
        'gate',
        `waiting for a decision: ${event.kind}${event.app ? ` ${event.app}` : ''}`,
      );
      operator.gateOpened(event.token);
      break;
    case 'GateClosed': {
      const token = gates.closed(event.execution, event.state);
      operator.gateClosed(token);
      if (event.outcome === 'timed-out') gates.timedOut(token, event.execution);
      break;
    }
    default:
      break;
  }
}

export type { Plan };
