/**
 * Ctrl-C (SIGINT) or a kill (SIGTERM) during a rehearsal: the real command,
 * spawned, removes its temporary ledger directory and exits with the
 * shell's code for the signal (130, 143).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

const ledgerDirs = (dir: string) =>
  readdirSync(dir).filter((n) => n.startsWith('msk-cutover-ledger-'));

/**
 * Starts a rehearsal with its own temporary folder, waits until the
 * workflow runs (a replicator is being created) and its ledger directory
 * exists, then `stop`s it (a signal, or its reader going away), and reports
 * how it ended.
 */
function interrupt(stop: (child: ChildProcess) => void) {
  const tmp = mkdtempSync(join(tmpdir(), 'msk-cutover-signal-'));
  temps.push(tmp);
  const child = spawn(
    process.execPath,
    ['cli/bin.mjs', 'rehearse', 'events/start-migration.json', '--no-report'],
    {
      cwd: ROOT,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let ledgerWhileRunning: string[] = [];
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    ledgerWhileRunning: string[];
    ledgerAfter: string[];
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (ledgerWhileRunning.length === 0 && /replicators: /.test(stdout)) {
        ledgerWhileRunning = ledgerDirs(tmp);
        stop(child);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, sig) =>
      resolve({
        code,
        signal: sig,
        ledgerWhileRunning,
        ledgerAfter: ledgerDirs(tmp),
        stdout,
        stderr,
      }),
    );
  });
}

describe('a rehearsal interrupted by a signal', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    'should remove the temporary ledger on %s and exit %i',
    async (signal, exitCode) => {
      const r = await interrupt((child) => child.kill(signal));
      // The ledger existed when the signal came: the test is not vacuous.
      expect(r.ledgerWhileRunning).toHaveLength(1);
      expect(r.ledgerAfter).toEqual([]);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(exitCode);
      expect(r.stderr).toContain(
        `msk-cutover rehearse: interrupted (${signal}); temporary files removed`,
      );
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+/m);
    },
    120_000,
  );

  it('should stop quietly with 141 and remove the ledger when its reader goes away', async () => {
    // Like `| head`: read until the workflow runs, then close the pipe.
    const r = await interrupt((child) => child.stdout?.destroy());
    expect(r.ledgerWhileRunning).toHaveLength(1);
    expect(r.ledgerAfter).toEqual([]);
    expect(r.code).toBe(141);
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+/m);
    expect(r.stderr).not.toContain('EPIPE');
  }, 120_000);
});
