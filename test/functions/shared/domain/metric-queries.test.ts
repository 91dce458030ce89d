import { describe, expect, it } from 'vitest';
import {
  clusterNameOf,
  readinessQueries,
  verifyQueries,
} from '../../../../functions/shared/domain/metric-queries.ts';

describe('readinessQueries', () => {
  it('should read every replicator metric once per replicator and cluster', () => {
    const set = readinessQueries({
      replicators: [
        { name: 'r-fwd', aliases: { source: 's', target: 't' } },
        { name: 'r-rev', aliases: { source: 's', target: 't' } },
      ],
      targetClusterName: 'express',
      lagPairs: [{ group: 'g', topic: 'orders' }],
    });
    // 6 replicator-level (ReplicationFailures with ReplicatorFailure) + 3
    // per-alias × 2 clusters = 12 per replicator.
    expect(set.queries).toHaveLength(2 * 12 + 1);
    expect(new Set(set.queries.map((q) => q.id)).size).toBe(25);
    expect(
      set.queries.filter((q) => q.metricName === 'ReplicationFailures'),
    ).toHaveLength(2);
    expect(set.queries.every((q) => /^[a-z][A-Za-z0-9_]*$/.test(q.id))).toBe(
      true,
    );
    expect(set.queries.find((q) => q.metricName === 'SumOffsetLag')).toEqual({
      id: 'q24',
      namespace: 'AWS/Kafka',
      metricName: 'SumOffsetLag',
      dimensions: {
        'Cluster Name': 'express',
        'Consumer Group': 'g',
        Topic: 'orders',
      },
      stat: 'Maximum',
      periodSeconds: 60,
    });
    const ping = set.queries.filter(
      (q) => q.metricName === 'KafkaClusterPingSuccessCount',
    );
    expect(ping.map((q) => q.dimensions)).toEqual([
      { ReplicatorName: 'r-fwd', ClusterAlias: 's' },
      { ReplicatorName: 'r-fwd', ClusterAlias: 't' },
      { ReplicatorName: 'r-rev', ClusterAlias: 's' },
      { ReplicatorName: 'r-rev', ClusterAlias: 't' },
    ]);
    expect(ping.every((q) => q.stat === 'Minimum')).toBe(true);
  });

  it('should read lag and latency per topic for one application', () => {
    const set = readinessQueries({
      replicators: [
        {
          name: 'r',
          aliases: { source: 's', target: 't' },
          topics: ['a', 'b'],
        },
      ],
      targetClusterName: 'express',
      lagPairs: [],
    });
    const lag = set.queries.filter((q) => q.metricName === 'MessageLag');
    expect(lag.map((q) => q.dimensions)).toEqual([
      { ReplicatorName: 'r', Topic: 'a' },
      { ReplicatorName: 'r', Topic: 'b' },
    ]);
  });

  it("should ask each topic only of its own shard's replicator", () => {
    const set = readinessQueries({
      replicators: [
        {
          name: 's1-fwd',
          aliases: { source: 's', target: 't' },
          topics: ['a'],
        },
        {
          name: 's2-fwd',
          aliases: { source: 's', target: 't' },
          topics: ['b'],
        },
      ],
      targetClusterName: 'express',
      lagPairs: [],
    });
    const perTopic = set.queries
      .filter((q) => q.dimensions.Topic !== undefined)
      .map((q) => `${q.dimensions.ReplicatorName}/${q.dimensions.Topic}`);
    expect(perTopic).toEqual(['s1-fwd/a', 's1-fwd/a', 's2-fwd/b', 's2-fwd/b']);
  });

  it('should label series back with what they measure', () => {
    const set = readinessQueries({
      replicators: [],
      targetClusterName: 'c',
      lagPairs: [{ group: 'g', topic: 't' }],
    });
    expect(
      set.label([
        { id: 'q0', points: [] },
        { id: 'zz', points: [] },
      ]),
    ).toEqual([
      {
        kind: 'targetLag',
        metric: 'SumOffsetLag',
        group: 'g',
        topic: 't',
        points: [],
      },
    ]);
  });
});

describe('verifyQueries', () => {
  it('should read throughput and lag of produced topics both ways', () => {
    const set = verifyQueries({
      forward: [{ name: 'f', topics: ['orders'] }],
      reverse: [{ name: 'r', topics: ['orders'] }],
    });
    expect(
      set.queries.map((q) => [q.metricName, q.dimensions.ReplicatorName]),
    ).toEqual([
      ['ReplicatorThroughput', 'f'],
      ['MessageLag', 'f'],
      ['ReplicatorFailure', 'f'],
      ['ReplicationFailures', 'f'],
      ['ReplicatorThroughput', 'r'],
      ['MessageLag', 'r'],
      ['ReplicatorFailure', 'r'],
      ['ReplicationFailures', 'r'],
    ]);
  });

  it('should leave out a replicator that copies none of the topics', () => {
    const set = verifyQueries({
      forward: [
        { name: 's1-fwd', topics: ['orders'] },
        { name: 's2-fwd', topics: [] },
      ],
      reverse: [],
    });
    expect(
      new Set(set.queries.map((q) => q.dimensions.ReplicatorName)),
    ).toEqual(new Set(['s1-fwd']));
  });
});

describe('clusterNameOf', () => {
  it('should take the name from an MSK cluster ARN', () => {
    expect(
      clusterNameOf(
        'arn:aws:kafka:us-east-1:123456789012:cluster/orders-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2',
      ),
    ).toBe('orders-express');
    expect(() => clusterNameOf('arn:aws:kafka:us-east-1:1:topic/x')).toThrow(
      /not an MSK cluster ARN/,
    );
  });
});
