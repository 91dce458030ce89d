import { DynamoLedger } from '../shared/aws/ledger.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import {
  dynamodbClient,
  eventbridgeClient,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { RecordFailureEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { type RecordFailureDeps, runRecordFailure } from './record-failure.ts';

/** Wires the adapters record-failure needs, from env and shared clients. */
export function wireRecordFailure(
  clock: Clock = systemClock,
): RecordFailureDeps {
  const env = loadEnv('record-failure');
  return {
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
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

export function createHandler(overrides: Partial<RecordFailureDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: RecordFailureDeps | undefined;
  return phaseHandler('record-failure', RecordFailureEventSchema, (event) => {
    deps ??= { ...wireRecordFailure(overrides.clock), ...overrides };
    return runRecordFailure(event, deps);
  });
}

export const handler = createHandler();
