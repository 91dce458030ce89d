import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import { kafkaClient, s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import { runTeardown, type TeardownDeps } from './teardown.ts';

/** Wires the adapters teardown needs, from env and shared clients. */
export function wireTeardown(clock: Clock = systemClock): TeardownDeps {
  const env = loadEnv('teardown');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    replicators: new MskReplicators(kafkaClient()),
    notifier: notifierFromEnv(env),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'teardown',
  PhaseEventBaseSchema,
  wireTeardown,
  runTeardown,
);

export const handler = createHandler();
