import { DynamoLedger } from '../shared/aws/ledger.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import {
  dynamodbClient,
  eventbridgeClient,
  s3Client,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { runValidatePlan, type ValidatePlanDeps } from './validate-plan.ts';

/**
 * Wires the adapters validate-plan needs, from env and shared clients; the
 * ledger stamps its records with `clock` (virtual in the rehearsal).
 */
export function wireValidatePlan(clock: Clock = systemClock): ValidatePlanDeps {
  const env = loadEnv('validate-plan');
  return {
    plans: new S3PlanStore(s3Client()),
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

export function createHandler(overrides: Partial<ValidatePlanDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: ValidatePlanDeps | undefined;
  return phaseHandler('validate-plan', PhaseEventBaseSchema, (event) => {
    deps ??= { ...wireValidatePlan(overrides.clock), ...overrides };
    return runValidatePlan(event, deps);
  });
}

export const handler = createHandler();
