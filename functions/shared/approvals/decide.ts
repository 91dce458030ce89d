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
import { type Decision, DecisionsByGate } from '../domain/types.ts';
import type {
  ApprovalRecord,
  Clock,
  Ledger,
  Log,
  TaskTokens,
  TokenCipher,
} from '../ports.ts';
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
    },
    deps.clock.now(),
  );
  await recordAppMove(approval, input.decision, deps);
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
  const current = await deps.ledger.getApp(approval.migrationId, approval.app);
  if (!current || current.state === to) return;
  try {
    await deps.ledger.transitionApp(
      approval.migrationId,
      approval.app,
      statesBefore(to),
      to,
    );
  } catch (err) {
    if (!(err instanceof LedgerConflictError)) throw err;
    await deps.ledger.audit(approval.migrationId, 'app-move-not-recorded', {
      app: approval.app,
      from: current.state,
      to,
      decision,
    });
    deps.log.warn('decision does not follow the application state', {
      app: approval.app,
      from: current.state,
      to,
    });
  }
}
