/**
 * `msk-cutover watch <migrationId>`: the status once, then every change as
 * it happens — applications moving, gates opening and closing, decisions,
 * the execution ending — until the migration's execution stops. Read-only,
 * like `status`, from the ledger and DescribeExecution.
 */
import type { Command } from 'commander';
import { cliClients } from '../aws/clients.ts';
import { DEFAULT_STACK_NAME } from '../aws/stack.ts';
import { CliExit } from '../exit.ts';
import { safeWriter, terminalValue } from '../format/terminal-text.ts';
import {
  formatStatus,
  gateLabel,
  gateOptions,
  type MigrationStatus,
  migrationStatus,
  type StatusOptions,
} from './status.ts';

export interface WatchOptions extends StatusOptions {
  /** Seconds between two reads. @default 60 */
  interval?: string;
}

/** What `watch` needs besides the status itself (tests pass their own). */
export interface WatchDeps {
  read: () => Promise<MigrationStatus>;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  write: (line: string) => void;
}

const MIN_INTERVAL_S = 5;
const DEFAULT_INTERVAL_S = 60;

/** The changes between two readings, one sentence each. */
export function statusChanges(
  before: MigrationStatus,
  after: MigrationStatus,
): string[] {
  const changes: string[] = [];
  const id = after.migration.migrationId;
  if (before.migration.status !== after.migration.status) {
    changes.push(
      `migration ${before.migration.status} → ${after.migration.status}`,
    );
  }
  const was = new Map(before.apps.map((a) => [a.app, a.state]));
  for (const a of after.apps) {
    const old = was.get(a.app);
    if (old !== a.state) changes.push(`${a.app}: ${old ?? 'new'} → ${a.state}`);
  }
  const open = new Set(before.openGates.map((g) => g.approvalId));
  const still = new Set(after.openGates.map((g) => g.approvalId));
  for (const g of after.openGates) {
    if (open.has(g.approvalId)) continue;
    changes.push(
      `gate opened: ${gateLabel(g)} (decide: msk-cutover approve|reject ${id}${gateOptions(g)})`,
    );
  }
  const newest = before.recentDecisions[0]?.decidedAt ?? '';
  for (const d of [...after.recentDecisions].reverse()) {
    if (d.decidedAt <= newest) continue;
    changes.push(
      `decided: ${gateLabel(d)} → ${d.decision}${d.subset?.length ? ` (${d.kind === 'wave-cutover' ? 'skip' : 'rollback'} ${d.subset.join(', ')})` : ''} by ${d.approver}`,
    );
  }
  for (const g of before.openGates) {
    if (still.has(g.approvalId)) continue;
    const decided = after.recentDecisions.some(
      (d) =>
        d.kind === g.kind &&
        d.app === g.app &&
        (d.wave ?? null) === (g.wave ?? null) &&
        d.decidedAt >= g.openedAt,
    );
    if (!decided) {
      changes.push(`gate closed: ${gateLabel(g)}`);
    }
  }
  const stall = after.readiness?.stallNotifiedAt;
  if (stall && stall !== before.readiness?.stallNotifiedAt) {
    changes.push(
      `readiness stalled since ${after.readiness?.stalledSince ?? stall}: ${after.readiness?.forecast ?? 'no forecast'}`,
    );
  }
  const from = before.execution?.status ?? 'not found';
  const to = after.execution?.status ?? 'not found';
  if (from !== to) changes.push(`execution ${from} → ${to}`);
  return changes;
}

/**
 * Prints the status, then each change, until the execution is no longer
 * running. Resolves to the exit code: 0 when it succeeded, 1 otherwise.
 */
export async function runWatch(
  intervalMs: number,
  deps: WatchDeps,
): Promise<number> {
  let last = await deps.read();
  for (const line of formatStatus(last)) deps.write(line);
  deps.write('');
  while (last.execution?.status === 'RUNNING') {
    await deps.sleep(intervalMs);
    const next = await deps.read();
    const at = deps.now().toISOString().slice(11, 19);
    for (const change of statusChanges(last, next)) {
      deps.write(`[${at}] ${change}`);
    }
    last = next;
  }
  const final = last.execution?.status ?? 'not found';
  deps.write(
    `Migration ${last.migration.migrationId}: execution ${final}, migration ${last.migration.status}`,
  );
  return final === 'SUCCEEDED' ? 0 : 1;
}

function intervalOf(value: string | undefined): number {
  const seconds = value === undefined ? DEFAULT_INTERVAL_S : Number(value);
  if (!Number.isFinite(seconds) || seconds < MIN_INTERVAL_S) {
    safeWriter((t) => process.stderr.write(t))(
      `msk-cutover: --interval must be a number of seconds, at least ${MIN_INTERVAL_S} (got ${value})\n`,
    );
    throw new CliExit(2);
  }
  return seconds * 1000;
}

export function register(program: Command): void {
  program
    .command('watch <migrationId>')
    .description(
      'Follow a migration: its status, then every application move, gate and decision until its execution ends',
    )
    .option(
      '--interval <seconds>',
      `seconds between two reads (at least ${MIN_INTERVAL_S})`,
      String(DEFAULT_INTERVAL_S),
    )
    .option('--stack <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--region <region>', 'AWS region')
    .action(async (migrationId: string, opts: WatchOptions) => {
      const intervalMs = intervalOf(opts.interval);
      const aws = cliClients(opts.region);
      const code = await runWatch(intervalMs, {
        read: () => migrationStatus(migrationId, opts, aws),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        now: () => new Date(),
        // One line each: whatever a value holds, it cannot start another.
        write: (line) => process.stdout.write(`${terminalValue(line)}\n`),
      });
      if (code !== 0) throw new CliExit(code);
    });
}
