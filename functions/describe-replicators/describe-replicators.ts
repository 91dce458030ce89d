/**
 * describe-replicators: one poll of the await-RUNNING loop. Reads the state
 * of every replicator the ledger holds; FAILED (with MSK's StateInfo) or a
 * replicator that vanished fails the migration; CREATING for longer than
 * usual warns once, and far longer fails as stuck.
 */
import {
  type DescribeReplicatorsEvent,
  type DescribeReplicatorsResult,
  LOOP_ITERATIONS_PER_EXECUTION,
} from '../shared/contracts.ts';
import {
  ReplicatorFailedError,
  ReplicatorStuckError,
} from '../shared/domain/errors.ts';
import type {
  Clock,
  Ledger,
  Log,
  Notifier,
  Replicators,
} from '../shared/ports.ts';

export interface DescribeReplicatorsDeps {
  ledger: Ledger;
  replicators: Replicators;
  notifier: Notifier;
  clock: Clock;
  log: Log;
}

/** MSK Replicator usually reaches RUNNING in about 30 minutes. */
export const CREATING_WARN_MINUTES = 45;
/** Past this, waiting longer will not help: fail and clean up. */
export const CREATING_LIMIT_MINUTES = 180;

/**
 * One poll: `allRunning` ends the loop; `continueAsNew` hands it to a new
 * execution after {@link LOOP_ITERATIONS_PER_EXECUTION} polls.
 *
 * @throws ReplicatorFailedError a replicator is FAILED, DELETING or gone.
 * @throws ReplicatorStuckError still not RUNNING after 180 minutes.
 */
export async function runDescribeReplicators(
  event: DescribeReplicatorsEvent,
  deps: DescribeReplicatorsDeps,
): Promise<DescribeReplicatorsResult> {
  const refs = await deps.ledger.listReplicators(event.migrationId);
  if (refs.length === 0) {
    throw new ReplicatorFailedError(
      `migration ${event.migrationId} has no replicators recorded; CreateReplicators did not complete`,
    );
  }
  const states: Record<string, string> = {};
  const broken: string[] = [];
  for (const ref of refs) {
    const described = await deps.replicators.describe(ref.arn);
    if (!described) {
      states[ref.name] = 'NOT_FOUND';
      broken.push(
        `${ref.name} no longer exists (deleted outside the workflow?)`,
      );
      continue;
    }
    const state = described.ReplicatorState ?? 'UNKNOWN';
    states[ref.name] = state;
    if (state === 'FAILED') {
      const info = described.StateInfo;
      broken.push(
        `${ref.name} is FAILED: ${info?.Code ?? 'no code'}: ${info?.Message ?? 'MSK gave no StateInfo'}`,
      );
    } else if (state === 'DELETING') {
      broken.push(`${ref.name} is being deleted`);
    }
  }
  if (broken.length > 0) {
    throw new ReplicatorFailedError(broken.join('; '));
  }

  const iteration = event.iteration + 1;
  const waiting = Object.entries(states).filter(([, s]) => s !== 'RUNNING');
  if (waiting.length === 0) {
    deps.log.info('replicators running', { replicators: refs.length });
    await deps.ledger.audit(event.migrationId, 'replicators running', {
      states,
    });
    await deps.notifier.publish({
      migrationId: event.migrationId,
      type: 'Phase Changed',
      subject: `msk-cutover ${event.migrationId}: replicators RUNNING`,
      body: `All ${refs.length} replicators of migration ${event.migrationId} are RUNNING. The workflow now waits until replication is ready (lag and latency below the plan's thresholds for the sustained window). Nothing to do yet.`,
      detail: { phase: 'replicators-running', states },
    });
    return { allRunning: true, states, iteration, continueAsNew: false };
  }

  await watchCreating(event.migrationId, waiting, deps);
  return {
    allRunning: false,
    states,
    iteration,
    continueAsNew: iteration >= LOOP_ITERATIONS_PER_EXECUTION,
  };
}

/** Warn once after 45 minutes of CREATING, fail after 180. */
async function watchCreating(
  migrationId: string,
  waiting: [string, string][],
  deps: DescribeReplicatorsDeps,
): Promise<void> {
  const now = deps.clock.now();
  const migration = await deps.ledger.getMigration(migrationId);
  const since = migration?.creatingSince
    ? new Date(migration.creatingSince)
    : now;
  if (!migration?.creatingSince) {
    await deps.ledger.updateMigration(migrationId, {
      creatingSince: now.toISOString(),
    });
  }
  const minutes = Math.floor((now.getTime() - since.getTime()) / 60_000);
  const list = waiting.map(([name, state]) => `${name} (${state})`).join(', ');
  if (minutes >= CREATING_LIMIT_MINUTES) {
    throw new ReplicatorStuckError(
      `not RUNNING after ${minutes} minutes (limit ${CREATING_LIMIT_MINUTES}): ${list}`,
    );
  }
  if (minutes >= CREATING_WARN_MINUTES && !migration?.creatingWarnedAt) {
    await deps.notifier.publish({
      migrationId,
      type: 'Replicators Slow',
      subject: `msk-cutover ${migrationId}: replicators still creating after ${minutes} minutes`,
      body: `These replicators are not RUNNING after ${minutes} minutes (usually about 30): ${list}. The workflow keeps waiting and fails at ${CREATING_LIMIT_MINUTES} minutes. Check the replicators' CloudWatch logs and the network path from the replicator subnets to the source brokers.`,
      detail: { phase: 'replicators-creating', minutes, waiting: list },
    });
    await deps.ledger.updateMigration(migrationId, {
      creatingWarnedAt: now.toISOString(),
    });
    deps.log.warn('replicators slow to start', { minutes });
  }
}
