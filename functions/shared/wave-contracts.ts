/**
 * The contract of the wave workflow (plans with `cutoverWaves`), between
 * the state machines and the phase handlers, as `contracts.ts` is for the
 * application-by-application flow: the event each wave Task passes, the
 * decisions its gates expect back, and what each execution returns.
 * docs/wave-workflow.md walks through the states that use them.
 *
 * A wave runs as an execution of the app-cutover state machine in mode
 * `wave`; its applications as executions of the same machine in modes
 * `verify-cutover` and `verify-rollback`. Like every execution, they carry
 * names and verdicts, never the plan: a handler that needs a wave's
 * applications reads them from the pinned plan by the wave's name.
 */
import {
  LoopEventSchema,
  PhaseEventBaseSchema,
  PlanRefSchema,
  type PollReadinessResult,
} from './contracts.ts';
import * as z from './domain/zod.ts';

const name = z.string().check(z.minLength(1));
const names = z.array(name);
const seconds = z.number().check(z.int(), z.gte(0));

// ------------------------------------------------------------ validate-plan

/** One wave as validate-plan returns it (the plan's `cutoverWaves[]`). */
export const WaveSchema = z.strictObject({
  name,
  /** Application names, in the plan's order within the wave. */
  apps: z.array(name).check(z.minLength(1)),
});
export type Wave = z.infer<typeof WaveSchema>;

/**
 * What validate-plan's result adds for a plan with `cutoverWaves` (absent
 * otherwise: the parent's `AreWavesPlannedChoice` tests `waves`). `apps`
 * still lists every application (in wave order).
 */
export const ValidatePlanWavesSchema = z.object({
  waves: z.array(WaveSchema).check(z.minLength(1)),
  /**
   * `MaxConcurrencyPath` of a wave's Maps: the plan's `cutoverConcurrency`
   * where the plan sets it, 0 (no limit: a whole wave at once) where it
   * does not. Not `concurrency`, whose default of 1 is right for
   * application-by-application gates and would serialise a wave.
   */
  waveConcurrency: seconds,
});
export type ValidatePlanWaves = z.infer<typeof ValidatePlanWavesSchema>;

// ------------------------------------------------------ executions and modes

/** The modes of the app-cutover state machine (`$.mode`). */
export const AppCutoverModes = [
  /** One application's whole cutover (the default). */
  'app',
  /** One wave. */
  'wave',
  /** One application of a wave, from its cutover verification to its outcome. */
  'verify-cutover',
  /** One application of a wave, from its rollback verification to its outcome. */
  'verify-rollback',
] as const;
export type AppCutoverMode = (typeof AppCutoverModes)[number];

const ExecutionBaseSchema = z.object({
  migrationId: name,
  planRef: PlanRefSchema,
  /**
   * The prefix of this execution's name and its continuations': the
   * migration's for a wave (`{executionBase}-w{waveIndex}`), the wave's for
   * its applications (`{base}-w{i}` or `{base}-w{i}-r`, each application
   * named `{executionBase}-a{position}`).
   */
  executionBase: z.string().check(z.minLength(1), z.maxLength(70)),
  pollIntervalSeconds: seconds,
  gateTimeoutSeconds: seconds,
  postponeSeconds: seconds,
  generation: z.number().check(z.int(), z.gte(0)),
});

/** Input of a wave's execution (started by the parent's CutoverWaves). */
export const WaveExecutionInputSchema = z.extend(ExecutionBaseSchema, {
  mode: z.literal('wave'),
  wave: name,
  waveIndex: z.number().check(z.int(), z.gte(0)),
  apps: z.array(name).check(z.minLength(1)),
  /** 0: no limit. */
  concurrency: seconds,
  /** A continuation of the wave's readiness loop. */
  resume: z.optional(z.literal('AwaitWaveReadiness')),
});
export type WaveExecutionInput = z.infer<typeof WaveExecutionInputSchema>;

/** Input of one application's execution within a wave. */
export const WaveAppExecutionInputSchema = z.extend(ExecutionBaseSchema, {
  mode: z.enum(['verify-cutover', 'verify-rollback']),
  app: name,
  /** Its position in the wave (cutover) or in the wave's outcomes (rollback). */
  appIndex: z.number().check(z.int(), z.gte(0)),
  resume: z.optional(z.enum(['AwaitCutover', 'AwaitRollback'])),
  verifyDeadline: z.optional(z.nullable(z.iso.datetime())),
});
export type WaveAppExecutionInput = z.infer<typeof WaveAppExecutionInputSchema>;

/**
 * What one application of a wave comes to: its execution's output in mode
 * verify-cutover (`verified`, `unverified`) or verify-rollback
 * (`rolled-back`), or the wave's own verdict: `skipped` at the cutover
 * gate, `failed` when its execution failed (`error`: the execution's
 * error name, e.g. `ReplicatorFailedError`).
 */
export const WaveAppOutcomes = [
  'verified',
  'unverified',
  'skipped',
  'failed',
  'rolled-back',
] as const;
export type WaveAppOutcome = (typeof WaveAppOutcomes)[number];

export const WaveAppResultSchema = z.strictObject({
  app: name,
  outcome: z.enum(WaveAppOutcomes),
  error: z.optional(z.string()),
});
export type WaveAppResult = z.infer<typeof WaveAppResultSchema>;

/** A wave execution's output, one entry per application in wave order. */
export const WaveResultSchema = z.strictObject({
  wave: name,
  outcomes: z.array(WaveAppResultSchema),
});
export type WaveResult = z.infer<typeof WaveResultSchema>;

// ------------------------------------------------- measure / poll-readiness

/** measure-source-lag in `MeasureWaveGroups`: the groups of every application of the wave. */
export const WaveMeasureEventSchema = z.extend(PhaseEventBaseSchema, {
  wave: name,
});
export type WaveMeasureEvent = z.infer<typeof WaveMeasureEventSchema>;

/** poll-readiness in `PollWaveReadiness`. */
export const WavePollReadinessEventSchema = z.extend(LoopEventSchema, {
  wave: name,
  measurementId: name,
});
export type WavePollReadinessEvent = z.infer<
  typeof WavePollReadinessEventSchema
>;
/**
 * `ready` only when every application of the wave is ready; `reasons`
 * name the application ("billing: MessageLag 12,400 > 1,000 on orders"),
 * first 20; the evidence keeps each application's rules.
 */
export interface WavePollReadinessResult extends PollReadinessResult {
  /** Applications of the wave not ready yet, first 20. */
  waiting: string[];
}

// -------------------------------------------------------- request-approval

export const WaveGateKinds = ['wave-cutover', 'wave-keep-or-rollback'] as const;
export type WaveGateKind = (typeof WaveGateKinds)[number];

export const WaveDecisionsByGate = {
  'wave-cutover': ['cutover', 'postpone', 'abort'],
  'wave-keep-or-rollback': ['keep'],
} as const satisfies Record<WaveGateKind, readonly string[]>;

export const WaveRequestApprovalEventSchema = z.extend(PhaseEventBaseSchema, {
  kind: z.enum(WaveGateKinds),
  wave: name,
  /** `$$.Task.Token`. Never logged, never in a URL or an email. */
  taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
  executionId: name,
  /** wave-keep-or-rollback only: each application's cutover outcome. */
  outcomes: z.optional(z.array(WaveAppResultSchema)),
});
export type WaveRequestApprovalEvent = z.infer<
  typeof WaveRequestApprovalEventSchema
>;

const decided = {
  approver: name,
  comment: z.optional(z.string()),
  approvalId: name,
};

/**
 * What SendTaskSuccess carries back to `RequestWaveCutoverApproval`.
 * `skip` names applications of the wave that stay on the source (their
 * outcome `skipped`); none: every application moves.
 */
export const WaveCutoverDecisionSchema = z.strictObject({
  decision: z.enum(WaveDecisionsByGate['wave-cutover']),
  skip: z._default(names, []),
  ...decided,
});
export type WaveCutoverDecision = z.infer<typeof WaveCutoverDecisionSchema>;

/**
 * What SendTaskSuccess carries back to `RequestWaveKeepOrRollbackApproval`.
 * `rollback` names the applications to move back (none: keep all; every
 * one that moved: roll back all).
 */
export const WaveKeepOrRollbackDecisionSchema = z.strictObject({
  decision: z.enum(WaveDecisionsByGate['wave-keep-or-rollback']),
  rollback: z._default(names, []),
  ...decided,
});
export type WaveKeepOrRollbackDecision = z.infer<
  typeof WaveKeepOrRollbackDecisionSchema
>;

/**
 * A decision's subset checked against the wave: every name an application
 * of the wave, none twice; for a rollback, only applications that moved
 * (not skipped). Returns the problems, each with its JSON path; empty when
 * the subset is valid. The approval API refuses a decision with problems
 * (the state machine takes the subset as given).
 */
export function subsetProblems(
  field: 'skip' | 'rollback',
  subset: readonly string[],
  outcomes: readonly { app: string; outcome: WaveAppOutcome }[],
): string[] {
  const problems: string[] = [];
  const byApp = new Map(outcomes.map((o) => [o.app, o.outcome]));
  const seen = new Set<string>();
  subset.forEach((app, i) => {
    const where = `$.${field}[${i}]`;
    if (seen.has(app)) problems.push(`${where}: ${app} is named twice`);
    seen.add(app);
    const outcome = byApp.get(app);
    if (outcome === undefined) {
      problems.push(`${where}: ${app} is not an application of this wave`);
    } else if (field === 'rollback' && outcome === 'skipped') {
      problems.push(`${where}: ${app} was skipped: it never left the source`);
    }
  });
  return problems;
}

// ------------------------------------------------------------ record-failure

/** record-failure in `RecordWaveFailure`: the wave's failure (the migration fails). */
export const WaveRecordFailureEventSchema = z.extend(PhaseEventBaseSchema, {
  error: z.object({ Error: z.string(), Cause: z.nullish(z.string()) }),
  phase: z.literal('wave-cutover'),
  wave: name,
});
export type WaveRecordFailureEvent = z.infer<
  typeof WaveRecordFailureEventSchema
>;

/**
 * record-failure in an application's `RecordFailure` carries its `mode`:
 * in `verify-cutover` and `verify-rollback` it records that application's
 * failure only (its wave goes on and reports it `failed`), never the
 * migration's.
 */
export const AppRecordFailureModeSchema = z.object({
  mode: z.optional(z.enum(AppCutoverModes)),
});
