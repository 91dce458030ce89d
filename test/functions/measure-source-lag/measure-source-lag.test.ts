import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetBootstrapBrokersCommand } from '@aws-sdk/client-kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type MeasureSourceLagDeps,
  runMeasure,
} from '../../../functions/measure-source-lag/measure-source-lag.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import {
  type BrokerModel,
  closedPort,
  modelOf,
  type RunningBroker,
  startTestBroker,
} from '../../support/kafka-broker/broker.ts';

import {
  cw,
  goodSecret,
  kafkaApi,
  makeDeps,
  pki,
  planWith,
  ref,
  serve,
  T0,
  useKafkaSide,
} from '../../support/kafka-side.ts';

useKafkaSide();

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

  function serveTarget(deps: MeasureSourceLagDeps) {
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

  it("measures a wave's groups in one record, and refuses an unknown wave or a wave with an app", async () => {
    const plan = JSON.parse(planWith({}));
    delete plan.cutoverOrder;
    plan.cutoverWaves = [
      {
        name: 'front',
        applications: ['order-status', 'customer-notification'],
      },
      { name: 'back', applications: ['orders'] },
    ];
    serve(JSON.stringify(plan), goodSecret());
    const deps = await makeDeps();
    serveTarget(deps);
    const event = { migrationId: 'orders-platform', planRef: ref };
    const result = await runMeasure({ ...event, wave: 'front' }, deps);
    expect(result.groups).toBe(2);
    expect(result.measurementId).toBe(`measure-${T0.toISOString()}-wave-front`);
    const evidence = await deps.ledgerImpl.getEvidence(
      'orders-platform',
      result.measurementId,
    );
    expect(
      ((evidence?.data.groups ?? []) as { group: string }[])
        .map((g) => g.group)
        .sort(),
    ).toEqual(['customer-notification', 'order-status']);
    expect(evidence?.data.wave).toBe('front');
    await expect(runMeasure({ ...event, wave: 'ghost' }, deps)).rejects.toThrow(
      /wave: "ghost" is not a wave of plan/,
    );
    await expect(
      runMeasure({ ...event, wave: 'front', app: 'orders' }, deps),
    ).rejects.toThrow(ValidationError);
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
