/**
 * The contract between the state machines and the phase handlers: the event
 * each Task passes (its `Parameters`) and the result each handler returns
 * (which the Task puts under `ResultSelector {"result.$": "$.Payload"}` at its
 * own `ResultPath`).
 *
 * Rules that keep the state document small (256 KiB payload limit, and a
 * 32 KB target even for a 1,000-application plan):
 * - an execution carries a reference to the plan (`planRef`), never the plan;
 *   each phase loads the pinned S3 object version itself;
 * - evidence (metrics, offsets, check results) goes to the ledger; results
 *   carry verdicts, counts and short reasons only.
 *
 * zod schemas here validate every event at the handler boundary.
 */
import type { Decision } from './domain/types.ts';
import { GateKinds } from './domain/types.ts';
import * as z from './domain/zod.ts';

export type {
  AppState,
  Decision,
  GateKind,
  GroupMeasurement,
  GroupSide,
  MeasureEvidenceData,
  ProducedEndOffsets,
} from './domain/types.ts';
/** The domain's types these contracts carry (defined in ./domain/types.ts). */
export {
  AppStates,
  DecisionsByGate,
  GateKinds,
} from './domain/types.ts';

export const PlanRefSchema = z.strictObject({
  bucket: z.string().check(z.minLength(3)),
  key: z.string().check(z.minLength(1)),
  /** The S3 object version, pinned for the whole migration. */
  versionId: z.string().check(z.minLength(1)),
});
export type PlanRef = z.infer<typeof PlanRefSchema>;

/**
 * What a measurement before a readiness poll needs of the poll before it
 * (`PollReadinessResult.poll`, carried in the state and across
 * continuations): null before the first poll of a wait.
 */
export const PreviousPollSchema = z.nullable(
  z.object({
    /** When that poll ran (ISO time). */
    at: z.iso.datetime(),
    /** Whether the replicator-level rules held at that poll. */
    replicatorsHealthy: z.boolean(),
  }),
);
export type PreviousPoll = z.infer<typeof PreviousPollSchema>;

/** Input of the parent execution (`migration.asl.json`). */
export const StartMigrationInputSchema = z.object({
  migrationId: z.string().check(z.minLength(1)),
  planRef: PlanRefSchema,
  /**
   * Name of the first execution of this migration; continuations and child
   * executions derive their deterministic names from it.
   */
  executionBase: z.string().check(z.minLength(1), z.maxLength(60)),
  /** Set only on a continuation: the loop to resume. */
  resume: z.optional(z.enum(['AwaitRunning', 'AwaitReadiness'])),
  /** 0 for the first execution, +1 for each continuation. */
  generation: z._default(z.number().check(z.int(), z.gte(0)), 0),
  /**
   * Set only on a continuation: the last readiness poll of the previous
   * execution (null when it handed over the await-RUNNING loop).
   */
  previousPoll: z.optional(PreviousPollSchema),
});
export type StartMigrationInput = z.infer<typeof StartMigrationInputSchema>;

/** Every phase event carries these. */
export const PhaseEventBaseSchema = z.object({
  migrationId: z.string().check(z.minLength(1)),
  planRef: PlanRefSchema,
});

// ---------------------------------------------------------------- validate-plan

export type ValidatePlanEvent = z.infer<typeof PhaseEventBaseSchema>;
export interface ValidatePlanResult {
  migrationId: string;
  planDigest: string;
  /** Application names in cutover order (the Map's items). */
  apps: string[];
  shards: string[];
  /** Every replicator name the plan implies, forward then reverse per shard. */
  replicatorNames: string[];
  /** Map `MaxConcurrencyPath`. */
  concurrency: number;
  /** Wait `SecondsPath` values, computed once from the plan. */
  pollIntervalSeconds: number;
  runningPollSeconds: number;
  gateTimeoutSeconds: number;
  postponeSeconds: number;
  rollbackWindowSeconds: number;
  teardownRequiresApproval: boolean;
  /** After "keep the replicators": wait this long, then ask again … */
  teardownAskAgainSeconds: number;
  /** … until the teardown gate has been asked this many times. */
  teardownMaxAsks: number;
}

// ----------------------------------------------------- preflight / probe-source

export interface CheckResult {
  /** Stable id, e.g. `msk.cluster.active`, `kafka.tls.kafka-1:9096`. */
  id: string;
  ok: boolean;
  /** `warning` checks never fail the phase. */
  severity: 'error' | 'warning';
  /** A sentence a network, Kafka or AWS admin understands. */
  reason: string;
}

export interface ChecksResult {
  ok: boolean;
  passed: number;
  failed: number;
  warnings: number;
  /** The failed checks' reasons, first 20 (the full list is in the ledger). */
  failures: string[];
}

export type PreflightEvent = ValidatePlanEvent;
export type PreflightResult = ChecksResult;
/**
 * `ProbeSource`: the Kafka-side checks (probe-source, in the network that
 * reaches the source), once, before any replicator exists.
 */
export const ProbeSourceEventSchema = PhaseEventBaseSchema;
export type ProbeSourceEvent = z.infer<typeof ProbeSourceEventSchema>;
export type ProbeSourceResult = ChecksResult & {
  clusterId: string | null;
  topicCount: number;
};

/**
 * The `Measure*` states of the poll loops (measure-source-lag, in the
 * network that reaches the source): consumer groups on both clusters,
 * recorded in the ledger and as custom metrics, read by poll-readiness and
 * verify-cutover.
 */
export const MeasureSourceLagEventSchema = z.extend(PhaseEventBaseSchema, {
  /** Only this application's groups; all groups of the plan when absent. */
  app: z.optional(z.string().check(z.minLength(1))),
  /** Only the groups of this wave's applications (never with `app`). */
  wave: z.optional(z.string().check(z.minLength(1))),
  /**
   * The migration-wide measurement only: the previous readiness poll of
   * this wait (see `groupMeasurementDue`); absent or null, the groups are
   * measured.
   */
  previousPoll: z.optional(PreviousPollSchema),
});
export type MeasureSourceLagEvent = z.infer<typeof MeasureSourceLagEventSchema>;

export interface MeasureResult {
  /**
   * Ledger evidence id holding the `GroupMeasurement[]`: this measurement's,
   * or the newest earlier one when this poll did not measure (`skipped`).
   */
  measurementId: string;
  /**
   * The groups were not measured: the previous poll found the replicator
   * rules failing and the newest measurement is recent enough
   * (`groupMeasurementDue`). The sums are then null.
   */
  skipped: boolean;
  groups: number;
  /** Sums over the measured groups; null when a side could not be read. */
  sourceSumOffsetLag: number | null;
  targetSumOffsetLag: number | null;
  errors: string[];
}

// ------------------------------------------------- create/describe replicators

export type CreateReplicatorsEvent = ValidatePlanEvent;
export interface ReplicatorRef {
  name: string;
  arn: string;
  shard: string;
  direction: 'forward' | 'reverse';
  /**
   * DescribeReplicator's `KafkaClusterAlias` of the source and target
   * clusters (the `ClusterAlias` metric dimension), cached by poll-readiness.
   */
  clusterAliases?: { source: string; target: string };
}
export interface CreateReplicatorsResult {
  replicators: ReplicatorRef[];
  created: number;
  adopted: number;
}

export const LoopEventSchema = z.extend(PhaseEventBaseSchema, {
  /** Polls done so far in this execution (continue-as-new bookkeeping). */
  iteration: z.number().check(z.int(), z.gte(0)),
});

export type DescribeReplicatorsEvent = z.infer<typeof LoopEventSchema>;
export interface DescribeReplicatorsResult {
  allRunning: boolean;
  states: Record<string, string>;
  iteration: number;
  /** True when this execution should hand the loop to a new execution. */
  continueAsNew: boolean;
}

// ---------------------------------------------------------------- poll-readiness

export const PollReadinessEventSchema = z.extend(LoopEventSchema, {
  /** Scope the rules to one application (from the child state machine). */
  app: z.optional(z.string().check(z.minLength(1))),
  /** Every application of this wave, each judged on its own (never with `app`). */
  wave: z.optional(z.string().check(z.minLength(1))),
  /** The `Measure*` state's result, just before this poll. */
  measurementId: z.string().check(z.minLength(1)),
});
export type PollReadinessEvent = z.infer<typeof PollReadinessEventSchema>;
export interface PollReadinessResult {
  ready: boolean;
  /** One short sentence per failing rule ("MessageLag 12,400 > 1,000 on …"). */
  reasons: string[];
  /** Ledger key of the evidence recorded for this poll. */
  evidenceId: string;
  iteration: number;
  continueAsNew: boolean;
  /** This poll, for the measurement before the next one. */
  poll: NonNullable<PreviousPoll>;
}

// ---------------------------------------------------------- request-approval

export const RequestApprovalEventSchema = z.extend(PhaseEventBaseSchema, {
  kind: z.enum(GateKinds),
  /** Absent for the teardown gate. */
  app: z.optional(z.string().check(z.minLength(1))),
  /** `$$.Task.Token`. Never logged, never in a URL or an email. */
  taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** `$$.Execution.Id`, recorded with the gate. */
  executionId: z.string().check(z.minLength(1)),
  /**
   * Why this gate is asked again (e.g. a teardown guard refusal). Cut to
   * 2,000 characters rather than refused: a long refusal must not fail the
   * migration at its last gate.
   */
  note: z.optional(
    z.pipe(
      z.string(),
      z.transform((s) => (s.length > 2000 ? `${s.slice(0, 1999)}…` : s)),
    ),
  ),
  /** Teardown gate: how many times "keep the replicators" was decided before. */
  asked: z.optional(z.number().check(z.int(), z.gte(0))),
  /** Wave gates: the wave's name (no `app`). */
  wave: z.optional(z.string().check(z.minLength(1))),
  /** wave-keep-or-rollback: each application's cutover outcome. */
  outcomes: z.optional(
    z.array(
      z.strictObject({
        app: z.string().check(z.minLength(1)),
        outcome: z.enum([
          'verified',
          'unverified',
          'skipped',
          'failed',
          'rolled-back',
        ]),
        error: z.optional(z.string()),
      }),
    ),
  ),
});
export type RequestApprovalEvent = z.infer<typeof RequestApprovalEventSchema>;
/** The request-approval Lambda itself returns this; the Task's result is the decision. */
export interface RequestApprovalResult {
  approvalId: string;
}
/** What SendTaskSuccess carries back to the gate (its Task's result). */
export interface GateDecision {
  decision: Decision;
  approver: string;
  comment?: string;
  approvalId: string;
}

// ------------------------------------------------------------- verify-cutover

export const VerifyCutoverEventSchema = z.extend(LoopEventSchema, {
  app: z.string().check(z.minLength(1)),
  /** toTarget after a cutover decision, toSource after a rollback decision. */
  direction: z.enum(['toTarget', 'toSource']),
  measurementId: z.string().check(z.minLength(1)),
  /**
   * When verification stops and a person decides (ISO time), carried from
   * poll to poll and across continuations; null on the first poll after a
   * decision: the poll sets it `readiness.verifyTimeoutMinutes` ahead.
   */
  deadline: z.optional(z.nullable(z.iso.datetime())),
});
export type VerifyCutoverEvent = z.infer<typeof VerifyCutoverEventSchema>;
export type AppLocation = 'source' | 'target' | 'split' | 'none';
export interface VerifyCutoverResult {
  verified: boolean;
  /** Where the application's clients are now. */
  location: AppLocation;
  reasons: string[];
  iteration: number;
  continueAsNew: boolean;
  /** When this verification gives up and asks a person (ISO time). */
  deadline: string;
  /** Not verified and the deadline has passed: the verify-timeout gate opens. */
  deadlineReached: boolean;
}

// --------------------------------------------------------------- teardown

export type TeardownEvent = ValidatePlanEvent;
export interface TeardownResult {
  deleted: string[];
  /** Names still listed after deletion (should be empty). */
  remaining: string[];
}

// ------------------------------------------------------ record-failure / notify

export const RecordFailureEventSchema = z.extend(PhaseEventBaseSchema, {
  /** The Catch's `$.error`: `{Error, Cause}`. */
  error: z.object({ Error: z.string(), Cause: z.nullish(z.string()) }),
  /** The state the failure came from, for the message. */
  phase: z.string().check(z.minLength(1)),
  app: z.optional(z.string()),
  /** The app-cutover execution's mode (`verify-*`: one application of a wave). */
  mode: z.optional(
    z.enum(['app', 'wave', 'verify-cutover', 'verify-rollback']),
  ),
  /** A wave's own failure (`phase: wave-cutover`). */
  wave: z.optional(z.string()),
});
export type RecordFailureEvent = z.infer<typeof RecordFailureEventSchema>;

// -------------------------------------------------------------- cleanup

/** EventBridge "Step Functions Execution Status Change" or a scheduled sweep. */
export interface CleanupResult {
  migrations: {
    migrationId: string;
    action:
      | 'deleted'
      | 'kept-split'
      | 'kept-all-on-target'
      | 'kept-running'
      | 'nothing-to-do';
    reason: string;
    deleted: string[];
  }[];
}

/**
 * Polls per execution before a loop continues in a new execution. A parent
 * poll iteration is about 14 history events, so 100 iterations stay far below
 * the 25,000-event limit even with a 1,000-application Map in the same
 * execution (about 8 events per application).
 */
export const LOOP_ITERATIONS_PER_EXECUTION = 100;
