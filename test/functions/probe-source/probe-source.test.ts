import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { runProbe } from '../../../functions/probe-source/probe-source.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import {
  closedPort,
  PINNED_API_VERSIONS,
  startStallServer,
  startTestBroker,
  startTestCluster,
} from '../../support/kafka-broker/broker.ts';

import {
  check,
  goodSecret,
  makeDeps,
  PASSWORD,
  pki,
  planWith,
  probeEvent,
  probeFails,
  s3,
  secrets,
  serve,
  source,
  sourceModel,
  sourceModelOf,
  useKafkaSide,
} from '../../support/kafka-side.ts';

useKafkaSide();

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
