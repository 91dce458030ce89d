/**
 * The local workflow runner: both ASL files, unchanged, interpreted by
 * aws-local-stepfunctions 3, with every Task served locally and a virtual
 * clock, so the real phase handlers run through the real workflow in
 * accelerated time (the rehearsal and the scenario tests build on it).
 *
 * How each AWS integration is served:
 * - `lambda:invoke`: the handler registered for the function's phase,
 *   called with the Payload and a Lambda-shaped context; the result comes
 *   back as `{Payload}` so `ResultSelector {"result.$": "$.Payload"}` works.
 *   A thrown error surfaces as on AWS: its name is the state's error, the
 *   cause is `{"errorType","errorMessage","trace"}` as JSON.
 * - `lambda:invoke.waitForTaskToken`: a fresh random token per gate (the
 *   interpreter's `$$.Task.Token` is one static value per execution), the
 *   request-approval handler is invoked with it, then the state waits for
 *   `decide` / `fail` or its TimeoutSeconds on the virtual clock
 *   (`States.Timeout`).
 * - `states:startExecution.sync:2`: a new local execution of the child (or
 *   of the same machine, for a continuation); returns `{Output, Status, ...}`
 *   like AWS, and a failed execution fails the Task with `States.TaskFailed`.
 *   Like StartExecution on AWS, a start with the name and input of a
 *   RUNNING execution joins it; any other reuse of a name fails with
 *   `StepFunctions.ExecutionAlreadyExists`.
 * - `aws-sdk:sfn:describeExecution`: the local execution of that ARN.
 * - `events:putEvents`: the injected sink (an error it throws fails the Task).
 *
 * Wait states: the interpreter offers `waitTimeOverrides` (a fixed number of
 * real milliseconds per state name) and `eventLogs` (an asynchronous report
 * that does not hold the execution back), and sleeps with `setTimeout` in
 * between. Neither can make an execution wait for *virtual* time while other
 * executions run, so each Wait state of the local copy of the definition is
 * rewritten (`localize`, local-definition.ts) into a Task whose override
 * sleeps on the VirtualClock of virtual-clock.ts: Parameters evaluate
 * `Seconds`/`SecondsPath`, ResultPath null passes the input through, as a
 * Wait does. The accounting still counts it as a Wait.
 *
 * The interpreter also races every Task against a real-time timeout
 * (TimeoutSeconds, or 60 s by default), which would end a long child
 * execution or a gate in real time; the local copy therefore sets a long
 * real-time timeout on every Task, and gate timeouts run on the virtual
 * clock instead. Retry intervals take virtual time: the interpreter's own
 * retry delay is overridden to 0 and the override waits the retrier's
 * interval on the virtual clock before reporting the error.
 *
 * When an execution ends, the executions it started and that still run are
 * stopped (Step Functions stops a `.sync` child on a best-effort basis when
 * its Task is abandoned, e.g. when a Map fails).
 *
 * Interpreter quirk the ASL files work around: aws-local-stepfunctions 3.0
 * evaluates `{"IsPresent": false}` as never matching, so the files write
 * the equivalent `{"Not": {"IsPresent": true}}`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidOutput, InvalidToken, TaskTimedOut } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { StartMigrationInput } from '../../functions/shared/contracts.ts';
import { lambdaContext } from '../../functions/shared/lambda-context.ts';
import {
  functionArnPlaceholder,
  type MachineName,
  PHASES,
  type PhaseOf,
  phaseSpec,
} from '../../functions/shared/phases.ts';
import {
  CHILD_SUBSTITUTIONS,
  PARENT_SUBSTITUTIONS,
} from '../../functions/shared/substitutions.ts';
import {
  DESCRIBE_EXECUTION,
  LAMBDA_CALLBACK,
  LAMBDA_INVOKE,
  type Localized,
  localize,
  PUT_EVENTS,
  retryDelay,
  START_SYNC,
  TIMEOUT_KEY,
} from './local-definition.ts';
import { asPrincipal } from './principal.ts';
import type { VirtualClock } from './virtual-clock.ts';

export { VirtualClock, type VirtualTimer } from './virtual-clock.ts';

// ------------------------------------------------------------ local names

/** Phases served by Lambda Tasks, keyed as the `functions/` folders. */
export const WORKFLOW_PHASES = PHASES.filter(
  (p) => phaseSpec(p).invokedBy.length > 0,
) as readonly WorkflowPhase[];
export type WorkflowPhase = PhaseOf<MachineName>;

const FUNCTION_SUBSTITUTIONS: Record<string, WorkflowPhase> =
  Object.fromEntries(
    WORKFLOW_PHASES.map((p) => [functionArnPlaceholder(p), p]),
  );

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_EVENT_BUS = 'msk-cutover-local';

/** The two state machines, named like their ASL files. */
export type { MachineName };

/** The fake ARN that stands for a phase's function in the local definitions. */
export function localFunctionArn(phase: WorkflowPhase): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:msk-cutover-${phase}`;
}

/** The fake ARN of a state machine (`$$.StateMachine.Id` locally). */
export function localStateMachineArn(machine: MachineName): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:msk-cutover-${machine}`;
}

/** The values the stack substitutes, with local fake ARNs. */
export function localSubstitutions(): Record<string, string> {
  const values: Record<string, string> = {
    AppCutoverStateMachineArn: localStateMachineArn('app-cutover'),
    EventBusName: LOCAL_EVENT_BUS,
  };
  for (const [key, phase] of Object.entries(FUNCTION_SUBSTITUTIONS)) {
    values[key] = localFunctionArn(phase);
  }
  return values;
}

const ASL_FILES: Record<MachineName, string> = {
  migration: '../../statemachines/migration.asl.json',
  'app-cutover': '../../statemachines/app-cutover.asl.json',
};

/**
 * Reads an ASL file and fills its `${Name}` placeholders, exactly as the
 * stack's `definitionSubstitutions` do. An unknown placeholder is an error.
 */
export function loadDefinition(
  machine: MachineName,
  substitutions: Record<string, string> = localSubstitutions(),
): StateMachineDefinition {
  const path = fileURLToPath(new URL(ASL_FILES[machine], import.meta.url));
  const allowed: readonly string[] =
    machine === 'migration' ? PARENT_SUBSTITUTIONS : CHILD_SUBSTITUTIONS;
  const text = readFileSync(path, 'utf8').replaceAll(
    /\$\{([A-Za-z0-9]+)\}/g,
    (_, key: string) => {
      const value = substitutions[key];
      if (!allowed.includes(key) || value === undefined) {
        throw new Error(`${machine}.asl.json: unknown substitution \${${key}}`);
      }
      return value;
    },
  );
  return JSON.parse(text) as StateMachineDefinition;
}

// ------------------------------------------------------------ public types

/** A Lambda handler as deployed: `(event, context) => result`. */
export type LambdaHandler = (
  event: never,
  context: Context,
) => Promise<unknown>;

export type WorkflowEvent =
  | {
      type:
        | 'ExecutionStarted'
        | 'ExecutionSucceeded'
        | 'ExecutionFailed'
        | 'ExecutionAborted';
      at: Date;
      execution: string;
      machine: MachineName;
      error?: string;
      cause?: string;
    }
  | {
      type: 'StateEntered' | 'StateExited' | 'StateRetried' | 'StateCaught';
      at: Date;
      execution: string;
      machine: MachineName;
      state: string;
      stateType: string;
    }
  | {
      /**
       * A gate waits for a decision. `token` is the task token: hand it only
       * to the simulated SendTaskSuccess/Failure, never print it.
       */
      type: 'GateOpened';
      at: Date;
      execution: string;
      machine: MachineName;
      state: string;
      token: string;
      kind: string;
      app?: string;
      timeoutAt?: Date;
    }
  | {
      type: 'GateClosed';
      at: Date;
      execution: string;
      machine: MachineName;
      state: string;
      outcome: 'decided' | 'failed' | 'timed-out' | 'invoke-failed';
    }
  | {
      type: 'EventPublished';
      at: Date;
      execution: string;
      machine: MachineName;
      entries: Record<string, unknown>[];
    };

export interface LocalWorkflowOptions {
  /** The handler of each phase (e.g. `createHandler({ clock, ... })`). */
  handlers: Partial<Record<WorkflowPhase, LambdaHandler>>;
  clock: VirtualClock;
  /** Live timeline (state changes, gates, published events). */
  onEvent?: (event: WorkflowEvent) => void;
  /** Receives the Entries of every `events:putEvents` Task. */
  eventSink?: (entries: Record<string, unknown>[]) => Promise<void> | void;
  /** @default 25,000 (the Step Functions Standard history quota) */
  maxHistoryEvents?: number;
  /** @default 262,144 bytes (the Step Functions payload quota) */
  maxPayloadBytes?: number;
  /**
   * Execution name → a lost StartExecution response: the first start of
   * that name reaches Step Functions, then the Task fails with
   * `StepFunctions.SdkClientException`, either at once (`running`: the
   * execution goes on) or once the execution has closed (`closed`).
   */
  lostStartResponses?: Record<string, 'running' | 'closed'>;
  /**
   * Authorizes what a state machine's role does for an integration
   * (`call` is the `Service.Operation` it stands for, counted once; each
   * check is one IAM action on one resource). Resolves with AWS's denial
   * message, or undefined when allowed. @default everything allowed
   */
  authorize?: (request: IntegrationRequest) => Promise<string | undefined>;
}

/** What a state machine's role asks IAM for one integration call. */
export interface IntegrationRequest {
  principal: MachineName;
  call: string;
  checks: { action: string; resource: string }[];
}

export interface ExecutionResult {
  name: string;
  arn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
}

/** What one execution would cost and weigh on AWS. */
export interface ExecutionAccount {
  name: string;
  machine: MachineName;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** Started by this execution (`AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`). */
  parent?: string;
  startedAt: Date;
  stoppedAt?: Date;
  /** AWS history events, as the history would record them. */
  historyEvents: number;
  /** The same, per state type (`Execution` for start and end). */
  historyByStateType: Record<string, number>;
  /** Billed state transitions (state entries and retries). */
  stateTransitions: number;
  largestPayloadBytes: number;
  /** Where the largest payload was seen. */
  largestPayloadAt?: string;
}

export interface OpenGate {
  token: string;
  execution: string;
  state: string;
  kind: string;
  app?: string;
  openedAt: Date;
  timeoutAt?: Date;
}

/** An execution broke a Step Functions quota (history events or payload). */
export class WorkflowLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowLimitError';
  }
}

// ------------------------------------------------------------ internals

type Json = unknown;
/** The interpreter's event log entries, read loosely. */
type LogEvent = Record<string, unknown> & { type: string };

/** An error that surfaces in the state machine under its own name. */
class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Resource of a rewritten Wait state (a valid ARN for the validator). */
const LOCAL_WAIT = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:local-virtual-wait`;
function byteLength(value: Json): number {
  return value === undefined
    ? 0
    : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function errorText(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

interface Gate extends OpenGate {
  resolve: (output: Json) => void;
  reject: (err: Error) => void;
}

interface Running {
  account: ExecutionAccount;
  arn: string;
  abort?: () => void;
  /** Settles when the execution has ended and been accounted. */
  done?: Promise<unknown>;
  /**
   * Aborted with the execution: ends its pending waits and gates, which the
   * interpreter's own abort leaves pending.
   */
  stop: AbortController;
  limitError?: string;
  caught: Set<string>;
  /** The input it was started with, as JSON (StartExecution idempotency). */
  input: string;
  /** Set once it has ended. */
  result?: ExecutionResult;
}

// ------------------------------------------------------------ the runner

/**
 * Runs the migration workflow locally: `new LocalWorkflow({ handlers, clock
 * }).start(input)` resolves with the parent execution's result once it and
 * every execution it started have ended. Gates wait for {@link decide} or
 * {@link fail} (what SendTaskSuccess/SendTaskFailure do on AWS), or time
 * out on the virtual clock.
 */
export class LocalWorkflow {
  readonly #options: LocalWorkflowOptions;
  readonly #clock: VirtualClock;
  readonly #machines: Record<MachineName, Localized>;
  readonly #arns: Map<string, MachineName>;
  readonly #functions = new Map<string, WorkflowPhase>();
  readonly #gates = new Map<string, Gate>();
  readonly #closedTokens = new Set<string>();
  /** Every task token issued → the ARN of its state machine. */
  readonly #tokenMachines = new Map<string, string>();
  readonly #executions = new Map<string, Running>();
  readonly #violations: string[] = [];

  constructor(options: LocalWorkflowOptions) {
    this.#options = options;
    this.#clock = options.clock;
    const substitutions = localSubstitutions();
    this.#machines = {
      migration: localize(
        loadDefinition('migration', substitutions),
        LOCAL_WAIT,
      ),
      'app-cutover': localize(
        loadDefinition('app-cutover', substitutions),
        LOCAL_WAIT,
      ),
    };
    this.#arns = new Map([
      [localStateMachineArn('migration'), 'migration'],
      [localStateMachineArn('app-cutover'), 'app-cutover'],
    ]);
    for (const phase of WORKFLOW_PHASES) {
      this.#functions.set(localFunctionArn(phase), phase);
    }
  }

  /**
   * Starts the parent execution (name: `input.executionBase`, as
   * `msk-cutover start` does) and resolves with its result. Rejects with
   * {@link WorkflowLimitError} if any execution broke a quota.
   */
  async start(
    input: StartMigrationInput,
  ): Promise<ExecutionResult & { status: 'SUCCEEDED' | 'FAILED' }> {
    const result = await this.#execute(
      'migration',
      input.executionBase,
      input as unknown as Json,
    );
    if (this.#violations.length > 0) {
      throw new WorkflowLimitError(this.#violations.join('; '));
    }
    // Only executions started by another one are ever stopped.
    return {
      ...result,
      status: result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    };
  }

  /**
   * SendTaskSuccess: the gate's Task succeeds with `output`. Throws like
   * the API: TaskTimedOut for a token already used or timed out,
   * InvalidToken for an unknown one, InvalidOutput over 256 KiB.
   */
  decide(token: string, output: object | string): void {
    const text = typeof output === 'string' ? output : JSON.stringify(output);
    if (Buffer.byteLength(text, 'utf8') > 262_144) {
      throw new InvalidOutput({
        $metadata: {},
        message: 'Output exceeds 262144 bytes',
      });
    }
    this.#closeGate(token).resolve(JSON.parse(text));
  }

  /** SendTaskFailure: the gate's Task fails with `error` and `cause`. */
  fail(token: string, error: string, cause = ''): void {
    this.#closeGate(token).reject(new NamedError(error, cause));
  }

  /** The ARN of the state machine whose Task a token belongs to. */
  stateMachineOfToken(token: string): string | undefined {
    return this.#tokenMachines.get(token);
  }

  openGates(): OpenGate[] {
    return [...this.#gates.values()].map(
      ({ resolve: _r, reject: _j, ...gate }) => gate,
    );
  }

  /** Accounting of every execution so far, in start order. */
  executions(): ExecutionAccount[] {
    return [...this.#executions.values()].map((r) => ({
      ...r.account,
      historyByStateType: { ...r.account.historyByStateType },
    }));
  }

  /** The open gate of `token`, closed at once: a token is single use. */
  #closeGate(token: string): Gate {
    const gate = this.#gates.get(token);
    if (gate) {
      this.#gates.delete(token);
      this.#closedTokens.add(token);
      return gate;
    }
    const $metadata = {};
    if (this.#closedTokens.has(token)) {
      throw new TaskTimedOut({
        $metadata,
        message:
          'Task Timed Out: the task token has either expired or the task associated with the token has already been closed',
      });
    }
    throw new InvalidToken({ $metadata, message: 'Invalid Token' });
  }

  #emit(event: WorkflowEvent): void {
    this.#options.onEvent?.(event);
  }

  async #execute(
    machine: MachineName,
    name: string,
    input: Json,
    parent?: string,
  ): Promise<ExecutionResult> {
    // StartExecution's name rule: 1-80 characters, no whitespace, brackets,
    // wildcards, punctuation or control characters.
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
      throw new NamedError(
        'StepFunctions.InvalidNameException',
        `Invalid Name: '${name}' (1-80 letters, digits, '-' or '_')`,
      );
    }
    const existing = this.#executions.get(name);
    if (existing) {
      // StartExecution "is idempotent for STANDARD workflows": the name and
      // input of a RUNNING execution return it; a closed one, or another
      // input, is ExecutionAlreadyExists (StartExecution, SFN API model).
      if (
        existing.account.status === 'RUNNING' &&
        existing.input === JSON.stringify(input) &&
        existing.done
      ) {
        await existing.done;
        if (existing.result) return existing.result;
      }
      throw new NamedError(
        'StepFunctions.ExecutionAlreadyExists',
        `Execution Already Exists: '${name}'`,
      );
    }
    const smArn = localStateMachineArn(machine);
    const arn = `${smArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const running: Running = {
      arn,
      caught: new Set(),
      input: JSON.stringify(input),
      stop: new AbortController(),
      account: {
        name,
        machine,
        status: 'RUNNING',
        ...(parent ? { parent } : {}),
        startedAt: this.#clock.now(),
        historyEvents: 0,
        historyByStateType: {},
        stateTransitions: 0,
        largestPayloadBytes: 0,
      },
    };
    this.#executions.set(name, running);
    const finished = Promise.withResolvers<void>();
    running.done = finished.promise;
    try {
      running.result = await this.#run(running, machine, input);
      return running.result;
    } finally {
      finished.resolve();
    }
  }

  async #run(
    running: Running,
    machine: MachineName,
    input: Json,
  ): Promise<ExecutionResult> {
    const { name } = running.account;
    const { arn } = running;
    const smArn = localStateMachineArn(machine);
    this.#emit({
      type: 'ExecutionStarted',
      at: this.#clock.now(),
      execution: name,
      machine,
    });
    const local = this.#machines[machine];
    const sm = new StateMachine(local.definition, {
      validationOptions: { noValidate: true },
    });
    const options: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: this.#overrides(
          local,
          running,
        ) as unknown as NonNullable<
          RunOptions['overrides']
        >['taskResourceLocalHandlers'],
        retryIntervalOverrides: Object.fromEntries(
          [...local.tasks.keys()].map((state) => [state, 0]),
        ),
      },
      context: {
        Execution: { Id: arn, Name: name },
        StateMachine: { Id: smArn, Name: `msk-cutover-${machine}` },
        // Replaced per gate: the interpreter has one static token per run.
        Task: { Token: 'replaced-by-the-local-runner' },
      },
    };
    const run = sm.run(input as never, options);
    running.abort = () => {
      running.stop.abort();
      run.abort();
    };
    const accounting = this.#account(
      run.eventLogs as AsyncGenerator<LogEvent>,
      local,
      running,
    );
    let result: ExecutionResult;
    try {
      const output = await run.result;
      result = { name, arn, status: 'SUCCEEDED', output };
    } catch (err) {
      const cause = err instanceof ExecutionError ? err.cause : err;
      const { name: error, message } = errorText(cause);
      if (err instanceof ExecutionAbortedError && running.limitError) {
        result = {
          name,
          arn,
          status: 'FAILED',
          error: 'States.DataLimitExceeded',
          cause: running.limitError,
        };
      } else if (err instanceof ExecutionAbortedError) {
        result = { name, arn, status: 'ABORTED' };
      } else {
        result = { name, arn, status: 'FAILED', error, cause: message };
      }
    }
    // A .sync Task that ends (its Map failed, its execution ended) stops
    // the executions it started, as Step Functions does on a best-effort
    // basis; the result waits until they have ended too.
    await this.#stopChildren(name);
    await accounting;
    running.account.status = result.status;
    running.account.stoppedAt = this.#clock.now();
    this.#emit(
      result.status !== 'FAILED'
        ? {
            type:
              result.status === 'SUCCEEDED'
                ? 'ExecutionSucceeded'
                : 'ExecutionAborted',
            at: this.#clock.now(),
            execution: name,
            machine,
          }
        : {
            type: 'ExecutionFailed',
            at: this.#clock.now(),
            execution: name,
            machine,
            ...(result.error ? { error: result.error } : {}),
            ...(result.cause ? { cause: result.cause } : {}),
          },
    );
    return result;
  }

  /**
   * AWS history events from the interpreter's event log, per state type
   * (see the table in docs/workflow.md, "State document").
   */
  async #account(
    events: AsyncGenerator<LogEvent>,
    local: Localized,
    running: Running,
  ): Promise<void> {
    const { account } = running;
    const max = this.#options.maxHistoryEvents ?? 25_000;
    const maxBytes = this.#options.maxPayloadBytes ?? 262_144;
    const add = (type: string, n: number) => {
      account.historyEvents += n;
      account.historyByStateType[type] =
        (account.historyByStateType[type] ?? 0) + n;
    };
    const payload = (value: Json, where: string) => {
      const bytes = byteLength(value);
      if (bytes > account.largestPayloadBytes) {
        account.largestPayloadBytes = bytes;
        account.largestPayloadAt = where;
      }
      if (bytes > maxBytes) {
        this.#violate(
          running,
          `${account.name}: ${where} carries ${bytes} bytes (limit ${maxBytes})`,
        );
      }
    };
    for await (const event of events) {
      const state = event.state as
        | { name: string; input?: Json; output?: Json }
        | undefined;
      const info = state ? local.states.get(state.name) : undefined;
      const type = info?.type ?? 'Execution';
      const key = `${state?.name}#${String(event.index ?? '')}`;
      switch (event.type) {
        case 'ExecutionStarted':
          add('Execution', 1);
          payload(event.input, 'execution input');
          break;
        case 'ExecutionSucceeded':
          add('Execution', 1);
          payload(event.output, 'execution output');
          break;
        case 'ExecutionFailed':
        case 'ExecutionAborted':
        case 'ExecutionTimeout':
          add('Execution', 1);
          break;
        case 'StateEntered':
          account.stateTransitions++;
          add(
            type,
            type === 'Task' ? (info?.callback ? 4 : 3) : type === 'Map' ? 2 : 1,
          );
          payload(state?.input, `${state?.name} input`);
          break;
        case 'StateExited':
          if (type === 'Task') add(type, running.caught.delete(key) ? 1 : 2);
          else if (type === 'Map')
            add(type, running.caught.delete(key) ? 1 : 2);
          else if (type !== 'Fail') add(type, 1);
          payload(state?.output, `${state?.name} output`);
          break;
        case 'StateFailed':
          if (type === 'Task' || type === 'Map') add(type, 1);
          break;
        case 'StateRetried':
          account.stateTransitions++;
          add(type, 2);
          break;
        case 'StateCaught':
          running.caught.add(key);
          break;
        case 'MapIterationStarted':
        case 'MapIterationSucceeded':
        case 'MapIterationFailed':
          add('Map', 1);
          break;
      }
      if (
        state &&
        ['StateEntered', 'StateExited', 'StateRetried', 'StateCaught'].includes(
          event.type,
        )
      ) {
        this.#emit({
          type: event.type as 'StateEntered',
          at: this.#clock.now(),
          execution: account.name,
          machine: account.machine,
          state: state.name,
          stateType: type,
        });
      }
      if (account.historyEvents > max) {
        this.#violate(
          running,
          `${account.name}: ${account.historyEvents} history events (limit ${max})`,
        );
      }
    }
  }

  async #stopChildren(parent: string): Promise<void> {
    const children = [...this.#executions.values()].filter(
      (r) => r.account.parent === parent && r.account.status === 'RUNNING',
    );
    const stopper = this.#executions.get(parent);
    for (const child of children) {
      // StopExecution by the parent's role (best effort on AWS: a denial is
      // recorded, the child is stopped here all the same).
      if (stopper) {
        await this.#allowed(
          stopper,
          'SFN.StopExecution',
          [{ action: 'states:StopExecution', resource: child.arn }],
          'StepFunctions.AWSStepFunctionsException',
        ).catch(() => undefined);
      }
      child.abort?.();
    }
    await Promise.all(children.map((c) => c.done));
  }

  #violate(running: Running, message: string): void {
    if (running.limitError) return;
    running.limitError = message;
    this.#violations.push(message);
    running.abort?.();
  }

  #overrides(
    local: Localized,
    running: Running,
  ): Record<string, (input: never) => Promise<never>> {
    const overrides: Record<string, (input: never) => Promise<never>> = {};
    for (const [state, resource] of local.tasks) {
      const serve = this.#serve(resource, state, running);
      const retriers = local.retriers.get(state);
      if (!retriers) {
        overrides[state] = (input: never) => serve(input) as Promise<never>;
        continue;
      }
      // The interpreter retries at once (interval overridden to 0); the
      // retrier's interval passes here, on the virtual clock, before the
      // failure is reported. Same matching and counting as the interpreter.
      const attempts = retriers.map(() => 0);
      overrides[state] = (async (input: never) => {
        try {
          const out = await serve(input);
          attempts.fill(0);
          return out;
        } catch (err) {
          const delay = retryDelay(retriers, attempts, err);
          if (delay === undefined) {
            attempts.fill(0);
          } else {
            const timer = this.#clock.timer(delay);
            await unlessStopped(
              timer.done,
              running.stop.signal,
              () => undefined,
            );
            timer.cancel();
          }
          throw err;
        }
      }) as (input: never) => Promise<never>;
    }
    return overrides;
  }

  #serve(
    resource: string,
    state: string,
    running: Running,
  ): (input: Record<string, unknown>) => Promise<Json> {
    switch (resource) {
      case LOCAL_WAIT:
        return async (input) => {
          const timer = this.#clock.timer(Number(input.seconds));
          await unlessStopped(timer.done, running.stop.signal, () => undefined);
          timer.cancel();
          return null;
        };
      case LAMBDA_INVOKE:
        return async (input) => {
          await this.#invokeAllowed(running, String(input.FunctionName));
          return {
            ExecutedVersion: '$LATEST',
            Payload: await this.#invoke(
              String(input.FunctionName),
              input.Payload,
            ),
            StatusCode: 200,
          };
        };
      case LAMBDA_CALLBACK:
        return async (input) => {
          await this.#invokeAllowed(running, String(input.FunctionName));
          return this.#gate(input, state, running);
        };
      case START_SYNC:
        return (input) => this.#startSync(input, running);
      case DESCRIBE_EXECUTION:
        return async (input) => {
          // The AWS SDK integration is the role's own DescribeExecution call;
          // a denial is the service's error under the integration's prefix.
          await this.#allowed(
            running,
            'SFN.DescribeExecution',
            [
              {
                action: 'states:DescribeExecution',
                resource: String(input.ExecutionArn),
              },
            ],
            'Sfn.SfnException',
          );
          return this.#describeExecution(input);
        };
      case PUT_EVENTS:
        return async (input) => {
          const buses = new Set(
            (input.Entries as { EventBusName?: string }[]).map(
              (e) => e.EventBusName ?? 'default',
            ),
          );
          await this.#allowed(
            running,
            'EventBridge.PutEvents',
            [...buses].map((bus) => ({
              action: 'events:PutEvents',
              resource: bus.startsWith('arn:')
                ? bus
                : `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${bus}`,
            })),
            // UNVERIFIED: named like the Lambda integration's error (the
            // service's generic SDK exception); AWS documents no example.
            'EventBridge.AmazonEventBridgeException',
          );
          // Step Functions serializes an object Detail into the JSON string
          // that PutEvents carries; the sink sees what EventBridge receives.
          const entries = (input.Entries as Record<string, unknown>[]).map(
            (e) =>
              typeof e.Detail === 'string' || e.Detail === undefined
                ? e
                : { ...e, Detail: JSON.stringify(e.Detail) },
          );
          await this.#clock.run(async () => {
            await this.#options.eventSink?.(entries);
          });
          this.#emit({
            type: 'EventPublished',
            at: this.#clock.now(),
            execution: running.account.name,
            machine: running.account.machine,
            entries,
          });
          return {
            Entries: entries.map(() => ({ EventId: randomUUID() })),
            FailedEntryCount: 0,
          };
        };
      default:
        throw new Error(`${state}: no local integration for ${resource}`);
    }
  }

  /**
   * IAM for an integration: throws the Task error AWS reports when the
   * state machine's role may not make the call.
   */
  async #allowed(
    running: Running,
    call: string,
    checks: { action: string; resource: string }[],
    error: string,
  ): Promise<void> {
    const authorize = this.#options.authorize;
    if (!authorize) return;
    const denial = await authorize({
      principal: running.account.machine,
      call,
      checks,
    });
    if (denial !== undefined) throw new NamedError(error, denial);
  }

  /**
   * lambda:InvokeFunction by the state machine's role. A denial fails the
   * Task with `Lambda.AWSLambdaException` and AWS's message as the cause
   * ("User: …assumed-role/… is not authorized to perform:
   * lambda:InvokeFunction on resource: … (Service: AWSLambda; Status Code:
   * 403; Error Code: AccessDeniedException …)").
   */
  #invokeAllowed(running: Running, functionName: string): Promise<void> {
    return this.#allowed(
      running,
      'Lambda.Invoke',
      [{ action: 'lambda:InvokeFunction', resource: functionName }],
      'Lambda.AWSLambdaException',
    );
  }

  /** Calls a phase handler as Lambda would; errors surface as on AWS. */
  async #invoke(functionName: string, payload: Json): Promise<Json> {
    const phase = this.#functions.get(functionName);
    const handler = phase ? this.#options.handlers[phase] : undefined;
    if (!phase || !handler) {
      throw new NamedError(
        'Lambda.ResourceNotFoundException',
        `Function not found: ${functionName} (no local handler registered)`,
      );
    }
    const event = JSON.parse(JSON.stringify(payload ?? null)) as never;
    const context = lambdaContext(`msk-cutover-${phase}`, {
      invokedFunctionArn: functionName,
      // The deployed function's timeout: a handler gets the time it would.
      timeoutSeconds: phaseSpec(phase).timeoutSeconds ?? 60,
    });
    try {
      // The handler's AWS calls are made by its function's role.
      const out = await this.#clock.run(() =>
        asPrincipal(phase, () => handler(event, context)),
      );
      return JSON.parse(JSON.stringify(out ?? null));
    } catch (err) {
      const { name, message } = errorText(err);
      throw new NamedError(
        name,
        JSON.stringify({ errorType: name, errorMessage: message, trace: [] }),
      );
    }
  }

  async #gate(
    input: Record<string, unknown>,
    state: string,
    running: Running,
  ): Promise<Json> {
    const token = randomBytes(96).toString('base64');
    const payload = input.Payload as Record<string, unknown>;
    const timeoutSeconds = input[TIMEOUT_KEY] as number | undefined;
    const timer =
      timeoutSeconds === undefined
        ? undefined
        : this.#clock.timer(timeoutSeconds);
    const { promise, resolve, reject } = Promise.withResolvers<Json>();
    const gate: Gate = {
      token,
      execution: running.account.name,
      state,
      kind: String(payload.kind),
      ...(typeof payload.app === 'string' ? { app: payload.app } : {}),
      openedAt: this.#clock.now(),
      ...(timer ? { timeoutAt: timer.at } : {}),
      resolve,
      reject,
    };
    this.#gates.set(token, gate);
    this.#tokenMachines.set(
      token,
      localStateMachineArn(running.account.machine),
    );
    const closed = (
      outcome: 'decided' | 'failed' | 'timed-out' | 'invoke-failed',
    ) =>
      this.#emit({
        type: 'GateClosed',
        at: this.#clock.now(),
        execution: running.account.name,
        machine: running.account.machine,
        state,
        outcome,
      });
    try {
      await this.#invoke(String(input.FunctionName), {
        ...payload,
        taskToken: token,
      });
    } catch (err) {
      timer?.cancel();
      this.#gates.delete(token);
      this.#closedTokens.add(token);
      closed('invoke-failed');
      throw err;
    }
    this.#emit({
      type: 'GateOpened',
      at: this.#clock.now(),
      execution: running.account.name,
      machine: running.account.machine,
      state,
      token,
      kind: gate.kind,
      ...(gate.app ? { app: gate.app } : {}),
      ...(gate.timeoutAt ? { timeoutAt: gate.timeoutAt } : {}),
    });
    const timedOut = Symbol('timeout');
    try {
      const outcome = await unlessStopped(
        Promise.race([
          promise,
          ...(timer ? [timer.done.then(() => timedOut)] : []),
        ]),
        running.stop.signal,
        () => {
          throw new NamedError('States.Aborted', 'The execution was stopped');
        },
      );
      if (outcome === timedOut) {
        closed('timed-out');
        throw new NamedError('States.Timeout', 'The gate timed out');
      }
      closed('decided');
      return outcome;
    } catch (err) {
      if (!(err instanceof NamedError && err.name === 'States.Timeout')) {
        closed('failed');
      }
      throw err;
    } finally {
      timer?.cancel();
      this.#gates.delete(token);
      this.#closedTokens.add(token);
    }
  }

  async #startSync(
    input: Record<string, unknown>,
    running: Running,
  ): Promise<Json> {
    const machine = this.#arns.get(String(input.StateMachineArn));
    // `.sync`: StartExecution, then DescribeExecution and the managed rule
    // through which Step Functions hears that the execution ended (Step
    // Functions developer guide, "IAM policies for … Step Functions":
    // events:PutTargets, PutRule, DescribeRule on
    // StepFunctionsGetEventsForStepFunctionsExecutionRule).
    // UNVERIFIED error name, as for EventBridge above.
    const denied = 'StepFunctions.AWSStepFunctionsException';
    await this.#allowed(
      running,
      'SFN.StartExecution',
      [
        {
          action: 'states:StartExecution',
          resource: String(input.StateMachineArn),
        },
        ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map(
          (action) => ({
            action,
            resource: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
          }),
        ),
      ],
      denied,
    );
    if (machine) {
      await this.#allowed(
        running,
        'SFN.DescribeExecution',
        [
          {
            action: 'states:DescribeExecution',
            resource: `${localStateMachineArn(machine).replace(':stateMachine:', ':execution:')}:${String(input.Name)}`,
          },
        ],
        denied,
      );
    }
    if (!machine) {
      throw new NamedError(
        'StepFunctions.StateMachineDoesNotExistException',
        `State Machine Does Not Exist: '${String(input.StateMachineArn)}'`,
      );
    }
    const childInput =
      typeof input.Input === 'string' ? JSON.parse(input.Input) : input.Input;
    const startDate = this.#clock.now();
    const name = String(input.Name);
    const lost = this.#options.lostStartResponses?.[name];
    if (lost && !this.#executions.has(name)) {
      const started = this.#execute(
        machine,
        name,
        childInput,
        running.account.name,
      );
      if (lost === 'closed') await started.catch(() => undefined);
      else started.catch(() => undefined);
      throw new NamedError(
        'StepFunctions.SdkClientException',
        `the StartExecution response for '${name}' was lost (rehearsal fault)`,
      );
    }
    const result = await this.#execute(
      machine,
      name,
      childInput,
      running.account.name,
    );
    const described = {
      ExecutionArn: result.arn,
      Name: result.name,
      StateMachineArn: localStateMachineArn(machine),
      StartDate: startDate.getTime(),
      StopDate: this.#clock.now().getTime(),
      Status: result.status,
    };
    if (result.status === 'SUCCEEDED') {
      return { ...described, Output: result.output };
    }
    throw new NamedError(
      'States.TaskFailed',
      JSON.stringify({
        ...described,
        Error: result.error,
        Cause: result.cause,
      }),
    );
  }
  /** DescribeExecution, as the AWS SDK integration returns it. */
  #describeExecution(input: Record<string, unknown>): Json {
    const arn = String(input.ExecutionArn);
    const running = [...this.#executions.values()].find((r) => r.arn === arn);
    if (!running) {
      throw new NamedError(
        'Sfn.ExecutionDoesNotExistException',
        `Execution Does Not Exist: '${arn}'`,
      );
    }
    const { account, result } = running;
    const status = result
      ? result.status === 'ABORTED'
        ? 'ABORTED'
        : result.status
      : 'RUNNING';
    return {
      ExecutionArn: arn,
      Name: account.name,
      StateMachineArn: localStateMachineArn(account.machine),
      Status: status,
      StartDate: account.startedAt.getTime(),
      Input: running.input,
      ...(account.stoppedAt ? { StopDate: account.stoppedAt.getTime() } : {}),
      ...(result?.status === 'SUCCEEDED'
        ? { Output: JSON.stringify(result.output ?? null) }
        : {}),
      ...(result?.error ? { Error: result.error } : {}),
      ...(result?.cause ? { Cause: result.cause } : {}),
    };
  }
}

/**
 * Races `work` against `signal`: resolves with `onStop()` when the signal
 * aborts first. The listener is removed either way (an execution waits
 * thousands of times).
 */
async function unlessStopped<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onStop: () => T,
): Promise<T> {
  if (signal.aborted) return onStop();
  const { promise, resolve } = Promise.withResolvers<void>();
  const listener = () => resolve();
  signal.addEventListener('abort', listener, { once: true });
  try {
    return await Promise.race([work, promise.then(onStop)]);
  } finally {
    signal.removeEventListener('abort', listener);
  }
}
