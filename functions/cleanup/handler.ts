import { DynamoLedger } from '../shared/aws/ledger.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import {
  dynamodbClient,
  eventbridgeClient,
  kafkaClient,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { type CleanupDeps, CleanupEventSchema, runCleanup } from './cleanup.ts';

/** Wires the adapters cleanup needs, from env and shared clients. */
export function wireCleanup(clock: Clock = systemClock): CleanupDeps {
  const env = loadEnv('cleanup');
  return {
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    replicators: new MskReplicators(kafkaClient()),
    notifier: new SnsEventBridgeNotifier({
      sns: snsClient(),
      eventbridge: eventbridgeClient(),
      topicArn: env.TOPIC_ARN,
      eventBusName: env.EVENT_BUS_NAME,
    }),
    stateMachineArn: env.STATE_MACHINE_ARN,
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<CleanupDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: CleanupDeps | undefined;
  return phaseHandler('cleanup', CleanupEventSchema, (event) => {
    deps ??= { ...wireCleanup(overrides.clock), ...overrides };
    return runCleanup(event, deps);
  });
}

export const handler = createHandler();
