/**
 * The Kafka-side fixtures of the probe-source and measure-source-lag core
 * tests: a real source broker (TLS + SCRAM), dynalite for the ledger, and
 * the AWS clients mocked. A test file calls `useKafkaSide()` once.
 */
import { readFileSync } from 'node:fs';
import {
  CloudWatchClient,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { MeasureSourceLagDeps } from '../../functions/measure-source-lag/measure-source-lag.ts';
import {
  type ProbeSourceDeps,
  runProbe,
} from '../../functions/probe-source/probe-source.ts';
import { DynamoLedger } from '../../functions/shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../../functions/shared/aws/metrics.ts';
import { S3PlanStore } from '../../functions/shared/aws/plan-store.ts';
import { SecretsAndBrokers } from '../../functions/shared/aws/secrets-and-brokers.ts';
import type { CheckResult } from '../../functions/shared/contracts.ts';
import { PreflightFailedError } from '../../functions/shared/domain/errors.ts';
import { PlatformaticKafkaProbe } from '../../functions/shared/kafka/probe.ts';
import type { Log } from '../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from './dynalite.ts';
import {
  type AclModel,
  type BrokerModel,
  modelOf,
  type RunningBroker,
  startTestBroker,
} from './kafka-broker/broker.ts';
import { generateTestPki, type TestPki } from './kafka-broker/pki.ts';

export const SCRAM_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/onprem-replicator-AbCdEf';
export const PASSWORD = 'Repl-Pw-90210';
export const T0 = new Date('2026-03-01T10:00:00.000Z');
export const ref = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
export const sample = JSON.parse(
  readFileSync('events/start-migration.json', 'utf8'),
);

export const s3 = mockClient(S3Client);
export const secrets = mockClient(SecretsManagerClient);
export const kafkaApi = mockClient(KafkaClient);
export const cw = mockClient(CloudWatchClient);

export let pki: TestPki;
export let db: LocalDynamo;
export let source: RunningBroker;
export let sourceModel: BrokerModel;
let tableNo = 0;

/** ACLs that cover everything the sample plan needs. */
export const FULL_ACLS: AclModel[] = [2, 3, 4].map((resourceType) => ({
  resourceType,
  resourceName: resourceType === 4 ? 'kafka-cluster' : '*',
  patternType: 3,
  principal: 'User:repl',
  host: '*',
  operation: 2, // ALL
  permission: 3,
}));

export function sourceModelOf(): BrokerModel {
  return modelOf({
    clusterId: 'ext-cluster-42',
    topics: { orders: [100, 50, 0], order_status: [40], unrelated: [1] },
    configs: { order_status: { 'max.message.bytes': '5242880' } },
    groups: {
      'order-status': { members: 2, offsets: { orders: [90, 50, 0] } },
      'customer-notification': { members: 1, offsets: { order_status: [40] } },
    },
    acls: FULL_ACLS,
  });
}

export function planWith(over: {
  brokers?: string[];
  clusterId?: string | null;
  mechanism?: 'SHA256' | 'SHA512';
  bidirectional?: boolean;
}): string {
  const plan = structuredClone(sample);
  if (over.bidirectional === false) plan.replication.bidirectional = false;
  plan.source.bootstrapBrokers = over.brokers ?? [source.bootstrap];
  if (over.clusterId === null) delete plan.source.clusterId;
  else plan.source.clusterId = over.clusterId ?? 'ext-cluster-42';
  if (over.mechanism) plan.source.saslScram.mechanism = over.mechanism;
  return JSON.stringify(plan);
}

export function serve(planText: string, secret: Record<string, string>) {
  s3.on(GetObjectCommand).resolves({
    Body: { transformToString: async () => planText } as never,
  });
  secrets
    .on(GetSecretValueCommand, { SecretId: SCRAM_ARN })
    .resolves({ SecretString: JSON.stringify(secret) });
}

export const goodSecret = () => ({
  username: 'repl',
  password: PASSWORD,
  certificate: pki.caChain,
});

export const silentLog = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  const rec = (m: string, e?: object) => {
    lines.push(`${m} ${JSON.stringify(e ?? {})}`);
  };
  return { lines, debug: rec, info: rec, warn: rec, error: rec };
};

export async function makeDeps(): Promise<
  ProbeSourceDeps &
    MeasureSourceLagDeps & {
      checks: CheckResult[];
      ledgerImpl: DynamoLedger;
      log: ReturnType<typeof silentLog>;
    }
> {
  const table = await db.createTable(`probe-${++tableNo}`);
  const clock = { now: () => T0 };
  const ledgerImpl = new DynamoLedger(db.client, table, clock);
  await ledgerImpl.startMigration({
    migrationId: 'orders-platform',
    planDigest: 'd',
    planRef: ref,
    status: 'RUNNING',
    startedAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
  });
  const checks: CheckResult[] = [];
  const log = silentLog();
  return {
    checks,
    ledgerImpl,
    plans: new S3PlanStore(new S3Client({ region: 'us-east-1' })),
    inventory: new SecretsAndBrokers(
      new SecretsManagerClient({ region: 'us-east-1' }),
      new KafkaClient({ region: 'us-east-1' }),
    ),
    ledger: {
      putChecks: async (id, phase, c) => {
        checks.push(...c);
        await ledgerImpl.putChecks(id, phase, c);
      },
      updateMigration: (id, patch) => ledgerImpl.updateMigration(id, patch),
      putEvidence: (rec) => ledgerImpl.putEvidence(rec),
      latestEvidenceRef: (id, kind, app) =>
        ledgerImpl.latestEvidenceRef(id, kind, app),
    },
    kafka: new PlatformaticKafkaProbe({
      connectTimeoutMs: 1000,
      requestTimeoutMs: 2000,
    }),
    metrics: new CloudWatchMetrics(
      new CloudWatchClient({ region: 'us-east-1' }),
    ),
    iamToken: (region) => async () =>
      (
        await generateAuthTokenFromCredentialsProvider({
          region,
          awsCredentialsProvider: async () => ({
            accessKeyId: 'AKIDEXAMPLE',
            secretAccessKey: 'example-secret',
          }),
        })
      ).token,
    clock,
    log,
    transportTimeoutMs: 500,
  };
}

export const probeEvent = {
  migrationId: 'orders-platform',
  planRef: ref,
};

export async function probeFails(
  deps: ProbeSourceDeps,
): Promise<PreflightFailedError> {
  const error = await runProbe(probeEvent, deps).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PreflightFailedError);
  return error as PreflightFailedError;
}

export const check = (checks: CheckResult[], id: string) => {
  const found = checks.find((c) => c.id === id);
  expect(found, `check ${id}`).toBeDefined();
  return found as CheckResult;
};

/** Starts the broker and dynalite for the file, and resets the mocks per test. */
export function useKafkaSide(): void {
  beforeAll(async () => {
    pki = generateTestPki();
    db = await startDynalite();
    sourceModel = sourceModelOf();
    source = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model: sourceModel,
      users: [{ name: 'repl', password: PASSWORD }],
    });
  });
  afterAll(async () => {
    await source.stop();
    await db.stop();
  });
  beforeEach(() => {
    s3.reset();
    secrets.reset();
    kafkaApi.reset();
    cw.reset();
    cw.on(PutMetricDataCommand).resolves({});
    const fresh = sourceModelOf();
    sourceModel.acls = fresh.acls;
    sourceModel.clusterId = fresh.clusterId;
    source.faults.apiVersions = undefined;
  });
}
