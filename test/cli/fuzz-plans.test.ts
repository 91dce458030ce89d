/**
 * Property-based test of the CLI's plan entry points with hostile plans:
 * the sample plan with some of its fields (or the whole document) replaced
 * by control characters, terminal escape sequences, newlines, huge strings,
 * deep nesting, prototype names, unusual Unicode and values of the wrong
 * type. Each generated plan goes through `plan --out <dir>` and the checks
 * `rehearse` makes before it starts (both in process, the commands' own
 * functions).
 *
 * Reproducing a failure: fast-check prints the seed and the path of the
 * smallest failing plan; run
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx vitest run test/cli/fuzz-plans.test.ts
 * FUZZ_RUNS sets the number of plans (default below, sized to stay well
 * within a minute on a shared machine). The default seed is fixed, so every
 * run of `npm test` tries the same plans.
 */
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../cli/commands/plan.ts';
import { checkRehearsal } from '../../cli/commands/rehearse.ts';
import { validatePlan } from '../../functions/shared/domain/validate.ts';
import { captureIo } from '../support/cli-io.ts';
import { firstActiveCharacter } from '../support/terminal.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const PATH = process.env.FUZZ_PATH;

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE: Record<string, unknown> = JSON.parse(
  readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'),
);
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-fuzz-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ------------------------------------------------------------- generators

const CONTROL = [
  '\u0000',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\u000b',
  '\f',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  '\u061c',
  '\u200e',
  '\u202e',
  '\u2066',
  '\u2028',
  '\ufeff',
];
const ESCAPES = [
  '\u001b[2J\u001b[H',
  '\u001b]0;owned\u0007',
  '\u001b]8;;http://evil.invalid\u001b\\x\u001b]8;;\u001b\\',
  '\u001b[1A\u001b[K',
  '\u009b31m',
  '\r\u001b[K',
  '\u001bP+q\u001b\\',
];
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  'hasOwnProperty',
  '__proto__',
  'valueOf',
  'prototype',
  '__defineGetter__',
];

/** A marker JSON text replaces with a value nested `n` levels deep. */
const DEEP = (n: number) => `@@deep:${n}@@`;

/** A string holding a control character or an escape sequence. */
const taintedString: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(...CONTROL, ...ESCAPES),
    fc.string({ maxLength: 12 }),
  )
  .map(([a, b, c]) => `${a}${b}${c}`);

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: taintedString },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_NAMES) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1_000, max: 300_000 })
      .map((n) => 'x'.repeat(n)),
  },
  { weight: 1, arbitrary: fc.constant('') },
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4 }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 30, max: 5_000 }).map((n) => DEEP(n)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, [], {}, 0, -1, 1e308, true, [null]),
  },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }) },
);

type Path = (string | number)[];

/** Every path in the sample plan (objects, arrays and leaves). */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(...pathsOf(v, [...at, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(...pathsOf(v, [...at, k]));
    }
  }
  return out;
}
const PATHS = pathsOf(SAMPLE).filter((p) => p.length > 0);
/** The sample's strings. */
const STRING_PATHS = PATHS.filter((p) => typeof get(SAMPLE, p) === 'string');
/**
 * The strings the schema leaves free-form (the plan stays valid when they
 * change): where a hostile fragment most often reaches the artefacts.
 */
const FREE_TEXT_PATHS = STRING_PATHS.filter(
  (p) =>
    validatePlan(mutate([{ kind: 'wrap', path: p, before: 'a', after: 'a' }]))
      .ok,
);

type Mutation =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'wrap'; path: Path; before: string; after: string }
  | { kind: 'add'; path: Path; key: string; value: unknown };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      path: fc.constantFrom(...PATHS),
      value: hostileValue,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      path: fc.constantFrom(...STRING_PATHS),
      before: fc.oneof(fc.constant(''), hostileString),
      after: fc.oneof(fc.constant(''), hostileString),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      path: fc.constantFrom(...FREE_TEXT_PATHS),
      before: fc.oneof(fc.constant(''), hostileString),
      after: fc.oneof(fc.constant(''), hostileString),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      path: fc.constantFrom([] as Path, ...PATHS),
      key: fc.oneof(hostileString, fc.constantFrom(...PROTOTYPE_NAMES)),
      value: hostileValue,
    }),
  },
);

/** A plan as text: the sample with mutations, or a hostile document. */
const planText: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc
      .array(mutation, { minLength: 1, maxLength: 4 })
      .map((ms) => toText(mutate(ms))),
  },
  { weight: 1, arbitrary: hostileValue.map((v) => toText(v)) },
);

function mutate(mutations: Mutation[]): unknown {
  const plan = structuredClone(SAMPLE) as unknown;
  for (const m of mutations) {
    const parent = m.path.slice(0, -1);
    const last = m.path.at(-1);
    const holder = get(plan, m.kind === 'add' ? m.path : parent);
    if (holder === null || typeof holder !== 'object') continue;
    if (m.kind === 'add') {
      if (Array.isArray(holder)) holder.push(m.value);
      // An own property, even for `__proto__` (an assignment would not be).
      else Object.defineProperty(holder, m.key, own(m.value));
    } else if (last !== undefined) {
      const old = (holder as Record<string | number, unknown>)[last];
      const value =
        m.kind === 'set'
          ? m.value
          : typeof old === 'string'
            ? `${m.before}${old}${m.after}`
            : old;
      Object.defineProperty(holder, last, own(value));
    }
  }
  return plan;
}

function own(value: unknown): PropertyDescriptor {
  return { value, enumerable: true, writable: true, configurable: true };
}

function get(value: unknown, path: Path): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/** JSON text, with each DEEP marker replaced by its nested value. */
function toText(value: unknown): string {
  return JSON.stringify(value).replace(
    /"@@deep:(\d+)@@"/g,
    (_, n: string) => `${'{"a":['.repeat(Number(n))}1${']}'.repeat(Number(n))}`,
  );
}

// ------------------------------------------------------------- properties

let runs = 0;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

/** `plan --out` on one generated plan. */
async function planRun(text: string, json: boolean) {
  runs += 1;
  const file = join(work, `plan-${runs}.json`);
  writeFileSync(file, text);
  const out = join(work, `out-${runs}`);
  const printed: string[] = [];
  const code = await runPlanCommand(
    file,
    { scramUser: 'msk-replicator', out, json },
    { stdout: (t) => printed.push(t), stderr: (t) => printed.push(t) },
  );
  let files: string[] = [];
  try {
    files = filesUnder(out);
  } catch {
    files = [];
  }
  return { code, printed: printed.join(''), out, files };
}

const settings = () => ({
  seed: SEED,
  numRuns: RUNS,
  ...(PATH ? { path: PATH } : {}),
  endOnFailure: false,
});

describe('hostile plans through the CLI (fast-check)', () => {
  it('plan --out: exit 0 or 2, nothing written on 2, no unescaped control character in the terminal output or the JSON files', async () => {
    await fc.assert(
      fc.asyncProperty(planText, fc.boolean(), async (text, json) => {
        const r = await planRun(text, json);
        expect([0, 2]).toContain(r.code);
        expect(r.printed).not.toContain('unexpected failure');
        expect(r.printed).not.toMatch(/^\s+at .+:\d+/m);
        expect(firstActiveCharacter(r.printed)).toBeUndefined();
        if (r.code === 2) {
          expect(r.files).toEqual([]);
        } else {
          expect(r.files.length).toBeGreaterThan(0);
          for (const f of r.files.filter((p) => p.endsWith('.json'))) {
            const content = readFileSync(f, 'utf8');
            expect(
              firstActiveCharacter(content),
              relative(r.out, f),
            ).toBeUndefined();
            // Still JSON after the escaping.
            expect(() => JSON.parse(content)).not.toThrow();
          }
        }
        rmSync(r.out, { recursive: true, force: true });
      }),
      settings(),
    );
  }, 90_000);

  it("rehearse's checks before it starts: exit 0 (ready) or 2, no unescaped control character in the terminal output", async () => {
    await fc.assert(
      fc.asyncProperty(planText, async (text) => {
        runs += 1;
        const file = join(work, `rehearse-${runs}.json`);
        writeFileSync(file, text);
        const io = captureIo(true);
        const ready = await checkRehearsal(file, { report: false }, io);
        const code = typeof ready === 'number' ? ready : 0;
        expect([0, 2]).toContain(code);
        const printed = io.out() + io.err();
        expect(printed).not.toContain('unexpected failure');
        expect(firstActiveCharacter(printed)).toBeUndefined();
        if (code === 2) expect(io.err()).not.toBe('');
      }),
      settings(),
    );
  }, 90_000);

  it('plan --out: the generated source-acls.sh carries no control character other than newline and tab, and no line a plan string started', async () => {
    await fc.assert(
      fc.asyncProperty(planText, async (text) => {
        const r = await planRun(text, false);
        if (r.code === 0) {
          const script = readFileSync(join(r.out, 'source-acls.sh'), 'utf8');
          expect(firstActiveCharacter(script)).toBeUndefined();
          // Every line is the shebang, a comment, blank, `set -eu` or a
          // kafka-acls command: nothing a name could have started.
          for (const line of script.split('\n')) {
            expect(line).toMatch(
              /^(#!\/bin\/sh|#.*|set -eu|kafka-acls\.sh .*|)$/,
            );
          }
        }
        rmSync(r.out, { recursive: true, force: true });
      }),
      settings(),
    );
  }, 90_000);
});
