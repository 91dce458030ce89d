/**
 * `msk-cutover start <plan.json>`: validates the plan locally (nothing is
 * uploaded or started when it is invalid), finds the deployed state machine
 * and plan bucket in the stack's outputs, uploads the plan (the bucket is
 * versioned: the execution is pinned to this version) and starts one
 * execution named after the migration. A migration that is already running
 * is refused, never started twice.
 */
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { S3PlanStore } from '../../functions/shared/aws/plan-store.ts';
import type {
  PlanRef,
  StartMigrationInput,
} from '../../functions/shared/contracts.ts';
import { ValidationError } from '../../functions/shared/domain/errors.ts';
import { formatIssue } from '../../functions/shared/domain/validate.ts';
import { type CliClients, cliClients } from '../aws/clients.ts';
import {
  DEFAULT_STACK_NAME,
  StackLookupError,
  stackOutputs,
} from '../aws/stack.ts';
import { CliExit } from '../exit.ts';
import { safeWriter, terminalValue } from '../format/terminal-text.ts';
import { loadPlanFile } from '../plan-input.ts';

export interface StartOptions {
  stack: string;
  region?: string;
}

/** The S3 key of a migration's plan (every start adds a version). */
export const planKey = (migrationId: string) => `plans/${migrationId}.json`;

/** `arn:…:stateMachine:name` + execution name → `arn:…:execution:name:exec`. */
export function executionArn(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

const errOut = safeWriter((t) => process.stderr.write(t));
/** One line: whatever a value holds, it cannot start another. */
const say = (line: string) => process.stdout.write(`${terminalValue(line)}\n`);
const fail = (line: string, code: number): never => {
  errOut(`msk-cutover: ${line}\n`);
  throw new CliExit(code);
};

async function refuseIfExists(
  sfn: SFNClient,
  arn: string,
  migrationId: string,
): Promise<void> {
  try {
    const out = await sfn.send(
      new DescribeExecutionCommand({ executionArn: arn }),
    );
    if (out.status === 'RUNNING') {
      fail(
        `migration ${migrationId} is already running (${arn}, started ${out.startDate?.toISOString() ?? 'earlier'}); nothing was started. See \`msk-cutover status ${migrationId}\`.`,
        2,
      );
    }
    fail(
      `migration ${migrationId} already ran (${out.status ?? 'finished'}: ${arn}); execution names are unique, so give the plan a new migrationId to start again.`,
      2,
    );
  } catch (err) {
    if (err instanceof ExecutionDoesNotExist) return;
    throw err;
  }
}

/**
 * Runs `start`.
 *
 * @returns the execution ARN
 */
export async function runStart(
  file: string,
  opts: StartOptions,
  clients?: CliClients,
): Promise<string> {
  const loaded = await loadPlanFile(file);
  if (!loaded.ok && 'message' in loaded) return fail(loaded.message, 2);
  const checked = loaded.ok
    ? loaded.validation
    : { ok: false as const, issues: loaded.issues };
  if (!checked.ok) {
    errOut(
      `msk-cutover: ${file} is not a valid plan (${checked.issues.length} problem${checked.issues.length === 1 ? '' : 's'}); nothing was started:\n`,
    );
    for (const issue of checked.issues) errOut(`  ${formatIssue(issue)}\n`);
    throw new CliExit(2);
  }
  // Uploaded as read, without a byte-order mark (the phases parse it).
  const text = (loaded as { text: string }).text;
  const plan = checked.plan;
  const aws = clients ?? cliClients(opts.region ?? plan.region);
  let outputs: { StateMachineArn: string; PlanBucketName: string };
  try {
    outputs = await stackOutputs(aws.cloudformation(), opts.stack, [
      'StateMachineArn',
      'PlanBucketName',
    ]);
  } catch (err) {
    if (err instanceof StackLookupError) return fail(err.message, 2);
    throw err;
  }
  const arn = executionArn(outputs.StateMachineArn, plan.migrationId);
  // Checked before the upload so a refused start adds no plan version.
  await refuseIfExists(aws.sfn(), arn, plan.migrationId);

  let planRef: PlanRef;
  try {
    planRef = await new S3PlanStore(aws.s3()).put(
      outputs.PlanBucketName,
      planKey(plan.migrationId),
      text,
    );
  } catch (err) {
    // An unversioned bucket: the plan could not be pinned.
    if (err instanceof ValidationError) return fail(err.message, 2);
    throw err;
  }
  const input: StartMigrationInput = {
    migrationId: plan.migrationId,
    planRef,
    executionBase: plan.migrationId,
    generation: 0,
  };
  let executionArnStarted: string;
  try {
    const out = await aws.sfn().send(
      new StartExecutionCommand({
        stateMachineArn: outputs.StateMachineArn,
        name: plan.migrationId,
        input: JSON.stringify(input),
      }),
    );
    executionArnStarted = out.executionArn ?? arn;
  } catch (err) {
    // Someone started it between the check and now.
    if (err instanceof ExecutionAlreadyExists) {
      return fail(
        `migration ${plan.migrationId} was started by someone else a moment ago (${arn}); nothing was started twice. See \`msk-cutover status ${plan.migrationId}\`.`,
        2,
      );
    }
    throw err;
  }
  for (const w of checked.warnings) say(`warning: ${formatIssue(w)}`);
  say(`Started migration ${plan.migrationId}`);
  say(`  execution  ${executionArnStarted}`);
  say(
    `  plan       s3://${planRef.bucket}/${planRef.key} (version ${planRef.versionId})`,
  );
  say(`Follow it with: msk-cutover status ${plan.migrationId}`);
  return executionArnStarted;
}

export function register(program: Command): void {
  program
    .command('start <plan.json>')
    .description(
      'Validate the plan, upload it and start its migration on the deployed stack',
    )
    .option('--stack <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--region <region>', 'AWS region (default: the plan’s region)')
    .action(async (file: string, opts: StartOptions) => {
      await runStart(file, opts);
    });
}
