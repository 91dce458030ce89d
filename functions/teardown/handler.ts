import { DynamoLedger } from '../shared/aws/ledger.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import {
  dynamodbClient,
  eventbridgeClient,
  kafkaClient,
  s3Client,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { runTeardown, type TeardownDeps } from './teardown.ts';

/** Wires the adapters teardown needs, from env and shared clients. */
export function wireTeardown(clock: Clock = systemClock): TeardownDeps {
  const env = loadEnv('teardown');
  return {
    plans: new S3PlanStore(s3Client()),
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

export function createHandler(overrides: Partial<TeardownDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: TeardownDeps | undefined;
  return phaseHandler('teardown', PhaseEventBaseSchema, (event) => {
    deps ??= { ...wireTeardown(overrides.clock), ...overrides };
    return runTeardown(event, deps);
  });
}

export const handler = createHandler();
