/**
 * Input, path and permission problems: every command exits 2 with one
 * clear line (no stack trace, never "unexpected failure"), checked before
 * any long work starts, and writes nothing.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runPlanCommand } from '../../cli/commands/plan.ts';
import { runRehearseCommand } from '../../cli/commands/rehearse.ts';
import { main } from '../../cli/main.ts';
import { MAX_PLAN_DEPTH } from '../../cli/plan-input.ts';
import { localLedgerDirectory } from '../../cli/rehearsal/local-aws.ts';
import { captureIo } from '../support/cli-io.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'events/start-migration.json');
const SAMPLE_TEXT = readFileSync(SAMPLE, 'utf8');
const STACK = /^\s+at .+:\d+/m;
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-inputs-'));
const readOnly: string[] = [];

afterAll(() => {
  for (const dir of readOnly) unfreeze(dir);
  rmSync(work, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

function file(name: string, text: string | Buffer): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/**
 * A directory nobody may write into: mode 0555, and for root (whom modes
 * do not stop) the immutable attribute as well.
 */
function readOnlyDirectory(): string {
  const dir = mkdtempSync(join(work, 'read-only-'));
  chmodSync(dir, 0o555);
  if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir]);
  readOnly.push(dir);
  let writable = true;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    writable = false;
  }
  if (writable) throw new Error(`could not make ${dir} read-only here`);
  return dir;
}

function unfreeze(dir: string): void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  }
  chmodSync(dir, 0o755);
}

/** `{"a":{"a":…1…}}` `depth` levels deep, as text (no recursion). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

async function plan(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const [planFile, ...rest] = args;
  const outDir = rest[0] === '--out' ? rest[1] : undefined;
  const code = await runPlanCommand(
    planFile,
    { scramUser: 'msk-replicator', ...(outDir ? { out: outDir } : {}) },
    { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
  );
  return { code, out: out.join(''), err: err.join('') };
}

async function rehearse(planFile: string, report: string | false = false) {
  const io = captureIo();
  const code = await runRehearseCommand(planFile, { report }, io);
  return { code, out: io.out(), err: io.err() };
}

/** `start` in process; AWS is never reached for these inputs. */
async function start(planFile: string) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out.push(String(c));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err.push(String(c));
    return true;
  });
  const code = await main(['start', planFile, '--region', 'us-east-1']);
  vi.restoreAllMocks();
  return { code, out: out.join(''), err: err.join('') };
}

describe('plans nested thousands of levels deep', () => {
  const deepField = file(
    'deep-field.json',
    SAMPLE_TEXT.replace('"tls": {}', `"tls": ${nested(5000)}`),
  );
  const deepTop = file('deep-top.json', `{"extra": ${nested(5000)}}`);
  const path = `source.tls${'.a'.repeat(MAX_PLAN_DEPTH - 2)}`;

  it('should exit 2 from plan, rehearse and start with the path where it is too deep', async () => {
    for (const r of [
      await plan([deepField]),
      await rehearse(deepField),
      await start(deepField),
    ]) {
      expect(r.code).toBe(2);
      expect(r.err).toContain(
        `${path}: is nested more than ${MAX_PLAN_DEPTH} levels deep`,
      );
      expect(r.err).not.toContain('Maximum call stack');
      expect(r.err).not.toContain('unexpected failure');
    }
    const top = await plan([deepTop]);
    expect(top.code).toBe(2);
    expect(top.err).toContain('extra.a.a');
  });

  it('should exit 2 from the real command too, without a stack trace', async () => {
    const r = await promisify(execFile)(
      process.execPath,
      ['cli/bin.mjs', 'plan', deepField],
      { cwd: ROOT },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((r as { code?: number }).code).toBe(2);
    expect(r.stderr).toContain('levels deep');
    expect(r.stderr).not.toMatch(STACK);
  });
});

describe('plan --import-cli files nested thousands of levels deep', () => {
  it('should exit 2 with the file and the path', async () => {
    const clusters = file(
      'deep-clusters.json',
      `{"Clusters": ${nested(5000)}}`,
    );
    const info = file('info.json', '{}');
    const err: string[] = [];
    const code = await runPlanCommand(
      undefined,
      { scramUser: 'msk-replicator', importCli: [clusters, info] },
      { stdout: () => undefined, stderr: (t) => err.push(t) },
    );
    expect(code).toBe(2);
    expect(err.join('')).toContain(`${clusters}: Clusters.a.a`);
    expect(err.join('')).toContain('levels deep');
  });
});

describe('a UTF-8 byte-order mark before a valid plan', () => {
  const bom = file('bom.json', `\ufeff${SAMPLE_TEXT}`);

  it('should be accepted by plan', async () => {
    const r = await plan([bom]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('orders-platform');
  });

  it('should be accepted by rehearse', async () => {
    const io = captureIo();
    const code = await runRehearseCommand(
      bom,
      { report: false, json: true },
      io,
    );
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out()).outcome).toBe('SUCCEEDED');
    expect(code).toBe(0);
  }, 120_000);

  it('should show an invisible character visibly when it makes JSON invalid', async () => {
    // A mark after a space is not a byte-order mark: a syntax error, shown.
    const inside = file('bom-inside.json', ` \ufeff${SAMPLE_TEXT}`);
    const r = await plan([inside]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not valid JSON');
    expect(r.err).toContain('\\ufeff');
    expect(r.err).not.toContain('\ufeff');
  });
});

describe('null, [] and other non-objects', () => {
  it('should get the same message from plan, rehearse and start', async () => {
    const cases: [string, string][] = [
      ['null', 'null'],
      ['[]', 'an array'],
      ['"plan"', 'string "plan"'],
      ['42', 'number 42'],
    ];
    for (const [i, [text, found]] of cases.entries()) {
      const f = file(`not-object-${i}.json`, text);
      const line = `(plan) must be an object (found ${found})`;
      for (const r of [await plan([f]), await rehearse(f), await start(f)]) {
        expect(r.code).toBe(2);
        expect(r.err).toContain(`  ${line}\n`);
        // One problem: not the scenario's fields reported as missing.
        expect(r.err).not.toContain('is required');
      }
    }
  });
});

describe('plan files that cannot be read', () => {
  it('should say why in one line: missing, a directory, not UTF-8, endless', async () => {
    const cases: [string, string][] = [
      [join(work, 'missing.json'), 'cannot read the file (no such file'],
      [work, 'cannot read the file (is a directory)'],
      [file('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d])), 'not UTF-8'],
      ['/dev/zero', 'is larger than 32 MB'],
    ];
    for (const [path, says] of cases) {
      for (const r of [await plan([path]), await rehearse(path)]) {
        expect(r.code).toBe(2);
        expect(r.err.trim().split('\n')).toHaveLength(1);
        expect(r.err).toContain(says);
        expect(r.err).not.toMatch(STACK);
      }
    }
  });
});

describe('plan --out', () => {
  it('should exit 2 with one line and write nothing onto an existing file', async () => {
    const target = file('existing.txt', 'keep me');
    const r = await plan([SAMPLE, '--out', target]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `msk-cutover plan: --out ${target}: is a file, not a directory (give a directory to write the files into); nothing was written\n`,
    );
    expect(readFileSync(target, 'utf8')).toBe('keep me');
    expect(r.out).toBe('');
  });

  it('should exit 2 onto /dev/null', async () => {
    const r = await plan([SAMPLE, '--out', '/dev/null']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'msk-cutover plan: --out /dev/null: is a device, not a directory (give a directory to write the files into); nothing was written\n',
    );
  });

  it('should exit 2 into a read-only directory, or below one, writing nothing', async () => {
    const dir = readOnlyDirectory();
    const into = await plan([SAMPLE, '--out', dir]);
    expect(into.code).toBe(2);
    expect(into.err).toMatch(
      /--out .*: cannot write into the directory \(permission denied\); nothing was written\n$/,
    );
    const below = await plan([SAMPLE, '--out', join(dir, 'a', 'b')]);
    expect(below.code).toBe(2);
    expect(below.err).toContain(`cannot create it in ${dir}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should write nothing when the plan is invalid, whatever --out is', async () => {
    const out = join(work, 'not-created');
    const r = await plan([file('null.json', 'null'), '--out', out]);
    expect(r.code).toBe(2);
    expect(() => readdirSync(out)).toThrow();
  });

  it('should exit 2 from the real command onto /dev/null, never "unexpected failure"', async () => {
    const r = await promisify(execFile)(
      process.execPath,
      ['cli/bin.mjs', 'plan', SAMPLE, '--out', '/dev/null'],
      { cwd: ROOT },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect((r as { code?: number }).code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain('unexpected failure');
  });
});

describe('rehearse --report', () => {
  it('should exit 2 before the rehearsal starts when the report cannot be written', async () => {
    const dir = readOnlyDirectory();
    const blocker = file('report-blocker', '');
    for (const report of [join(dir, 'report'), blocker, '/dev/null']) {
      const r = await rehearse(SAMPLE, report);
      expect(r.code).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^msk-cutover rehearse: --report .*; nothing ran/);
      // Nothing started: no timeline, no local ledger.
      expect(r.out).toBe('');
      expect(localLedgerDirectory()).toBeUndefined();
    }
  });
});

describe('main', () => {
  it('should turn a file-system error that reaches it into exit 2 and one line', async () => {
    const { userProblem } = await import('../../cli/main.ts');
    const err = Object.assign(
      new Error("EACCES: permission denied, open '/x'"),
      {
        code: 'EACCES',
        syscall: 'open',
        path: '/x',
        errno: -13,
      },
    );
    expect(userProblem(err)).toBe('/x: cannot open (permission denied)');
    expect(userProblem(new TypeError('a bug'))).toBeUndefined();
  });

  it('should exit 2 for unknown options without a stack trace', async () => {
    mkdirSync(join(work, 'unused'), { recursive: true });
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      err.push(String(c));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['plan', SAMPLE, '--no-such-option\u001b[2J'])).toBe(2);
    const text = err.join('');
    expect(text).toContain("unknown option '--no-such-option\\u001b[2J'");
    expect(text).not.toContain('\u001b');
  });
});
