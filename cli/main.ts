/**
 * The `msk-cutover` command. Each subcommand lives in `cli/commands/<name>.ts`
 * and exports `register(program)`; exit codes: 0 ok, 1 unexpected failure,
 * 2 invalid input (plan, file, arguments), 3 a rehearsal that did not reach
 * its expected outcome.
 */
import { Command, CommanderError } from 'commander';
import { register as registerApprove } from './commands/approve.ts';
import { register as registerPlan } from './commands/plan.ts';
import { register as registerRehearse } from './commands/rehearse.ts';
import { register as registerStart } from './commands/start.ts';
import { register as registerStatus } from './commands/status.ts';
import { register as registerWatch } from './commands/watch.ts';
import { CliExit } from './exit.ts';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('msk-cutover')
    .description(
      'Move Kafka applications to Amazon MSK Express one at a time, with MSK Replicator, approvals and rollback.',
    )
    .exitOverride()
    .showHelpAfterError();
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
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`msk-cutover: unexpected failure: ${message}\n`);
    return 1;
  }
}
