/**
 * probe-source Lambda (in the replicators' subnets): `probe` before any
 * replicator exists, `measure` in the readiness and verification loops.
 *
 * Bundling (esbuild through NodejsFunction; @platformatic/kafka needs all
 * three, each measured to fail without it):
 * - `format: esm` — the CJS output breaks on `createRequire(import.meta.url)`
 *   inside the client's crc32c module;
 * - `alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' }`
 *   — the default entry reads `../dist/native.wasm` next to itself, which
 *   does not exist in a bundle;
 * - `banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);"`
 *   — the `debug` dependency calls `require('tty')`, which ESM lacks.
 * Only the Admin client, the probe adapter and the SDK clients this phase
 * uses are imported, to keep the bundle and the cold start small.
 */
import { DynamoLedger } from '../shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import {
  cloudwatchClient,
  dynamodbClient,
  kafkaClient,
  s3Client,
  secretsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import {
  type MeasureResult,
  ProbeSourceEventSchema,
  type ProbeSourceResult,
} from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { mskIamToken } from '../shared/kafka/msk-iam.ts';
import { PlatformaticKafkaProbe } from '../shared/kafka/probe.ts';
import { logger } from '../shared/logger.ts';
import type { Clock, Log } from '../shared/ports.ts';
import { SecretsAndBrokers } from './aws-reads.ts';
import { runMeasure } from './measure.ts';
import { type ProbeSourceDeps, runProbe } from './probe-source.ts';

/** The Powertools logger behind the cores' narrow `Log` port. */
const log: Log = {
  debug: (message, extra) => logger.debug(message, { ...extra }),
  info: (message, extra) => logger.info(message, { ...extra }),
  warn: (message, extra) => logger.warn(message, { ...extra }),
  error: (message, extra) => logger.error(message, { ...extra }),
};

/** Wires the adapters probe-source needs, from env and shared clients. */
export function wireProbeSource(clock: Clock = systemClock): ProbeSourceDeps {
  const env = loadEnv('probe-source');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    inventory: new SecretsAndBrokers(secretsClient(), kafkaClient()),
    metrics: new CloudWatchMetrics(cloudwatchClient(), env.METRICS_NAMESPACE),
    kafka: new PlatformaticKafkaProbe(),
    iamToken: mskIamToken,
    clock,
    log,
  };
}

/** Dispatches on `action`; the two cores share the deps. */
export function runProbeSource(
  event: Parameters<typeof runProbe>[0] | Parameters<typeof runMeasure>[0],
  deps: ProbeSourceDeps,
): Promise<ProbeSourceResult | MeasureResult> {
  return event.action === 'probe'
    ? runProbe(event, deps)
    : runMeasure(event, deps);
}

export function createHandler(overrides: Partial<ProbeSourceDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: ProbeSourceDeps | undefined;
  return phaseHandler('probe-source', ProbeSourceEventSchema, (event) => {
    deps ??= { ...wireProbeSource(overrides.clock), ...overrides };
    return runProbeSource(event, deps);
  });
}

export const handler = createHandler();
