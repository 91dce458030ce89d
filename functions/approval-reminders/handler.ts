import { MskBootstrapBrokers } from '../shared/aws/bootstrap-brokers.ts';
import { CloudWatchMetrics } from '../shared/aws/metrics.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { SecretsSigningKeys } from '../shared/aws/signing-keys.ts';
import { SfnTaskTokens } from '../shared/aws/task-tokens.ts';
import { KmsTokenCipher } from '../shared/aws/token-cipher.ts';
import {
  cloudwatchClient,
  kafkaClient,
  kmsClient,
  s3Client,
  secretsClient,
  sfnClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { CUSTOM_NAMESPACE } from '../shared/custom-metrics.ts';
import * as z from '../shared/domain/zod.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv, notifierFromEnv } from '../shared/wiring.ts';
import {
  type ApprovalRemindersDeps,
  runApprovalReminders,
} from './approval-reminders.ts';

/** An EventBridge Scheduler or scheduled-rule event; its content is unused. */
export const ScheduleEventSchema = z.looseObject({});

/**
 * Wires the adapters approval-reminders needs, from env and shared clients; the ledger
 * stamps its records with `clock` (virtual in the rehearsal).
 */
export function wireApprovalReminders(
  clock: Clock = systemClock,
): ApprovalRemindersDeps {
  const env = loadEnv('approval-reminders');
  return {
    plans: new S3PlanStore(s3Client()),
    ledger: ledgerFromEnv(env, clock),
    cipher: new KmsTokenCipher(kmsClient(), env.TOKEN_KEY_ID),
    tasks: new SfnTaskTokens(sfnClient()),
    metrics: new CloudWatchMetrics(cloudwatchClient(), CUSTOM_NAMESPACE),
    keys: new SecretsSigningKeys(secretsClient(), env.SIGNING_SECRET_ARN),
    notifier: notifierFromEnv(env),
    inventory: new MskBootstrapBrokers(kafkaClient()),
    approvalBaseUrl: env.APPROVAL_BASE_URL,
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'approval-reminders',
  ScheduleEventSchema,
  wireApprovalReminders,
  (_event, deps) => runApprovalReminders(deps),
);

export const handler = createHandler();
