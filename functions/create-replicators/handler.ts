import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import { kafkaClient, s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
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
    ledger: ledgerFromEnv(env, clock),
    replicators: new MskReplicators(kafkaClient()),
    serviceExecutionRoleArn: env.SERVICE_EXECUTION_ROLE_ARN,
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'create-replicators',
  PhaseEventBaseSchema,
  wireCreateReplicators,
  runCreateReplicators,
);

export const handler = createHandler();
