/**
 * Ctrl-C (SIGINT), a kill (SIGTERM) or a closed terminal (SIGHUP) while a
 * command works: its temporary files are removed, one line says so, and
 * the process exits with the shell's code for the signal (128 + its
 * number: 130, 143, 129). Node's default for these signals is to exit at
 * once, without running `exit` handlers, which left the rehearsal's
 * temporary ledger (7-20 MB) behind every time.
 */
import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The exit code a shell reports for a process ended by `signal`. */
export function signalExitCode(signal: (typeof SIGNALS)[number]): number {
  return 128 + constants.signals[signal];
}

/**
 * Runs `work` with handlers for SIGINT, SIGTERM and SIGHUP that call
 * `cleanup` (synchronous: nothing else runs after the signal) and exit.
 */
export async function whileInterruptible<T>(
  command: string,
  cleanup: () => void,
  work: () => Promise<T>,
): Promise<T> {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      let removed = 'temporary files removed';
      try {
        cleanup();
      } catch (err) {
        removed = `could not remove the temporary files (${(err as Error).message})`;
      }
      process.stderr.write(
        `\n${command}: interrupted (${signal}); ${removed}\n`,
      );
      process.exit(signalExitCode(signal));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  try {
    return await work();
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
