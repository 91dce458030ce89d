import { AwsInventoryAdapter } from '../shared/aws/inventory.ts';
import { DynamoLedger } from '../shared/aws/ledger.ts';
import { S3PlanStore } from '../shared/aws/plan-store.ts';
import { MskReplicators } from '../shared/aws/replicators.ts';
import {
  dynamodbClient,
  ec2Client,
  kafkaClient,
  quotasClient,
  s3Client,
  secretsClient,
} from '../shared/clients.ts';
import { systemClock } from '../shared/clock.ts';
import { PhaseEventBaseSchema } from '../shared/contracts.ts';
import { loadEnv } from '../shared/env.ts';
import { phaseHandler } from '../shared/handler.ts';
import { log } from '../shared/logger.ts';
import type { Clock } from '../shared/ports.ts';
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
    ledger: new DynamoLedger(dynamodbClient(), env.LEDGER_TABLE, clock),
    config: {
      serviceExecutionRoleArn: env.SERVICE_EXECUTION_ROLE_ARN,
      allowedSecretArnPrefixes: list(env.ALLOWED_SECRET_ARN_PREFIXES),
      allowedClusterArns: list(env.ALLOWED_CLUSTER_ARNS),
    },
    clock,
    log,
  };
}

export function createHandler(overrides: Partial<PreflightDeps> = {}) {
  // Wired on the first invocation (cold start), then reused.
  let deps: PreflightDeps | undefined;
  return phaseHandler('preflight', PhaseEventBaseSchema, (event) => {
    deps ??= { ...wirePreflight(overrides.clock), ...overrides };
    return runPreflight(event, deps);
  });
}

export const handler = createHandler();
