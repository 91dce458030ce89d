import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ResourceNotFoundException as FirehoseResourceNotFound,
  ServiceUnavailableException,
} from '@aws-sdk/client-firehose';
import {
  CreateReplicatorCommand,
  DescribeClusterV2Command,
  DescribeReplicatorCommand,
  type DescribeReplicatorResponse,
  KafkaClient,
  ListReplicatorsCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import {
  GetObjectCommand,
  ListBucketsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DecryptionFailure,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type PreflightConfig,
  runPreflight,
} from '../../../functions/preflight/preflight.ts';
import { AwsInventoryAdapter } from '../../../functions/shared/aws/inventory.ts';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import { AwsLogDestinations } from '../../../functions/shared/aws/log-destinations.ts';
import { S3PlanStore } from '../../../functions/shared/aws/plan-store.ts';
import { MskReplicators } from '../../../functions/shared/aws/replicators.ts';
import type { CheckResult } from '../../../functions/shared/contracts.ts';
import {
  PreflightFailedError,
  TransientError,
} from '../../../functions/shared/domain/errors.ts';
import type { PlanInput } from '../../../functions/shared/domain/plan.ts';
import { buildReplicatorRequests } from '../../../functions/shared/domain/replicator-config.ts';
import { parsePlanText } from '../../../functions/shared/domain/validate.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { MemoryLog } from '../../support/memory-ports.ts';

const s3 = mockClient(S3Client);
const kafka = mockClient(KafkaClient);
const secrets = mockClient(SecretsManagerClient);
const ec2 = mockClient(EC2Client);
const quotas = mockClient(ServiceQuotasClient);
const logs = mockClient(CloudWatchLogsClient);
const firehose = mockClient(FirehoseClient);
const meta = { $metadata: {} };

const MIGRATION = 'orders-platform';
const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
const PASSWORD = 'Sup3r-Secret-Pass';
const ROLE = 'arn:aws:iam::123456789012:role/msk-cutover-replicator';
const SECRET_SCOPE =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/*';
const basePlan = JSON.parse(
  readFileSync('events/start-migration.json', 'utf-8'),
) as PlanInput;
const CLUSTER_ARN = basePlan.target.mskClusterArn;

let chain = '';
let firstExpiry = new Date();
let db: LocalDynamo;
let ledger: DynamoLedger;
let tableNo = 0;
let now = new Date();
let plan: PlanInput;
let config: PreflightConfig;
let log: MemoryLog;
/** What exists in the account: log groups, delivery streams, buckets. */
let account: { logGroups: string[]; streams: string[]; buckets: string[] };
/** The `nextToken` of each DescribeLogGroups call, as sent. */
let logTokens: (string | undefined)[] = [];
beforeAll(async () => {
  // A real two-certificate chain from openssl (1 and 2 years of validity).
  const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
  try {
    const pems = [365, 730].map((days, i) => {
      const out = join(dir, `c${i}.pem`);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, `k${i}.pem`),
          '-out',
          out,
          '-days',
          String(days),
          '-subj',
          `/CN=test-ca-${i}`,
        ],
        { stdio: 'ignore' },
      );
      return readFileSync(out, 'utf-8');
    });
    chain = pems.join('');
    firstExpiry = new Date(new X509Certificate(pems[0] ?? '').validTo);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

function secretOf(value: Record<string, string>) {
  return { SecretString: JSON.stringify(value) };
}

beforeEach(async () => {
  for (const m of [s3, kafka, secrets, ec2, quotas, logs, firehose]) {
    m.reset();
  }
  ledger = new DynamoLedger(db.client, await db.createTable(`pf-${++tableNo}`));
  now = new Date();
  log = new MemoryLog();
  plan = structuredClone(basePlan);
  config = {
    serviceExecutionRoleArn: ROLE,
    allowedSecretArnPrefixes: [SECRET_SCOPE],
    allowedClusterArns: [],
    passableRoleArns: [ROLE],
    logDeliveryBuckets: ['replicator-logs-bucket'],
    logDeliveryStreams: ['replicator-logs', 'no-such-stream'],
  };
  account = {
    logGroups: [
      `${basePlan.replication.logDelivery?.cloudWatchLogGroup}-old`,
      basePlan.replication.logDelivery?.cloudWatchLogGroup ?? '',
    ],
    streams: ['replicator-logs'],
    buckets: ['replicator-logs-bucket'],
  };
  logTokens = [];
  // DescribeLogGroups: ASCII-sorted, a prefix match, pages of `limit`.
  logs.on(DescribeLogGroupsCommand).callsFake((input) => {
    logTokens.push(input.nextToken);
    const all = account.logGroups
      .filter((n) => n.startsWith(input.logGroupNamePrefix ?? ''))
      .sort();
    const start = Number(input.nextToken ?? 0);
    const end = start + (input.limit ?? 50);
    return {
      logGroups: all.slice(start, end).map((logGroupName) => ({
        logGroupName,
      })),
      ...(end < all.length ? { nextToken: String(end) } : {}),
    };
  });
  firehose.on(DescribeDeliveryStreamCommand).callsFake((input) => {
    const name = input.DeliveryStreamName ?? '';
    if (!account.streams.includes(name)) {
      throw new FirehoseResourceNotFound({
        $metadata: { httpStatusCode: 400 },
        message: `Firehose ${name} under account 123456789012 not found.`,
      });
    }
    return {
      DeliveryStreamDescription: {
        DeliveryStreamName: name,
        DeliveryStreamARN: `arn:aws:firehose:us-east-1:123456789012:deliverystream/${name}`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
        VersionId: '1',
        Destinations: [],
        HasMoreDestinations: false,
      },
    };
  });
  s3.on(ListBucketsCommand).callsFake((input) => ({
    Buckets: account.buckets
      .filter((b) => b.startsWith(input.Prefix ?? ''))
      .map((Name) => ({ Name })),
  }));
  s3.on(GetObjectCommand).callsFake(() => ({
    Body: { transformToString: async () => JSON.stringify(plan) },
  }));
  kafka.on(DescribeClusterV2Command).resolves({
    ClusterInfo: {
      ClusterArn: CLUSTER_ARN,
      ClusterName: 'orders-express',
      State: 'ACTIVE',
      ClusterType: 'PROVISIONED',
      Provisioned: {
        BrokerNodeGroupInfo: {
          InstanceType: 'express.m7g.large',
          ClientSubnets: ['subnet-0a1b2c3d4e5f60011'],
        },
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        NumberOfBrokerNodes: 3,
      },
    },
  });
  kafka.on(ListReplicatorsCommand).resolves({ Replicators: [] });
  secrets.on(GetSecretValueCommand).resolves(
    secretOf({
      username: 'replicator',
      password: PASSWORD,
      certificate: chain,
    }),
  );
  ec2.on(DescribeSubnetsCommand).callsFake((input) => ({
    Subnets: (input.Filters?.[0]?.Values ?? []).map((id: string) => ({
      SubnetId: id,
      VpcId:
        id.endsWith('1') || id.endsWith('2') || id.endsWith('3')
          ? vpcOf(id)
          : 'vpc-x',
      AvailabilityZone: `us-east-1${id.slice(-1)}`,
    })),
  }));
  ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
    SecurityGroups: (input.Filters?.[0]?.Values ?? []).map((id: string) => ({
      GroupId: id,
      VpcId: vpcOf(id),
      IpPermissionsEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 9092,
          ToPort: 9098,
          IpRanges: [{ CidrIp: '10.0.0.0/8' }],
        },
      ],
    })),
  }));
  quotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 15 } });
});

/** Source ids end in 000x, target ids in 001x: one VPC each. */
function vpcOf(id: string): string {
  return id.slice(-2, -1) === '1' ? 'vpc-target' : 'vpc-source';
}

function deps() {
  return {
    plans: new S3PlanStore(new S3Client({})),
    inventory: new AwsInventoryAdapter({
      kafka: new KafkaClient({ maxAttempts: 1 }),
      secrets: new SecretsManagerClient({}),
      ec2: new EC2Client({}),
      quotas: new ServiceQuotasClient({}),
    }),
    replicators: new MskReplicators(new KafkaClient({ maxAttempts: 1 })),
    logDestinations: new AwsLogDestinations({
      logs: new CloudWatchLogsClient({}),
      s3: new S3Client({}),
      firehose: new FirehoseClient({ maxAttempts: 1 }),
    }),
    ledger,
    config,
    clock: { now: () => now },
    log,
  };
}

const run = () => runPreflight({ migrationId: MIGRATION, planRef }, deps());

/** Runs preflight expecting failure; returns the recorded checks. */
async function failing(): Promise<{ err: Error; checks: CheckResult[] }> {
  const err = await run().then(
    () => {
      throw new Error('preflight passed');
    },
    (e: Error) => e,
  );
  expect(err).toBeInstanceOf(PreflightFailedError);
  const checks = (await ledger.getChecks(MIGRATION, 'preflight')) ?? [];
  return { err, checks };
}

const failed = (checks: CheckResult[]) =>
  checks.filter((c) => !c.ok).map((c) => [c.id, c.reason]);

describe('preflight', () => {
  it('should pass a sound plan, record every check and create nothing', async () => {
    const result = await run();
    expect(result).toMatchObject({
      ok: true,
      failed: 0,
      warnings: 0,
      failures: [],
    });
    const checks = (await ledger.getChecks(MIGRATION, 'preflight')) ?? [];
    expect(checks.map((c) => c.id)).toEqual([
      'scope.cluster',
      'scope.serviceExecutionRole',
      'scope.secret.scram',
      'msk.cluster.exists',
      'msk.cluster.active',
      'msk.cluster.express',
      'msk.cluster.iam',
      'secret.scram',
      'tls.chain.parse',
      'tls.chain.expiry',
      'vpc.source.subnets',
      'vpc.source.securityGroups',
      'vpc.source.egress.9096',
      'vpc.target.subnets',
      'vpc.target.securityGroups',
      'vpc.target.egress.9098',
      'logDelivery.cloudWatchLogs',
      'quota.replicators',
    ]);
    expect(result.passed).toBe(checks.length);
    expect(checks[1]).toEqual({
      id: 'scope.serviceExecutionRole',
      ok: true,
      severity: 'error',
      reason: `service execution role ${ROLE} is in the deployed iam:PassRole scope`,
    });
    expect(logs.commandCalls(DescribeLogGroupsCommand)).toHaveLength(1);
    expect(
      logs.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input,
    ).toMatchObject({
      logGroupNamePrefix: basePlan.replication.logDelivery?.cloudWatchLogGroup,
    });
    expect(firehose.calls()).toHaveLength(0);
    expect(checks.find((c) => c.id === 'tls.chain.expiry')?.reason).toContain(
      `CN=test-ca-0 on ${firstExpiry.toISOString().slice(0, 10)}`,
    );
    expect(kafka.commandCalls(CreateReplicatorCommand)).toHaveLength(0);
    expect(log.lines.map((l) => l.message)).toEqual(['preflight checked']);
    expect(log.text()).not.toContain(PASSWORD);
    expect(log.text()).not.toContain('BEGIN CERTIFICATE');
  });

  it.each([
    [
      'the cluster is missing',
      () =>
        kafka
          .on(DescribeClusterV2Command)
          .rejects(new NotFoundException({ message: 'no', ...meta })),
      ['msk.cluster.exists', /does not exist in us-east-1/],
    ],
    [
      'the cluster is not Express, not ACTIVE and has no IAM',
      () =>
        kafka.on(DescribeClusterV2Command).resolves({
          ClusterInfo: {
            ClusterName: 'std',
            State: 'UPDATING',
            ClusterType: 'PROVISIONED',
            Provisioned: {
              BrokerNodeGroupInfo: {
                InstanceType: 'kafka.m5.large',
                ClientSubnets: [],
              },
              NumberOfBrokerNodes: 3,
            },
          },
        }),
      ['msk.cluster.express', /not an MSK Express cluster .*kafka\.m5\.large/],
    ],
    [
      'the secret is missing',
      () =>
        secrets
          .on(GetSecretValueCommand)
          .rejects(new ResourceNotFoundException({ message: 'no', ...meta })),
      ['secret.scram', /does not exist/],
    ],
    [
      'the secret cannot be read',
      () =>
        secrets
          .on(GetSecretValueCommand)
          .rejects(
            new DecryptionFailure({ message: 'cannot decrypt', ...meta }),
          ),
      [
        'secret.scram',
        /could not be checked: DecryptionFailure: cannot decrypt/,
      ],
    ],
    [
      'the secret lacks keys',
      () =>
        secrets
          .on(GetSecretValueCommand)
          .resolves(secretOf({ username: 'u', certificate: chain })),
      ['secret.scram', /lacks the JSON key\(s\) password/],
    ],
    [
      'the certificate is not PEM',
      () =>
        secrets.on(GetSecretValueCommand).resolves(
          secretOf({
            username: 'u',
            password: PASSWORD,
            certificate: 'MIIB...',
          }),
        ),
      ['tls.chain.parse', /holds no PEM certificate/],
    ],
    [
      'a certificate is corrupt',
      () =>
        secrets.on(GetSecretValueCommand).resolves(
          secretOf({
            username: 'u',
            password: PASSWORD,
            certificate: `${chain}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`,
          }),
        ),
      ['tls.chain.parse', /certificate 3 of 3 .* does not parse as X\.509/],
    ],
    [
      'a certificate expires within 30 days',
      () => {
        now = new Date(firstExpiry.getTime() - 10 * 86_400_000);
      },
      [
        'tls.chain.expiry',
        /CN=test-ca-0 expires on \d{4}-\d\d-\d\d, within 30 days/,
      ],
    ],
    [
      'a certificate has expired',
      () => {
        now = new Date(firstExpiry.getTime() + 86_400_000);
      },
      ['tls.chain.expiry', /CN=test-ca-0 expired on/],
    ],
    [
      'a subnet is missing',
      () => ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] }),
      [
        'vpc.source.subnets',
        /subnet\(s\) subnet-0a1b2c3d4e5f60001, .* do not exist/,
      ],
    ],
    [
      'no security group allows the broker port',
      () =>
        ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
          SecurityGroups: (input.Filters?.[0]?.Values ?? []).map(
            (id: string) => ({
              GroupId: id,
              VpcId: vpcOf(id),
              IpPermissionsEgress: [
                {
                  IpProtocol: 'tcp',
                  FromPort: 443,
                  ToPort: 443,
                  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
                },
              ],
            }),
          ),
        })),
      [
        'vpc.source.egress.9096',
        /allows outbound TCP 9096 to the source brokers/,
      ],
    ],
    [
      'the replicator quota is used up',
      () =>
        kafka.on(ListReplicatorsCommand).resolves({
          Replicators: Array.from({ length: 14 }, (_, i) => ({
            ReplicatorName: `other-${i}`,
            ReplicatorArn: `arn:${i}`,
          })),
        }),
      [
        'quota.replicators',
        /14 replicator\(s\) exist .* needs 2 more: over the quota of 15/,
      ],
    ],
    [
      'the cluster is outside the deployed scope',
      () => {
        config.allowedClusterArns = [
          'arn:aws:kafka:us-east-1:123456789012:cluster/other/x',
        ];
      },
      [
        'scope.cluster',
        /outside the deployed scope: add it to the CDK context "mskClusterArns"/,
      ],
    ],
    [
      'the secret is outside the deployed scope',
      () => {
        config.allowedSecretArnPrefixes = [
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_*',
        ];
      },
      [
        'scope.secret.scram',
        /add its ARN or a prefix to the CDK context "replicatorSecretArnPrefixes"/,
      ],
    ],
  ] as const)('should fail when %s', async (_, arrange, [id, reason]) => {
    arrange();
    const { err, checks } = await failing();
    const hit = checks.find((c) => c.id === id && !c.ok);
    expect(hit?.reason).toMatch(reason);
    expect(err.message).toContain(id);
    // Every check ran and is recorded; no secret value leaks anywhere.
    expect(checks.length).toBeGreaterThanOrEqual(10);
    expect(JSON.stringify(checks)).not.toContain(PASSWORD);
    expect(err.message).not.toContain(PASSWORD);
    expect(log.text()).not.toContain(PASSWORD);
  });

  it('should refuse a log group that does not exist, and create nothing', async () => {
    account.logGroups = [
      `${basePlan.replication.logDelivery?.cloudWatchLogGroup}-old`,
    ];
    const { err, checks } = await failing();
    const group = basePlan.replication.logDelivery?.cloudWatchLogGroup;
    expect(failed(checks)).toEqual([
      [
        'logDelivery.cloudWatchLogs',
        `CloudWatch Logs log group ${group} does not exist in us-east-1: create it (the replicators deliver their logs there) or change replication.logDelivery`,
      ],
    ]);
    expect(err.message).toContain('logDelivery.cloudWatchLogs');
    expect(kafka.commandCalls(CreateReplicatorCommand)).toHaveLength(0);
  });

  it('should check an S3 bucket and a Firehose stream named by the plan', async () => {
    plan.replication.logDelivery = {
      s3: { bucket: 'replicator-logs-bucket', prefix: 'm/' },
      firehoseDeliveryStream: 'no-such-stream',
    };
    const { checks } = await failing();
    expect(failed(checks)).toEqual([
      [
        'logDelivery.firehose',
        'Firehose delivery stream no-such-stream does not exist in us-east-1: create it (the replicators deliver their logs there) or change replication.logDelivery',
      ],
    ]);
    expect(checks.find((c) => c.id === 'logDelivery.s3')?.ok).toBe(true);
    account.buckets = [];
    plan.replication.logDelivery = { s3: { bucket: 'replicator-logs-bucket' } };
    const again = await failing();
    expect(failed(again.checks).map(([id]) => id)).toEqual(['logDelivery.s3']);
  });

  it('should refuse an S3 bucket or a Firehose stream outside the deployed log-delivery scope, naming the context key', async () => {
    plan.replication.logDelivery = {
      s3: { bucket: 'replicator-logs-bucket' },
      firehoseDeliveryStream: 'replicator-logs',
    };
    account.streams = ['replicator-logs'];
    config.logDeliveryBuckets = [];
    config.logDeliveryStreams = [];
    const { checks } = await failing();
    expect(failed(checks)).toEqual([
      [
        'scope.logDelivery.s3',
        'S3 bucket replicator-logs-bucket is outside the deployed log-delivery scope: add it to the CDK context "logDeliveryBuckets" and redeploy (npx cdk deploy -c logDeliveryBuckets=replicator-logs-bucket), or change replication.logDelivery',
      ],
      [
        'scope.logDelivery.firehose',
        'Firehose delivery stream replicator-logs is outside the deployed log-delivery scope: add it to the CDK context "logDeliveryStreams" and redeploy (npx cdk deploy -c logDeliveryStreams=replicator-logs), or change replication.logDelivery',
      ],
    ]);
    config.logDeliveryBuckets = ['replicator-logs-bucket'];
    config.logDeliveryStreams = ['replicator-logs'];
    await expect(run()).resolves.toMatchObject({ ok: true });
  });

  it('should find the log group by its exact name among others sharing its prefix, over pages', async () => {
    const group = basePlan.replication.logDelivery?.cloudWatchLogGroup ?? '';
    // 120 groups the prefix matches, none of them the plan's.
    account.logGroups = Array.from({ length: 120 }, (_, i) => `${group}-${i}`);
    const { checks } = await failing();
    expect(failed(checks).map(([id]) => id)).toEqual([
      'logDelivery.cloudWatchLogs',
    ]);
    // Every page was read (50, 50, 20), each with the token of the last.
    expect(logTokens).toEqual([undefined, '50', '100']);
    account.logGroups.push(group);
    await expect(run()).resolves.toMatchObject({ ok: true });
  });

  it('should hand a throttled or unavailable log-destination lookup to the state machine to retry', async () => {
    plan.replication.logDelivery = {
      firehoseDeliveryStream: 'replicator-logs',
    };
    firehose.on(DescribeDeliveryStreamCommand).rejects(
      new ServiceUnavailableException({
        $metadata: { httpStatusCode: 503 },
        message: 'Service unavailable',
      }),
    );
    const err = await run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toBe(
      'Firehose.DescribeDeliveryStream: ServiceUnavailableException: Service unavailable',
    );
    // Nothing recorded: the retried phase checks again from the start.
    expect(await ledger.getChecks(MIGRATION, 'preflight')).toBeNull();
  });

  it('should refuse a plan role outside the iam:PassRole scope, naming the context key', async () => {
    const other = 'arn:aws:iam::123456789012:role/team-replicator';
    plan.serviceExecutionRoleArn = other;
    const { checks } = await failing();
    const [id, reason] = failed(checks)[0] ?? [];
    expect(id).toBe('scope.serviceExecutionRole');
    expect(reason).toContain(
      `service execution role ${other} is outside the deployed iam:PassRole scope`,
    );
    expect(reason).toContain('CDK context "replicatorRoleArns"');
    expect(reason).toContain(`-c replicatorRoleArns=${other}`);
    config.passableRoleArns = [ROLE, other];
    await expect(run()).resolves.toMatchObject({ ok: true });
  });

  it('should accept a separate CA secret holding only the certificate', async () => {
    const ca =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/ca-AbCdEf';
    plan.source.tls = { rootCaSecretArn: ca };
    secrets
      .on(GetSecretValueCommand, { SecretId: plan.source.saslScram.secretArn })
      .resolves(secretOf({ username: 'u', password: PASSWORD }))
      .on(GetSecretValueCommand, { SecretId: ca })
      .resolves(secretOf({ certificate: chain }));
    const result = await run();
    expect(result.ok).toBe(true);
    const checks = (await ledger.getChecks(MIGRATION, 'preflight')) ?? [];
    expect(checks.find((c) => c.id === 'tls.chain.parse')?.reason).toContain(
      ca,
    );
  });

  it('should adopt an existing replicator with the same settings and refuse a different one', async () => {
    const parsed = parsePlanText(JSON.stringify(plan));
    if (!parsed.ok) throw new Error('the example plan is invalid');
    const requests = buildReplicatorRequests(parsed.plan, {
      sourceClusterId: 'lkc-abc123',
      serviceExecutionRoleArn: ROLE,
    });
    const described = (i: number): DescribeReplicatorResponse => {
      const input = requests[i]?.input;
      return {
        ReplicatorName: input?.ReplicatorName,
        ReplicatorArn: `arn:r${i}`,
        ReplicatorState: 'RUNNING',
        ServiceExecutionRoleArn: input?.ServiceExecutionRoleArn,
        KafkaClusters: input?.KafkaClusters,
        ReplicationInfoList: input?.ReplicationInfoList,
      } as DescribeReplicatorResponse;
    };
    kafka.on(ListReplicatorsCommand).resolves({
      Replicators: [0, 1].map((i) => ({
        ReplicatorName: requests[i]?.name,
        ReplicatorArn: `arn:r${i}`,
      })),
    });
    kafka
      .on(DescribeReplicatorCommand, { ReplicatorArn: 'arn:r0' })
      .resolves(described(0))
      .on(DescribeReplicatorCommand, { ReplicatorArn: 'arn:r1' })
      .resolves({
        ...described(1),
        ServiceExecutionRoleArn: 'arn:aws:iam::1:role/x',
      });
    const { checks } = await failing();
    expect(failed(checks)).toEqual([
      [
        'replicator.msk-cutover-orders-platform-rev',
        expect.stringMatching(
          /already exists with other settings: ServiceExecutionRoleArn/,
        ),
      ],
    ]);
    expect(
      checks.find((c) => c.id === 'replicator.msk-cutover-orders-platform-fwd')
        ?.reason,
    ).toMatch(/it will be adopted, not created/);
    expect(checks.find((c) => c.id === 'quota.replicators')?.reason).toMatch(
      /2 replicator\(s\) exist .* needs 0 more, quota 15/,
    );
  });

  it('should only warn about a certificate that is not valid yet', async () => {
    now = new Date(Date.now() - 86_400_000);
    const result = await run();
    expect(result).toMatchObject({ ok: true, warnings: 1 });
    expect(result.failures[0]).toMatch(
      /tls\.chain\.notBefore: CN=test-ca-0 is not valid before/,
    );
  });

  it('should fail a security group outside the subnets VPC', async () => {
    ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => ({
      SecurityGroups: (input.Filters?.[0]?.Values ?? []).map((id: string) => ({
        GroupId: id,
        VpcId: 'vpc-elsewhere',
        IpPermissionsEgress: [
          { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      })),
    }));
    const { checks } = await failing();
    expect(failed(checks)).toEqual([
      [
        'vpc.source.securityGroups',
        "source security group(s) sg-0a1b2c3d4e5f60001 (vpc-elsewhere) are not in the subnets' VPC",
      ],
      [
        'vpc.target.securityGroups',
        "target security group(s) sg-0a1b2c3d4e5f60011 (vpc-elsewhere) are not in the subnets' VPC",
      ],
    ]);
  });

  it('should fail a FAILED replicator of ours and warn about strangers', async () => {
    const parsed = parsePlanText(JSON.stringify(plan));
    if (!parsed.ok) throw new Error('the example plan is invalid');
    const [fwd] = buildReplicatorRequests(parsed.plan, {
      sourceClusterId: 'lkc-abc123',
      serviceExecutionRoleArn: ROLE,
    });
    kafka.on(ListReplicatorsCommand).resolves({
      Replicators: [
        { ReplicatorName: fwd?.name, ReplicatorArn: 'arn:f' },
        {
          ReplicatorName: 'msk-cutover-orders-platform-rev',
          ReplicatorArn: 'arn:gone',
        },
        {
          ReplicatorName: 'msk-cutover-orders-platform-old-fwd',
          ReplicatorArn: 'arn:o',
        },
      ],
    });
    kafka
      .on(DescribeReplicatorCommand, { ReplicatorArn: 'arn:f' })
      .resolves({
        ReplicatorName: fwd?.name,
        ReplicatorState: 'FAILED',
        KafkaClusters: fwd?.input.KafkaClusters,
        ReplicationInfoList: fwd?.input.ReplicationInfoList,
      } as DescribeReplicatorResponse)
      .on(DescribeReplicatorCommand, { ReplicatorArn: 'arn:gone' })
      .rejects(new NotFoundException({ message: 'gone', ...meta }));
    const { checks } = await failing();
    expect(failed(checks)).toEqual([
      [
        'replicator.msk-cutover-orders-platform-fwd',
        expect.stringMatching(
          /with the plan's settings but is FAILED: delete it/,
        ),
      ],
      [
        'replicator.msk-cutover-orders-platform-old-fwd',
        expect.stringMatching(
          /carries this migration's name but the plan does not imply it/,
        ),
      ],
    ]);
    expect(
      checks.find((c) => c.id === 'replicator.msk-cutover-orders-platform-rev')
        ?.reason,
    ).toMatch(/was listed but is gone; it will be created/);
  });

  it('should warn, not fail, when the stack declares no secret scope', async () => {
    config.allowedSecretArnPrefixes = [];
    const result = await run();
    expect(result).toMatchObject({ ok: true, warnings: 1 });
    expect(result.failures[0]).toMatch(
      /scope\.secret\.scram: .*replicatorSecretArnPrefixes/,
    );
  });

  it('should hand throttling to the state machine to retry', async () => {
    kafka
      .on(DescribeClusterV2Command)
      .rejects(new TooManyRequestsException({ message: 'slow', ...meta }));
    await expect(run()).rejects.toBeInstanceOf(TransientError);
  });
});
