/**
 * `msk-cutover approve|reject <migrationId> [--app NAME | --wave NAME]`:
 * decides the open gate of an application, of a wave (plans with
 * `cutoverWaves`), or without either the teardown gate, with the
 * caller's IAM credentials; the caller's IAM identity (STS) is recorded as
 * the approver. The decision goes through the same single-use path as the
 * approval page: the ledger's conditional write, then SendTaskSuccess.
 *
 * `approve` takes the gate's positive decision (cutover, keep, teardown),
 * `reject` its negative one (abort, rollback, keep-replicators); --decision
 * names any decision the gate offers. At a wave's cutover gate `approve`
 * cuts over every application but those named with --skip, `reject`
 * aborts (as at an application's cutover gate); at a wave's keep-or-rollback
 * gate `approve` keeps every application but those named with --rollback,
 * `reject` rolls back every application that moved (as `reject` rolls one
 * application back).
 */
import type { Command } from 'commander';
import {
  decideApproval,
  requiresComment,
} from '../../functions/shared/approvals/decide.ts';
import { reissueApproval } from '../../functions/shared/approvals/gate.ts';
import { DynamoLedger } from '../../functions/shared/aws/ledger.ts';
import { SfnTaskTokens } from '../../functions/shared/aws/task-tokens.ts';
import { KmsTokenCipher } from '../../functions/shared/aws/token-cipher.ts';
import { systemClock } from '../../functions/shared/clock.ts';
import {
  type Decision,
  DecisionsByGate,
  type GateKind,
} from '../../functions/shared/contracts.ts';
import {
  InvalidDecisionError,
  LedgerConflictError,
} from '../../functions/shared/domain/errors.ts';
import type { ApprovalRecord, Log } from '../../functions/shared/ports.ts';
import { type CliClients, cliClients } from '../aws/clients.ts';
import { callerIdentity } from '../aws/identity.ts';
import {
  DEFAULT_STACK_NAME,
  StackLookupError,
  stackOutputs,
} from '../aws/stack.ts';
import { CliExit } from '../exit.ts';
import { safeWriter, terminalValue } from '../format/terminal-text.ts';

const errOut = safeWriter((t) => process.stderr.write(t));

export interface DecideOptions {
  app?: string;
  wave?: string;
  /** Comma-separated application names (a wave's cutover gate). */
  skip?: string;
  /** Comma-separated application names (a wave's keep-or-rollback gate). */
  rollback?: string;
  decision?: string;
  comment?: string;
  stack: string;
  region?: string;
}

/** What `approve` and `reject` mean at each gate. */
export const DEFAULT_DECISIONS: Record<
  GateKind,
  { approve: Decision; reject: Decision }
> = {
  cutover: { approve: 'cutover', reject: 'abort' },
  'keep-or-rollback': { approve: 'keep', reject: 'rollback' },
  // record-moved needs a comment: it is only given with --decision.
  'verify-timeout': { approve: 'keep-waiting', reject: 'rollback' },
  'rollback-verify-timeout': {
    approve: 'keep-waiting',
    reject: 'keep-waiting',
  },
  teardown: { approve: 'teardown', reject: 'keep-replicators' },
  'wave-cutover': { approve: 'cutover', reject: 'abort' },
  // `reject` keeps none: every application that moved is rolled back.
  'wave-keep-or-rollback': { approve: 'keep', reject: 'keep' },
};

/** Life of a request re-issued for a CLI decision. */
const REISSUE_MINUTES = 10;

/** One line: whatever a value holds, it cannot start another. */
const say = (line: string) => process.stdout.write(`${terminalValue(line)}\n`);
const fail = (line: string, code: number): never => {
  errOut(`msk-cutover: ${line}\n`);
  throw new CliExit(code);
};

/** Warnings of the shared decision code go to stderr; the rest is quiet. */
const cliLog: Log = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => errOut(`msk-cutover: ${message}\n`),
  error: (message) => errOut(`msk-cutover: ${message}\n`),
};

function gateName(a: Pick<ApprovalRecord, 'kind' | 'app' | 'wave'>): string {
  if (a.wave !== undefined) return `${a.kind} gate of wave ${a.wave}`;
  return a.app ? `${a.kind} gate of ${a.app}` : `${a.kind} gate`;
}

/** `a, b,c` → `['a', 'b', 'c']`; undefined when the option is absent. */
function names(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  return list
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

/** Whether the approval is the gate the options name. */
function isGateOf(a: ApprovalRecord, opts: DecideOptions): boolean {
  if (opts.wave !== undefined) return a.wave === opts.wave;
  return a.wave === undefined && (a.app ?? null) === (opts.app ?? null);
}

/**
 * The subsets a wave gate's decision carries: --skip, --rollback, and for
 * `reject` at a keep-or-rollback gate every application that moved.
 */
function waveSubsetOptions(
  verb: 'approve' | 'reject',
  approval: ApprovalRecord,
  opts: DecideOptions,
): { skip?: string[]; rollback?: string[] } {
  const skip = names(opts.skip);
  let rollback = names(opts.rollback);
  if (
    approval.kind === 'wave-keep-or-rollback' &&
    verb === 'reject' &&
    opts.decision === undefined
  ) {
    if (rollback !== undefined) {
      return fail(
        '--rollback goes with approve: `reject` rolls back every application of the wave that moved',
        2,
      );
    }
    rollback = (approval.waveApps ?? [])
      .filter((a) => a.outcome !== 'skipped' && a.outcome !== 'rolled-back')
      .map((a) => a.app);
  }
  return {
    ...(skip === undefined ? {} : { skip }),
    ...(rollback === undefined ? {} : { rollback }),
  };
}

/**
 * Runs `approve` or `reject`.
 *
 * @returns the decision sent
 */
export async function runDecide(
  verb: 'approve' | 'reject',
  migrationId: string,
  opts: DecideOptions,
  clients?: CliClients,
): Promise<Decision> {
  const aws = clients ?? cliClients(opts.region);
  let outputs: { LedgerTableName: string; TaskTokenKeyArn?: string };
  try {
    outputs = await stackOutputs(aws.cloudformation(), opts.stack, [
      'LedgerTableName',
    ]);
  } catch (err) {
    if (err instanceof StackLookupError) return fail(err.message, 2);
    throw err;
  }
  const ledger = new DynamoLedger(aws.dynamodb(), outputs.LedgerTableName);
  const now = systemClock.now();
  const open = (await ledger.listApprovals(migrationId)).filter(
    (a) => a.status === 'OPEN',
  );
  if (opts.app !== undefined && opts.wave !== undefined) {
    return fail('give --app or --wave, not both', 2);
  }
  const candidates = open
    .filter((a) => isGateOf(a, opts))
    .sort((x, y) => y.createdAt.localeCompare(x.createdAt));
  const approval = candidates[0];
  if (!approval) {
    const others = open.map(gateName);
    return fail(
      `no open gate ${opts.wave !== undefined ? `for wave ${opts.wave}` : opts.app ? `for application ${opts.app}` : '(teardown) without --app'} in migration ${migrationId}${others.length > 0 ? `; open now: ${others.join(', ')}` : ''}`,
      2,
    );
  }
  const allowed = DecisionsByGate[approval.kind] as readonly string[];
  const decision = opts.decision ?? DEFAULT_DECISIONS[approval.kind][verb];
  if (!allowed.includes(decision)) {
    return fail(
      `--decision ${decision} is not offered at the ${gateName(approval)}; choose one of ${allowed.join(', ')}`,
      2,
    );
  }
  if (requiresComment(decision) && !opts.comment?.trim()) {
    return fail(
      `--decision ${decision} needs --comment "<why>": it overrules the workflow's checks, and the reason is recorded with it`,
      2,
    );
  }
  const subsets = waveSubsetOptions(verb, approval, opts);
  if (approval.wave === undefined && (subsets.skip || subsets.rollback)) {
    return fail(
      `--skip and --rollback name applications of a wave; the ${gateName(approval)} is not a wave gate`,
      2,
    );
  }
  const identity = await callerIdentity(aws.sts());
  const cipher = new KmsTokenCipher(aws.kms(), outputs.TaskTokenKeyArn);
  let target = approval;
  if (approval.expiresAt <= now.toISOString()) {
    // The emailed link expired but the gate is still open: IAM
    // credentials need no link, so the request is re-issued for this
    // decision only (the old link was dead anyway).
    target = await reissueApproval(
      { ledger, cipher },
      approval,
      now,
      new Date(now.getTime() + REISSUE_MINUTES * 60_000),
    );
  }
  try {
    const result = await decideApproval(
      target,
      {
        decision,
        approver: identity.arn,
        ...(opts.comment ? { comment: opts.comment } : {}),
        ...subsets,
        userAgent: 'msk-cutover-cli',
      },
      {
        ledger,
        cipher,
        tasks: new SfnTaskTokens(aws.sfn()),
        clock: systemClock,
        log: cliLog,
      },
    );
    if (result.outcome === 'gate-closed') {
      return fail(
        `the ${gateName(approval)} already closed (${result.reason}): the workflow no longer waits for it; your decision was recorded but changes nothing`,
        2,
      );
    }
    if (result.outcome === 'undelivered') {
      say(
        `Recorded the decision on the ${gateName(approval)} of migration ${migrationId}: ${decision} (as ${identity.arn}), but Step Functions could not be reached (${result.reason}); approval-reminders sends it again within 15 minutes`,
      );
      return decision as Decision;
    }
  } catch (err) {
    if (err instanceof LedgerConflictError) return fail(err.message, 2);
    if (err instanceof InvalidDecisionError) return fail(err.message, 2);
    throw err;
  }
  const subset = subsets.skip?.length
    ? `, skipping ${subsets.skip.join(', ')}`
    : subsets.rollback?.length
      ? `, rolling back ${subsets.rollback.join(', ')}`
      : '';
  say(
    `Decided the ${gateName(approval)} of migration ${migrationId}: ${decision}${subset} (as ${identity.arn})`,
  );
  return decision as Decision;
}

function registerVerb(program: Command, verb: 'approve' | 'reject'): void {
  const decisions = Object.values(DEFAULT_DECISIONS)
    .map((d) => d[verb])
    .join(' | ');
  program
    .command(`${verb} <migrationId>`)
    .description(
      `${verb === 'approve' ? 'Approve' : 'Reject'} the open gate of an application (${decisions}), as your IAM identity`,
    )
    .option('--app <name>', 'the application (omit for the teardown gate)')
    .option('--wave <name>', "a wave's gate (plans with cutoverWaves)")
    .option(
      '--skip <apps>',
      "approve at a wave's cutover gate: these applications (comma-separated) stay on the source",
    )
    .option(
      '--rollback <apps>',
      "approve at a wave's keep-or-rollback gate: these applications (comma-separated) are rolled back",
    )
    .option(
      '--decision <decision>',
      'any decision the gate offers: cutover|postpone|skip|abort|keep|rollback|keep-waiting|record-moved|teardown|keep-replicators',
    )
    .option('--comment <text>', 'recorded with the decision')
    .option('--stack <name>', 'CloudFormation stack name', DEFAULT_STACK_NAME)
    .option('--region <region>', 'AWS region')
    .action(async (migrationId: string, opts: DecideOptions) => {
      await runDecide(verb, migrationId, opts);
    });
}

export function register(program: Command): void {
  registerVerb(program, 'approve');
  registerVerb(program, 'reject');
}
