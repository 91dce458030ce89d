import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../cli/commands/plan.ts';
import { generatePlan } from '../../functions/shared/domain/generate-plan.ts';
import { validatePlan } from '../../functions/shared/domain/validate.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'events/start-migration.json');
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-waves-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function plan(file: string, suggestWaves: string, json = false) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPlanCommand(
    file,
    { scramUser: 'u', suggestWaves, json },
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
  );
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('msk-cutover plan on a wave plan', () => {
  it('shows each application with its wave, in the order the workflow runs them, without the old warning that gates are per application', async () => {
    const out: string[] = [];
    const code = await runPlanCommand(
      join(ROOT, 'events/start-migration-waves.json'),
      { scramUser: 'u' },
      { stdout: (t) => out.push(t), stderr: () => {} },
    );
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(
      /1\. order-status \(wave order-flow\): .*\n {2}2\. orders \(wave order-flow\): .*\n {2}3\. customer-notification \(wave notifications\): /,
    );
    expect(text).not.toContain('one gate per wave is not supported yet');
    // No cutoverConcurrency: each wave moves all its applications at once.
    expect(text).toContain('  every application of a wave at once');
    expect(text).not.toContain('application(s) at a time');
  });
});

describe('msk-cutover plan --suggest-waves', () => {
  it('prints the waves readably, consumers first, with the topics the cut splits', async () => {
    const { code, stdout, stderr } = await plan(SAMPLE, '2');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain(
      'Suggested waves for orders-platform: 2 waves for 3 applications (1 group of applications sharing topics)',
    );
    expect(stdout).toContain(
      '  wave-1  1 application: customer-notification\n  wave-2  2 applications: orders, order-status\n',
    );
    expect(stdout).toContain('1 topic with applications in more than one wave');
    expect(stdout).toContain('in place of "cutoverOrder"');
  });

  it('prints with --json a cutoverWaves value that makes the plan a valid wave plan', async () => {
    const { code, stdout } = await plan(SAMPLE, '2', true);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc)).toEqual(['cutoverWaves']);
    const input = JSON.parse(readFileSync(SAMPLE, 'utf8'));
    delete input.cutoverOrder;
    const result = validatePlan({ ...input, ...doc });
    expect(result.ok ? [] : result.issues).toEqual([]);
    // Deterministic: asking again gives the same text.
    expect((await plan(SAMPLE, '2', true)).stdout).toBe(stdout);
  });

  it('says so when N is larger than the plan', async () => {
    const { code, stdout } = await plan(SAMPLE, '10');
    expect(code).toBe(0);
    expect(stdout).toContain(
      '(asked for 10; the plan has 3 applications, one wave each)',
    );
    expect(stdout.match(/^ {2}wave-\d+ /gm)).toHaveLength(3);
  });

  it.each(['0', '-1', '2.5', 'many', '5001', ''])(
    'refuses %j before reading the plan, with exit code 2',
    async (n) => {
      const { code, stdout, stderr } = await plan(
        join(work, 'no-such-plan.json'),
        n,
      );
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `msk-cutover plan: --suggest-waves: ${JSON.stringify(n)} is not a number of waves: give a whole number from 1 to 5000\n`,
      );
    },
  );

  it('reports an invalid plan by path and suggests nothing', async () => {
    const input = JSON.parse(readFileSync(SAMPLE, 'utf8'));
    input.cutoverOrder = ['orders'];
    const file = join(work, 'invalid.json');
    writeFileSync(file, JSON.stringify(input));
    const { code, stdout, stderr } = await plan(file, '2');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('cutoverOrder: must list every application once');
  });

  it('shortens long waves in the text and keeps every application in the JSON (1,000 applications, 20 waves)', async () => {
    const file = join(work, 'scale.json');
    writeFileSync(
      file,
      JSON.stringify(
        generatePlan({ apps: 1000, topics: 2000, groups: 1000, shards: 3 }),
      ),
    );
    const text = await plan(file, '20');
    expect(text.code).toBe(0);
    const lines = text.stdout.match(/^ {2}wave-\d\d .*$/gm) ?? [];
    expect(lines).toHaveLength(20);
    for (const line of lines) {
      expect(line).toMatch(
        /^ {2}wave-\d\d {2}50 applications: .* and 42 more$/,
      );
    }
    const { cutoverWaves } = JSON.parse((await plan(file, '20', true)).stdout);
    const all = cutoverWaves.flatMap(
      (w: { applications: string[] }) => w.applications,
    );
    expect(new Set(all).size).toBe(1000);
  });
});
