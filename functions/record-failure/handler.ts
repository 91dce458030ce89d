import { systemClock } from '../shared/clock.ts';
import { RecordFailureEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import { type RecordFailureDeps, runRecordFailure } from './record-failure.ts';

/** Wires the adapters record-failure needs, from env and shared clients. */
export function wireRecordFailure(
  clock: Clock = systemClock,
): RecordFailureDeps {
  const env = loadEnv('record-failure');
  return {
    ledger: ledgerFromEnv(env, clock),
    notifier: notifierFromEnv(env),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'record-failure',
  RecordFailureEventSchema,
  wireRecordFailure,
  runRecordFailure,
);

export const handler = createHandler();
