/**
 * record-failure: every Catch of both workflows ends here. Records FAILED
 * (or ABORTED, when a person aborted at a gate) in the ledger and sends one
 * message a person can act on: what failed, where each application is, and
 * what cleanup will (or will not) do. Nested executions fail together, so a
 * migration already recorded as failed is not announced twice.
 */

import type { RecordFailureEvent } from '../shared/contracts.ts';
import { keptReplicatorsAdvice } from '../shared/domain/advice.ts';
import { hasLeftSource, ledgerLocation } from '../shared/domain/app-state.ts';
import type {
  AppRecord,
  Clock,
  Ledger,
  Log,
  Notifier,
} from '../shared/ports.ts';

export interface RecordFailureDeps {
  ledger: Ledger;
  notifier: Notifier;
  clock: Clock;
  log: Log;
}

export interface RecordFailureResult {
  status: 'FAILED' | 'ABORTED';
  /** False when the failure had already been recorded and announced. */
  notified: boolean;
  /**
   * The root error (inside failed child executions) and its readable
   * message: the workflow's Fail state reports these, so an execution's
   * error names what went wrong rather than `States.TaskFailed`.
   */
  error: string;
  cause: string;
}

const MAX_MESSAGE_CHARS = 1000;

/**
 * The step an error comes from, in words: the Catch output names the error,
 * not the state, and each error is thrown by one kind of step.
 */
const STAGES: Record<string, string> = {
  ValidationError: 'while validating the plan or an event',
  LedgerConflictError: 'while recording the migration',
  PreflightFailedError: 'at the preflight checks (nothing was created)',
  ReplicatorConflictError: 'while creating the replicators',
  ReplicatorFailedError: 'while the replicators were starting or replicating',
  ReplicatorStuckError: 'while waiting for the replicators to start',
  ReadinessTimeoutError: 'while waiting for replication to be ready',
  ReadinessStalledError:
    'while waiting for replication to be ready (the forecast stalled)',
  MigrationAbortedError: 'at a cutover gate, by a person',
  InvalidDecisionError: 'at a gate, with a decision it does not allow',
  'States.Timeout': 'at a gate nobody answered in time',
  'States.TaskFailed': 'in a nested execution',
};

/**
 * Records the failure and notifies.
 *
 * @returns the status recorded and whether a notification went out.
 */
export async function runRecordFailure(
  event: RecordFailureEvent,
  deps: RecordFailureDeps,
): Promise<RecordFailureResult> {
  const root = rootError(event.error.Error, event.error.Cause);
  if (
    (event.mode === 'verify-cutover' || event.mode === 'verify-rollback') &&
    event.app !== undefined
  ) {
    return recordWaveAppFailure(event, event.app, root, deps);
  }
  const status = root.error === 'MigrationAbortedError' ? 'ABORTED' : 'FAILED';
  const migration = await deps.ledger.getMigration(event.migrationId);
  if (migration?.status === 'FAILED' || migration?.status === 'ABORTED') {
    deps.log.info('failure already recorded', { status: migration.status });
    return { status: migration.status, notified: false, ...root };
  }
  if (migration) {
    await deps.ledger.updateMigration(event.migrationId, { status });
  }

  const what = `${event.error.Error}: ${errorMessage(event.error.Cause)}`;
  const apps = await deps.ledger.listApps(event.migrationId);
  const replicators = await deps.ledger.listReplicators(event.migrationId);
  const where = event.app
    ? ` (application ${event.app})`
    : event.wave
      ? ` (wave ${event.wave})`
      : '';
  const verb = status === 'ABORTED' ? 'was aborted' : 'failed';
  const body = [
    `Migration ${event.migrationId} ${verb} in ${event.phase}${where}, ${STAGES[root.error] ?? 'in an unexpected step (see the execution history)'}.`,
    '',
    `What failed: ${what}`,
    '',
    'Where each application is:',
    ...locations(apps),
    '',
    `What cleanup will do: ${cleanupOutlook(
      event.migrationId,
      apps,
      replicators.map((r) => r.name),
    )}`,
  ].join('\n');

  await deps.ledger.audit(event.migrationId, `migration ${status}`, {
    error: event.error.Error,
    phase: event.phase,
    ...(event.app ? { app: event.app } : {}),
    ...(event.wave ? { wave: event.wave } : {}),
  });
  await deps.notifier.publish({
    migrationId: event.migrationId,
    type: status === 'ABORTED' ? 'Migration Aborted' : 'Migration Failed',
    subject: `msk-cutover ${event.migrationId}: migration ${verb}`,
    body,
    detail: {
      status,
      error: event.error.Error,
      phase: event.phase,
      ...(event.app ? { app: event.app } : {}),
      ...(event.wave ? { wave: event.wave } : {}),
      applicationsOffSource: apps
        .filter((a) => hasLeftSource(a.state))
        .map((a) => a.app),
    },
  });
  deps.log.error('migration failed', {
    status,
    error: event.error.Error,
    phase: event.phase,
  });
  return { status, notified: true, ...root };
}

/**
 * One application of a wave failed (its `verify-cutover` or
 * `verify-rollback` execution): the migration goes on, its wave reports the
 * application `failed` at its keep-or-rollback gate. Recorded in the audit
 * trail with the application's ledger state, announced once; the
 * migration's status is left alone.
 */
async function recordWaveAppFailure(
  event: RecordFailureEvent,
  app: string,
  root: { error: string; cause: string },
  deps: RecordFailureDeps,
): Promise<RecordFailureResult> {
  const record = await deps.ledger.getApp(event.migrationId, app);
  const state = record?.state ?? 'unknown';
  const step =
    event.mode === 'verify-rollback'
      ? 'the verification of its rollback'
      : 'the verification of its cutover';
  await deps.ledger.audit(event.migrationId, 'application failed', {
    app,
    mode: event.mode ?? null,
    error: root.error,
    state,
  });
  await deps.notifier.publish({
    migrationId: event.migrationId,
    type: 'Application Failed',
    subject: `msk-cutover ${event.migrationId}: application ${app} failed in its wave`,
    body: [
      `Application ${app} of migration ${event.migrationId} failed during ${step}; the other applications of its wave go on.`,
      '',
      `What failed: ${root.error}: ${root.cause}`,
      `Where it is, as far as the ledger knows: ${state}${record ? ` (${ledgerLocation(record.state)})` : ''}.`,
      '',
      "The wave's keep-or-rollback gate lists it as failed: roll it back there, or keep it where it is.",
    ].join('\n'),
    detail: { app, mode: event.mode ?? null, error: root.error, state },
  });
  deps.log.error('application failed in its wave', {
    app,
    error: root.error,
  });
  return { status: 'FAILED', notified: true, ...root };
}

/**
 * Follows `States.TaskFailed` from failed child executions down to the
 * error that started it, with its readable message.
 */
export function rootError(
  error: string,
  cause: string | null | undefined,
): { error: string; cause: string } {
  let name = error;
  let text = cause ?? undefined;
  for (let depth = 0; depth < 10 && name === 'States.TaskFailed'; depth++) {
    try {
      const inner = JSON.parse(text ?? '') as {
        Error?: unknown;
        Cause?: unknown;
      };
      if (typeof inner.Error !== 'string') break;
      name = inner.Error;
      text = typeof inner.Cause === 'string' ? inner.Cause : undefined;
    } catch {
      break;
    }
  }
  return { error: name, cause: errorMessage(text) };
}

/**
 * The readable message inside a Step Functions Cause: a Lambda error's
 * `errorMessage`, or the Error and Cause of a failed child execution.
 */
export function errorMessage(cause: string | null | undefined): string {
  if (!cause) return 'no details';
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as Record<string, unknown>;
    if (typeof parsed.errorMessage === 'string') {
      text = parsed.errorMessage;
    } else if (typeof parsed.Error === 'string') {
      const name = typeof parsed.Name === 'string' ? ` in ${parsed.Name}` : '';
      text = `${parsed.Error}${name}: ${errorMessage(
        typeof parsed.Cause === 'string' ? parsed.Cause : undefined,
      )}`;
    }
  } catch {
    // Not JSON: a Cause written by the workflow itself.
  }
  return text.length > MAX_MESSAGE_CHARS
    ? `${text.slice(0, MAX_MESSAGE_CHARS - 3)}...`
    : text;
}

function names(apps: AppRecord[], max = 20): string {
  const shown = apps
    .slice(0, max)
    .map((a) => `${a.app} (${a.state})`)
    .join(', ');
  return apps.length > max ? `${shown} and ${apps.length - max} more` : shown;
}

function locations(apps: AppRecord[]): string[] {
  if (apps.length === 0) return ['  (no application recorded yet)'];
  const by = (l: string) => apps.filter((a) => ledgerLocation(a.state) === l);
  return [
    ['On the target', by('target')],
    ['Moving between clusters', by('moving')],
    ['On the source', by('source')],
  ]
    .filter(([, list]) => (list as AppRecord[]).length > 0)
    .map(([label, list]) => `  ${label}: ${names(list as AppRecord[])}`);
}

function cleanupOutlook(
  migrationId: string,
  apps: AppRecord[],
  replicators: string[],
): string {
  if (replicators.length === 0) {
    return 'nothing: no replicator was created.';
  }
  const off = apps.filter((a) => hasLeftSource(a.state));
  if (off.length === 0) {
    return `it will delete the replicators (${replicators.join(', ')}), since no application has left the source.`;
  }
  return `it will NOT delete the replicators (${replicators.join(', ')}): ${names(off)} may run on the target while the others run on the source, and deleting would cut the data flow between them. For each application off the source, either roll it back or finish its cutover.\n${keptReplicatorsAdvice(migrationId)}`;
}
