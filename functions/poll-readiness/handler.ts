import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import { cloudwatchClient, kafkaClient, s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PollReadinessEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import type { PollReadinessDeps } from './poll-readiness.ts';
import { runAnyPollReadiness } from './wave-readiness.ts';

/**
 * Wires the adapters poll-readiness needs, from env and shared clients; the
 * ledger stamps its records with `clock` (the rehearsal's virtual one).
 */
export function wirePollReadiness(
  clock: Clock = systemClock,
): PollReadinessDeps {
  const env = loadEnv('poll-readiness');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    metrics: new CloudWatchMetrics(cloudwatchClient()),
    replicators: new MskReplicators(kafkaClient()),
    notifier: notifierFromEnv(env),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'poll-readiness',
  PollReadinessEventSchema,
  wirePollReadiness,
  runAnyPollReadiness,
);

export const handler = createHandler();
