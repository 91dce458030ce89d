import { readFileSync } from 'node:fs';
import {
  CloudWatchClient,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type MeasureSourceLagDeps,
  runMeasure,
} from '../../../functions/measure-source-lag/measure-source-lag.ts';
import {
  type ProbeSourceDeps,
  runProbe,
} from '../../../functions/probe-source/probe-source.ts';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import { CloudWatchMetrics } from '../../../functions/shared/aws/metrics.ts';
import { S3PlanStore } from '../../../functions/shared/aws/plan-store.ts';
import { SecretsAndBrokers } from '../../../functions/shared/aws/secrets-and-brokers.ts';
import type { CheckResult } from '../../../functions/shared/contracts.ts';
import {
  PreflightFailedError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import { PlatformaticKafkaProbe } from '../../../functions/shared/kafka/probe.ts';
import type { Log } from '../../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  type AclModel,
  type BrokerModel,
  closedPort,
  modelOf,
  PINNED_API_VERSIONS,
  type RunningBroker,
  startStallServer,
  startTestBroker,
  startTestCluster,
} from '../../support/kafka-broker/broker.ts';
import {
  generateTestPki,
  type TestPki,
} from '../../support/kafka-broker/pki.ts';

const SCRAM_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/onprem-replicator-AbCdEf';
const PASSWORD = 'Repl-Pw-90210';
const T0 = new Date('2026-03-01T10:00:00.000Z');
const ref = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
const sample = JSON.parse(readFileSync('events/start-migration.json', 'utf8'));

const s3 = mockClient(S3Client);
const secrets = mockClient(SecretsManagerClient);
const kafkaApi = mockClient(KafkaClient);
const cw = mockClient(CloudWatchClient);

let pki: TestPki;
let db: LocalDynamo;
let source: RunningBroker;
let sourceModel: BrokerModel;
let tableNo = 0;

/** ACLs that cover everything the sample plan needs. */
const FULL_ACLS: AclModel[] = [2, 3, 4].map((resourceType) => ({
  resourceType,
  resourceName: resourceType === 4 ? 'kafka-cluster' : '*',
  patternType: 3,
  principal: 'User:repl',
  host: '*',
  operation: 2, // ALL
  permission: 3,
}));

function sourceModelOf(): BrokerModel {
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

function planWith(over: {
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

function serve(planText: string, secret: Record<string, string>) {
  s3.on(GetObjectCommand).resolves({
    Body: { transformToString: async () => planText } as never,
  });
  secrets
    .on(GetSecretValueCommand, { SecretId: SCRAM_ARN })
    .resolves({ SecretString: JSON.stringify(secret) });
}

const goodSecret = () => ({
  username: 'repl',
  password: PASSWORD,
  certificate: pki.caChain,
});

const silentLog = (): Log & { lines: string[] } => {
  const lines: string[] = [];
  const rec = (m: string, e?: object) => {
    lines.push(`${m} ${JSON.stringify(e ?? {})}`);
  };
  return { lines, debug: rec, info: rec, warn: rec, error: rec };
};

async function makeDeps(): Promise<
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

const probeEvent = {
  migrationId: 'orders-platform',
  planRef: ref,
};

async function probeFails(
  deps: ProbeSourceDeps,
): Promise<PreflightFailedError> {
  const error = await runProbe(probeEvent, deps).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PreflightFailedError);
  return error as PreflightFailedError;
}

const check = (checks: CheckResult[], id: string) => {
  const found = checks.find((c) => c.id === id);
  expect(found, `check ${id}`).toBeDefined();
  return found as CheckResult;
};

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

describe('probe', () => {
  it('passes every check and records the cluster id for CreateReplicator', async () => {
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    const result = await runProbe(probeEvent, deps);
    expect(result).toMatchObject({
      ok: true,
      failed: 0,
      clusterId: 'ext-cluster-42',
      topicCount: 2,
    });
    expect(
      deps.checks.filter((c) => c.severity === 'error').every((c) => c.ok),
    ).toBe(true);
    expect(
      check(deps.checks, `kafka.transport.${source.bootstrap}`).reason,
    ).toContain('verified');
    expect(check(deps.checks, 'kafka.sasl').reason).toBe(
      'SCRAM-SHA-512 authentication as User:repl succeeded',
    );
    expect(check(deps.checks, 'kafka.topics').reason).toContain(
      '2 topics with 4 partitions',
    );
    expect(check(deps.checks, 'kafka.version').reason).toContain('Kafka 2.8');
    expect(
      (await deps.ledgerImpl.getMigration('orders-platform'))?.sourceClusterId,
    ).toBe('ext-cluster-42');
    // A topic config that breaks replication is a warning, not a failure.
    const big = check(
      deps.checks,
      'kafka.topic-config.order_status.max-message-bytes',
    );
    expect(big).toMatchObject({ ok: false, severity: 'warning' });
    expect(result.warnings).toBe(1);
    // The password never reaches the ledger or the log.
    expect(JSON.stringify(deps.checks)).not.toContain(PASSWORD);
    expect(deps.log.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('names the layer for each unreachable broker and still runs the rest', async () => {
    const refused = await closedPort();
    const stall = await startStallServer();
    try {
      serve(
        planWith({
          brokers: [
            'no-such-broker.invalid:9096',
            `localhost:${refused}`,
            `localhost:${stall.port}`,
            source.bootstrap,
          ],
        }),
        goodSecret(),
      );
      const deps = await makeDeps();
      const error = await probeFails(deps);
      expect(
        check(deps.checks, 'kafka.transport.no-such-broker.invalid:9096')
          .reason,
      ).toMatch(/^DNS: /);
      expect(
        check(deps.checks, `kafka.transport.localhost:${refused}`).reason,
      ).toContain('refused the connection');
      expect(
        check(deps.checks, `kafka.transport.localhost:${stall.port}`).reason,
      ).toContain('sent no TLS handshake');
      // The reachable broker is enough for the Kafka-level checks to run.
      expect(check(deps.checks, 'kafka.sasl').ok).toBe(true);
      expect(check(deps.checks, 'kafka.acls').ok).toBe(true);
      expect(error.message).toContain('3 Kafka-side check(s) failed');
    } finally {
      await stall.stop();
    }
  });

  it('checks the brokers the cluster advertises beyond the bootstrap list', async () => {
    const cluster = await startTestCluster(
      {
        cert: pki.serverCert,
        key: pki.serverKey,
        model: sourceModel,
        users: [{ name: 'repl', password: PASSWORD }],
      },
      3,
      ['localhost', 'localhost', 'broker-3.invalid'],
    );
    try {
      serve(planWith({ brokers: [cluster.bootstrap] }), goodSecret());
      const deps = await makeDeps();
      await probeFails(deps);
      const [, second, third] = cluster.brokers;
      expect(
        check(deps.checks, `kafka.advertised.localhost:${second?.port}`).ok,
      ).toBe(true);
      const bad = check(
        deps.checks,
        `kafka.advertised.broker-3.invalid:${third?.port}`,
      );
      expect(bad.ok).toBe(false);
      expect(bad.reason).toContain('the cluster advertises broker-3.invalid');
      expect(bad.reason).toContain('DNS: broker-3.invalid does not resolve');
    } finally {
      await cluster.stop();
    }
  });

  it('reports an untrusted chain and skips SASL when no broker is reachable', async () => {
    serve(planWith({}), { ...goodSecret(), certificate: pki.unrelatedCa });
    const deps = await makeDeps();
    await probeFails(deps);
    expect(
      check(deps.checks, `kafka.transport.${source.bootstrap}`).reason,
    ).toContain('is not trusted');
    expect(check(deps.checks, 'kafka.sasl').reason).toContain('not attempted');
    expect(
      (await deps.ledgerImpl.getMigration('orders-platform'))?.sourceClusterId,
    ).toBeUndefined();
  });

  it('reports a certificate issued for another host name', async () => {
    const wrong = await startTestBroker({
      cert: pki.wrongHostCert,
      key: pki.wrongHostKey,
      model: sourceModel,
    });
    try {
      serve(planWith({ brokers: [wrong.bootstrap] }), goodSecret());
      const deps = await makeDeps();
      await probeFails(deps);
      expect(
        check(deps.checks, `kafka.transport.${wrong.bootstrap}`).reason,
      ).toContain('does not name "localhost"');
    } finally {
      await wrong.stop();
    }
  });

  it('tells a bad password from a mechanism the listener does not enable', async () => {
    serve(planWith({}), { ...goodSecret(), password: 'Not-The-Pw-1' });
    let deps = await makeDeps();
    await probeFails(deps);
    expect(check(deps.checks, 'kafka.sasl').reason).toContain(
      'rejected the SCRAM credentials',
    );

    const only512 = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model: sourceModel,
      mechanisms: ['SCRAM-SHA-512'],
      users: [{ name: 'repl', password: PASSWORD }],
    });
    try {
      serve(
        planWith({ brokers: [only512.bootstrap], mechanism: 'SHA256' }),
        goodSecret(),
      );
      deps = await makeDeps();
      await probeFails(deps);
      expect(check(deps.checks, 'kafka.sasl').reason).toContain(
        'does not enable this SCRAM mechanism',
      );
    } finally {
      await only512.stop();
    }
  });

  it('lists missing ACLs as the exact kafka-acls.sh commands and names DENY rules', async () => {
    sourceModel.acls = [
      // Read and Describe on the two topics only; a DENY on one group.
      ...['orders', 'order_status'].flatMap((t) =>
        [3, 8].map((operation) => ({
          resourceType: 2,
          resourceName: t,
          patternType: 3,
          principal: 'User:repl',
          host: '*',
          operation,
          permission: 3,
        })),
      ),
      {
        resourceType: 3,
        resourceName: '*',
        patternType: 3,
        principal: 'User:*',
        host: '*',
        operation: 2,
        permission: 3,
      },
      {
        resourceType: 3,
        resourceName: 'order',
        patternType: 4,
        principal: 'User:repl',
        host: '*',
        operation: 3,
        permission: 2,
      },
      {
        resourceType: 4,
        resourceName: 'kafka-cluster',
        patternType: 3,
        principal: 'User:repl',
        host: '*',
        operation: 2,
        permission: 3,
      },
    ];
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    await probeFails(deps);
    const reason = check(deps.checks, 'kafka.acls').reason;
    const head = `kafka-acls.sh --bootstrap-server ${source.bootstrap} --command-config admin.properties --add --allow-principal User:repl`;
    // One call per resource with every missing operation: Read and
    // Describe are held on `orders`, so they are not asked for again.
    expect(reason).toContain(
      `${head} --operation DescribeConfigs --operation Create --operation Write --operation Alter --operation AlterConfigs --topic orders\n`,
    );
    expect(reason).toContain(
      `${head} --operation Create --operation Read --operation Write --operation Describe --operation DescribeConfigs --operation Alter --operation AlterConfigs --topic __amazon_msk_replicator_ --resource-pattern-type prefixed`,
    );
    // ALL on the cluster covers every cluster operation.
    expect(reason).not.toContain('--cluster');
    expect(reason).not.toContain('mskr-offset-syncs');
    expect(reason).not.toContain('ClusterAction');
    expect(reason).toContain(
      '# DENY READ on GROUP PREFIXED "order" for User:repl from host * blocks Read on order-status',
    );
  });

  it('says which grant is needed when the user may not even read its ACLs', async () => {
    source.faults.apiErrors = { 29: 31 };
    try {
      serve(planWith({}), goodSecret());
      const deps = await makeDeps();
      await probeFails(deps);
      expect(check(deps.checks, 'kafka.acls').reason).toBe(
        `could not read the ACLs of User:repl: the user is not authorized (CLUSTER_AUTHORIZATION_FAILED); grant Describe on the cluster:\nkafka-acls.sh --bootstrap-server ${source.bootstrap} --command-config admin.properties --add --allow-principal User:repl --operation Describe --cluster`,
      );
      // The other checks still ran.
      expect(check(deps.checks, 'kafka.topics').ok).toBe(true);
    } finally {
      source.faults.apiErrors = {};
    }
  });

  it('fails on a cluster id mismatch and does not record the wrong id', async () => {
    serve(planWith({ clusterId: 'some-other-cluster' }), goodSecret());
    const deps = await makeDeps();
    await probeFails(deps);
    expect(check(deps.checks, 'kafka.cluster-id').reason).toBe(
      'the brokers report cluster id "ext-cluster-42" but the plan says "some-other-cluster": the bootstrap brokers point at a different cluster, or source.clusterId is wrong',
    );
    expect(
      (await deps.ledgerImpl.getMigration('orders-platform'))?.sourceClusterId,
    ).toBeUndefined();
  });

  it('fails when an application topic is missing', async () => {
    sourceModel.topics.delete('order_status');
    try {
      serve(planWith({}), goodSecret());
      const deps = await makeDeps();
      await probeFails(deps);
      expect(check(deps.checks, 'kafka.app-topics').reason).toContain(
        'order_status (order-status), order_status (customer-notification)',
      );
    } finally {
      sourceModel.topics = sourceModelOf().topics;
    }
  });

  it('fails on a Kafka older than 2.8 from the advertised APIs', async () => {
    // A Kafka 2.7 broker: SCRAM admin APIs (50) but no DescribeCluster (60).
    source.faults.apiVersions = new Map([
      ...[...PINNED_API_VERSIONS].filter(([key]) => key < 48),
      [50, [0, 0]],
    ]);
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    await probeFails(deps);
    expect(check(deps.checks, 'kafka.version').reason).toContain(
      'APIs of Kafka 2.7 (no DescribeCluster, added in 2.8)',
    );
  });

  it('rejects a secret without a password, naming the key but no value', async () => {
    serve(planWith({}), { username: 'repl' });
    const deps = await makeDeps();
    const error = await runProbe(probeEvent, deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('lacks the key(s) password');
  });

  it('rejects a secret that does not exist', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => planWith({}) } as never,
    });
    secrets
      .on(GetSecretValueCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'gone', $metadata: {} }),
      );
    const deps = await makeDeps();
    await expect(runProbe(probeEvent, deps)).rejects.toThrow(
      /does not exist or cannot be read/,
    );
  });
});

describe('measure', () => {
  let target: RunningBroker;
  let targetModel: BrokerModel;
  beforeAll(async () => {
    targetModel = modelOf({
      clusterId: 'msk-target',
      // Translated offsets sit lower: the target log holds fewer records.
      topics: { orders: [60, 30, 0], order_status: [10] },
      groups: {
        'order-status': { members: 0, offsets: { orders: [45, 28, 0] } },
        // Consumers started on the target before any offset was synced.
        'customer-notification': { members: 1 },
      },
    });
    target = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model: targetModel,
      mechanisms: ['OAUTHBEARER'],
    });
  });
  afterAll(async () => {
    await target.stop();
  });

  function serveTarget(deps: ProbeSourceDeps) {
    kafkaApi
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslIam: target.bootstrap });
    // The target's TLS chain is the test CA here; on AWS it is publicly trusted.
    const kafka = deps.kafka;
    deps.kafka = {
      checkTransport: kafka.checkTransport.bind(kafka),
      connect: (access) =>
        kafka.connect(
          access.credentials.mechanism === 'OAUTHBEARER'
            ? { ...access, tls: { ca: pki.caChain } }
            : access,
        ),
    };
  }

  /** Both clusters served; measures the whole migration or one app. */
  async function measureWith(app?: string, bidirectional = true) {
    serve(planWith({ bidirectional }), goodSecret());
    const deps = await makeDeps();
    serveTarget(deps);
    const result = await runMeasure(
      {
        migrationId: 'orders-platform',
        planRef: ref,
        ...(app ? { app } : {}),
      },
      deps,
    );
    return { deps, result };
  }

  it('measures lag on both clusters, parity per group, and flags a group active before sync', async () => {
    const { deps, result } = await measureWith();
    // Source: order-status lag 10 (orders 100-90), customer-notification 0.
    // Target: order-status lag (60-45)+(30-28) = 17; customer-notification has no offsets.
    expect(result).toMatchObject({
      groups: 2,
      sourceSumOffsetLag: 10,
      targetSumOffsetLag: 17,
    });
    expect(target.authenticated).toContain('OAUTHBEARER');
    expect(result.errors[0]).toContain(
      'GROUP customer-notification IS ACTIVE ON THE TARGET BEFORE ITS OFFSETS WERE SYNCED',
    );

    const evidence = await deps.ledgerImpl.getEvidence(
      'orders-platform',
      result.measurementId,
    );
    expect(evidence?.kind).toBe('measure');
    const data = evidence?.data as {
      groups: { group: string; source: unknown; target: unknown }[];
      parity: Record<string, unknown>;
    };
    expect(data.groups.find((g) => g.group === 'order-status')).toEqual({
      group: 'order-status',
      source: {
        state: 'Stable',
        members: 2,
        sumOffsetLag: 10,
        byTopic: { orders: 10 },
      },
      target: {
        state: 'Empty',
        members: 0,
        sumOffsetLag: 17,
        byTopic: { orders: 17 },
      },
    });
    // Window = target remaining − source remaining: p0 15−10, p1 2−0, p2 0−0.
    expect(data.parity['order-status']).toEqual({
      partitions: 3,
      unsynced: 0,
      minWindow: 0,
      maxWindow: 5,
    });
    expect(
      (data.parity['customer-notification'] as { unsynced: number }).unsynced,
    ).toBeGreaterThan(0);

    // The whole migration publishes totals per cluster, not a metric set per
    // group (each dimension combination is a billed custom metric).
    const sent = cw
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? []);
    expect(
      sent.map((d) => [
        d.MetricName,
        Object.fromEntries((d.Dimensions ?? []).map((x) => [x.Name, x.Value])),
        d.Value,
      ]),
    ).toEqual([
      [
        'GroupMembers',
        { MigrationId: 'orders-platform', Cluster: 'source' },
        2 + 1,
      ],
      [
        'SumOffsetLag',
        { MigrationId: 'orders-platform', Cluster: 'source' },
        10,
      ],
      [
        'GroupMembers',
        { MigrationId: 'orders-platform', Cluster: 'target' },
        1,
      ],
      [
        'SumOffsetLag',
        { MigrationId: 'orders-platform', Cluster: 'target' },
        17,
      ],
    ]);
  });

  it("keeps one application's parity per partition and charts its groups", async () => {
    const { deps, result } = await measureWith('order-status');
    const evidence = await deps.ledgerImpl.getEvidence(
      'orders-platform',
      result.measurementId,
    );
    const parity = (
      (evidence?.data ?? {}) as {
        parity: Record<string, { duplicateWindow: number | null }[]>;
      }
    ).parity;
    expect(parity['order-status']?.map((p) => p.duplicateWindow)).toEqual([
      5, 2, 0,
    ]);
    const sent = cw
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? []);
    expect(sent).toContainEqual(
      expect.objectContaining({
        MetricName: 'SumOffsetLag',
        Value: 10,
        Dimensions: expect.arrayContaining([
          { Name: 'ConsumerGroup', Value: 'order-status' },
          { Name: 'Cluster', Value: 'source' },
        ]),
      }),
    );
    // Per-topic lag is evidence only (each dimension set is a billed metric).
    expect(
      sent.some((d) => d.Dimensions?.some((x) => x.Name === 'Topic')),
    ).toBe(false);
  });

  it('keeps a negative duplicate window as evidence, not as an error', async () => {
    const orders = targetModel.groups.get('order-status')?.offsets.orders;
    if (!orders) throw new Error('fixture');
    orders[1] = 31n; // past the target's end offset 30
    try {
      const { deps, result } = await measureWith('order-status');
      expect(result.errors).toEqual([]);
      const evidence = await deps.ledgerImpl.getEvidence(
        'orders-platform',
        result.measurementId,
      );
      expect(evidence?.reasons).toEqual([
        'group order-status has fewer records left on the target than on the source (orders-1: -1)',
      ]);
    } finally {
      orders[1] = 28n;
    }
  });

  it("scopes to one app's groups and reports an unreadable side as null, not zero", async () => {
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    kafkaApi.on(GetBootstrapBrokersCommand).resolves({
      BootstrapBrokerStringSaslIam: `localhost:${await closedPort()}`,
    });
    const result = await runMeasure(
      {
        migrationId: 'orders-platform',
        planRef: ref,
        app: 'order-status',
      },
      deps,
    );
    expect(result).toMatchObject({
      groups: 1,
      sourceSumOffsetLag: 10,
      targetSumOffsetLag: null,
    });
    expect(result.errors).toEqual([
      'target: a broker refused the TCP connection',
    ]);
    expect(result.measurementId).toBe(
      `measure-${T0.toISOString()}-order-status`,
    );
  });

  it('reports zero, not missing, lag for an application without consumer groups', async () => {
    const { deps, result } = await measureWith('orders', false);
    // Without a reverse replicator, what it produces is read on both
    // clusters: end offsets, summed over the partitions (verify-cutover
    // locates a producer from them).
    const ev = await deps.ledgerImpl.getEvidence(
      'orders-platform',
      result.measurementId,
    );
    const ends = (ev?.data.producedEndOffsets ?? {}) as Record<
      string,
      { source: unknown; target: unknown }
    >;
    expect(Object.keys(ends)).toEqual(['orders']);
    expect(ends.orders?.source).toEqual(expect.any(Number));
    expect(ends.orders?.target).toEqual(expect.any(Number));
    // With one, the reverse replicator's metrics say it: no topic listing.
    const both = await measureWith('orders');
    const plain = await both.deps.ledgerImpl.getEvidence(
      'orders-platform',
      both.result.measurementId,
    );
    expect(plain?.data.producedEndOffsets).toBeUndefined();
    expect(result).toEqual({
      measurementId: `measure-${T0.toISOString()}-orders`,
      skipped: false,
      groups: 0,
      sourceSumOffsetLag: 0,
      targetSumOffsetLag: 0,
      errors: [],
    });
  });

  it('skips measuring while the replicator rules fail, at most 30 minutes', async () => {
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    serveTarget(deps);
    const base = { migrationId: 'orders-platform', planRef: ref };
    const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
    /** The event after a readiness poll at `minute` that found the replicator rules `healthy`. */
    const polled = (minute: number, healthy: boolean) => ({
      ...base,
      previousPoll: {
        at: at(minute).toISOString(),
        replicatorsHealthy: healthy,
      },
    });
    const first = await runMeasure({ ...base, previousPoll: null }, deps);
    expect(first.skipped).toBe(false);
    deps.clock = { now: () => at(5) };
    expect(await runMeasure(polled(0, false), deps)).toEqual({
      measurementId: first.measurementId,
      skipped: true,
      groups: 0,
      sourceSumOffsetLag: null,
      targetSumOffsetLag: null,
      errors: [],
    });
    // Half an hour after the last measurement, the groups are measured again.
    deps.clock = { now: () => at(30) };
    expect(await runMeasure(polled(25, false), deps)).toMatchObject({
      skipped: false,
      measurementId: `measure-${at(30).toISOString()}`,
    });
    // And on every poll once the replicator rules hold.
    deps.clock = { now: () => at(35) };
    expect((await runMeasure(polled(30, true), deps)).skipped).toBe(false);
    // A previous poll from before a gap (a new wait) does not count.
    deps.clock = { now: () => at(36) };
    expect((await runMeasure(polled(5, false), deps)).skipped).toBe(false);
    // One application's groups are always measured.
    deps.clock = { now: () => at(40) };
    expect(
      (await runMeasure({ ...polled(39, false), app: 'order-status' }, deps))
        .skipped,
    ).toBe(false);
  });

  it('rejects an app the plan does not have', async () => {
    serve(planWith({}), goodSecret());
    const deps = await makeDeps();
    await expect(
      runMeasure(
        {
          migrationId: 'orders-platform',
          planRef: ref,
          app: 'nope',
        },
        deps,
      ),
    ).rejects.toThrow(ValidationError);
  });
});
