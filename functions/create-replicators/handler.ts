import { DynamoLedger } from '../shared/aws/ledger.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import { dynamodbClient, kafkaClient, s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import {
  type CreateReplicatorsDeps,
  runCreateReplicators,
} from './create-replicators.ts';

/** Wires the adapters create-replicators needs, from env and shared clients. */
export function wireCreateReplicators(
  clock: Clock = systemClock,
): CreateReplicatorsDeps {
  const env = loadEnv('create-replicators');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    replicators: new MskReplicators(kafkaClient()),
    serviceExecutionRoleArn: env.SERVICE_EXECUTION_ROLE_ARN,
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<CreateReplicatorsDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: CreateReplicatorsDeps | undefined;
  return phaseHandler('create-replicators', PhaseEventBaseSchema, (event) => {
    deps ??= { ...wireCreateReplicators(overrides.clock), ...overrides };
    return runCreateReplicators(event, deps);
  });
}

export const handler = createHandler();
