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
import type { Plan } from '../shared/domain/plan.ts';
import type { WaveAppStatus } from '../shared/domain/types.ts';
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
  const waveApps = await waveAppsOf(plan, event, deps.ledger);
  if (waveApps !== undefined) {
    // A wave gate: the wave's applications are in `waveApps`.
  } else if (event.wave !== undefined || event.outcomes !== undefined) {
    throw new ValidationError(
      `wave: only a wave gate names a wave (this is a ${event.kind} gate)`,
    );
  } else if (event.kind === 'teardown') {
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
    ...(waveApps === undefined ? {} : { wave: event.wave, waveApps }),
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
    ...(event.wave === undefined ? {} : { wave: event.wave }),
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

/** A reason as the wave's list shows it (the evidence keeps them all). */
const MAX_REASON_CHARS = 160;
/** Evidence reads at once for a wave's cutover gate. */
const AT_ONCE = 10;

/**
 * A wave gate's applications, each with its own readiness (wave-cutover:
 * its newest readiness evidence, one reason) or its cutover outcome
 * (wave-keep-or-rollback: from the event); undefined for other gates.
 *
 * @throws ValidationError when a wave gate names no wave, a wave the plan
 *   does not have, an application, or outcomes that are not the wave's
 */
async function waveAppsOf(
  plan: Plan,
  event: RequestApprovalEvent,
  ledger: Pick<Ledger, 'latestEvidence'>,
): Promise<WaveAppStatus[] | undefined> {
  if (event.kind !== 'wave-cutover' && event.kind !== 'wave-keep-or-rollback') {
    return undefined;
  }
  if (event.app !== undefined) {
    throw new ValidationError(
      `app: a ${event.kind} gate names its wave, not an application (got "${event.app}")`,
    );
  }
  const wave = plan.cutoverWaves?.find((w) => w.name === event.wave);
  if (!wave) {
    throw new ValidationError(
      event.wave === undefined
        ? `wave: required for a ${event.kind} gate`
        : `wave: "${event.wave}" is not a wave of plan ${plan.migrationId}`,
    );
  }
  if (event.kind === 'wave-keep-or-rollback') {
    const outcomes = event.outcomes ?? [];
    const expected = new Set(wave.applications);
    outcomes.forEach((o, i) => {
      if (!expected.delete(o.app)) {
        throw new ValidationError(
          `outcomes[${i}].app: "${o.app}" is not an application of wave ${wave.name} (or is listed twice)`,
        );
      }
    });
    if (expected.size > 0) {
      throw new ValidationError(
        `outcomes: no outcome for ${[...expected].slice(0, 10).join(', ')} of wave ${wave.name}`,
      );
    }
    return outcomes.map((o) => ({
      app: o.app,
      outcome: o.outcome,
      ...(o.error === undefined ? {} : { error: o.error }),
    }));
  }
  const out: WaveAppStatus[] = [];
  for (let i = 0; i < wave.applications.length; i += AT_ONCE) {
    const chunk = wave.applications.slice(i, i + AT_ONCE);
    out.push(
      ...(await Promise.all(
        chunk.map(async (app): Promise<WaveAppStatus> => {
          const evidence = await ledger.latestEvidence(
            event.migrationId,
            'readiness',
            app,
          );
          if (!evidence) return { app };
          const reason = evidence.reasons[0];
          return {
            app,
            ...(typeof evidence.ready === 'boolean'
              ? { ready: evidence.ready }
              : {}),
            reasons:
              reason === undefined
                ? []
                : [
                    reason.length > MAX_REASON_CHARS
                      ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…`
                      : reason,
                  ],
            evidenceId: evidence.evidenceId,
          };
        }),
      )),
    );
  }
  return out;
}
