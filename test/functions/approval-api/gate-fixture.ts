/**
 * A gate end to end, for the approval tests: the ledger on dynalite, the
 * real adapters over real SDK v3 clients, and AWS itself (KMS, Secrets
 * Manager, S3, MSK, SNS, EventBridge, Step Functions) mocked at the SDK
 * boundary with aws-sdk-client-mock.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  EventBridgeClient,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import {
  DecryptCommand,
  EncryptCommand,
  InvalidCiphertextException,
  KMSClient,
} from '@aws-sdk/client-kms';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import type {
  GroupMeasurement,
  PlanRef,
} from '../../../functions/shared/contracts.ts';
import type { Clock } from '../../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';

export const MIGRATION_ID = 'orders-platform';
export const PLAN_TEXT = readFileSync(
  new URL('../../../events/start-migration.json', import.meta.url),
  'utf-8',
);
export const PLAN_REF: PlanRef = {
  bucket: 'msk-cutover-plans',
  key: 'orders-platform.json',
  versionId: 'v-1',
};
export const TARGET_BROKERS =
  'b-1.orders-express.kafka.us-east-1.amazonaws.com:9098,b-2.orders-express.kafka.us-east-1.amazonaws.com:9098';
export const TOKEN_KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/tokens';
export const EXECUTION_ID =
  'arn:aws:states:us-east-1:123456789012:execution:msk-cutover-app:orders-platform-a0';

export const kms = mockClient(KMSClient);
export const secrets = mockClient(SecretsManagerClient);
export const s3 = mockClient(S3Client);
export const kafka = mockClient(KafkaClient);
export const sns = mockClient(SNSClient);
export const eventbridge = mockClient(EventBridgeClient);
export const sfn = mockClient(SFNClient);

/** A mutable clock the cores and the ledger read. */
export class TestClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A task token as Step Functions makes them: long and opaque. */
export function newTaskToken(): string {
  return `AQC${randomBytes(300).toString('base64')}`;
}

export interface GateFixture {
  dynamo: LocalDynamo;
  ledger: DynamoLedger;
  clock: TestClock;
  signingKey: Buffer;
  /** The source's SCRAM password in Secrets Manager (must never be logged). */
  password: string;
  env: Record<string, string>;
  /** The last approval email's link. */
  lastLink(): string;
  lastEmail(): { subject: string; body: string };
  successCalls(): { taskToken: string; output: Record<string, unknown> }[];
  stop(): Promise<void>;
}

/**
 * A stand-in for KMS: the ciphertext is the plaintext XOR'd with a key and
 * tagged with its encryption context; Decrypt refuses another context, as
 * KMS does.
 */
function installKms(): void {
  const pad = randomBytes(64);
  const xor = (b: Buffer) =>
    Buffer.from(b.map((x, i) => x ^ (pad[i % 64] ?? 0)));
  kms.on(EncryptCommand).callsFake((input) => ({
    KeyId: input.KeyId,
    CiphertextBlob: Buffer.from(
      JSON.stringify({
        ctx: input.EncryptionContext,
        c: xor(Buffer.from(input.Plaintext)).toString('base64'),
      }),
    ),
  }));
  kms.on(DecryptCommand).callsFake((input) => {
    const blob = JSON.parse(
      Buffer.from(input.CiphertextBlob).toString('utf-8'),
    ) as { ctx: Record<string, string>; c: string };
    if (JSON.stringify(blob.ctx) !== JSON.stringify(input.EncryptionContext)) {
      throw new InvalidCiphertextException({
        message: 'encryption context mismatch',
        $metadata: {},
      });
    }
    return {
      KeyId: TOKEN_KEY_ARN,
      Plaintext: xor(Buffer.from(blob.c, 'base64')),
    };
  });
}

export const readinessEvidence = (at: string) => ({
  migrationId: MIGRATION_ID,
  evidenceId: `readiness-${at}`,
  at,
  kind: 'readiness' as const,
  app: 'order-status',
  ready: true,
  reasons: [],
  // As poll-readiness writes it (evidenceData in poll-readiness.ts).
  data: {
    measurementId: `measure-${at}`,
    window: { from: at, to: at },
    heldMinutes: 15,
    sustainedMinutes: 15,
    waitingSince: at,
    queries: 27,
    forecast: { outlook: 'unknown', deadline: at, rules: [] },
    failing: 0,
    worst: {
      ReplicatorFailure: 0,
      ConsumerGroupOffsetSyncFailure: 0,
      KafkaClusterPingSuccessCount: 1,
      MessageLag: 42,
      ReplicationLatency: 1_250,
      TargetSumOffsetLag: 5,
      SourceSumOffsetLag: 17,
    },
    passed: {
      ReplicatorFailure: 2,
      ConsumerGroupOffsetSyncFailure: 2,
      KafkaClusterPingSuccessCount: 4,
      MessageLag: 2,
      ReplicationLatency: 2,
      TargetSumOffsetLag: 1,
      SourceSumOffsetLag: 1,
    },
    notes: [],
    outcomes: [],
  },
});

export const groups: GroupMeasurement[] = [
  {
    group: 'order-status',
    source: {
      state: 'Stable',
      members: 3,
      sumOffsetLag: 17,
      byTopic: { orders: 17 },
    },
    target: {
      state: 'Empty',
      members: 0,
      sumOffsetLag: 5,
      byTopic: { orders: 5 },
    },
  },
];

/** Records a measurement and the readiness poll that used it, at `at`. */
export async function recordEvidence(
  ledger: DynamoLedger,
  at: string,
): Promise<void> {
  await ledger.putEvidence({
    migrationId: MIGRATION_ID,
    evidenceId: `measure-${at}`,
    at,
    kind: 'measure',
    app: 'order-status',
    reasons: [],
    data: { groups },
  });
  await ledger.putEvidence(readinessEvidence(at));
}

/** Starts dynalite, installs the AWS mocks and records the migration. */
export async function startGateFixture(
  start = new Date('2026-11-24T10:00:00.000Z'),
): Promise<GateFixture> {
  const dynamo = await startDynalite();
  const clock = new TestClock(start);
  const ledger = new DynamoLedger(dynamo.client, dynamo.tableName, clock);
  const signingKey = randomBytes(32);
  const password = `pw-${randomBytes(12).toString('hex')}`;
  for (const m of [kms, secrets, s3, kafka, sns, eventbridge, sfn]) m.reset();
  installKms();
  secrets.on(GetSecretValueCommand).callsFake((input) =>
    input.SecretId ===
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:approval-signing'
      ? { SecretBinary: signingKey }
      : {
          SecretString: JSON.stringify({ username: 'replicator', password }),
        },
  );
  s3.on(GetObjectCommand, {
    Bucket: PLAN_REF.bucket,
    Key: PLAN_REF.key,
    VersionId: PLAN_REF.versionId,
  }).resolves({
    // The SDK's stream mixin, reduced to what the plan store calls.
    Body: { transformToString: async () => PLAN_TEXT } as never,
  });
  kafka
    .on(GetBootstrapBrokersCommand)
    .resolves({ BootstrapBrokerStringSaslIam: TARGET_BROKERS });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  eventbridge
    .on(PutEventsCommand)
    .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  sfn.on(SendTaskSuccessCommand).resolves({});
  sfn.on(SendTaskFailureCommand).resolves({});

  await ledger.startMigration({
    migrationId: MIGRATION_ID,
    planDigest: 'digest',
    planRef: PLAN_REF,
    status: 'RUNNING',
    startedAt: start.toISOString(),
    updatedAt: start.toISOString(),
  });
  await ledger.putApps(MIGRATION_ID, [
    'order-status',
    'orders',
    'customer-notification',
  ]);
  await recordEvidence(
    ledger,
    new Date(start.getTime() - 60_000).toISOString(),
  );

  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    LEDGER_TABLE: dynamo.tableName,
    TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:msk-cutover',
    EVENT_BUS_NAME: 'msk-cutover',
    TOKEN_KEY_ID: TOKEN_KEY_ARN,
    SIGNING_SECRET_ARN:
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:approval-signing',
    APPROVAL_BASE_URL: 'https://approvals.example.com/',
  };
  const emails = () =>
    sns.commandCalls(PublishCommand).map((c) => ({
      subject: c.args[0].input.Subject ?? '',
      body: c.args[0].input.Message ?? '',
    }));
  return {
    dynamo,
    ledger,
    clock,
    signingKey,
    password,
    env,
    lastEmail: () => {
      const e = emails().at(-1);
      if (!e) throw new Error('no email was published');
      return e;
    },
    lastLink: () => {
      const body = emails().at(-1)?.body ?? '';
      const m = /(https?:\/\/\S+\/approvals\/\S+)/.exec(body);
      if (!m?.[1]) throw new Error('the last email has no approval link');
      return m[1];
    },
    successCalls: () =>
      sfn.commandCalls(SendTaskSuccessCommand).map((c) => ({
        taskToken: c.args[0].input.taskToken ?? '',
        output: JSON.parse(c.args[0].input.output ?? '{}'),
      })),
    stop: () => dynamo.stop(),
  };
}

/** Sets the functions' environment (wiring reads it at cold start). */
export function useEnv(env: Record<string, string>): void {
  Object.assign(process.env, env);
}

/** A Lambda context for invoking handlers directly. */
export const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
