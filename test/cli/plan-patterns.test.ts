/**
 * `msk-cutover plan`, run as a user runs it, on plans whose patterns only
 * Java reads correctly or that would make a backtracking engine run for
 * ever: it answers and exits.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-plan-patterns-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sample = () =>
  JSON.parse(readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'));

async function plan(
  content: unknown,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(work, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(content));
  try {
    const { stdout, stderr } = await run('npx', ['msk-cutover', 'plan', file], {
      cwd: ROOT,
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('msk-cutover plan with Java patterns (child process)', () => {
  it('answers for `(a+)+b` and a 35-character topic instead of hanging', async () => {
    const p = sample();
    const topic = 'a'.repeat(35);
    p.replication.topics = ['(a+)+b', 'orders', 'order_status'];
    p.applications[0].produces.push(topic);
    const { code, stderr } = await plan(p);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `applications[0].produces[1]: topic \`${topic}\` is not replicated: no pattern in replication.topics matches it`,
    );
  });

  it('accepts `(?i)`, `\\Q…\\E` and possessive patterns that only Java reads', async () => {
    const p = sample();
    p.replication.topics = ['(?i)ORDERS', '\\Qorder_status\\E'];
    p.replication.consumerGroups = ['order-status++', 'customer-.*+'];
    const { code, stderr } = await plan(p);
    expect(stderr).not.toMatch(/not a valid regular expression/);
    expect(code).toBe(0);
  });
});
