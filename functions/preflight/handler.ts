import { AwsInventoryAdapter } from '../shared/aws/inventory.ts';
import { AwsLogDestinations } from '../shared/aws/log-destinations.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import {
  ec2Client,
  firehoseClient,
  kafkaClient,
  logsClient,
  quotasClient,
  s3Client,
  secretsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { lazyPhaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
import { ledgerFromEnv } from '../shared/wiring.ts';
import { type PreflightDeps, runPreflight } from './preflight.ts';

const list = (csv: string) =>
  csv
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Wires the adapters preflight needs, from env and shared clients; the
 * ledger stamps its records with `clock` (the rehearsal's virtual one).
 */
export function wirePreflight(clock: Clock = systemClock): PreflightDeps {
  const env = loadEnv('preflight');
  return {
    plans: new S3PlanStore(s3Client()),
    inventory: new AwsInventoryAdapter({
      kafka: kafkaClient(),
      secrets: secretsClient(),
      ec2: ec2Client(),
      quotas: quotasClient(),
    }),
    replicators: new MskReplicators(kafkaClient()),
    logDestinations: new AwsLogDestinations({
      logs: logsClient(),
      s3: s3Client(),
      firehose: firehoseClient(),
    }),
    ledger: ledgerFromEnv(env, clock),
    config: {
      serviceExecutionRoleArn: env.SERVICE_EXECUTION_ROLE_ARN,
      allowedSecretArnPrefixes: list(env.ALLOWED_SECRET_ARN_PREFIXES),
      allowedClusterArns: list(env.ALLOWED_CLUSTER_ARNS),
      passableRoleArns: [
        env.SERVICE_EXECUTION_ROLE_ARN,
        ...list(env.PASSABLE_ROLE_ARNS),
      ],
      logDeliveryBuckets: list(env.LOG_DELIVERY_BUCKETS),
      logDeliveryStreams: list(env.LOG_DELIVERY_STREAMS),
    },
    clock,
    log,
  };
}

export const createHandler = lazyPhaseHandler(
  'preflight',
  PhaseEventBaseSchema,
  wirePreflight,
  runPreflight,
);

export const handler = createHandler();
