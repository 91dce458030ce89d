/**
 * The one table of phases: one Lambda function each, in workflow order,
 * with its `functions/<phase>/handler.ts`. Everything that lists phases
 * derives from it: the ASL placeholders (`./substitutions.ts`), the bundles
 * (`infra/bundling.ts`), the stack's functions and the state machines'
 * invoke grants (`infra/cutover-stack.ts`), and the local runner and the
 * rehearsal (`cli/rehearsal/`). Data only, so every layer may import it.
 *
 * Adding a phase: an entry here, its folder `functions/<phase>/` with
 * `handler.ts`, and its IAM grants in the stack (its ledger operations and
 * whatever else its code calls). `test/functions/shared/phases.test.ts`
 * fails while a folder has no entry or an entry no folder, and while the
 * ASL files' function placeholders or the stack's functions differ from
 * the table's.
 */

/** The two state machines, named like their ASL files. */
export type MachineName = 'migration' | 'app-cutover';

export interface PhaseSpec {
  /**
   * PascalCase name: the stack's construct id, and the ASL placeholder of
   * the function's ARN, `${<name>FunctionArn}`.
   */
  readonly name: string;
  /** The function's description. */
  readonly description: string;
  /**
   * The state machines whose Lambda Tasks invoke it (through its
   * placeholder); empty for a function started otherwise (the approval
   * API, an EventBridge rule).
   */
  readonly invokedBy: readonly MachineName[];
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 512 */
  readonly memoryMB?: number;
  /**
   * Talks Kafka: bundled with the Kafka client, and placed in the network
   * that reaches the source cluster (deploy context `sourceNetwork`).
   */
  readonly kafka?: boolean;
  /**
   * Calls the MSK Replicator API: it must bundle its own SDK (the
   * runtime's may not know the external-cluster fields).
   */
  readonly replicatorApi?: boolean;
}

export const PHASE_TABLE = {
  'validate-plan': {
    name: 'ValidatePlan',
    description: 'Loads the pinned plan, validates it, seeds the ledger',
    invokedBy: ['migration'],
  },
  preflight: {
    name: 'Preflight',
    description: 'AWS-side checks before anything is created',
    invokedBy: ['migration'],
    timeoutSeconds: 120,
    replicatorApi: true,
  },
  'probe-source': {
    name: 'ProbeSource',
    description: 'Kafka-side checks before any replicator exists',
    invokedBy: ['migration'],
    timeoutSeconds: 300,
    memoryMB: 1024,
    kafka: true,
  },
  'create-replicators': {
    name: 'CreateReplicators',
    description: 'Creates or adopts the forward and reverse replicators',
    invokedBy: ['migration'],
    timeoutSeconds: 120,
    replicatorApi: true,
  },
  'describe-replicators': {
    name: 'DescribeReplicators',
    description: 'Reports the state of every replicator',
    invokedBy: ['migration'],
    replicatorApi: true,
  },
  'measure-source-lag': {
    name: 'MeasureSourceLag',
    description: 'Measures consumer groups on both clusters (lag, parity)',
    invokedBy: ['migration', 'app-cutover'],
    timeoutSeconds: 300,
    memoryMB: 1024,
    kafka: true,
  },
  'poll-readiness': {
    name: 'PollReadiness',
    description: 'Evaluates the readiness rules over the sustained window',
    invokedBy: ['migration', 'app-cutover'],
    timeoutSeconds: 120,
    replicatorApi: true,
  },
  'request-approval': {
    name: 'RequestApproval',
    description: 'Opens a gate: stores the encrypted token, emails a link',
    invokedBy: ['migration', 'app-cutover'],
  },
  'approval-api': {
    name: 'ApprovalApi',
    description: 'Serves the approval page and records decisions',
    invokedBy: [],
  },
  'approval-reminders': {
    name: 'ApprovalReminders',
    description: 'Reminds owners of open gates and reports overdue ones',
    invokedBy: [],
    timeoutSeconds: 120,
  },
  'verify-cutover': {
    name: 'VerifyCutover',
    description: 'Decides whether an application has moved',
    invokedBy: ['app-cutover'],
  },
  teardown: {
    name: 'Teardown',
    description: 'Deletes the replicators behind the teardown guard',
    invokedBy: ['migration'],
    timeoutSeconds: 120,
    replicatorApi: true,
  },
  'record-failure': {
    name: 'RecordFailure',
    description: 'Records a failed migration and notifies',
    invokedBy: ['migration', 'app-cutover'],
  },
  cleanup: {
    name: 'Cleanup',
    description: 'Removes replicators of ended migrations when no app is split',
    invokedBy: [],
    timeoutSeconds: 300,
    replicatorApi: true,
  },
} as const satisfies Record<string, PhaseSpec>;

type Table = typeof PHASE_TABLE;
export type Phase = keyof Table;

/** Every phase, in workflow order. */
export const PHASES = Object.keys(PHASE_TABLE) as readonly Phase[];

/** A phase's entry, widened to {@link PhaseSpec}. */
export function phaseSpec(phase: Phase): PhaseSpec {
  return PHASE_TABLE[phase];
}

/** The phases a state machine invokes. */
export type PhaseOf<M extends MachineName> = {
  [P in Phase]: M extends Table[P]['invokedBy'][number] ? P : never;
}[Phase];

/** The ARN placeholder of a phase's function, `<Name>FunctionArn`. */
export type FunctionArnPlaceholder<P extends Phase> =
  `${Table[P]['name']}FunctionArn`;

/** The phases whose functions `machine` invokes, in table order. */
export function phasesOf<M extends MachineName>(
  machine: M,
): readonly PhaseOf<M>[] {
  return PHASES.filter((p) =>
    phaseSpec(p).invokedBy.includes(machine),
  ) as PhaseOf<M>[];
}

/** `<Name>FunctionArn`, the ASL placeholder of `phase`'s function. */
export function functionArnPlaceholder<P extends Phase>(
  phase: P,
): FunctionArnPlaceholder<P> {
  return `${PHASE_TABLE[phase].name}FunctionArn` as FunctionArnPlaceholder<P>;
}

/** The phases whose entry sets `flag`. */
export function phasesWhere(flag: 'kafka' | 'replicatorApi'): Set<Phase> {
  return new Set(PHASES.filter((p) => phaseSpec(p)[flag] === true));
}
