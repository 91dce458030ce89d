import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { s3Client } from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import { runValidatePlan, type ValidatePlanDeps } from './validate-plan.ts';

/**
 * Wires the adapters validate-plan needs, from env and shared clients; the
 * ledger stamps its records with `clock` (virtual in the rehearsal).
 */
export function wireValidatePlan(clock: Clock = systemClock): ValidatePlanDeps {
  const env = loadEnv('validate-plan');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    notifier: notifierFromEnv(env),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'validate-plan',
  PhaseEventBaseSchema,
  wireValidatePlan,
  runValidatePlan,
);

export const handler = createHandler();
