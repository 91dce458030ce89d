import type { RehearseIo } from '../../cli/commands/rehearse.ts';

/** A RehearseIo that keeps what was written (not a TTY unless asked). */
export function captureIo(
  isTTY = false,
): RehearseIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: {
      write: (t) => {
        out.push(t);
      },
      isTTY,
    },
    stderr: {
      write: (t) => {
        err.push(t);
      },
      isTTY,
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
