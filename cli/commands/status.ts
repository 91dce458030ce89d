/**
 * `msk-cutover status <migrationId>`: where a migration stands — its
 * execution, each application's state, the open gates and whether their
 * links still work, and the recent decisions. Read-only.
 */
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
} from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import {
  type GateStatus,
  type LedgerStatus,
  ledgerStatus,
  type ReadinessStatus,
} from '../../functions/shared/approvals/overview.ts';
import { DynamoLedger } from '../../functions/shared/aws/ledger.ts';
import { S3PlanStore } from '../../functions/shared/aws/plan-store.ts';
import { systemClock } from '../../functions/shared/clock.ts';
import type { Plan } from '../../functions/shared/domain/plan.ts';
import { loadPlan } from '../../functions/shared/load-plan.ts';
import type { MigrationRecord } from '../../functions/shared/ports.ts';
import { type CliClients, cliClients } from '../aws/clients.ts';
import {
  DEFAULT_STACK_NAME,
  StackLookupError,
  stackOutputs,
} from '../aws/stack.ts';
import { CliExit } from '../exit.ts';
import {
  safeWriter,
  terminalText,
  terminalValue,
} from '../format/terminal-text.ts';

const errOut = safeWriter((t) => process.stderr.write(t));

import { executionArn } from './start.ts';

export interface StatusOptions {
  stack: string;
  region?: string;
  json?: boolean;
}

export type { GateStatus, ReadinessStatus };

/** The migration as `status` shows it: the ledger's view and the execution. */
export interface MigrationStatus extends Omit<LedgerStatus, 'readiness'> {
  execution: { arn: string; status: string } | null;
  /**
   * The migration-wide readiness wait, when one was polled: its forecast
   * (trend and ETA of each failing lag rule) and whether it stalled.
   */
  readiness?: ReadinessStatus | null;
}

/** One line: whatever a value holds, it cannot start another. */
const say = (line: string) => process.stdout.write(`${terminalValue(line)}\n`);

/** Builds the status from the ledger (and the execution, when readable). */
export async function migrationStatus(
  migrationId: string,
  opts: StatusOptions,
  clients?: CliClients,
): Promise<MigrationStatus> {
  const aws = clients ?? cliClients(opts.region);
  let outputs: { LedgerTableName: string; StateMachineArn: string };
  try {
    outputs = await stackOutputs(aws.cloudformation(), opts.stack, [
      'LedgerTableName',
      'StateMachineArn',
    ]);
  } catch (err) {
    if (err instanceof StackLookupError) {
      errOut(`msk-cutover: ${err.message}\n`);
      throw new CliExit(2);
    }
    throw err;
  }
  const ledger = new DynamoLedger(aws.dynamodb(), outputs.LedgerTableName);
  const status = await ledgerStatus(
    ledger,
    migrationId,
    systemClock.now(),
    (m) => planWavesOf(aws, m),
  );
  if (!status) {
    errOut(
      `msk-cutover: no migration ${migrationId} in stack ${opts.stack}'s ledger (start it with \`msk-cutover start <plan.json>\`)\n`,
    );
    throw new CliExit(2);
  }
  const arn = executionArn(outputs.StateMachineArn, migrationId);
  let execution: MigrationStatus['execution'] = null;
  try {
    const out = await aws
      .sfn()
      .send(new DescribeExecutionCommand({ executionArn: arn }));
    execution = { arn, status: out.status ?? 'UNKNOWN' };
  } catch (err) {
    if (!(err instanceof ExecutionDoesNotExist)) throw err;
  }
  const { approvals: _, ...rest } = status;
  return {
    migration: rest.migration,
    execution,
    apps: rest.apps,
    openGates: rest.openGates,
    recentDecisions: rest.recentDecisions,
    readiness: rest.readiness,
  };
}

/**
 * The pinned plan's waves, or null when the plan cannot be read with the
 * caller's credentials (the wave gates opened so far then name the waves).
 */
async function planWavesOf(
  aws: CliClients,
  migration: MigrationRecord,
): Promise<Pick<Plan, 'cutoverWaves'> | null> {
  try {
    const { plan } = await loadPlan(
      new S3PlanStore(aws.s3()),
      migration.planRef,
    );
    return plan;
  } catch {
    return null;
  }
}

/** `kind app` or `kind wave name`, as the gate lines show a gate. */
export function gateLabel(g: {
  kind: string;
  app: string | null;
  wave?: string | null;
}): string {
  if (g.wave) return `${g.kind} wave ${g.wave}`;
  return `${g.kind}${g.app ? ` ${g.app}` : ''}`;
}

/** The options `approve|reject` needs to name this gate. */
export function gateOptions(g: {
  kind: string;
  app: string | null;
  wave?: string | null;
}): string {
  if (g.wave) {
    const subset =
      g.kind === 'wave-cutover'
        ? ' [--skip a,b]'
        : g.kind === 'wave-keep-or-rollback'
          ? ' [--rollback a,b]'
          : '';
    return ` --wave ${g.wave}${subset}`;
  }
  return g.app ? ` --app ${g.app}` : '';
}

/** The readiness wait in lines of text (none before the first poll). */
export function formatReadiness(
  r: ReadinessStatus | null | undefined,
): string[] {
  if (!r) return [];
  const lines = [
    r.readySince
      ? `Readiness: every rule holds since ${r.readySince} (last poll ${r.lastPollAt})`
      : `Readiness: waiting since ${r.waitingSince} (last poll ${r.lastPollAt})`,
  ];
  if (r.forecast) lines.push(`  forecast  ${r.forecast}`);
  if (r.stalledSince) {
    lines.push(
      `  STALLED   since ${r.stalledSince}${r.stallNotifiedAt ? ` (notice sent ${r.stallNotifiedAt})` : ''}`,
    );
  }
  return lines;
}

/** The status as lines of text. */
export function formatStatus(s: MigrationStatus): string[] {
  const lines = [
    `Migration ${s.migration.migrationId}: ${s.migration.status} (started ${s.migration.startedAt}, updated ${s.migration.updatedAt})`,
    `  plan       s3://${s.migration.planRef.bucket}/${s.migration.planRef.key} (version ${s.migration.planRef.versionId})`,
    `  execution  ${s.execution ? `${s.execution.status} ${s.execution.arn}` : 'not found'}`,
    ...(s.readiness ? ['', ...formatReadiness(s.readiness)] : []),
    '',
    `Applications (${s.apps.length}):`,
  ];
  const width = Math.max(4, ...s.apps.map((a) => a.app.length));
  for (const a of s.apps) {
    lines.push(
      `  ${String(a.order + 1).padStart(3)}. ${a.app.padEnd(width)}  ${a.state.padEnd(17)} since ${a.updatedAt}${a.wave === undefined ? '' : `  wave ${a.wave}`}`,
    );
  }
  lines.push('', `Open gates (${s.openGates.length}):`);
  if (s.openGates.length === 0) lines.push('  none');
  for (const g of s.openGates) {
    const link =
      g.link === 'valid'
        ? `link valid until ${g.expiresAt}`
        : `link EXPIRED at ${g.expiresAt}${g.remindedAt ? '' : ' (a reminder will bring a new one)'}`;
    lines.push(
      `  ${gateLabel(g)}: open since ${g.openedAt}; ${link}${g.remindedAt ? `; reminded ${g.remindedAt}` : ''}`,
    );
    lines.push(
      `    decide: msk-cutover approve|reject ${s.migration.migrationId}${gateOptions(g)}`,
    );
  }
  if (s.recentDecisions.length > 0) {
    lines.push('', 'Recent decisions:');
    for (const d of s.recentDecisions) {
      const subset =
        d.subset && d.subset.length > 0
          ? ` (${d.kind === 'wave-cutover' ? 'skip' : 'rollback'} ${d.subset.join(', ')})`
          : '';
      lines.push(
        `  ${d.decidedAt}  ${gateLabel(d)}: ${d.decision}${subset} by ${d.approver}`,
      );
    }
  }
  return lines;
}

export function register(program: Command): void {
  program
    .command('status <migrationId>')
    .description(
      'Show a migration: its execution, applications, open gates and decisions',
    )
    .option('--stack <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--region <region>', 'AWS region')
    .option('--json', 'print one JSON document')
    .action(async (migrationId: string, opts: StatusOptions) => {
      const status = await migrationStatus(migrationId, opts);
      if (opts.json) {
        // Multi-line: sanitized as text (escapes keep the JSON valid).
        process.stdout.write(
          `${terminalText(JSON.stringify(status, null, 2))}\n`,
        );
      } else {
        for (const line of formatStatus(status)) say(line);
      }
    });
}
