import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { SecretsAndBrokers } from '../shared/aws/secrets-and-brokers.ts';
import {
  cloudwatchClient,
  kafkaClient,
  s3Client,
  secretsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { MeasureSourceLagEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { mskIamToken } from '../shared/kafka/msk-iam.ts';
import { PlatformaticKafkaProbe } from '../shared/kafka/probe.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
import { type MeasureSourceLagDeps, runMeasure } from './measure-source-lag.ts';

/** Wires the adapters measure-source-lag needs, from env and shared clients. */
export function wireMeasureSourceLag(
  clock: Clock = systemClock,
): MeasureSourceLagDeps {
  const env = loadEnv('measure-source-lag');
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

export const createHandler = lazyPhaseHandler(
  'measure-source-lag',
  MeasureSourceLagEventSchema,
  wireMeasureSourceLag,
  runMeasure,
);

export const handler = createHandler();
