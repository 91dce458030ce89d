import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import {
  cloudwatchClient,
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
import { lazyPhaseHandler } from '../shared/handler.ts';
import { mskIamToken } from '../shared/kafka/msk-iam.ts';
import { PlatformaticKafkaProbe } from '../shared/kafka/probe.ts';
import { logger } from '../shared/logger.ts';
import type { Clock, Log } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
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
    ledger: ledgerFromEnv(env, clock),
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

export const createHandler = lazyPhaseHandler(
  'probe-source',
  ProbeSourceEventSchema,
  wireProbeSource,
  runProbeSource,
);

export const handler = createHandler();
