/**
 * The `msk-cutover` command. Each subcommand lives in `cli/commands/<name>.ts`
 * and exports `register(program)`; exit codes (docs/cli-errors.md): 0 ok,
 * 1 unexpected failure (a bug: please report it), 2 invalid input (plan,
 * file, path, permission, arguments, AWS credentials or access), 3 a
 * rehearsal that did not reach its expected outcome, 128 + the signal's
 * number when interrupted (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).
 */
import { Command, CommanderError } from 'commander';
import { register as registerApprove } from './commands/approve.ts';
import { register as registerPlan } from './commands/plan.ts';
import { register as registerRehearse } from './commands/rehearse.ts';
import { register as registerStart } from './commands/start.ts';
import { register as registerStatus } from './commands/status.ts';
import { register as registerWatch } from './commands/watch.ts';
import { CliExit } from './exit.ts';
import { safeWriter, terminalValue } from './format/terminal-text.ts';
import { errnoWords, isFileSystemError } from './paths.ts';

const stderr = safeWriter((t) => process.stderr.write(t));

export async function main(argv: string[]): Promise<number> {
  const program = new Command('msk-cutover')
    .description(
      'Move Kafka applications to Amazon MSK Express one at a time, with MSK Replicator, approvals and rollback.',
    )
    .exitOverride()
    .showHelpAfterError()
    // Arguments are echoed in commander's messages: sanitized like the rest.
    .configureOutput({
      writeOut: safeWriter((t) => process.stdout.write(t)),
      writeErr: safeWriter((t) => process.stderr.write(t)),
    });
  registerPlan(program);
  registerRehearse(program);
  registerStart(program);
  registerApprove(program);
  registerStatus(program);
  registerWatch(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CliExit) return err.code;
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    const known = userProblem(err);
    if (known !== undefined) {
      stderr(`msk-cutover: ${known}\n`);
      return 2;
    }
    const message = err instanceof Error ? err.message : String(err);
    stderr(`msk-cutover: unexpected failure: ${terminalValue(message)}\n`);
    return 1;
  }
}

/**
 * A problem of the caller's environment rather than of the tool, as one
 * line: a file or directory that cannot be used, missing or expired AWS
 * credentials, an AWS call the caller's identity may not make.
 */
export function userProblem(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (isFileSystemError(err)) {
    const path = err.path;
    return `${path ? `${path}: ` : ''}cannot ${err.syscall} (${errnoWords(err)})`;
  }
  // The SDK's names for credentials it could not find or that AWS refused.
  if (err.name === 'CredentialsProviderError') {
    return `no AWS credentials (${terminalValue(err.message)}); configure a profile or set AWS_PROFILE`;
  }
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata
    ?.httpStatusCode;
  if (
    status === 403 ||
    /^(AccessDenied|UnrecognizedClient|InvalidClientTokenId|ExpiredToken|UnauthorizedOperation)/.test(
      err.name,
    )
  ) {
    return `AWS refused the request: ${err.name}: ${terminalValue(err.message)}`;
  }
  return undefined;
}
