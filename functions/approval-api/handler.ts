import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MskBootstrapBrokers } from '../shared/aws/bootstrap-brokers.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { SecretsSigningKeys } from '../shared/aws/signing-keys.ts';
import { SfnTaskTokens } from '../shared/aws/task-tokens.ts';
import { KmsTokenCipher } from '../shared/aws/token-cipher.ts';
import {
  kafkaClient,
  kmsClient,
  s3Client,
  secretsClient,
  sfnClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import * as z from '../shared/domain/zod.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
import { type ApprovalApiDeps, runApprovalApi } from './approval-api.ts';

/**
 * The parts of an HTTP API (payload 2.0) event the core reads; anything
 * else passes through untouched.
 */
export const HttpApiEventSchema = z.looseObject({
  rawPath: z.string(),
  requestContext: z.looseObject({
    http: z.looseObject({ method: z.string(), sourceIp: z.string() }),
  }),
});

/**
 * Wires the adapters approval-api needs, from env and shared clients; the ledger
 * stamps its records with `clock` (virtual in the rehearsal).
 */
export function wireApprovalApi(clock: Clock = systemClock): ApprovalApiDeps {
  const env = loadEnv('approval-api');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    cipher: new KmsTokenCipher(kmsClient(), env.TOKEN_KEY_ID),
    keys: new SecretsSigningKeys(secretsClient(), env.SIGNING_SECRET_ARN),
    tasks: new SfnTaskTokens(sfnClient()),
    inventory: new MskBootstrapBrokers(kafkaClient()),
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'approval-api',
  HttpApiEventSchema,
  wireApprovalApi,
  (event, deps) =>
    runApprovalApi(event as unknown as APIGatewayProxyEventV2, deps),
);

export const handler = createHandler();
