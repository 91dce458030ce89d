/**
 * `npm run bench [-- --json] [-- --only bundles,poll]`: runs every benchmark
 * module present in `bench/` and prints one table (or, with `--json`, a JSON
 * array of figures). Figures live here, never in timed test assertions.
 *
 * A module is `bench/<name>.ts` exporting `async function run():
 * Promise<Figure[]>`; modules are optional so each lands on its own. With
 * more than one module selected, each runs in a fresh Node process: modules
 * share no state (the local ledger of one must not be the stopped ledger of
 * another) and a peak-memory figure is that module's alone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Figure } from './figure.ts';

/** In the order of the benchmark issue. */
export const MODULES = [
  'bundles',
  'poll',
  'rehearsal',
  'probe',
  'patterns',
  'waves',
] as const;

interface Options {
  json: boolean;
  only: string[] | null;
}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { json: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') options.json = true;
    else if (arg === '--only') {
      const value = argv[++i];
      if (value === undefined) throw new Error('--only needs a module list');
      options.only = value.split(',').filter(Boolean);
    } else if (arg?.startsWith('--only=')) {
      options.only = arg.slice('--only='.length).split(',').filter(Boolean);
    } else {
      throw new Error(`unknown argument ${arg}; use --json and --only a,b`);
    }
  }
  const unknown = (options.only ?? []).filter(
    (m) => !(MODULES as readonly string[]).includes(m),
  );
  if (unknown.length > 0) {
    throw new Error(
      `--only: unknown module ${unknown.join(', ')} (known: ${MODULES.join(', ')})`,
    );
  }
  return options;
}

/** The table: one row per figure, a mark when a target is missed. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = figures.map((f) => [
    f.ok === null ? ' ' : f.ok ? 'ok' : 'MISS',
    f.name,
    f.value === null ? '-' : f.value.toLocaleString('en-US'),
    f.unit,
    f.target ?? '',
    f.note ?? '',
  ]);
  const header = ['', 'figure', 'value', 'unit', 'target', 'note'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === 2
          ? c.padStart(widths[i] as number)
          : c.padEnd(widths[i] as number),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Runs one module in this process. */
async function runHere(file: string, name: string): Promise<Figure[]> {
  const mod = (await import(pathToFileURL(file).href)) as {
    run?: () => Promise<Figure[]>;
  };
  if (typeof mod.run !== 'function') {
    throw new Error(`bench/${name}.ts exports no run()`);
  }
  return mod.run();
}

/**
 * The figures a child run printed with `--json`; a child that failed before
 * printing any says so with its exit code (its stderr is already shown).
 */
export function childFigures(
  name: string,
  stdout: string,
  code: number | null,
): Figure[] {
  let figures: unknown;
  try {
    figures = JSON.parse(stdout);
  } catch {
    throw new Error(`bench/${name}.ts printed no figures (exit code ${code})`);
  }
  if (!Array.isArray(figures)) {
    throw new Error(`bench/${name}.ts printed no figure list`);
  }
  if (code !== 0) {
    throw Object.assign(new Error(`bench/${name}.ts exited with ${code}`), {
      figures: figures as Figure[],
    });
  }
  return figures as Figure[];
}

/**
 * Runs one module in a fresh Node process with this one's loader flags
 * (tsx), through this file with `--only <name> --json`.
 */
function runIsolated(name: string): Promise<Figure[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...process.execArgv,
        fileURLToPath(import.meta.url),
        '--only',
        name,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // A module that runs past its budget is stopped and reported as such,
    // so one slow figure never keeps the others from printing.
    const budgetMs = Number(process.env.BENCH_MODULE_TIMEOUT_S ?? 900) * 1000;
    const timer = setTimeout(() => {
      process.stderr.write(
        `bench ${name}: stopped after ${budgetMs / 1000} s (BENCH_MODULE_TIMEOUT_S)\n`,
      );
      child.kill('SIGKILL');
    }, budgetMs);
    timer.unref();
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(childFigures(name, stdout, code));
      } catch (err) {
        reject(err);
      }
    });
  });
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const selected = MODULES.filter(
    (name) =>
      (!options.only || options.only.includes(name)) &&
      existsSync(join(import.meta.dirname, `${name}.ts`)),
  );
  const isolate = selected.length > 1;
  const figures: Figure[] = [];
  let failed = false;
  for (const name of selected) {
    const file = join(import.meta.dirname, `${name}.ts`);
    try {
      figures.push(
        ...(isolate ? await runIsolated(name) : await runHere(file, name)),
      );
    } catch (err) {
      failed = true;
      const partial = (err as { figures?: Figure[] }).figures;
      if (partial) figures.push(...partial);
      // A child reports its own errors on the shared stderr.
      if (!isolate || !partial) {
        process.stderr.write(
          `bench ${name}: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(figures, null, 2)}\n`
      : `${formatTable(figures)}\n`,
  );
  return failed ? 1 : 0;
}

/**
 * Exits once stdout is flushed (the empty write's callback runs after the
 * figures): a module that leaves a socket or timer open must not keep the
 * benchmark, or the parent waiting for its child, alive.
 */
function exitAfterOutput(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(exitAfterOutput, (err: unknown) => {
    process.stderr.write(
      `bench: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    exitAfterOutput(2);
  });
}
