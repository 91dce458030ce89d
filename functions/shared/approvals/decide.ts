/**
 * Deciding a gate, for the approval page (POST) and the CLI alike: the
 * ledger's conditional write makes the decision single use, and only then
 * is the task token decrypted and sent with SendTaskSuccess. A second
 * attempt fails at the ledger and never reaches Step Functions.
 */

import type { GateDecision } from '../contracts.ts';
import { stateAfterDecision, statesBefore } from '../domain/app-state.ts';
import {
  InvalidDecisionError,
  LedgerConflictError,
  TaskGoneError,
} from '../domain/errors.ts';
import {
  type AppState,
  type Decision,
  DecisionsByGate,
} from '../domain/types.ts';
import type {
  ApprovalRecord,
  Clock,
  Ledger,
  Log,
  TaskTokens,
  TokenCipher,
} from '../ports.ts';
import { subsetProblems } from '../wave-contracts.ts';
import { tokenContext } from './gate.ts';

export interface DecideDeps {
  ledger: Pick<
    Ledger,
    'decideApproval' | 'audit' | 'getApp' | 'transitionApp' | 'markDelivered'
  >;
  cipher: TokenCipher;
  tasks: TaskTokens;
  clock: Clock;
  log: Log;
}

export interface DecisionInput {
  decision: string;
  approver: string;
  comment?: string;
  sourceIp?: string;
  userAgent?: string;
  /** Wave cutover gate: applications of the wave that stay on the source. */
  skip?: string[];
  /** Wave keep-or-rollback gate: applications to move back. */
  rollback?: string[];
}

export type DecideOutcome =
  /** Recorded and delivered: the workflow continues. */
  | { outcome: 'decided'; approval: ApprovalRecord }
  /**
   * Recorded, but Step Functions says the task is gone (it timed out, or
   * the execution ended): nothing waits for this decision any more.
   */
  | { outcome: 'gate-closed'; approval: ApprovalRecord; reason: string }
  /**
   * Recorded, but SendTaskSuccess failed (after the SDK's retries): the
   * decision stands and approval-reminders sends it again.
   */
  | { outcome: 'undelivered'; approval: ApprovalRecord; reason: string };

/**
 * Decisions that overrule the workflow's own checks: the ledger records
 * the person's reason with them.
 */
export function requiresComment(decision: string): boolean {
  return decision === 'record-moved';
}

/** Whether `decision` is one this gate offers. */
export function isAllowedDecision(
  kind: ApprovalRecord['kind'],
  decision: string,
): decision is Decision {
  return (DecisionsByGate[kind] as readonly string[]).includes(decision);
}

/**
 * Decides an open approval once.
 *
 * @throws InvalidDecisionError when the gate does not offer `decision`
 * @throws LedgerConflictError when the approval is not open any more
 *   (already decided, superseded or expired): nothing is sent
 */
export async function decideApproval(
  approval: ApprovalRecord,
  input: DecisionInput,
  deps: DecideDeps,
): Promise<DecideOutcome> {
  if (!isAllowedDecision(approval.kind, input.decision)) {
    throw new InvalidDecisionError(
      `decision "${input.decision}" is not offered at a ${approval.kind} gate (choose ${DecisionsByGate[approval.kind].join(', ')})`,
    );
  }
  if (requiresComment(input.decision) && !input.comment?.trim()) {
    throw new InvalidDecisionError(
      `comment: required for "${input.decision}" (say why the application is recorded as moved although verification did not pass)`,
    );
  }
  const subsets = waveSubsets(approval, input);
  // Decrypt before the ledger write: a KMS failure must leave the gate open.
  const token = await deps.cipher.decrypt(
    approval.encryptedTaskToken,
    tokenContext(approval.migrationId, approval.approvalId),
  );
  const decided = await deps.ledger.decideApproval(
    approval.approvalId,
    {
      decision: input.decision,
      approver: input.approver,
      ...(input.comment ? { comment: input.comment } : {}),
      ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}),
      ...(input.userAgent ? { userAgent: input.userAgent } : {}),
      ...subsets,
    },
    deps.clock.now(),
  );
  if (approval.wave === undefined) {
    await recordAppMove(approval, input.decision, deps);
  } else {
    await recordWaveMoves(decided, deps);
  }
  const delivered = await deliverDecision(decided, token, deps, {
    sourceIp: input.sourceIp ?? null,
    userAgent: input.userAgent ?? null,
  });
  if (delivered.outcome === 'accepted') {
    deps.log.info('approval decided', {
      approvalId: approval.approvalId,
      kind: approval.kind,
      decision: input.decision,
    });
    return { outcome: 'decided', approval: decided };
  }
  return {
    outcome: delivered.outcome,
    approval: decided,
    reason: delivered.reason,
  };
}

/**
 * Sends a decided approval's decision with SendTaskSuccess and records the
 * answer: accepted, the task already closed, or not delivered (the error is
 * audited and the approval stays undelivered, for approval-reminders to
 * send again).
 */
export async function deliverDecision(
  decided: ApprovalRecord,
  token: string,
  deps: Pick<DecideDeps, 'ledger' | 'tasks' | 'clock' | 'log'>,
  extra: Record<string, unknown> = {},
): Promise<
  | { outcome: 'accepted' }
  | { outcome: 'gate-closed' | 'undelivered'; reason: string }
> {
  const { decision, approver } = decided;
  if (decided.status !== 'DECIDED' || !decision || !approver) {
    throw new Error(`approval ${decided.approvalId} has no decision to send`);
  }
  const output: GateDecision = {
    decision,
    approver,
    ...(decided.comment ? { comment: decided.comment } : {}),
    approvalId: decided.approvalId,
    // A wave gate's decision always carries its subset (empty: none).
    ...(decided.kind === 'wave-cutover' ? { skip: decided.skip ?? [] } : {}),
    ...(decided.kind === 'wave-keep-or-rollback'
      ? { rollback: decided.rollback ?? [] }
      : {}),
  };
  const audit = {
    approvalId: decided.approvalId,
    kind: decided.kind,
    app: decided.app ?? null,
    decision,
    approver,
    ...extra,
  };
  try {
    await deps.tasks.sendSuccess(token, output);
  } catch (err) {
    if (err instanceof TaskGoneError) {
      await deps.ledger.markDelivered(
        decided.approvalId,
        'gate-closed',
        deps.clock.now(),
      );
      await deps.ledger.audit(decided.migrationId, 'approval-gate-closed', {
        ...audit,
        error: err.reason,
      });
      deps.log.warn('gate already closed', {
        approvalId: decided.approvalId,
        error: err.reason,
      });
      return { outcome: 'gate-closed', reason: err.reason };
    }
    const reason = (err as Error).name || 'Error';
    await deps.ledger.audit(decided.migrationId, 'approval-undelivered', {
      ...audit,
      error: reason,
    });
    deps.log.error('decision not delivered', {
      approvalId: decided.approvalId,
      error: reason,
    });
    return { outcome: 'undelivered', reason };
  }
  await deps.ledger.markDelivered(
    decided.approvalId,
    'accepted',
    deps.clock.now(),
  );
  await deps.ledger.audit(decided.migrationId, 'approval-decided', audit);
  return { outcome: 'accepted' };
}

/**
 * Moves the application in the ledger as the decision says (cutover →
 * CUTOVER_APPROVED, keep → KEPT_ON_TARGET, …) before the workflow resumes.
 * Idempotent: an application already in that state is left alone; one in a
 * state the decision cannot follow is reported in the audit trail, and the
 * decision still reaches the workflow (verify-cutover re-checks reality).
 */
async function recordAppMove(
  approval: ApprovalRecord,
  decision: string,
  deps: DecideDeps,
): Promise<void> {
  const to = stateAfterDecision(decision, approval.kind);
  if (!to || !approval.app) return;
  await moveApp(approval.migrationId, approval.app, [to], decision, deps);
}

/**
 * Moves one application through `path` (each state in turn, e.g.
 * ON_TARGET then KEPT_ON_TARGET), skipping the states it is already past;
 * a move the state cannot follow is audited, never thrown.
 */
async function moveApp(
  migrationId: string,
  app: string,
  path: AppState[],
  decision: string,
  deps: DecideDeps,
): Promise<void> {
  const current = await deps.ledger.getApp(migrationId, app);
  if (!current) return;
  const at = path.indexOf(current.state);
  let from = current.state;
  for (const to of path.slice(at + 1)) {
    try {
      await deps.ledger.transitionApp(migrationId, app, statesBefore(to), to);
      from = to;
    } catch (err) {
      if (!(err instanceof LedgerConflictError)) throw err;
      await deps.ledger.audit(migrationId, 'app-move-not-recorded', {
        app,
        from,
        to,
        decision,
      });
      deps.log.warn('decision does not follow the application state', {
        app,
        from,
        to,
      });
      return;
    }
  }
}

// ------------------------------------------------------------------ waves

/**
 * A wave gate's subset, checked against the applications the gate listed
 * (`subsetProblems`): nothing is recorded or sent on a bad subset. Keeping
 * an application whose cutover was not verified records it as moved,
 * which takes a reason (the comment), as `record-moved` does.
 *
 * @throws InvalidDecisionError naming each problem with its JSON path
 */
export function waveSubsets(
  approval: Pick<ApprovalRecord, 'kind' | 'waveApps'>,
  input: Pick<DecisionInput, 'decision' | 'skip' | 'rollback' | 'comment'>,
): Pick<ApprovalRecord, 'skip' | 'rollback'> {
  const listed = (approval.waveApps ?? []).map((a) => ({
    app: a.app,
    outcome: a.outcome ?? ('verified' as const),
  }));
  if (approval.kind === 'wave-cutover') {
    if (input.rollback?.length) {
      throw new InvalidDecisionError(
        '$.rollback: a wave cutover gate takes `skip`, not `rollback`',
      );
    }
    const skip = input.skip ?? [];
    if (input.decision !== 'cutover' && skip.length > 0) {
      throw new InvalidDecisionError(
        `$.skip: only a "cutover" decision skips applications (got "${input.decision}")`,
      );
    }
    const problems = subsetProblems('skip', skip, listed);
    if (problems.length > 0)
      throw new InvalidDecisionError(problems.join('; '));
    return { skip };
  }
  if (approval.kind === 'wave-keep-or-rollback') {
    if (input.skip?.length) {
      throw new InvalidDecisionError(
        '$.skip: a wave keep-or-rollback gate takes `rollback`, not `skip`',
      );
    }
    const rollback = input.rollback ?? [];
    const problems = subsetProblems('rollback', rollback, listed);
    if (problems.length > 0)
      throw new InvalidDecisionError(problems.join('; '));
    const named = new Set(rollback);
    const unverified = listed
      .filter((a) => a.outcome === 'unverified' && !named.has(a.app))
      .map((a) => a.app);
    if (unverified.length > 0 && !input.comment?.trim()) {
      throw new InvalidDecisionError(
        `comment: required to keep ${unverified.join(', ')} (their cutover was not verified; keeping records them as moved, with your comment as the reason)`,
      );
    }
    return { rollback };
  }
  if (input.skip?.length || input.rollback?.length) {
    throw new InvalidDecisionError(
      `$.${input.skip?.length ? 'skip' : 'rollback'}: only a wave gate takes a subset of applications`,
    );
  }
  return {};
}

/**
 * The ledger moves of a wave decision, before the workflow resumes:
 * cutover → every application not skipped CUTOVER_APPROVED, the skipped
 * ones SKIPPED; keep → every moved application not named KEPT_ON_TARGET
 * (an unverified one via ON_TARGET), the named ones ROLLBACK_APPROVED. A
 * failed application that is kept stays as its failure left it (the
 * workflow could not say where it is). Ten applications at a time.
 */
async function recordWaveMoves(
  decided: ApprovalRecord,
  deps: DecideDeps,
): Promise<void> {
  const apps = decided.waveApps ?? [];
  const moves: [string, AppState[]][] = [];
  if (decided.kind === 'wave-cutover' && decided.decision === 'cutover') {
    const skip = new Set(decided.skip ?? []);
    for (const a of apps) {
      moves.push([a.app, [skip.has(a.app) ? 'SKIPPED' : 'CUTOVER_APPROVED']]);
    }
  } else if (decided.kind === 'wave-keep-or-rollback') {
    const rollback = new Set(decided.rollback ?? []);
    for (const a of apps) {
      if (a.outcome === 'skipped' || a.outcome === 'rolled-back') continue;
      if (rollback.has(a.app)) moves.push([a.app, ['ROLLBACK_APPROVED']]);
      else if (a.outcome === 'verified')
        moves.push([a.app, ['KEPT_ON_TARGET']]);
      else if (a.outcome === 'unverified') {
        moves.push([
          a.app,
          ['CUTOVER_APPROVED', 'ON_TARGET', 'KEPT_ON_TARGET'],
        ]);
      }
    }
  }
  const decision = decided.decision ?? '';
  for (let i = 0; i < moves.length; i += 10) {
    await Promise.all(
      moves
        .slice(i, i + 10)
        .map(([app, path]) =>
          moveApp(decided.migrationId, app, path, decision, deps),
        ),
    );
  }
}
