import { DynamoLedger } from '../shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import {
  cloudwatchClient,
  dynamodbClient,
  s3Client,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { VerifyCutoverEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
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
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    metrics: new CloudWatchMetrics(cloudwatchClient()),
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<VerifyCutoverDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: VerifyCutoverDeps | undefined;
  return phaseHandler('verify-cutover', VerifyCutoverEventSchema, (event) => {
    deps ??= { ...wireVerifyCutover(overrides.clock), ...overrides };
    return runVerifyCutover(event, deps);
  });
}

export const handler = createHandler();
