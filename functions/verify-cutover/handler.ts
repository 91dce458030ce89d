import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { cloudwatchClient, s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { VerifyCutoverEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
import { runVerifyCutover, type VerifyCutoverDeps } from './verify-cutover.ts';

/**
 * Wires the adapters verify-cutover needs, from env and shared clients; the
 * ledger stamps its records with `clock` (the rehearsal's virtual one).
 */
export function wireVerifyCutover(
  clock: Clock = systemClock,
): VerifyCutoverDeps {
  const env = loadEnv('verify-cutover');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    metrics: new CloudWatchMetrics(cloudwatchClient()),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'verify-cutover',
  VerifyCutoverEventSchema,
  wireVerifyCutover,
  runVerifyCutover,
);

export const handler = createHandler();
