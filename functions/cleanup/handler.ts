import { MskReplicators } from '../shared/aws/replicators.ts';
import { kafkaClient } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import { type CleanupDeps, CleanupEventSchema, runCleanup } from './cleanup.ts';

/** Wires the adapters cleanup needs, from env and shared clients. */
export function wireCleanup(clock: Clock = systemClock): CleanupDeps {
  const env = loadEnv('cleanup');
  return {
    ledger: ledgerFromEnv(env, clock),
    replicators: new MskReplicators(kafkaClient()),
    notifier: notifierFromEnv(env),
    stateMachineArn: env.STATE_MACHINE_ARN,
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'cleanup',
  CleanupEventSchema,
  wireCleanup,
  runCleanup,
);

export const handler = createHandler();
