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
import { LoopEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import {
  type DescribeReplicatorsDeps,
  runDescribeReplicators,
} from './describe-replicators.ts';

/** Wires the adapters describe-replicators needs, from env and shared clients. */
export function wireDescribeReplicators(
  clock: Clock = systemClock,
): DescribeReplicatorsDeps {
  const env = loadEnv('describe-replicators');
  return {
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
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

export function createHandler(
  overrides: Partial<DescribeReplicatorsDeps> = {},
) {
  // Wired on the first invocation (cold start), then reused.
  let deps: DescribeReplicatorsDeps | undefined;
  return phaseHandler('describe-replicators', LoopEventSchema, (event) => {
    deps ??= { ...wireDescribeReplicators(overrides.clock), ...overrides };
    return runDescribeReplicators(event, deps);
  });
}

export const handler = createHandler();
