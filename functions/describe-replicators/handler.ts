import { MskReplicators } from '../shared/aws/replicators.ts';
import { kafkaClient } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { LoopEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
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
    ledger: ledgerFromEnv(env, clock),
    replicators: new MskReplicators(kafkaClient()),
    notifier: notifierFromEnv(env),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'describe-replicators',
  LoopEventSchema,
  wireDescribeReplicators,
  runDescribeReplicators,
);

export const handler = createHandler();
