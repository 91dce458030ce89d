/**
 * cleanup: EventBridge reacts to parent executions that FAILED, TIMED_OUT
 * or were ABORTED (which skip the workflow's own failure handling), and a
 * daily schedule sweeps every replicator tagged `msk-cutover:migration-id`
 * whose migration is over. Replicators are deleted only while no
 * application has left the source: with applications on both clusters, the
 * replicators are the only data path between them, and with every
 * application on the target a rollback still needs the reverse replicator,
 * so cleanup deletes nothing and tells people which application is where.
 */

import type { CleanupResult } from '../shared/contracts.ts';
import { keptReplicatorsAdvice } from '../shared/domain/advice.ts';
import { hasLeftSource, ledgerLocation } from '../shared/domain/app-state.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import {
  REPLICATOR_NAME_PREFIX,
  TAG_MIGRATION_ID,
} from '../shared/domain/replicator-config.ts';
import * as z from '../shared/domain/zod.ts';
import type {
  AppRecord,
  Clock,
  Ledger,
  Log,
  Notifier,
  Replicators,
} from '../shared/ports.ts';

export const ExecutionStatusChangeSchema = z.object({
  source: z.literal('aws.states'),
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().check(z.minLength(1)),
    stateMachineArn: z.string().check(z.minLength(1)),
    status: z.string().check(z.minLength(1)),
    /** The execution input as a JSON string (null when not delivered). */
    input: z.nullish(z.string()),
  }),
});

export const ScheduledSweepSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal('Scheduled Event'),
});

export const CleanupEventSchema = z.union([
  ExecutionStatusChangeSchema,
  ScheduledSweepSchema,
]);
export type CleanupEvent = z.infer<typeof CleanupEventSchema>;

export interface CleanupDeps {
  ledger: Ledger;
  replicators: Replicators;
  notifier: Notifier;
  /** The parent state machine: events of any other machine are ignored. */
  stateMachineArn: string;
  clock: Clock;
  log: Log;
}

const ENDED_BADLY = ['FAILED', 'TIMED_OUT', 'ABORTED'];
type Outcome = CleanupResult['migrations'][number];

/**
 * Cleans up after one ended execution, or sweeps every tagged replicator.
 *
 * @throws ValidationError when an execution event carries no migrationId.
 */
export async function runCleanup(
  event: CleanupEvent,
  deps: CleanupDeps,
): Promise<CleanupResult> {
  if (event.source === 'aws.events') {
    return { migrations: await sweep(deps) };
  }
  const { detail } = event;
  if (
    detail.stateMachineArn !== deps.stateMachineArn ||
    !ENDED_BADLY.includes(detail.status)
  ) {
    deps.log.debug('execution event ignored', { status: detail.status });
    return { migrations: [] };
  }
  const migrationId = migrationIdOf(detail.input);
  const migration = await deps.ledger.getMigration(migrationId);
  if (migration?.status === 'RUNNING') {
    // Aborted and timed-out executions never reach RecordFailure.
    await deps.ledger.updateMigration(migrationId, {
      status: detail.status === 'ABORTED' ? 'ABORTED' : 'FAILED',
    });
  }
  const found = await replicatorsOf(migrationId, deps);
  return {
    migrations: [
      await clean(migrationId, found, `execution ${detail.status}`, deps),
    ],
  };
}

function migrationIdOf(input: string | null | undefined): string {
  try {
    const parsed = JSON.parse(input ?? '') as { migrationId?: unknown };
    if (typeof parsed.migrationId === 'string' && parsed.migrationId !== '') {
      return parsed.migrationId;
    }
  } catch {
    // reported below
  }
  throw new ValidationError(
    'detail.input: the execution input carries no migrationId',
  );
}

/** Our replicators of one migration: recorded in the ledger or tagged. */
async function replicatorsOf(
  migrationId: string,
  deps: CleanupDeps,
): Promise<Map<string, string>> {
  const found = new Map(
    (await deps.ledger.listReplicators(migrationId)).map((r) => [
      r.name,
      r.arn,
    ]),
  );
  const listed = await deps.replicators.listByPrefix(
    `${REPLICATOR_NAME_PREFIX}${migrationId}-`,
  );
  for (const r of listed) {
    if (!r.ReplicatorArn || !r.ReplicatorName || found.has(r.ReplicatorName)) {
      continue;
    }
    // The prefix of `orders` also matches `orders-eu`: the tag decides.
    const described = await deps.replicators.describe(r.ReplicatorArn);
    if (described?.Tags?.[TAG_MIGRATION_ID] === migrationId) {
      found.set(r.ReplicatorName, r.ReplicatorArn);
    }
  }
  return found;
}

/** Every tagged replicator, by migration; only migrations that are over. */
async function sweep(deps: CleanupDeps): Promise<Outcome[]> {
  const byMigration = new Map<string, Map<string, string>>();
  for (const r of await deps.replicators.listByPrefix(REPLICATOR_NAME_PREFIX)) {
    if (!r.ReplicatorArn || !r.ReplicatorName) continue;
    if (r.ReplicatorState === 'DELETING') continue;
    const described = await deps.replicators.describe(r.ReplicatorArn);
    const id = described?.Tags?.[TAG_MIGRATION_ID];
    if (!id) continue; // not created by this tool
    const found = byMigration.get(id) ?? new Map<string, string>();
    found.set(r.ReplicatorName, r.ReplicatorArn);
    byMigration.set(id, found);
  }
  const outcomes: Outcome[] = [];
  for (const [migrationId, found] of byMigration) {
    const migration = await deps.ledger.getMigration(migrationId);
    if (migration?.status === 'RUNNING') {
      outcomes.push({
        migrationId,
        action: 'kept-running',
        reason: 'the migration is still running',
        deleted: [],
      });
      continue;
    }
    outcomes.push(
      await clean(
        migrationId,
        found,
        `daily sweep (migration ${migration?.status ?? 'unknown to the ledger'})`,
        deps,
      ),
    );
  }
  return outcomes;
}

async function clean(
  migrationId: string,
  found: Map<string, string>,
  why: string,
  deps: CleanupDeps,
): Promise<Outcome> {
  if (found.size === 0) {
    return {
      migrationId,
      action: 'nothing-to-do',
      reason: 'no replicator left',
      deleted: [],
    };
  }
  const apps = await deps.ledger.listApps(migrationId);
  const off = apps.filter((a) => hasLeftSource(a.state));
  const replicatorList = [...found.keys()].join(', ');
  if (apps.length > 0 && apps.every(onTarget)) {
    // Nothing runs on the source any more, but each application can still
    // be rolled back, and a rollback reads the data the reverse replicator
    // copied back: deleting is a decision for teardown, not for cleanup.
    const reason =
      'every application is on the target; rollback still depends on the reverse replicator';
    await deps.ledger.audit(migrationId, 'cleanup refused', { why, reason });
    await deps.notifier.publish({
      migrationId,
      type: 'Cleanup Refused',
      subject: `msk-cutover ${migrationId}: replicators kept, every application on the target`,
      body: `Cleanup (${why}) did not delete the replicators of migration ${migrationId} (${replicatorList}). Every application is on the target (${placement(apps)}), and rolling any of them back depends on the reverse replicator.\n\n${keptReplicatorsAdvice(migrationId)}`,
      detail: { phase: 'cleanup', replicators: [...found.keys()] },
    });
    deps.log.warn('cleanup refused', { apps: off.length });
    return { migrationId, action: 'kept-all-on-target', reason, deleted: [] };
  }
  if (off.length > 0) {
    const reason = `applications are split across clusters: ${placement(apps)}`;
    await deps.ledger.audit(migrationId, 'cleanup refused', { why, reason });
    await deps.notifier.publish({
      migrationId,
      type: 'Cleanup Refused',
      subject: `msk-cutover ${migrationId}: replicators kept, applications on both clusters`,
      body: `Cleanup (${why}) did not delete the replicators of migration ${migrationId} (${replicatorList}): they carry the data between applications on the target and applications on the source.\n\n${placement(apps, '\n')}\n\nFor each application off the source, either roll it back or finish its cutover.\n${keptReplicatorsAdvice(migrationId)}`,
      detail: { phase: 'cleanup', replicators: [...found.keys()] },
    });
    deps.log.warn('cleanup refused', { apps: off.length });
    return { migrationId, action: 'kept-split', reason, deleted: [] };
  }

  // Reverse replicators first, as teardown does.
  const names = [...found.keys()].sort(
    (a, b) => Number(b.endsWith('-rev')) - Number(a.endsWith('-rev')),
  );
  for (const name of names) {
    await deps.replicators.delete(found.get(name) as string);
    deps.log.info('replicator deleted', { name });
  }
  await deps.ledger.audit(migrationId, 'replicators deleted by cleanup', {
    why,
    deleted: names,
  });
  await deps.notifier.publish({
    migrationId,
    type: 'Replicators Deleted',
    subject: `msk-cutover ${migrationId}: replicators deleted by cleanup`,
    body: `Cleanup (${why}) deleted the replicators of migration ${migrationId} (${names.join(', ')}). No application had left the source, so nothing depended on them.`,
    detail: { phase: 'cleanup', deleted: names },
  });
  return {
    migrationId,
    action: 'deleted',
    reason: 'no application has left the source',
    deleted: names,
  };
}

function onTarget(a: AppRecord): boolean {
  return ledgerLocation(a.state) === 'target';
}

/** "On the target: a, b; On the source: c" (at most 20 names each). */
function placement(apps: AppRecord[], separator = '; '): string {
  const groups: [string, AppRecord[]][] = [
    ['On the target', apps.filter((a) => ledgerLocation(a.state) === 'target')],
    ['Moving', apps.filter((a) => ledgerLocation(a.state) === 'moving')],
    ['On the source', apps.filter((a) => ledgerLocation(a.state) === 'source')],
  ];
  return groups
    .filter(([, list]) => list.length > 0)
    .map(([label, list]) => {
      const shown = list
        .slice(0, 20)
        .map((a) => a.app)
        .join(', ');
      const more = list.length > 20 ? ` and ${list.length - 20} more` : '';
      return `${label}: ${shown}${more}`;
    })
    .join(separator);
}
