/**
 * `npm run bench [-- --json] [-- --only bundles,poll]`: runs every benchmark
 * module present in `bench/` and prints one table (or, with `--json`, a JSON
 * array of figures). Figures live here, never in timed test assertions.
 *
 * A module is `bench/<name>.ts` exporting `async function run():
 * Promise<Figure[]>`; modules are optional so each lands on its own.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Figure } from './figure.ts';

/** In the order of the benchmark issue. */
export const MODULES = ['bundles', 'poll', 'rehearsal', 'probe'] as const;

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

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  const figures: Figure[] = [];
  let failed = false;
  for (const name of MODULES) {
    if (options.only && !options.only.includes(name)) continue;
    const file = join(import.meta.dirname, `${name}.ts`);
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(pathToFileURL(file).href)) as {
        run?: () => Promise<Figure[]>;
      };
      if (typeof mod.run !== 'function') {
        throw new Error(`bench/${name}.ts exports no run()`);
      }
      figures.push(...(await mod.run()));
    } catch (err) {
      failed = true;
      process.stderr.write(
        `bench ${name}: ${err instanceof Error ? err.message : String(err)}\n`,
      );
    }
  }
  process.stdout.write(
    options.json
      ? `${JSON.stringify(figures, null, 2)}\n`
      : `${formatTable(figures)}\n`,
  );
  return failed ? 1 : 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `bench: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
