import { readFileSync } from 'node:fs';
import type { CreateReplicatorCommandInput } from '@aws-sdk/client-kafka';
import { describe, expect, it } from 'vitest';
import { SimulatedKafka } from '../../../cli/rehearsal/sim-kafka.ts';
import { ClusterModel } from '../../../cli/rehearsal/simulator.ts';
import {
  type Plan,
  PlanSchema,
} from '../../../functions/shared/domain/plan.ts';
import type { KafkaClusterAccess } from '../../../functions/shared/ports.ts';

const MINUTE = 60_000;
const START = Date.parse('2026-01-05T08:00:00Z');
const plan: Plan = PlanSchema.parse(
  JSON.parse(readFileSync('events/start-migration.json', 'utf8')),
);
const TARGET = ['b-1.t.sim:9098', 'b-2.t.sim:9098'];

const source: KafkaClusterAccess = {
  bootstrapBrokers: plan.source.bootstrapBrokers,
  tls: {},
  credentials: { mechanism: 'SCRAM-SHA-512', username: 'repl', password: 'x' },
};

function forward(): CreateReplicatorCommandInput {
  return {
    ReplicatorName: 'r-fwd',
    ServiceExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
    KafkaClusters: [],
    ReplicationInfoList: [
      {
        SourceKafkaClusterId: 'lkc-1',
        TargetKafkaClusterArn: plan.target.mskClusterArn,
        TargetCompressionType: 'NONE',
        TopicReplication: {
          TopicsToReplicate: ['.*'],
          StartingPosition: { Type: 'EARLIEST' },
        },
        ConsumerGroupReplication: { ConsumerGroupsToReplicate: ['.*'] },
      },
    ],
  };
}

describe('SimulatedKafka', () => {
  it('should measure the same lag per group as the model, never past a partition end', async () => {
    let now = START;
    const model = new ClusterModel(plan, () => new Date(now), {
      creatingMinutes: 0,
    });
    model.createReplicator(forward());
    now += 45 * MINUTE;
    const kafka = new SimulatedKafka(model, plan, TARGET);
    for (const [side, access] of [
      ['source', source],
      [
        'target',
        {
          ...source,
          bootstrapBrokers: TARGET,
          credentials: { mechanism: 'OAUTHBEARER' },
        },
      ],
    ] as const) {
      const session = await kafka.connect(access);
      const topics = await session.listTopics();
      expect(topics.map((t) => t.name).sort()).toEqual([
        'order_status',
        'orders',
      ]);
      const ends = await session.endOffsets(topics);
      const committed = await session.committedOffsets(['order-status']);
      let lag = 0n;
      for (const c of committed.get('order-status') ?? []) {
        const end = ends.find(
          (e) => e.topic === c.topic && e.partition === c.partition,
        );
        expect(c.offset <= (end?.offset ?? -1n)).toBe(true);
        lag += (end?.offset ?? 0n) - c.offset;
      }
      const expected = model.group('order-status', side).sumOffsetLag ?? -1;
      expect(Math.abs(Number(lag) - expected)).toBeLessThanOrEqual(1);
      await session.close();
      await expect(session.listTopics()).rejects.toThrow(/closed/);
    }
  });

  it('should report groups with their state and members on each side', async () => {
    const model = new ClusterModel(plan, () => new Date(START), {});
    const kafka = new SimulatedKafka(model, plan, TARGET);
    const session = await kafka.connect(source);
    expect(await session.groups()).toEqual([
      { groupId: 'order-status', state: 'Stable', members: 3 },
      { groupId: 'customer-notification', state: 'Stable', members: 3 },
    ]);
    expect(await session.clusterId()).toBe(model.sourceClusterId);
  });

  it('should grant the replicator principal the ACLs the plan requires, unless a fault says not', async () => {
    const model = new ClusterModel(plan, () => new Date(START), {});
    const granted = await new SimulatedKafka(model, plan, TARGET).connect(
      source,
    );
    const acls = await granted.acls('User:repl');
    expect(acls.length).toBeGreaterThan(0);
    expect(acls.every((a) => a.permission === 'ALLOW')).toBe(true);
    const denied = await new SimulatedKafka(model, plan, TARGET, {
      noAcls: true,
    }).connect(source);
    expect(await denied.acls('User:repl')).toEqual([]);
  });

  it('should refuse brokers that are not simulated', async () => {
    const model = new ClusterModel(plan, () => new Date(START), {});
    const kafka = new SimulatedKafka(model, plan, TARGET);
    await expect(
      kafka.connect({ ...source, bootstrapBrokers: ['elsewhere:9092'] }),
    ).rejects.toThrow(/not a simulated cluster/);
    const transport = await kafka.checkTransport('elsewhere:9092', {}, 100);
    expect(transport).toMatchObject({ ok: false, failedAt: 'dns' });
    expect(
      (
        await kafka.checkTransport(
          plan.source.bootstrapBrokers[0] ?? '',
          {},
          100,
        )
      ).ok,
    ).toBe(true);
  });
});
