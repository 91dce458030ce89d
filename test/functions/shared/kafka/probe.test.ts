import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAccessError } from '../../../../functions/shared/kafka/classify.ts';
import { PlatformaticKafkaProbe } from '../../../../functions/shared/kafka/probe.ts';
import type {
  KafkaClusterAccess,
  KafkaSession,
} from '../../../../functions/shared/ports.ts';
import {
  closedPort,
  modelOf,
  type RunningBroker,
  startStallServer,
  startTestBroker,
} from '../../../support/kafka-broker/broker.ts';
import {
  generateTestPki,
  type TestPki,
} from '../../../support/kafka-broker/pki.ts';

let pki: TestPki;
let broker: RunningBroker;
const probe = new PlatformaticKafkaProbe({
  connectTimeoutMs: 1500,
  requestTimeoutMs: 3000,
});

const model = modelOf({
  clusterId: 'ext-cluster-42',
  topics: { orders: [100, 50, 0], payments: [5, 5] },
  configs: { payments: { 'message.timestamp.type': 'LogAppendTime' } },
  groups: {
    billing: { members: 2, offsets: { orders: [90, 50, 0] } },
    audit: { offsets: { payments: [1] } },
  },
  acls: [
    {
      resourceType: 2,
      resourceName: 'orders',
      patternType: 4,
      principal: 'User:repl',
      host: '*',
      operation: 3,
      permission: 3,
    },
    {
      resourceType: 3,
      resourceName: '*',
      patternType: 3,
      principal: 'User:*',
      host: '*',
      operation: 8,
      permission: 3,
    },
    {
      resourceType: 2,
      resourceName: 'payments',
      patternType: 3,
      principal: 'User:other',
      host: '*',
      operation: 3,
      permission: 3,
    },
  ],
});

function scram(
  over: Partial<KafkaClusterAccess['credentials']> = {},
  ca?: string,
): KafkaClusterAccess {
  return {
    bootstrapBrokers: [broker.bootstrap],
    tls: { ca: ca ?? pki.caChain },
    credentials: {
      mechanism: 'SCRAM-SHA-512',
      username: 'repl',
      password: 's3cret-pw',
      ...over,
    },
  };
}

async function connectError(
  access: KafkaClusterAccess,
): Promise<KafkaAccessError> {
  const error = await probe.connect(access).then(
    (s) => {
      void s.close();
      throw new Error('connected');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KafkaAccessError);
  return error as KafkaAccessError;
}

beforeAll(async () => {
  pki = generateTestPki();
  broker = await startTestBroker({
    cert: pki.serverCert,
    key: pki.serverKey,
    model,
    users: [{ name: 'repl', password: 's3cret-pw' }],
  });
});
afterAll(async () => {
  await broker.stop();
});

describe('checkTransport', () => {
  it('passes DNS, TCP and TLS against the broker with the CA chain', async () => {
    const t = await probe.checkTransport(
      broker.bootstrap,
      { ca: pki.caChain },
      2000,
    );
    expect(t).toMatchObject({ ok: true, broker: broker.bootstrap });
    expect(t.addresses).toContain('127.0.0.1');
    expect(t.detail).toContain('subject localhost');
    expect(t.detail).toContain('issuer msk-cutover test intermediate CA');
  });

  it('names DNS when the host does not resolve', async () => {
    const t = await probe.checkTransport(
      'no-such-broker.invalid:9096',
      {},
      2000,
    );
    expect(t).toMatchObject({ ok: false, failedAt: 'dns', addresses: [] });
    expect(t.detail).toContain('no-such-broker.invalid does not resolve');
  });

  it('names a refused TCP port', async () => {
    const port = await closedPort();
    const t = await probe.checkTransport(`127.0.0.1:${port}`, {}, 2000);
    expect(t).toMatchObject({ ok: false, failedAt: 'tcp-refused' });
    expect(t.detail).toContain('nothing listens on port');
  });

  it('checks an IP address against the certificate IP SAN, without DNS', async () => {
    const t = await probe.checkTransport(
      `127.0.0.1:${broker.port}`,
      { ca: pki.caChain },
      2000,
    );
    expect(t).toMatchObject({ ok: true, addresses: ['127.0.0.1'] });
  });

  it('names a TLS stall when TCP is accepted but no handshake comes', async () => {
    const stall = await startStallServer();
    try {
      const t = await probe.checkTransport(
        `localhost:${stall.port}`,
        { ca: pki.caChain },
        300,
      );
      expect(t).toMatchObject({ ok: false, failedAt: 'tls-stall' });
      expect(t.detail).toContain('PLAINTEXT');
    } finally {
      await stall.stop();
    }
  });

  it('names an untrusted chain when only an unrelated CA is trusted', async () => {
    const t = await probe.checkTransport(
      broker.bootstrap,
      { ca: pki.unrelatedCa },
      2000,
    );
    expect(t).toMatchObject({ ok: false, failedAt: 'tls-untrusted' });
    expect(t.detail).toContain('"certificate" key');
  });

  it('names the host name when the certificate is for another host', async () => {
    const wrong = await startTestBroker({
      cert: pki.wrongHostCert,
      key: pki.wrongHostKey,
      model,
    });
    try {
      const t = await probe.checkTransport(
        wrong.bootstrap,
        { ca: pki.caChain },
        2000,
      );
      expect(t).toMatchObject({ ok: false, failedAt: 'tls-hostname' });
      expect(t.detail).toContain('does not name "localhost"');
    } finally {
      await wrong.stop();
    }
  });
});

describe('connect', () => {
  it('authenticates with SCRAM-SHA-512 and SCRAM-SHA-256 against the independent server', async () => {
    for (const mechanism of ['SCRAM-SHA-512', 'SCRAM-SHA-256'] as const) {
      const session = await probe.connect(scram({ mechanism }));
      await session.close();
    }
    expect(
      broker.authenticated.filter((u) => u === 'repl').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('tells a wrong password from a mechanism the listener does not enable', async () => {
    const bad = await connectError(scram({ password: 'Nope-Pw-7731' }));
    expect(bad.kind).toBe('sasl-credentials');
    expect(bad.message).toContain('wrong password');
    expect(bad.message).not.toContain('Nope-Pw-7731');

    const only512 = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model,
      mechanisms: ['SCRAM-SHA-512'],
      users: [{ name: 'repl', password: 's3cret-pw' }],
    });
    try {
      const e = await connectError({
        ...scram({ mechanism: 'SCRAM-SHA-256' }),
        bootstrapBrokers: [only512.bootstrap],
      });
      expect(e.kind).toBe('sasl-mechanism');
    } finally {
      await only512.stop();
    }
  });

  it('classifies DNS, refused and untrusted failures from the client itself', async () => {
    expect(
      (
        await connectError({
          ...scram(),
          bootstrapBrokers: ['no-such-broker.invalid:9096'],
        })
      ).kind,
    ).toBe('dns');
    const port = await closedPort();
    expect(
      (
        await connectError({
          ...scram(),
          bootstrapBrokers: [`127.0.0.1:${port}`],
        })
      ).kind,
    ).toBe('tcp-refused');
    expect((await connectError(scram({}, pki.unrelatedCa))).kind).toBe(
      'tls-untrusted',
    );
  });

  it('classifies a silent broker as a timeout', async () => {
    const silent = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model,
      faults: { silent: true },
    });
    try {
      const slow = new PlatformaticKafkaProbe({
        connectTimeoutMs: 500,
        requestTimeoutMs: 500,
      });
      const e = await slow
        .connect({ ...scram(), bootstrapBrokers: [silent.bootstrap] })
        .catch((x: unknown) => x);
      expect((e as KafkaAccessError).kind).toBe('timeout');
    } finally {
      await silent.stop();
    }
  });

  it('authenticates to an MSK-style IAM listener with a real signed OAUTHBEARER token', async () => {
    const iam = await startTestBroker({
      cert: pki.serverCert,
      key: pki.serverKey,
      model,
      mechanisms: ['OAUTHBEARER'],
    });
    try {
      const token = async () =>
        (
          await generateAuthTokenFromCredentialsProvider({
            region: 'us-east-1',
            awsCredentialsProvider: async () => ({
              accessKeyId: 'AKIDEXAMPLE',
              secretAccessKey: 'example-secret',
            }),
          })
        ).token;
      const session = await probe.connect({
        bootstrapBrokers: [iam.bootstrap],
        tls: { ca: pki.caChain },
        credentials: { mechanism: 'OAUTHBEARER', token },
      });
      expect(await session.clusterId()).toBe('ext-cluster-42');
      await session.close();
      expect(iam.authenticated).toContain('OAUTHBEARER');

      const e = await connectError({
        bootstrapBrokers: [iam.bootstrap],
        tls: { ca: pki.caChain },
        credentials: {
          mechanism: 'OAUTHBEARER',
          token: async () => 'not-a-token',
        },
      });
      expect(e.kind).toBe('sasl-credentials');
    } finally {
      await iam.stop();
    }
  });
});

describe('session reads', () => {
  let session: KafkaSession;
  beforeAll(async () => {
    session = await probe.connect(scram());
  });
  afterAll(async () => {
    await session.close();
  });

  it('reads cluster id, APIs, topics and configs', async () => {
    expect(await session.clusterId()).toBe('ext-cluster-42');
    const apis = await session.apiVersions();
    expect(apis.get(3)).toBe(12);
    expect(apis.has(60)).toBe(true);
    expect(await session.listTopics()).toEqual([
      { name: 'orders', partitions: 3 },
      { name: 'payments', partitions: 2 },
    ]);
    const configs = await session.topicConfigs(['payments']);
    expect(configs.get('payments')?.get('message.timestamp.type')).toBe(
      'LogAppendTime',
    );
  });

  it("reads the user's and User:* ACLs, not other principals'", async () => {
    const acls = await session.acls('User:repl');
    expect(acls).toEqual([
      {
        resourceType: 'TOPIC',
        resourceName: 'orders',
        patternType: 'PREFIXED',
        principal: 'User:repl',
        host: '*',
        operation: 'READ',
        permission: 'ALLOW',
      },
      {
        resourceType: 'GROUP',
        resourceName: '*',
        patternType: 'LITERAL',
        principal: 'User:*',
        host: '*',
        operation: 'DESCRIBE',
        permission: 'ALLOW',
      },
    ]);
  });

  it('reads groups, committed offsets and end offsets', async () => {
    expect(await session.groups()).toEqual(
      expect.arrayContaining([
        { groupId: 'billing', state: 'Stable', members: 2 },
        { groupId: 'audit', state: 'Empty', members: 0 },
      ]),
    );
    expect(await session.groups(['gone'])).toEqual([
      { groupId: 'gone', state: 'Dead', members: 0 },
    ]);
    const committed = await session.committedOffsets(['billing']);
    expect(committed.get('billing')).toEqual([
      { topic: 'orders', partition: 0, offset: 90n },
      { topic: 'orders', partition: 1, offset: 50n },
      { topic: 'orders', partition: 2, offset: 0n },
    ]);
    expect(
      await session.endOffsets([{ name: 'orders', partitions: 3 }]),
    ).toEqual([
      { topic: 'orders', partition: 0, offset: 100n },
      { topic: 'orders', partition: 1, offset: 50n },
      { topic: 'orders', partition: 2, offset: 0n },
    ]);
  });

  it('surfaces authorization failures with their Kafka error names', async () => {
    broker.faults.apiErrors = { 29: 31 };
    try {
      const error = await session.acls('User:repl').catch((e: unknown) => e);
      const { classifyKafkaError } = await import(
        '../../../../functions/shared/kafka/classify.ts'
      );
      expect(classifyKafkaError(error)).toMatchObject({
        kind: 'authorization',
        message: expect.stringContaining('CLUSTER_AUTHORIZATION_FAILED'),
      });
    } finally {
      broker.faults.apiErrors = {};
    }
  });
});

describe('parseBroker', () => {
  it('splits host names, IPv4 and bracketed IPv6', async () => {
    const { parseBroker } = await import(
      '../../../../functions/shared/kafka/transport.ts'
    );
    expect(parseBroker('kafka-1.example.com:9096')).toEqual({
      host: 'kafka-1.example.com',
      port: 9096,
    });
    expect(parseBroker('[fd00::1]:9096')).toEqual({
      host: 'fd00::1',
      port: 9096,
    });
    expect(() => parseBroker('kafka-1')).toThrow(
      'broker "kafka-1" is not host:port',
    );
  });
});

describe('a three-broker cluster', () => {
  it('routes ListOffsets to partition leaders and group reads to coordinators', async () => {
    const { startTestCluster } = await import(
      '../../../support/kafka-broker/broker.ts'
    );
    const cluster = await startTestCluster(
      {
        cert: pki.serverCert,
        key: pki.serverKey,
        model: modelOf({
          clusterId: 'three',
          topics: { orders: [100, 50, 10] },
          groups: {
            g1: { members: 1, offsets: { orders: [90, 50, 5] } },
            g2: { offsets: { orders: [1, 2, 3] } },
            g3: { offsets: { orders: [0, 0, 0] } },
          },
        }),
        users: [{ name: 'repl', password: 's3cret-pw' }],
      },
      3,
    );
    try {
      const session = await probe.connect({
        ...scram(),
        bootstrapBrokers: [cluster.bootstrap],
      });
      try {
        expect(
          await session.endOffsets([{ name: 'orders', partitions: 3 }]),
        ).toEqual([
          { topic: 'orders', partition: 0, offset: 100n },
          { topic: 'orders', partition: 1, offset: 50n },
          { topic: 'orders', partition: 2, offset: 10n },
        ]);
        const committed = await session.committedOffsets(['g1', 'g2', 'g3']);
        expect(committed.get('g1')?.map((o) => o.offset)).toEqual([
          90n,
          50n,
          5n,
        ]);
        expect(committed.get('g2')?.map((o) => o.offset)).toEqual([1n, 2n, 3n]);
        expect(
          (await session.groups(['g1', 'g2', 'g3'])).map((g) => g.members),
        ).toEqual([1, 0, 0]);
      } finally {
        await session.close();
      }
      // Every broker led a partition, so every broker answered a ListOffsets.
      for (const b of cluster.brokers) expect(b.log).toContain('2:9');
    } finally {
      await cluster.stop();
    }
  });
});
