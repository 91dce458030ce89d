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
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
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
import { treeShakeBundle } from '../infra/tree-shake.ts';
import { atMost, type Figure, info, median } from './figure.ts';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(tmpdir(), 'msk-cutover-bench', 'bundles');

/**
 * Cold import targets, in milliseconds: what a new execution environment
 * waits for. approval-api answers a person's click, so it aims lower.
 * Bundle sizes are reported without a target: Lambda pays for bytes only
 * in the upload, a cold start pays for what the bundle runs at import.
 */
export const TARGETS = {
  importMs: 80,
  approvalApiImportMs: 50,
  kafkaImportMs: 250,
} as const;

/** The cold import target of `phase`. */
export function importTargetMs(phase: Phase): number {
  if (KAFKA_PHASES.has(phase)) return TARGETS.kafkaImportMs;
  return phase === 'approval-api'
    ? TARGETS.approvalApiImportMs
    : TARGETS.importMs;
}

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
 * The esbuild call `NodejsFunction` makes, with the same options, then the
 * second tree-shaking pass its `afterBundling` hook runs. `metafile` is
 * esbuild's: what went into the bundle before that pass. With
 * `sdk: 'runtime'`, `outdir` also gets the stand-in for the runtime's SDK
 * (see the module comment).
 */
export async function bundle(
  phase: Phase,
  outdir: string = join(OUT, phase),
  sdk: SdkSource = 'bundled',
): Promise<{ file: string; metafile: Metafile }> {
  const options = bundlingFor(phase, sdk);
  const outfile = join(outdir, 'index.mjs');
  const result = await build({
    ...esbuildOptions(options),
    metafile: true,
    entryPoints: [join(ROOT, handlerEntry(phase))],
    outfile,
    logLevel: 'error',
  });
  if (options.secondTreeShake) await treeShakeBundle(outfile);
  if (sdk === 'runtime') {
    const modules = join(outdir, 'node_modules');
    mkdirSync(modules, { recursive: true });
    for (const scope of ['@aws-sdk', '@smithy']) {
      // Replace any link left by an earlier run, dangling ones included
      // (existsSync follows a link, so it cannot see those).
      rmSync(join(modules, scope), { force: true });
      symlinkSync(join(ROOT, 'node_modules', scope), join(modules, scope));
    }
  }
  return { file: outfile, metafile: result.metafile };
}

/**
 * The largest packages in a bundle, e.g. `@aws-sdk/client-ec2 550K`: what to
 * look at when a bundle misses its target. Read from the bundle's source
 * map (esbuild's metafile does not see the second tree-shaking pass).
 */
export function largestPackages(file: string, count = 3): string {
  const bytes = new Map<string, number>();
  for (const [source, n] of bytesBySource(file)) {
    const inModules = source.split('node_modules/').pop() ?? source;
    const parts = inModules.split('/');
    const name = !source.includes('node_modules/')
      ? '(project)'
      : parts[0]?.startsWith('@')
        ? `${parts[0]}/${parts[1]}`
        : (parts[0] ?? source);
    bytes.set(name, (bytes.get(name) ?? 0) + n);
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => `${name} ${Math.round(n / 1024)}K`)
    .join(', ');
}

/**
 * Characters of `file` per original source, from its source map: each
 * mapping segment owns the text up to the next segment of its line.
 * Written out because no dependency decodes source maps (Node's
 * `SourceMap` only looks positions up); the format is Source Map v3's
 * base64 VLQ.
 */
export function bytesBySource(file: string): Map<string, number> {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as {
    sources: string[];
    mappings: string;
  };
  const lines = readFileSync(file, 'utf8').split('\n');
  const bytes = new Map<string, number>();
  let source = 0;
  map.mappings.split(';').forEach((segments, line) => {
    const length = lines[line]?.length ?? 0;
    let column = 0;
    let owner: number | undefined;
    let from = 0;
    for (const segment of segments.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      column += fields[0] ?? 0;
      if (owner !== undefined) add(owner, column - from);
      if (fields.length > 1) {
        source += fields[1] ?? 0;
        owner = source;
      } else owner = undefined;
      from = column;
    }
    if (owner !== undefined) add(owner, length - from);
  });
  return bytes;

  function add(index: number, n: number): void {
    const name = map.sources[index] ?? '?';
    bytes.set(name, (bytes.get(name) ?? 0) + n);
  }
}

const BASE64 =
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
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
    const maxMs = importTargetMs(phase);
    const sizeName = `bundle ${phase}`;
    const importName = `cold import ${phase} (median of ${IMPORT_RUNS})`;
    if (!existsSync(join(ROOT, handlerEntry(phase)))) {
      const note = `${handlerEntry(phase)} does not exist`;
      figures.push(atMost(importName, null, 'ms', maxMs, note));
      continue;
    }
    let file: string;
    try {
      ({ file } = await bundle(phase));
    } catch (err) {
      const note = `esbuild failed: ${(err as Error).message.split('\n')[0]}`;
      figures.push(atMost(importName, null, 'ms', maxMs, note));
      continue;
    }
    const kib = Math.round((statSync(file).size / 1024) * 10) / 10;
    figures.push({
      ...info(sizeName, kib, 'KiB'),
      note: `largest: ${largestPackages(file)}`,
    });
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
