/**
 * request-approval: the `.waitForTaskToken` Task of every gate. It stores
 * the task token encrypted (KMS, bound to this approval by the encryption
 * context), records what is asked and on which evidence, supersedes older
 * requests of the same gate, and emails one signed link. The token never
 * appears in a log line, a URL or an email.
 */

import {
  type AnnounceDeps,
  announceGate,
  latestGateEvidence,
  linkExpiry,
  tokenContext,
} from '../shared/approvals/gate.ts';
import { newApprovalId, newFormNonce } from '../shared/approvals/link.ts';
import type {
  RequestApprovalEvent,
  RequestApprovalResult,
} from '../shared/contracts.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  ApprovalRecord,
  Clock,
  Ledger,
  PlanStore,
  TokenCipher,
} from '../shared/ports.ts';

export interface RequestApprovalDeps extends AnnounceDeps {
  plans: PlanStore;
  ledger: Ledger;
  cipher: TokenCipher;
  clock: Clock;
}

/**
 * Opens a gate: records the approval and emails its link.
 *
 * @throws ValidationError when the gate names no application (or one the
 *   plan does not have) where one is required
 */
export async function runRequestApproval(
  event: RequestApprovalEvent,
  deps: RequestApprovalDeps,
): Promise<RequestApprovalResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  if (event.kind === 'teardown') {
    if (event.app !== undefined) {
      throw new ValidationError(
        `app: the teardown gate is migration-wide; got "${event.app}"`,
      );
    }
  } else if (event.app === undefined) {
    throw new ValidationError(`app: required for a ${event.kind} gate`);
  } else if (!plan.applications.some((a) => a.name === event.app)) {
    throw new ValidationError(
      `app: "${event.app}" is not an application of plan ${plan.migrationId}`,
    );
  }

  const now = deps.clock.now();
  const approvalId = newApprovalId();
  const [encryptedTaskToken, evidence] = await Promise.all([
    deps.cipher.encrypt(
      event.taskToken,
      tokenContext(event.migrationId, approvalId),
    ),
    latestGateEvidence(deps.ledger, event.migrationId, event.kind, event.app),
  ]);
  const approval: ApprovalRecord = {
    approvalId,
    migrationId: event.migrationId,
    kind: event.kind,
    ...(event.app === undefined ? {} : { app: event.app }),
    executionId: event.executionId,
    encryptedTaskToken,
    formNonce: newFormNonce(),
    ...(evidence ? { evidenceId: evidence.evidenceId } : {}),
    ...(event.note === undefined ? {} : { note: event.note }),
    ...(event.asked === undefined ? {} : { asked: event.asked }),
    createdAt: now.toISOString(),
    expiresAt: linkExpiry(plan, now).toISOString(),
    status: 'OPEN',
  };
  await deps.ledger.putApproval(approval);
  await deps.ledger.audit(event.migrationId, 'approval-requested', {
    approvalId,
    kind: event.kind,
    app: event.app ?? null,
    evidenceId: approval.evidenceId ?? null,
    expiresAt: approval.expiresAt,
  });
  await announceGate(deps, plan, approval, false);
  deps.log.info('approval requested', {
    approvalId,
    kind: event.kind,
    evidenceId: approval.evidenceId ?? null,
    expiresAt: approval.expiresAt,
  });
  return { approvalId };
}
