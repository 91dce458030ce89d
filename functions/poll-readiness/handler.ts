import { DynamoLedger } from '../shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import {
  cloudwatchClient,
  dynamodbClient,
  eventbridgeClient,
  kafkaClient,
  s3Client,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PollReadinessEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { type PollReadinessDeps, runPollReadiness } from './poll-readiness.ts';

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
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    metrics: new CloudWatchMetrics(cloudwatchClient()),
    replicators: new MskReplicators(kafkaClient()),
    notifier: new SnsEventBridgeNotifier({
      sns: snsClient(),
      eventbridge: eventbridgeClient(),
      topicArn: env.TOPIC_ARN,
      eventBusName: env.EVENT_BUS_NAME,
    }),
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<PollReadinessDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: PollReadinessDeps | undefined;
  return phaseHandler('poll-readiness', PollReadinessEventSchema, (event) => {
    deps ??= { ...wirePollReadiness(overrides.clock), ...overrides };
    return runPollReadiness(event, deps);
  });
}

export const handler = createHandler();
