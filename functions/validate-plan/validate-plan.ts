/**
 * validate-plan: the first phase. Loads the pinned plan version, validates
 * it, records the migration and one ledger item per application, subscribes
 * the notification emails, and returns what the workflow needs to run its
 * loops and its Map (app names and settings), never the plan itself.
 */

import type {
  ValidatePlanEvent,
  ValidatePlanResult,
} from '../shared/contracts.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import {
  planShards,
  replicatorNames,
} from '../shared/domain/replicator-config.ts';
import {
  TEARDOWN_ASK_AGAIN_HOURS,
  TEARDOWN_MAX_ASKS,
} from '../shared/domain/teardown-asks.ts';
import {
  cutoverConcurrency,
  cutoverSequence,
  waveConcurrency,
} from '../shared/domain/waves.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  Ledger,
  Log,
  Notifier,
  PlanStore,
} from '../shared/ports.ts';
import type { ValidatePlanWaves } from '../shared/wave-contracts.ts';

export interface ValidatePlanDeps {
  plans: PlanStore;
  ledger: Ledger;
  notifier: Notifier;
  clock: Clock;
  log: Log;
}

/**
 * Seconds between DescribeReplicators polls: replicators take about 30
 * minutes to reach RUNNING, so a minute keeps the loop near 30 iterations.
 */
export const RUNNING_POLL_SECONDS = 60;
/** A postponed cutover is asked again after at least this long. */
export const MIN_POSTPONE_SECONDS = 3600;

/**
 * Validates the plan behind `event.planRef` and records the migration.
 * Idempotent: a retry or a continuation with the same plan changes nothing;
 * the same migrationId with a different plan is a LedgerConflictError.
 *
 * @throws ValidationError when the plan is invalid or names another migration.
 */
export async function runValidatePlan(
  event: ValidatePlanEvent,
  deps: ValidatePlanDeps,
): Promise<ValidatePlanResult & Partial<ValidatePlanWaves>> {
  const { plan, digest } = await loadPlan(deps.plans, event.planRef);
  if (plan.migrationId !== event.migrationId) {
    throw new ValidationError(
      `migrationId: the execution says "${event.migrationId}" but the plan says "${plan.migrationId}"`,
    );
  }
  const now = deps.clock.now().toISOString();
  await deps.ledger.startMigration({
    migrationId: plan.migrationId,
    planDigest: digest,
    planRef: event.planRef,
    status: 'RUNNING',
    startedAt: now,
    updatedAt: now,
    ...(plan.source.clusterId
      ? { sourceClusterId: plan.source.clusterId }
      : {}),
  });
  const existing = await deps.ledger.getMigration(plan.migrationId);
  if (
    existing &&
    (existing.status === 'FAILED' || existing.status === 'ABORTED')
  ) {
    // The same plan started again after a failure: the migration runs again.
    await deps.ledger.updateMigration(plan.migrationId, { status: 'RUNNING' });
    await deps.ledger.audit(plan.migrationId, 'migration restarted', {
      previousStatus: existing.status,
    });
  }

  const apps = cutoverSequence(plan);
  // The ledger adapter writes the items in BatchWriteItem batches of 25 and
  // keeps existing ones, so a continuation does not reset any state.
  await deps.ledger.putApps(plan.migrationId, apps);

  const subscribed = await deps.notifier.subscribeEmails(
    plan.approvals.notifyEmails,
  );
  deps.log.info('plan validated', {
    apps: apps.length,
    newSubscriptions: subscribed.length,
    planDigest: digest,
  });

  const poll = plan.readiness.pollIntervalSeconds;
  return {
    migrationId: plan.migrationId,
    planDigest: digest,
    apps,
    shards: planShards(plan).map((s) => s.name),
    replicatorNames: replicatorNames(plan),
    concurrency: cutoverConcurrency(plan),
    pollIntervalSeconds: poll,
    runningPollSeconds: RUNNING_POLL_SECONDS,
    gateTimeoutSeconds: Math.max(
      1,
      Math.round(plan.approvals.gateTimeoutHours * 3600),
    ),
    postponeSeconds: Math.max(MIN_POSTPONE_SECONDS, poll),
    rollbackWindowSeconds: Math.round(plan.teardown.rollbackWindowHours * 3600),
    teardownRequiresApproval: plan.teardown.requireApproval,
    teardownAskAgainSeconds: TEARDOWN_ASK_AGAIN_HOURS * 3600,
    teardownMaxAsks: TEARDOWN_MAX_ASKS,
    ...(plan.cutoverWaves === undefined
      ? {}
      : {
          waves: plan.cutoverWaves.map((w) => ({
            name: w.name,
            apps: [...w.applications],
          })),
          waveConcurrency: waveConcurrency(plan),
        }),
  };
}
