/**
 * The esbuild options of every Lambda bundle, as plain objects: the stack
 * (`PhaseFunction`) maps them onto `NodejsFunction` bundling, and the bundle
 * benchmark (`bench/bundles.ts`) feeds the same values to esbuild directly,
 * so the figures it prints are those of the deployed code.
 */
import { join } from 'node:path';
import type { FunctionName } from '../functions/shared/env.ts';

/** Every phase, in workflow order; one Lambda function each. */
export const PHASES = [
  'validate-plan',
  'preflight',
  'probe-source',
  'create-replicators',
  'describe-replicators',
  'poll-readiness',
  'request-approval',
  'approval-api',
  'approval-reminders',
  'verify-cutover',
  'teardown',
  'record-failure',
  'cleanup',
] as const satisfies readonly FunctionName[];
export type Phase = (typeof PHASES)[number];

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
  /** Error class names are the ASL contract; minification must keep them. */
  readonly keepNames: boolean;
  /** Prefer the ESM build of dual packages (better tree shaking). */
  readonly mainFields: readonly string[];
  /** Empty: every dependency is bundled, the AWS SDK included. */
  readonly externalModules: readonly string[];
  /** Prepended to the output, when the bundle needs it. */
  readonly banner?: string;
  /** Module path substitutions (`esbuild --alias:from=to`). */
  readonly alias?: Readonly<Record<string, string>>;
}

/**
 * Shared defaults. The SDK is bundled rather than taken from the runtime so
 * the code runs on the exact client versions it was tested with, and so
 * esbuild keeps only the clients each phase uses.
 */
export const BASE_BUNDLING: PhaseBundling = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  externalModules: [],
};

/**
 * The recipe @platformatic/kafka needs in an ESM bundle: `debug` calls
 * `require('tty')`, which ESM output only has through `createRequire`, and
 * wasm-utils reads `../dist/native.wasm` next to its own file unless the
 * `bundled` build (wasm inlined) is aliased in. The package root itself is
 * aliased to `functions/shared/kafka/admin-only.ts` (the Admin client and
 * its enumerations): the root also brings the producer, the consumer and
 * the schema registry with `avsc`, about 180 KiB the probe never runs. The
 * path is absolute because esbuild resolves alias targets from its working
 * directory, which differs between the stack and the benchmark.
 */
export const KAFKA_CLIENT_BUNDLING: PhaseBundling = {
  ...BASE_BUNDLING,
  banner:
    "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  alias: {
    '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled',
    '@platformatic/kafka': join(
      import.meta.dirname,
      '..',
      'functions/shared/kafka/admin-only.ts',
    ),
  },
};

/** Phases that talk Kafka (and therefore bundle the Kafka client). */
export const KAFKA_PHASES: ReadonlySet<Phase> = new Set(['probe-source']);

export function bundlingFor(phase: Phase): PhaseBundling {
  return KAFKA_PHASES.has(phase) ? KAFKA_CLIENT_BUNDLING : BASE_BUNDLING;
}
