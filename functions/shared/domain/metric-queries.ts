/**
 * The CloudWatch queries behind readiness and cutover verification, built in
 * one place so every poll reads all it needs in one GetMetricData request
 * (500 queries per request; the adapter batches beyond that).
 *
 * Metric names, dimensions and statistics follow the MSK Replicator metrics
 * (namespace `AWS/Kafka`): counters use Sum, lag and latency Maximum, and
 * the ping count Minimum, so one missed ping in a period shows up.
 * No AWS imports: the queries are plain data.
 */
import type { MetricQuery, MetricSeries } from './types.ts';

export const KAFKA_NAMESPACE = 'AWS/Kafka';
/** GetMetricData takes at most this many queries per request. */
export const QUERIES_PER_REQUEST = 500;
/** CloudWatch publishes MSK and replicator metrics per minute. */
export const METRIC_PERIOD_SECONDS = 60;

export type ReplicatorMetric =
  | 'ReplicatorFailure'
  | 'ReplicationFailures'
  | 'ConsumerGroupOffsetSyncFailure'
  | 'ConsumerGroupCount'
  | 'MessageLag'
  | 'ReplicationLatency'
  | 'ReplicatorThroughput';
export type AliasMetric =
  | 'KafkaClusterPingSuccessCount'
  | 'AuthError'
  | 'ThrottleTime';

/** What one query measures, to read its series back. */
export type QuerySubject =
  | {
      kind: 'replicator';
      metric: ReplicatorMetric;
      replicator: string;
      /** Set for per-topic MessageLag, ReplicationLatency, throughput. */
      topic?: string;
    }
  | {
      kind: 'alias';
      metric: AliasMetric;
      replicator: string;
      cluster: 'source' | 'target';
      alias: string;
    }
  | {
      kind: 'targetLag';
      metric: 'SumOffsetLag';
      group: string;
      topic: string;
    };

const STATS: Record<
  ReplicatorMetric | AliasMetric | 'SumOffsetLag',
  MetricQuery['stat']
> = {
  ReplicatorFailure: 'Sum',
  ReplicationFailures: 'Sum',
  ConsumerGroupOffsetSyncFailure: 'Sum',
  ConsumerGroupCount: 'Maximum',
  MessageLag: 'Maximum',
  ReplicationLatency: 'Maximum',
  ReplicatorThroughput: 'Average',
  KafkaClusterPingSuccessCount: 'Minimum',
  AuthError: 'Sum',
  ThrottleTime: 'Maximum',
  SumOffsetLag: 'Maximum',
};

/** A replicator as the queries need it. */
export interface QueryReplicator {
  name: string;
  /** `KafkaClusterAlias` values from DescribeReplicator. */
  aliases: { source: string; target: string };
}

/** Accumulates queries with unique ids and remembers what each measures. */
export class QuerySet {
  readonly queries: MetricQuery[] = [];
  private readonly subjects = new Map<string, QuerySubject>();

  add(subject: QuerySubject, dimensions: Record<string, string>): string {
    // Ids must match [a-z][A-Za-z0-9_]* and be unique in the request.
    const id = `q${this.queries.length}`;
    this.queries.push({
      id,
      namespace: KAFKA_NAMESPACE,
      metricName: subject.metric,
      dimensions,
      stat: STATS[subject.metric],
      periodSeconds: METRIC_PERIOD_SECONDS,
    });
    this.subjects.set(id, subject);
    return id;
  }

  /** Replicator-level metrics (per topic when `topic` is given). */
  replicator(
    replicator: string,
    metric: ReplicatorMetric,
    topic?: string,
  ): string {
    return this.add(
      {
        kind: 'replicator',
        metric,
        replicator,
        ...(topic === undefined ? {} : { topic }),
      },
      topic === undefined
        ? { ReplicatorName: replicator }
        : { ReplicatorName: replicator, Topic: topic },
    );
  }

  /** Per-cluster metrics of a replicator (dimension ClusterAlias). */
  alias(r: QueryReplicator, metric: AliasMetric): void {
    for (const cluster of ['source', 'target'] as const) {
      const alias = r.aliases[cluster];
      this.add(
        { kind: 'alias', metric, replicator: r.name, cluster, alias },
        { ReplicatorName: r.name, ClusterAlias: alias },
      );
    }
  }

  /** The target cluster's SumOffsetLag of one group on one topic. */
  targetLag(clusterName: string, group: string, topic: string): string {
    return this.add(
      { kind: 'targetLag', metric: 'SumOffsetLag', group, topic },
      { 'Cluster Name': clusterName, 'Consumer Group': group, Topic: topic },
    );
  }

  /** The queries whose subject is of one of `kinds`, in order. */
  ofKind(kinds: readonly QuerySubject['kind'][]): MetricQuery[] {
    return this.queries.filter((q) => {
      const kind = this.subjects.get(q.id)?.kind;
      return kind !== undefined && kinds.includes(kind);
    });
  }

  /** Pairs each series with what it measures. */
  label(series: MetricSeries[]): LabelledSeries[] {
    const out: LabelledSeries[] = [];
    for (const s of series) {
      const subject = this.subjects.get(s.id);
      if (subject) out.push({ ...subject, points: s.points });
    }
    return out;
  }
}

export type LabelledSeries = QuerySubject & {
  points: MetricSeries['points'];
};

/** A replicator in a readiness scope, with the topics read per topic. */
export interface ScopedReplicator extends QueryReplicator {
  /**
   * Read MessageLag and ReplicationLatency per topic for these topics (one
   * application's topics of this replicator's shard); replicator-level
   * values when absent (the whole migration). A topic belongs to exactly
   * one shard, so it is only ever asked of its own shard's replicators:
   * another shard's replicator never publishes it, and a series that can
   * never have data would hold readiness back forever.
   */
  topics?: readonly string[];
}

/** What readiness reads for one scope (the migration or one application). */
export interface ReadinessQueryInput {
  replicators: ScopedReplicator[];
  targetClusterName: string;
  /** Consumer group and topic pairs whose target SumOffsetLag counts. */
  lagPairs: { group: string; topic: string }[];
}

/** Every query of a readiness poll, in one set. */
export function readinessQueries(input: ReadinessQueryInput): QuerySet {
  const set = new QuerySet();
  for (const r of input.replicators) {
    set.replicator(r.name, 'ReplicatorFailure');
    // "should be 0" on the external-cluster monitoring page
    // (msk-replicator-monitor-external); a different counter from
    // ReplicatorFailure (msk-replicator-metrics-ref).
    set.replicator(r.name, 'ReplicationFailures');
    set.replicator(r.name, 'ConsumerGroupOffsetSyncFailure');
    set.replicator(r.name, 'ConsumerGroupCount');
    if (r.topics === undefined) {
      set.replicator(r.name, 'MessageLag');
      set.replicator(r.name, 'ReplicationLatency');
    } else {
      for (const topic of r.topics) {
        set.replicator(r.name, 'MessageLag', topic);
        set.replicator(r.name, 'ReplicationLatency', topic);
      }
    }
    set.alias(r, 'KafkaClusterPingSuccessCount');
    set.alias(r, 'AuthError');
    set.alias(r, 'ThrottleTime');
  }
  for (const { group, topic } of input.lagPairs) {
    set.targetLag(input.targetClusterName, group, topic);
  }
  return set;
}

/** A replicator of the app's shards and the app's produced topics it copies. */
export interface VerifyReplicator {
  name: string;
  /** Produced topics of the application in this replicator's shard. */
  topics: readonly string[];
  /**
   * Its cluster aliases, when known: its pings are read too, to tell a
   * direction with nothing left to copy (no MessageLag published) from one
   * that cannot be observed.
   */
  aliases?: QueryReplicator['aliases'];
}

/** What cutover verification reads: flow and lag of the app's topics. */
export interface VerifyQueryInput {
  /** The app's shards' replicators, by direction. */
  forward: readonly VerifyReplicator[];
  reverse: readonly VerifyReplicator[];
}

/**
 * Per-topic throughput and lag of both directions for produced topics, each
 * topic asked only of the replicators of its own shard, and those
 * replicators' failure counters and pings.
 */
export function verifyQueries(input: VerifyQueryInput): QuerySet {
  const set = new QuerySet();
  for (const r of [...input.forward, ...input.reverse]) {
    for (const topic of r.topics) {
      set.replicator(r.name, 'ReplicatorThroughput', topic);
      set.replicator(r.name, 'MessageLag', topic);
    }
    if (r.topics.length > 0) {
      set.replicator(r.name, 'ReplicatorFailure');
      set.replicator(r.name, 'ReplicationFailures');
    }
    if (r.topics.length > 0 && r.aliases) {
      set.alias(
        { name: r.name, aliases: r.aliases },
        'KafkaClusterPingSuccessCount',
      );
    }
  }
  return set;
}

/**
 * The cluster name in an MSK cluster ARN
 * (`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`): the value of
 * the `Cluster Name` dimension of the consumer-lag metrics.
 */
export function clusterNameOf(mskClusterArn: string): string {
  const resource = mskClusterArn.split(':')[5] ?? '';
  const [, name] = resource.split('/');
  if (!resource.startsWith('cluster/') || !name) {
    throw new Error(`not an MSK cluster ARN: ${mskClusterArn}`);
  }
  return name;
}
