/**
 * approval-reminders (every 15 minutes): a gate still open after half of
 * its timeout is announced once more. The reminder carries a fresh link —
 * the first one may have expired by then (`linkTtlHours` is often shorter
 * than half of `gateTimeoutHours`) — so it re-issues the approval: a new id,
 * the task token re-encrypted for it, the old link superseded.
 *
 * It also sends again every decision that was recorded but never reached
 * Step Functions (SendTaskSuccess failed after the SDK's retries): without
 * it the gate would wait until its timeout although a person had decided.
 */

import { deliverDecision } from '../shared/approvals/decide.ts';
import {
  type AnnounceDeps,
  announceGate,
  gateOpenedAt,
  reissueApproval,
  tokenContext,
} from '../shared/approvals/gate.ts';
import { GATES_OVERDUE_METRIC } from '../shared/custom-metrics.ts';
import type { Plan } from '../shared/domain/plan.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  ApprovalRecord,
  Clock,
  Ledger,
  Metrics,
  PlanStore,
  TaskTokens,
  TokenCipher,
} from '../shared/ports.ts';

export interface ApprovalRemindersDeps extends AnnounceDeps {
  plans: PlanStore;
  ledger: Ledger;
  cipher: TokenCipher;
  tasks: TaskTokens;
  metrics: Pick<Metrics, 'put'>;
  clock: Clock;
}

/**
 * A decision this old that has not reached Step Functions is sent again
 * (younger ones may still be on their way from the page or the CLI).
 */
export const REDELIVER_AFTER_MS = 2 * 60_000;

export interface Reminder {
  migrationId: string;
  /** The approval that was open past half its gate's timeout. */
  remindedApprovalId: string;
  /** The approval the reminder's link opens. */
  approvalId: string;
}

export interface ApprovalRemindersResult {
  /** Open approvals looked at. */
  open: number;
  /** Open gates older than their gate timeout (published as a metric). */
  overdue: number;
  reminders: Reminder[];
  /** Decisions sent again, with what Step Functions answered. */
  redelivered: {
    approvalId: string;
    outcome: 'accepted' | 'gate-closed' | 'undelivered';
  }[];
}

/** Whether an open approval is past half of its gate's timeout at `now`. */
export function dueForReminder(
  approval: Pick<
    ApprovalRecord,
    'status' | 'createdAt' | 'gateOpenedAt' | 'remindedAt'
  >,
  gateTimeoutHours: number,
  now: Date,
): boolean {
  if (approval.status !== 'OPEN' || approval.remindedAt) return false;
  const half = (gateTimeoutHours * 3_600_000) / 2;
  return now.getTime() - gateOpenedAt(approval) >= half;
}

/**
 * Re-announces every gate open past half its timeout, once: the ledger's
 * conditional `markReminded` lets only one run (of overlapping schedules)
 * send it. Publishes the number of gates past their timeout (0 included:
 * a gap in the metric means the sweep stopped).
 */
export async function runApprovalReminders(
  deps: ApprovalRemindersDeps,
): Promise<ApprovalRemindersResult> {
  const now = deps.clock.now();
  const reminders: Reminder[] = [];
  const redelivered: ApprovalRemindersResult['redelivered'] = [];
  let open = 0;
  let overdue = 0;
  for (const migration of await deps.ledger.listMigrations()) {
    const all = await deps.ledger.listApprovals(migration.migrationId);
    for (const decided of all.filter((a) => undelivered(a, now))) {
      const token = await deps.cipher.decrypt(
        decided.encryptedTaskToken,
        tokenContext(decided.migrationId, decided.approvalId),
      );
      const sent = await deliverDecision(decided, token, deps, {
        redelivery: true,
      });
      redelivered.push({
        approvalId: decided.approvalId,
        outcome: sent.outcome,
      });
    }
    const approvals = all.filter((a) => a.status === 'OPEN');
    open += approvals.length;
    if (approvals.length === 0) continue;
    let plan: Plan | undefined;
    for (const approval of approvals) {
      plan ??= (await loadPlan(deps.plans, migration.planRef)).plan;
      const timeoutMs = plan.approvals.gateTimeoutHours * 3_600_000;
      if (now.getTime() - gateOpenedAt(approval) > timeoutMs) {
        // Step Functions has timed the task out: nothing left to remind.
        overdue++;
        continue;
      }
      if (!dueForReminder(approval, plan.approvals.gateTimeoutHours, now)) {
        continue;
      }
      if (!(await deps.ledger.markReminded(approval.approvalId, now))) {
        continue;
      }
      reminders.push(await reissue(deps, plan, approval, now));
    }
  }
  await deps.metrics.put([
    {
      metricName: GATES_OVERDUE_METRIC,
      dimensions: {},
      value: overdue,
      at: now,
    },
  ]);
  deps.log.info('approval reminders', {
    open,
    overdue,
    reminded: reminders.length,
    redelivered: redelivered.length,
  });
  return { open, overdue, reminders, redelivered };
}

/** Decided, never answered by Step Functions, and no longer in flight. */
function undelivered(a: ApprovalRecord, now: Date): boolean {
  return (
    a.status === 'DECIDED' &&
    a.deliveredAt === undefined &&
    a.decidedAt !== undefined &&
    now.getTime() - Date.parse(a.decidedAt) >= REDELIVER_AFTER_MS
  );
}

async function reissue(
  deps: ApprovalRemindersDeps,
  plan: Plan,
  old: ApprovalRecord,
  now: Date,
): Promise<Reminder> {
  // The gate's own deadline still counts from when it first opened.
  const gateDeadline =
    gateOpenedAt(old) + plan.approvals.gateTimeoutHours * 3_600_000;
  const fresh = await reissueApproval(
    deps,
    old,
    now,
    new Date(
      Math.min(
        now.getTime() + plan.approvals.linkTtlHours * 3_600_000,
        gateDeadline,
      ),
    ),
  );
  const { approvalId, expiresAt } = fresh;
  await deps.ledger.audit(old.migrationId, 'approval-reminded', {
    remindedApprovalId: old.approvalId,
    approvalId,
    kind: old.kind,
    app: old.app ?? null,
    expiresAt,
  });
  await announceGate(deps, plan, fresh, true);
  return {
    migrationId: old.migrationId,
    remindedApprovalId: old.approvalId,
    approvalId,
  };
}
