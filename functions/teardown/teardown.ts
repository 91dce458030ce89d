/**
 * teardown: deletes the replicators once nothing can need them any more.
 * The guard runs first and refuses (TeardownGuardError with every reason,
 * which the workflow shows at the teardown gate) unless every application
 * is kept on the target or skipped (or, in a plan with waves, rolled back
 * in its wave), the rollback window is over, and the
 * latest measurement of each kept application shows none of its consumer
 * groups active on the source. Then reverse before forward for every shard,
 * and a ListReplicators check by exact name.
 */
import type {
  MeasureEvidenceData,
  TeardownEvent,
  TeardownResult,
} from '../shared/contracts.ts';
import { isSettledForTeardown } from '../shared/domain/app-state.ts';
import { TeardownGuardError, TransientError } from '../shared/domain/errors.ts';
import type { Plan } from '../shared/domain/plan.ts';
import {
  REPLICATOR_NAME_PREFIX,
  replicatorSpecs,
} from '../shared/domain/replicator-config.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  AppRecord,
  Clock,
  Ledger,
  Log,
  Notifier,
  PlanStore,
  Replicators,
} from '../shared/ports.ts';

export interface TeardownDeps {
  plans: PlanStore;
  ledger: Ledger;
  replicators: Replicators;
  notifier: Notifier;
  clock: Clock;
  log: Log;
}

/** The guard's message stays readable in an email and a gate note. */
const MAX_REASON_CHARS = 1500;

/**
 * Checks the guard, then deletes and confirms.
 *
 * @throws TeardownGuardError with every reason the guard refused.
 * @throws TransientError when a replicator is still listed (not DELETING)
 *   after its deletion.
 */
export async function runTeardown(
  event: TeardownEvent,
  deps: TeardownDeps,
): Promise<TeardownResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const apps = await deps.ledger.listApps(event.migrationId);
  const reasons = await guard(plan, apps, deps);
  if (reasons.length > 0) {
    await deps.ledger.audit(event.migrationId, 'teardown refused', {
      reasons,
    });
    deps.log.warn('teardown refused', { reasons: reasons.length });
    const text = `teardown refused: ${reasons.join('; ')}`;
    throw new TeardownGuardError(
      text.length > MAX_REASON_CHARS
        ? `${text.slice(0, MAX_REASON_CHARS - 3)}...`
        : text,
    );
  }

  const prefix = `${REPLICATOR_NAME_PREFIX}${plan.migrationId}-`;
  const specs = replicatorSpecs(plan);
  const ours = new Set(specs.map((s) => s.name));
  const arns = new Map(
    (await deps.ledger.listReplicators(event.migrationId)).map((r) => [
      r.name,
      r.arn,
    ]),
  );
  // Exact names only: the prefix of `orders` also matches `orders-eu`.
  for (const r of await deps.replicators.listByPrefix(prefix)) {
    if (r.ReplicatorName && r.ReplicatorArn && ours.has(r.ReplicatorName)) {
      arns.set(r.ReplicatorName, r.ReplicatorArn);
    }
  }

  // Reverse before forward: the reverse replicator writes into the source,
  // so it stops first; the forward one keeps the target current meanwhile.
  const order = [...new Set(specs.map((s) => s.shard))].flatMap((shard) =>
    ['reverse', 'forward'].flatMap((direction) =>
      specs.filter((s) => s.shard === shard && s.direction === direction),
    ),
  );
  const deleted: string[] = [];
  for (const spec of order) {
    const arn = arns.get(spec.name);
    if (!arn) continue; // never created, or already gone
    await deps.replicators.delete(arn);
    deleted.push(spec.name);
    deps.log.info('replicator deleted', { name: spec.name });
  }

  // MSK deletes asynchronously: DELETING counts as deleted.
  const remaining = (await deps.replicators.listByPrefix(prefix))
    .filter(
      (r) =>
        r.ReplicatorName &&
        ours.has(r.ReplicatorName) &&
        r.ReplicatorState !== 'DELETING',
    )
    .map((r) => r.ReplicatorName as string);
  if (remaining.length > 0) {
    throw new TransientError(
      `still listed after DeleteReplicator: ${remaining.join(', ')}`,
    );
  }

  await deps.ledger.updateMigration(event.migrationId, {
    status: 'TORN_DOWN',
  });
  await deps.ledger.audit(event.migrationId, 'replicators deleted', {
    deleted,
  });
  await deps.notifier.publish({
    migrationId: event.migrationId,
    type: 'Replicators Deleted',
    subject: `msk-cutover ${event.migrationId}: replicators deleted`,
    body: `The replicators of migration ${event.migrationId} are deleted (${deleted.join(', ') || 'none were left'}). Every application is on the target or was skipped; rollback through this migration is no longer possible.`,
    detail: { phase: 'teardown', deleted },
  });
  return { deleted, remaining };
}

/** Every reason not to delete now; empty when teardown may proceed. */
async function guard(
  plan: Plan,
  apps: AppRecord[],
  deps: TeardownDeps,
): Promise<string[]> {
  const reasons: string[] = [];
  // A wave ends its rolled-back applications on the source for this
  // migration (the per-application flow would offer them another cutover):
  // like skipped ones, they no longer need the replicators.
  const waves = plan.cutoverWaves !== undefined;
  const unsettled = apps.filter(
    (a) =>
      !(isSettledForTeardown(a.state) || (waves && a.state === 'ROLLED_BACK')),
  );
  if (unsettled.length > 0) {
    reasons.push(
      `not every application is kept on the target or skipped: ${list(
        unsettled.map((a) => `${a.app} (${a.state})`),
      )}`,
    );
  }

  const kept = apps.filter((a) => a.state === 'KEPT_ON_TARGET');
  const lastKept = Math.max(0, ...kept.map((a) => Date.parse(a.updatedAt)));
  const windowEnd = lastKept + plan.teardown.rollbackWindowHours * 3_600_000;
  if (kept.length > 0 && deps.clock.now().getTime() < windowEnd) {
    reasons.push(
      `the rollback window is open until ${new Date(windowEnd).toISOString()}`,
    );
  }

  const active: string[] = [];
  for (const record of kept) {
    const app = plan.applications.find((a) => a.name === record.app);
    if (!app || app.consumerGroups.length === 0) continue;
    const measured = await deps.ledger.latestEvidence(
      plan.migrationId,
      'measure',
      app.name,
    );
    if (!measured) {
      active.push(`${app.name}: its consumer groups were never measured`);
      continue;
    }
    const groups = (measured.data as unknown as MeasureEvidenceData).groups;
    for (const name of app.consumerGroups) {
      const g = groups.find((m) => m.group === name);
      if (!g || g.source === null) {
        active.push(
          `${app.name}: group ${name} could not be read on the source at ${measured.at}`,
        );
      } else if (g.source.members > 0) {
        active.push(
          `${app.name}: group ${name} has ${g.source.members} member(s) on the source at ${measured.at}`,
        );
      }
    }
  }
  if (active.length > 0) {
    reasons.push(
      `consumer groups may still be active on the source: ${list(active)}`,
    );
  }
  return reasons;
}

function list(items: string[], max = 10): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}
