import { MskBootstrapBrokers } from '../shared/aws/bootstrap-brokers.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { SecretsSigningKeys } from '../shared/aws/signing-keys.ts';
import { KmsTokenCipher } from '../shared/aws/token-cipher.ts';
import {
  kafkaClient,
  kmsClient,
  s3Client,
  secretsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { RequestApprovalEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import {
  type RequestApprovalDeps,
  runRequestApproval,
} from './request-approval.ts';

/**
 * Wires the adapters request-approval needs, from env and shared clients; the ledger
 * stamps its records with `clock` (virtual in the rehearsal).
 */
export function wireRequestApproval(
  clock: Clock = systemClock,
): RequestApprovalDeps {
  const env = loadEnv('request-approval');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    cipher: new KmsTokenCipher(kmsClient(), env.TOKEN_KEY_ID),
    keys: new SecretsSigningKeys(secretsClient(), env.SIGNING_SECRET_ARN),
    notifier: notifierFromEnv(env),
    inventory: new MskBootstrapBrokers(kafkaClient()),
    approvalBaseUrl: env.APPROVAL_BASE_URL,
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'request-approval',
  RequestApprovalEventSchema,
  wireRequestApproval,
  runRequestApproval,
);

export const handler = createHandler();
