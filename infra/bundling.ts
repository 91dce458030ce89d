/**
 * The esbuild options of every Lambda bundle, as plain objects: the stack
 * (`PhaseFunction`) maps them onto `NodejsFunction` bundling, and the bundle
 * benchmark (`bench/bundles.ts`) feeds the same values to esbuild directly,
 * so the figures it prints are those of the deployed code.
 */
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { PHASES, type Phase, phasesWhere } from '../functions/shared/phases.ts';
import { BUNDLE_TRIMS, KAFKA_BUNDLE_TRIMS } from './bundle-trims.ts';

/** Every phase, in workflow order (the phase table's); one function each. */
export { PHASES, type Phase };

/** `functions/<phase>/handler.ts`, relative to the project root. */
export function handlerEntry(phase: Phase): string {
  return `functions/${phase}/handler.ts`;
}

/** Options both the stack and the benchmark hand to esbuild. */
export interface PhaseBundling {
  /** esbuild `target`, matching the Lambda runtime. */
  readonly target: string;
  readonly minify: boolean;
  readonly sourceMap: boolean;
  /**
   * Whether the source map embeds the sources. Off: a stack trace needs
   * only the file/line mappings, and with `--enable-source-maps` Node reads
   * and parses the map at every cold start (0.8 MiB for teardown, several
   * times that with sources). With the scan of the bundle for line lengths
   * that Node does too, source maps cost 5-10% of a cold import.
   */
  readonly sourcesContent: boolean;
  /**
   * Keep function and class names through minification (about 6% of a
   * bundle). The phases' error classes set their names (the ASL contract)
   * as string literals and need no help, but the SDK compares
   * `constructor.name` with `"NoOpLogger"` and `"FetchHttpHandler"` to
   * choose where its warnings go and whether a request waits for
   * `100-continue`.
   */
  readonly keepNames: boolean;
  /** Prefer the ESM build of dual packages (better tree shaking). */
  readonly mainFields: readonly string[];
  /**
   * Packages left out of the bundle because the runtime provides them
   * (see {@link RUNTIME_SDK}); empty bundles every dependency.
   */
  readonly externalModules: readonly string[];
  /** Prepended to the output, when the bundle needs it. */
  readonly banner?: string;
  /**
   * Module path substitutions (`esbuild --alias:from=to`): the Kafka
   * client's recipe, and the measures of `infra/bundle-trims.ts`.
   */
  readonly alias?: Readonly<Record<string, string>>;
  /** Global identifiers replaced at build time (`esbuild --define`). */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * Run `infra/tree-shake.ts` (rolldown) over esbuild's output
   * (`infra/bundle-trims.ts`).
   */
  readonly secondTreeShake: boolean;
}

/** A project file, absolute (the stack and the benchmark run elsewhere). */
function projectFile(path: string): string {
  return join(import.meta.dirname, '..', path);
}

/**
 * Shared defaults: every dependency bundled, the AWS SDK included, with the
 * measures of `infra/bundle-trims.ts`.
 *
 * Where the SDK comes from was measured (`npm run bench -- --only bundles`
 * prints both options). Taking `@aws-sdk/*` and `@smithy/*` from the
 * `nodejs24.x` runtime cuts a bundle from 360-590 KiB to 80-120 KiB, but
 * multiplies its cold import by four or five (45-85 ms bundled, 240-370 ms
 * from the runtime, on Node 24 with the packages resolved from
 * node_modules): the runtime's SDK is the packages' CommonJS builds, every
 * module of every client and its dependencies loaded and run whole, where
 * the bundle keeps only what the phase reaches. Cold-start time is paid by
 * every new execution environment; artifact bytes are not (a 585 KiB bundle
 * zips to under 200 KiB). Bundling also runs the code on the client
 * versions it was tested with, which the Replicator phases need anyway: the
 * external-cluster fields (`ApacheKafkaCluster`, `ConsumerGroupOffsetSyncMode`)
 * are recent, and an older runtime client would drop them from a
 * CreateReplicator request and a DescribeReplicator answer without an
 * error. So every phase bundles its SDK.
 */
export const BASE_BUNDLING: PhaseBundling = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  keepNames: true,
  mainFields: ['module', 'main'],
  externalModules: [],
  ...BUNDLE_TRIMS,
};

/**
 * The AWS SDK v3 that the `nodejs24.x` runtime ships (all of `@aws-sdk/*`
 * and the `@smithy/*` packages under it): the externals of the measured
 * alternative, `bundlingFor(phase, 'runtime')`.
 */
export const RUNTIME_SDK: readonly string[] = ['@aws-sdk/*', '@smithy/*'];

/**
 * Phases that call the MSK Replicator API (Create/Describe/Delete/
 * ListReplicators): they must run on a client that knows the
 * external-cluster fields, so they never take the runtime's SDK.
 */
export const REPLICATOR_API_PHASES: ReadonlySet<Phase> =
  phasesWhere('replicatorApi');

/**
 * The recipe @platformatic/kafka needs in an ESM bundle: `debug` calls
 * `require('tty')`, which ESM output only has through `createRequire`, and
 * wasm-utils reads `../dist/native.wasm` next to its own file unless the
 * `bundled` build (wasm inlined) is aliased in. Then the Kafka bundles'
 * measures (`infra/bundle-trims.ts`).
 */
export const KAFKA_CLIENT_BUNDLING: PhaseBundling = {
  ...BASE_BUNDLING,
  banner:
    "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  ...KAFKA_BUNDLE_TRIMS,
  alias: {
    '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled',
    ...KAFKA_BUNDLE_TRIMS.alias,
  },
};

/** Phases that talk Kafka (and therefore bundle the Kafka client). */
export const KAFKA_PHASES: ReadonlySet<Phase> = phasesWhere('kafka');

/** Where a bundle gets the AWS SDK: its own copy, or the runtime's. */
export type SdkSource = 'bundled' | 'runtime';

/**
 * The esbuild options of one phase's bundle. The stack deploys
 * `'bundled'`; `'runtime'` is the alternative the benchmark measures, and is
 * refused for the phases that call the Replicator API.
 */
export function bundlingFor(
  phase: Phase,
  sdk: SdkSource = 'bundled',
): PhaseBundling {
  const base = KAFKA_PHASES.has(phase) ? KAFKA_CLIENT_BUNDLING : BASE_BUNDLING;
  if (sdk === 'bundled') return base;
  if (REPLICATOR_API_PHASES.has(phase)) {
    throw new Error(
      `${phase} calls the MSK Replicator API and must bundle its SDK`,
    );
  }
  return { ...base, externalModules: [...RUNTIME_SDK] };
}

/**
 * The command, run in the bundle's directory after esbuild, of
 * `secondTreeShake`: the Node running the stack (24, for type stripping)
 * with `infra/tree-shake.ts`.
 */
export function treeShakeCommand(outputDir: string): string {
  const script = projectFile('infra/tree-shake.ts');
  const bundle = join(outputDir, 'index.mjs');
  return [process.execPath, script, bundle].map(shellQuote).join(' ');
}

function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * `bundling` as esbuild build options: what `NodejsFunction` passes to
 * esbuild for an ESM bundle, for callers that run esbuild themselves (the
 * benchmark, the bundling tests). Entry and output are the caller's, and
 * so is `secondTreeShake` (`treeShakeBundle` from `infra/tree-shake.ts`).
 */
export function esbuildOptions(bundling: PhaseBundling): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    keepNames: bundling.keepNames,
    mainFields: [...bundling.mainFields],
    external: [...bundling.externalModules],
    ...(bundling.banner === undefined
      ? {}
      : { banner: { js: bundling.banner } }),
    ...(bundling.alias === undefined ? {} : { alias: { ...bundling.alias } }),
    ...(bundling.define === undefined
      ? {}
      : { define: { ...bundling.define } }),
  };
}
