/**
 * Adapters most phases wire the same way, from their env and the shared
 * clients. Separate functions, so a bundle keeps only what its handler calls.
 */
import { DynamoLedger } from './aws/ledger.ts';
import { SnsEventBridgeNotifier } from './aws/notifier.ts';
import { dynamodbClient, eventbridgeClient, snsClient } from './clients.ts';
import type { Clock } from './ports.ts';

/** The ledger table of `LEDGER_TABLE`, stamping records with `clock`. */
export function ledgerFromEnv(
  env: { LEDGER_TABLE: string },
  clock: Clock,
): DynamoLedger {
  return new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock);
}

/** SNS (`TOPIC_ARN`) for people and EventBridge (`EVENT_BUS_NAME`) for tools. */
export function notifierFromEnv(env: {
  TOPIC_ARN: string;
  EVENT_BUS_NAME: string;
}): SnsEventBridgeNotifier {
  return new SnsEventBridgeNotifier({
    sns: snsClient(),
    eventbridge: eventbridgeClient(),
    topicArn: env.TOPIC_ARN,
    eventBusName: env.EVENT_BUS_NAME,
  });
}
