/**
 * Bundle size and cold import time of every Lambda function, built with the
 * stack's own esbuild options (`infra/bundling.ts`) and imported by the Node
 * that runs the benchmark (24, like the `nodejs24.x` runtime).
 *
 * Bundles land outside the project (`$TMPDIR/msk-cutover-bench/bundles`),
 * where no node_modules resolves, as in Lambda: an import the bundle left to
 * a package it does not carry fails or takes its fallback there too (the
 * Kafka client's optional native `@node-rs/crc32`, for one).
 *
 * The alternative the stack does not deploy, the AWS SDK taken from the
 * runtime, is measured too (informational figures) for every phase allowed
 * to use it: its directory gets a node_modules holding only `@aws-sdk` and
 * `@smithy` (links to the project's), standing in for the runtime's copy,
 * so their load time counts in the cold import as it does in Lambda.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import {
  bundlingFor,
  esbuildOptions,
  handlerEntry,
  KAFKA_PHASES,
  PHASES,
  type Phase,
  REPLICATOR_API_PHASES,
  type SdkSource,
} from '../infra/bundling.ts';
import { atMost, type Figure, info, median } from './figure.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(tmpdir(), 'msk-cutover-bench', 'bundles');

/** Targets from the benchmark issue: KiB and milliseconds. */
export const TARGETS = {
  bundleKiB: 200,
  kafkaBundleKiB: 600,
  importMs: 80,
  kafkaImportMs: 250,
} as const;

/** Fresh processes per function; the figure is their median. */
export const IMPORT_RUNS = 10;

/**
 * Values that satisfy every function's environment schema, so a module that
 * reads its environment at import time still loads; nothing is called.
 */
const BENCH_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  LEDGER_TABLE: 'bench-ledger',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:bench',
  EVENT_BUS_NAME: 'msk-cutover',
  TOKEN_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/bench',
  SIGNING_SECRET_ARN:
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench',
  APPROVAL_BASE_URL: 'https://bench.example.com/',
  SERVICE_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/bench',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/**
 * The esbuild call `NodejsFunction` makes, with the same options. With
 * `sdk: 'runtime'`, `outdir` also gets the stand-in for the runtime's SDK
 * (see the module comment).
 */
export async function bundle(
  phase: Phase,
  outdir: string = join(OUT, phase),
  sdk: SdkSource = 'bundled',
): Promise<{ file: string; metafile: Metafile }> {
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    ...esbuildOptions(bundlingFor(phase, sdk)),
    metafile: true,
    entryPoints: [join(ROOT, handlerEntry(phase))],
    outfile,
    logLevel: 'error',
  });
  if (sdk === 'runtime') {
    const modules = join(outdir, 'node_modules');
    mkdirSync(modules, { recursive: true });
    for (const scope of ['@aws-sdk', '@smithy']) {
      if (!existsSync(join(modules, scope))) {
        symlinkSync(join(ROOT, 'node_modules', scope), join(modules, scope));
      }
    }
  }
  return { file: outfile, metafile: result.metafile };
}

/**
 * The largest packages in a bundle, e.g. `@aws-sdk/client-ec2 550K`: what to
 * look at when a bundle misses its target.
 */
export function largestPackages(metafile: Metafile, count = 3): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, input] of Object.entries(output.inputs)) {
      const inModules = path.split('node_modules/').pop() ?? path;
      const parts = inModules.split('/');
      const name = !path.includes('node_modules/')
        ? '(project)'
        : parts[0]?.startsWith('@')
          ? `${parts[0]}/${parts[1]}`
          : (parts[0] ?? path);
      bytes.set(name, (bytes.get(name) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => `${name} ${Math.round(n / 1024)}K`)
    .join(', ');
}

/**
 * Milliseconds one fresh `node` process spends in `import()` of the bundle,
 * with source maps enabled as in Lambda (`NODE_OPTIONS`).
 */
export function importMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(
    process.execPath,
    ['--enable-source-maps', '--input-type=module', '-e', script],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', ...BENCH_ENV },
      timeout: 30_000,
    },
  );
  const ms = Number.parseFloat(result.stdout);
  if (result.status !== 0 || Number.isNaN(ms)) {
    const why = (result.stderr || result.error?.message || '').trim();
    throw new Error(`importing ${file} failed: ${why.split('\n')[0]}`);
  }
  return ms;
}

export async function run(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const phase of PHASES) {
    const kafka = KAFKA_PHASES.has(phase);
    const maxKiB = kafka ? TARGETS.kafkaBundleKiB : TARGETS.bundleKiB;
    const maxMs = kafka ? TARGETS.kafkaImportMs : TARGETS.importMs;
    const sizeName = `bundle ${phase}`;
    const importName = `cold import ${phase} (median of ${IMPORT_RUNS})`;
    if (!existsSync(join(ROOT, handlerEntry(phase)))) {
      const note = `${handlerEntry(phase)} does not exist`;
      figures.push(atMost(sizeName, null, 'KiB', maxKiB, note));
      figures.push(atMost(importName, null, 'ms', maxMs, note));
      continue;
    }
    let file: string;
    let metafile: Metafile;
    try {
      ({ file, metafile } = await bundle(phase));
    } catch (err) {
      const note = `esbuild failed: ${(err as Error).message.split('\n')[0]}`;
      figures.push(atMost(sizeName, null, 'KiB', maxKiB, note));
      figures.push(atMost(importName, null, 'ms', maxMs, note));
      continue;
    }
    const kib = Math.round((statSync(file).size / 1024) * 10) / 10;
    const size = atMost(sizeName, kib, 'KiB', maxKiB);
    figures.push(
      size.ok
        ? size
        : { ...size, note: `largest: ${largestPackages(metafile)}` },
    );
    try {
      figures.push(atMost(importName, medianImportMs(file), 'ms', maxMs));
    } catch (err) {
      figures.push(atMost(importName, null, 'ms', maxMs, String(err)));
    }
    if (!REPLICATOR_API_PHASES.has(phase)) {
      figures.push(...(await runtimeSdkFigures(phase)));
    }
  }
  return figures;
}

/** Median of {@link IMPORT_RUNS} fresh imports, to 0.1 ms. */
function medianImportMs(file: string): number {
  const runs = Array.from({ length: IMPORT_RUNS }, () => importMs(file));
  return Math.round(median(runs) * 10) / 10;
}

/** Size and cold import of a phase built with the runtime's SDK. */
async function runtimeSdkFigures(phase: Phase): Promise<Figure[]> {
  const { file } = await bundle(
    phase,
    join(OUT, `${phase}.runtime-sdk`),
    'runtime',
  );
  const kib = Math.round((statSync(file).size / 1024) * 10) / 10;
  return [
    info(`bundle ${phase}, SDK from runtime (not deployed)`, kib, 'KiB'),
    info(
      `cold import ${phase}, SDK from runtime (not deployed)`,
      medianImportMs(file),
      'ms',
    ),
  ];
}
