import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RehearseIo,
  runRehearseCommand,
} from '../../../cli/commands/rehearse.ts';

function capture(): RehearseIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: {
      write: (t) => {
        out += t;
      },
      isTTY: false,
    },
    stderr: {
      write: (t) => {
        err += t;
      },
      isTTY: false,
    },
    out: () => out,
    err: () => err,
  };
}

describe('msk-cutover rehearse', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rehearse-cli-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should list every scenario with its expected outcome', async () => {
    const io = capture();
    expect(
      await runRehearseCommand(undefined, { listScenarios: true }, io),
    ).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(22);
    expect(lines[0]).toMatch(/^happy-path\s+SUCCEEDED /);
    expect(io.out()).toMatch(/abort-mid-migration\s+FAILED /);
    expect(io.out()).toMatch(/replicator-saturated\s+FAILED /);
    expect(io.out()).toMatch(/wave-rollback-subset\s+SUCCEEDED /);
  });

  it('should exit 2 with every problem and its path for an invalid plan, running nothing', async () => {
    const plan = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    plan.migrationId = 'Not Valid';
    plan.replication.startingPosition = 'OLDEST';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(plan));
    const io = capture();
    expect(await runRehearseCommand(file, { report: false }, io)).toBe(2);
    expect(io.err()).toContain('is not a valid plan; nothing ran');
    expect(io.err()).toContain('migrationId:');
    expect(io.err()).toContain('replication.startingPosition:');
    expect(io.out()).toBe('');
  });

  it('should exit 2 for an unknown scenario, a missing file or both approval modes', async () => {
    const io = capture();
    expect(
      await runRehearseCommand(
        'events/start-migration.json',
        { scenario: 'nope' },
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain('unknown scenario "nope"');
    expect(await runRehearseCommand(join(dir, 'missing.json'), {}, io)).toBe(2);
    expect(io.err()).toContain('cannot read');
    expect(
      await runRehearseCommand(
        'events/start-migration.json',
        { autoApprove: true, interactive: true },
        io,
      ),
    ).toBe(2);
    expect(io.err()).toContain('not both');
  });

  it('should rehearse the sample plan as `npm start` does: exit 0 and a report', () => {
    const report = join(dir, 'report');
    const child = spawnSync(
      process.execPath,
      [
        'cli/bin.mjs',
        'rehearse',
        'events/start-migration.json',
        '--auto-approve',
        '--report',
        report,
        '--json',
      ],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env } },
    );
    expect(child.stderr).toBe('');
    const doc = JSON.parse(child.stdout);
    expect(doc).toMatchObject({ outcome: 'SUCCEEDED', scenario: 'happy-path' });
    expect(doc.replicators.remaining).toEqual([]);
    // Every email and event, in virtual time: each gate's request, the
    // completion event last.
    const notes = doc.notifications as {
      at: string;
      type: string;
      subject: string;
    }[];
    expect(notes.length).toBeGreaterThan(doc.gates.length);
    expect(notes.map((n) => n.at)).toEqual(
      notes.map((n) => n.at).sort((a, b) => a.localeCompare(b)),
    );
    expect(notes[0]?.at).toMatch(/^2026-01-05T/);
    expect(
      notes.filter((n) => n.type === 'Approval Requested').length,
    ).toBeGreaterThanOrEqual(2 * doc.gates.length);
    expect(notes.at(-1)).toMatchObject({
      type: 'Migration Completed',
      subject: 'Migration Completed',
    });
    expect(Object.keys(notes[0] ?? {}).sort()).toEqual([
      'at',
      'subject',
      'type',
    ]);
    expect(child.status).toBe(0);
    expect(existsSync(join(report, 'index.html'))).toBe(true);
    expect(readFileSync(join(report, 'index.html'), 'utf8')).toContain('<svg');
  }, 150_000);
});
