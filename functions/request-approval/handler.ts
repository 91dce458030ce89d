import { MskBootstrapBrokers } from '../shared/aws/bootstrap-brokers.ts';
import { DynamoLedger } from '../shared/aws/ledger.ts';
import { SnsEventBridgeNotifier } from '../shared/aws/notifier.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { SecretsSigningKeys } from '../shared/aws/signing-keys.ts';
import { KmsTokenCipher } from '../shared/aws/token-cipher.ts';
import {
  dynamodbClient,
  eventbridgeClient,
  kafkaClient,
  kmsClient,
  s3Client,
  secretsClient,
  snsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { RequestApprovalEventSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
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
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    cipher: new KmsTokenCipher(kmsClient(), env.TOKEN_KEY_ID),
    keys: new SecretsSigningKeys(secretsClient(), env.SIGNING_SECRET_ARN),
    notifier: new SnsEventBridgeNotifier({
      sns: snsClient(),
      eventbridge: eventbridgeClient(),
      topicArn: env.TOPIC_ARN,
      eventBusName: env.EVENT_BUS_NAME,
    }),
    inventory: new MskBootstrapBrokers(kafkaClient()),
    approvalBaseUrl: env.APPROVAL_BASE_URL,
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<RequestApprovalDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: RequestApprovalDeps | undefined;
  return phaseHandler(
    'request-approval',
    RequestApprovalEventSchema,
    (event) => {
      deps ??= { ...wireRequestApproval(overrides.clock), ...overrides };
      return runRequestApproval(event, deps);
    },
  );
}

export const handler = createHandler();
