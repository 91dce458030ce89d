import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { readSecretJson } from '../shared/aws/secret-json.ts';
import { s3Client, secretsClient } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { ProbeSourceEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { PlatformaticKafkaProbe } from '../shared/kafka/probe.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
import { type ProbeSourceDeps, runProbe } from './probe-source.ts';

/** Wires the adapters probe-source needs, from env and shared clients. */
export function wireProbeSource(clock: Clock = systemClock): ProbeSourceDeps {
  const env = loadEnv('probe-source');
  const secrets = secretsClient();
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    // Only the source's secret: the probe never reaches the target.
    inventory: { secretJson: (arn) => readSecretJson(secrets, arn) },
    kafka: new PlatformaticKafkaProbe(),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'probe-source',
  ProbeSourceEventSchema,
  wireProbeSource,
  runProbe,
);

export const handler = createHandler();
