/**
 * Everything the Lambda bundles change in what esbuild would build from the
 * sources, in one place: each measure is kept for the cold-import time it
 * saves, measured with `npm run bench -- --only bundles` against a build
 * without it, in the same minutes (figures in docs/benchmarks.md). A
 * measure that stops paying for itself goes. `infra/bundling.ts` applies
 * these to every phase; the stack and the benchmark build with them.
 *
 * Code run from the sources (tests, the CLI, the rehearsal) sees none of
 * this.
 */
import { join } from 'node:path';

export interface BundleTrims {
  /** Module path substitutions (`esbuild --alias:from=to`). */
  readonly alias: Readonly<Record<string, string>>;
  /** Global identifiers replaced at build time (`esbuild --define`). */
  readonly define: Readonly<Record<string, string>>;
  /** Run `infra/tree-shake.ts` (rolldown) over esbuild's output. */
  readonly secondTreeShake: boolean;
}

/**
 * A file of `infra/bundle-trims/`, absolute: esbuild resolves alias
 * targets from its working directory, which differs between the stack and
 * the benchmark.
 */
function trimFile(name: string): string {
  return join(import.meta.dirname, 'bundle-trims', name);
}

/** The measures of every bundle. */
export const BUNDLE_TRIMS: BundleTrims = {
  alias: {
    // Credentials from the environment only
    // (`bundle-trims/env-credentials.ts` says why that is all Lambda
    // needs): every client's `runtimeConfig` imports the default chain,
    // which brings `@aws-sdk/nested-clients` and the SSO, ini, process,
    // web-identity and metadata providers. Measured: 110-120 KiB less per
    // bundle and 55-80 ms less cold import (approval-api 688 → 609 ms,
    // validate-plan 525 → 318 ms, fastest of 15 on a loaded machine).
    '@aws-sdk/credential-provider-node': trimFile('env-credentials.ts'),
  },
  define: {
    // The pattern engine (re2js, 153 KiB) evaluated on the first match of
    // a pattern that is not a literal, not at import
    // (`functions/shared/domain/java-regex-match.ts`, `linearEngine`):
    // required, since the sources load it with Node's `require` otherwise.
    MSK_CUTOVER_BUNDLE: 'true',
  },
  // A second tree-shaking pass (`infra/tree-shake.ts` says why esbuild
  // keeps the AWS SDK's unused schemas). Measured: preflight 1,392 → 778
  // KiB and 867 → 312 ms (EC2), validate-plan 721 → 671 KiB and 454 → 318
  // ms (S3), fastest of 15 on a loaded machine.
  secondTreeShake: true,
};

/**
 * The measures of the bundles that speak Kafka (probe-source), measured in
 * CPU time of the import, steadier than wall time on a loaded machine
 * (median of 12, each against the same bundle without it).
 *
 * Not kept: aliasing `@aws-sdk/credential-providers`, which the MSK IAM
 * signer `require`s whole, to the environment link saved 170 KiB but
 * 14 ms of 910, within the noise.
 */
export const KAFKA_BUNDLE_TRIMS: BundleTrims = {
  ...BUNDLE_TRIMS,
  alias: {
    ...BUNDLE_TRIMS.alias,
    // Option schemas compiled on first use (`bundle-trims/lazy-ajv.ts`):
    // the client compiles those of every method at import. Measured:
    // 910 → 544 ms.
    'ajv/dist/2020.js': trimFile('lazy-ajv.ts'),
    // The Admin client only (`bundle-trims/kafka-admin-only.ts`), not the
    // producer, consumer and schema registry. Measured: 1,738 → 1,558 KiB,
    // 910 → 843 ms.
    '@platformatic/kafka': trimFile('kafka-admin-only.ts'),
  },
};
