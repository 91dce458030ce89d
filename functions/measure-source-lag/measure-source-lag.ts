/**
 * measure-source-lag (the `Measure*` states): consumer groups on both
 * clusters in one
 * pass per cluster — state, members, SumOffsetLag per group and topic, and
 * offset parity per partition — recorded in the ledger (evidence kind
 * `measure`) and published as custom metrics, for poll-readiness and
 * verify-cutover to judge. The source's consumer lag is not in CloudWatch
 * at all; this is where it comes from.
 *
 * A side that cannot be read is `null` with its reason in `errors`: missing
 * data is never "zero lag".
 */
import type { KafkaSideInventory } from '../shared/aws/secrets-and-brokers.ts';
import type {
  GroupMeasurement,
  GroupSide,
  MeasureResult,
  MeasureSourceLagEvent,
  PreviousPoll,
  ProducedEndOffsets,
} from '../shared/contracts.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import {
  activeBeforeSync,
  asParity,
  groupLag,
  type OffsetIndex,
  offsetIndex,
  type ParitySummary,
  type PartitionParity,
  paritySummary,
  partitionOffsets,
} from '../shared/domain/lag.ts';
import {
  appGroups,
  GROUP_PATTERN_PATHS,
  Selection,
} from '../shared/domain/patterns.ts';
import type { Plan } from '../shared/domain/plan.ts';
import { groupMeasurementDue } from '../shared/domain/readiness.ts';
import {
  type IamTokenProvider,
  sourceAccess,
  targetAccess,
} from '../shared/kafka/access.ts';
import { classifyKafkaError } from '../shared/kafka/classify.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  KafkaClusterAccess,
  KafkaGroup,
  KafkaProbe,
  Ledger,
  Log,
  Metrics,
  PartitionOffset,
  PlanStore,
} from '../shared/ports.ts';

export interface MeasureSourceLagDeps {
  plans: PlanStore;
  inventory: KafkaSideInventory;
  ledger: Pick<Ledger, 'putEvidence' | 'latestEvidenceRef'>;
  kafka: KafkaProbe;
  metrics: Pick<Metrics, 'put'>;
  /** MSK IAM token provider for the target. */
  iamToken: IamTokenProvider;
  clock: Clock;
  log: Log;
}

/** What one cluster said about the measured groups. */
export interface ClusterReading {
  groups: Map<string, KafkaGroup>;
  committed: Map<string, PartitionOffset[]>;
  ends: OffsetIndex;
  /** Topic → sum of its partitions' end offsets, for the produced topics asked. */
  produced: Map<string, number>;
}

/**
 * Reads groups, committed offsets and the end offsets of every partition
 * the groups committed on, through one session. The adapter bounds the
 * concurrency of the chunked requests.
 */
export async function readCluster(
  kafka: KafkaProbe,
  access: KafkaClusterAccess,
  groupIds: string[],
  producedTopics: readonly string[] = [],
): Promise<ClusterReading> {
  const session = await kafka.connect(access);
  try {
    const produced = new Map<string, number>();
    if (producedTopics.length > 0) {
      // A topic the cluster does not have (yet) has no records: 0.
      const wanted = new Set(producedTopics);
      const listed = (await session.listTopics()).filter((t) =>
        wanted.has(t.name),
      );
      for (const t of producedTopics) produced.set(t, 0);
      for (const o of listed.length > 0
        ? await session.endOffsets(listed)
        : []) {
        produced.set(o.topic, (produced.get(o.topic) ?? 0) + Number(o.offset));
      }
    }
    const [groups, committed] = await Promise.all([
      session.groups(groupIds),
      session.committedOffsets(groupIds),
    ]);
    const partitionsByTopic = new Map<string, number>();
    for (const offsets of committed.values()) {
      for (const o of offsets) {
        partitionsByTopic.set(
          o.topic,
          Math.max(partitionsByTopic.get(o.topic) ?? 0, o.partition + 1),
        );
      }
    }
    const ends = await session.endOffsets(
      [...partitionsByTopic].map(([name, partitions]) => ({
        name,
        partitions,
      })),
    );
    return {
      groups: new Map(groups.map((g) => [g.groupId, g])),
      committed,
      ends: offsetIndex(ends),
      produced,
    };
  } finally {
    await session.close().catch(() => {});
  }
}

/** The groups to measure: the app's, the wave's, or every group the plan replicates. */
async function groupsToMeasure(
  plan: Plan,
  scope: string[] | undefined,
  listSourceGroups: () => Promise<string[]>,
): Promise<string[]> {
  if (scope) {
    const groups = scope.flatMap((name) => {
      const found = plan.applications.find((a) => a.name === name);
      if (!found) {
        throw new ValidationError(
          `app "${name}" is not an application of the plan`,
        );
      }
      return appGroups(found);
    });
    return [...new Set(groups)];
  }
  const selection = new Selection(
    plan.replication.consumerGroups,
    plan.replication.consumerGroupsToExclude,
    GROUP_PATTERN_PATHS,
  );
  const declared = plan.applications.flatMap((a) => appGroups(a));
  const listed = (await listSourceGroups()).filter((g) => selection.selects(g));
  return [...new Set([...declared, ...listed])].sort();
}

/**
 * The applications a measurement covers: one (`app`), a wave's (`wave`),
 * or undefined for the whole plan.
 *
 * @throws ValidationError for both at once, or a wave the plan does not have
 */
function scopeOf(
  plan: Plan,
  event: MeasureSourceLagEvent,
): string[] | undefined {
  if (event.app !== undefined && event.wave !== undefined) {
    throw new ValidationError('app and wave: give one or the other');
  }
  if (event.app !== undefined) return [event.app];
  if (event.wave === undefined) return undefined;
  const wave = plan.cutoverWaves?.find((w) => w.name === event.wave);
  if (!wave) {
    throw new ValidationError(
      `wave: "${event.wave}" is not a wave of plan ${plan.migrationId}`,
    );
  }
  return wave.applications;
}

function side(reading: ClusterReading | null, group: string): GroupSide | null {
  if (!reading) return null;
  const g = reading.groups.get(group);
  const lag = groupLag(reading.committed.get(group) ?? [], reading.ends);
  return {
    state: g?.state ?? 'Dead',
    members: g?.members ?? 0,
    sumOffsetLag: lag.sumOffsetLag,
    byTopic: lag.byTopic,
  };
}

/**
 * Sum over the groups that have data; null when groups exist but none has a
 * committed offset (no data is not zero lag), 0 when there is no group to
 * measure (an application that only produces).
 */
const sumOf = (values: (number | null)[]): number | null =>
  values.reduce<number | null>(
    (acc, v) => (v === null ? acc : (acc ?? 0) + v),
    values.length === 0 ? 0 : null,
  );

/**
 * Measures the plan's (or one app's) consumer groups on both clusters.
 *
 * @throws ValidationError for an unknown app or an unusable secret.
 */
export async function runMeasure(
  event: MeasureSourceLagEvent,
  deps: MeasureSourceLagDeps,
): Promise<MeasureResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const scope = scopeOf(plan, event);
  // Only the migration-wide measurement is worth sparing: one
  // application's (or wave's) groups are few, and each check costs two reads.
  const skip =
    scope === undefined
      ? await reuseLatest(event.migrationId, event.previousPoll, plan, deps)
      : null;
  if (skip) return skip;
  const src = await sourceAccess(plan, deps.inventory);
  const errors: string[] = [];
  // Without a reverse replicator (bidirectional: false), one application's
  // measurement also reads the end offsets of the topics it produces:
  // verify-cutover sees where the producer writes from them. (Listing the
  // topics costs a metadata read of every topic, spared where the reverse
  // replicator's metrics say it.)
  const producedTopics =
    event.app && !plan.replication.bidirectional
      ? [
          ...new Set(
            plan.applications.find((a) => a.name === event.app)?.produces ?? [],
          ),
        ]
      : [];
  const groupIds = await groupsToMeasure(plan, scope, async () => {
    const session = await deps.kafka.connect(src.access);
    try {
      return (await session.groups()).map((g) => g.groupId);
    } finally {
      await session.close().catch(() => {});
    }
  }).catch((error: unknown) => {
    if (error instanceof ValidationError) throw error;
    errors.push(
      `source: listing groups failed: ${classifyKafkaError(error).message}`,
    );
    return plan.applications.flatMap((a) => appGroups(a));
  });

  const read = async (
    name: 'source' | 'target',
    access: () => Promise<KafkaClusterAccess>,
  ): Promise<ClusterReading | null> => {
    try {
      return await readCluster(
        deps.kafka,
        await access(),
        groupIds,
        producedTopics,
      );
    } catch (error) {
      const reason =
        error instanceof ValidationError
          ? error.message
          : classifyKafkaError(error).message;
      errors.push(`${name}: ${reason}`);
      return null;
    }
  };
  const [source, target] = await Promise.all([
    read('source', async () => src.access),
    read('target', () => targetAccess(plan, deps.inventory, deps.iamToken)),
  ]);

  const now = deps.clock.now();
  const measurements: GroupMeasurement[] = [];
  // One application's measurement is a gate's evidence: every partition's
  // parity is kept. The migration-wide one (every readiness poll, thousands
  // of groups for a large estate) keeps a summary per group.
  const scoped = event.app !== undefined;
  // Keyed by group ids read from the clusters: a null-prototype object, so
  // a group named `__proto__` or `constructor` is a key like any other.
  const parity: Record<
    string,
    PartitionParity[] | Omit<ParitySummary, 'skipping'>
  > = Object.create(null);
  const flags: string[] = [];
  const notes: string[] = [];
  for (const group of groupIds) {
    const s = side(source, group);
    const t = side(target, group);
    measurements.push({ group, source: s, target: t });
    if (source && target) {
      const input = {
        sourceCommitted: source.committed.get(group) ?? [],
        sourceEnds: source.ends,
        targetCommitted: target.committed.get(group) ?? [],
        targetEnds: target.ends,
      };
      // The summary says what to flag; one application's measurement also
      // keeps every partition as a gate's evidence.
      const { skipping, ...summary } = paritySummary(input);
      parity[group] = scoped ? partitionOffsets(input).map(asParity) : summary;
      if (
        activeBeforeSync({ targetMembers: t?.members ?? 0, parity: summary })
      ) {
        flags.push(
          `GROUP ${group} IS ACTIVE ON THE TARGET BEFORE ITS OFFSETS WERE SYNCED: MSK Replicator skips groups with active consumers, so these consumers started from auto.offset.reset; stop them on the target`,
        );
      }
      // Fewer records left on the target than on the source: either the
      // replicator has not copied them yet, or the group would skip them.
      // Only the gates can tell (with MessageLag), so it is evidence, not
      // an error.
      if (skipping.length > 0) {
        notes.push(
          `group ${group} has fewer records left on the target than on the source (${skipping.join(', ')})`,
        );
      }
    }
  }
  for (const f of flags) deps.log.warn('measure flag', { flag: f });

  const sourceSum = source
    ? sumOf(measurements.map((m) => m.source?.sumOffsetLag ?? null))
    : null;
  const targetSum = target
    ? sumOf(measurements.map((m) => m.target?.sumOffsetLag ?? null))
    : null;
  const evidenceId = `measure-${now.toISOString()}${event.app ? `-${event.app}` : event.wave ? `-wave-${event.wave}` : ''}`;
  await deps.ledger.putEvidence({
    migrationId: event.migrationId,
    evidenceId,
    at: now.toISOString(),
    kind: 'measure',
    ...(event.app ? { app: event.app } : {}),
    reasons: [...flags, ...errors, ...notes],
    data: {
      groups: measurements,
      parity,
      sourceSumOffsetLag: sourceSum,
      targetSumOffsetLag: targetSum,
      ...(producedTopics.length > 0
        ? { producedEndOffsets: producedEnds(producedTopics, source, target) }
        : {}),
      ...(event.wave === undefined ? {} : { wave: event.wave }),
    },
  });

  // A wave's groups are charted per group, as each application's are.
  const datums =
    scope !== undefined
      ? groupDatums(event.migrationId, measurements, now)
      : totalDatums(event.migrationId, measurements, sourceSum, targetSum, now);
  if (datums.length > 0) {
    await deps.metrics.put(datums).catch((error: unknown) => {
      // Metrics feed the dashboard; the ledger evidence is what gates read.
      errors.push(`metrics: ${(error as Error).message}`);
    });
  }
  return {
    measurementId: evidenceId,
    skipped: false,
    groups: groupIds.length,
    sourceSumOffsetLag: sourceSum,
    targetSumOffsetLag: targetSum,
    errors: [...flags, ...errors].slice(0, 20),
  };
}

/** Per produced topic, its end offset on each cluster (null: unread). */
function producedEnds(
  topics: readonly string[],
  source: ClusterReading | null,
  target: ClusterReading | null,
): ProducedEndOffsets {
  const out: ProducedEndOffsets = {};
  for (const t of topics) {
    out[t] = {
      source: source?.produced.get(t) ?? null,
      target: target?.produced.get(t) ?? null,
    };
  }
  return out;
}

/**
 * The newest migration-wide measurement, when this poll need not measure:
 * the previous poll (from the event) found the replicator rules failing,
 * and a measurement less than `UNHEALTHY_MEASURE_EVERY_MS` old exists
 * (`groupMeasurementDue`).
 */
async function reuseLatest(
  migrationId: string,
  previousPoll: PreviousPoll | undefined,
  plan: Plan,
  deps: MeasureSourceLagDeps,
): Promise<MeasureResult | null> {
  const latest = await deps.ledger.latestEvidenceRef(migrationId, 'measure');
  const due = groupMeasurementDue(
    previousPoll,
    latest?.at ?? null,
    deps.clock.now(),
    plan.readiness.pollIntervalSeconds,
  );
  if (due || !latest) return null;
  deps.log.info('measurement skipped: the replicator rules fail', {
    reused: latest.evidenceId,
  });
  return {
    measurementId: latest.evidenceId,
    skipped: true,
    groups: 0,
    sourceSumOffsetLag: null,
    targetSumOffsetLag: null,
    errors: [],
  };
}

type Datum = Parameters<MeasureSourceLagDeps['metrics']['put']>[0][number];

/**
 * One application's groups, one metric set per group and cluster (the
 * dashboard's per-group lines while that application moves). Per-topic lag
 * stays in the evidence: every dimension combination is a billed metric.
 */
function groupDatums(
  migrationId: string,
  measurements: GroupMeasurement[],
  at: Date,
): Datum[] {
  return measurements.flatMap((m) =>
    (
      [
        ['source', m.source],
        ['target', m.target],
      ] as const
    ).flatMap(([cluster, s]) =>
      s
        ? clusterDatums(
            {
              MigrationId: migrationId,
              ConsumerGroup: m.group,
              Cluster: cluster,
            },
            s.members,
            s.sumOffsetLag,
            at,
          )
        : [],
    ),
  );
}

/**
 * The whole migration: totals per cluster only. A custom metric is billed
 * per dimension combination and month, so one set per group of an estate
 * with 5,000 groups would be 20,000 metrics; the per-group numbers are in
 * the evidence, and each application's groups are charted while it moves.
 */
function totalDatums(
  migrationId: string,
  measurements: GroupMeasurement[],
  sourceSum: number | null,
  targetSum: number | null,
  at: Date,
): Datum[] {
  const members = (side: 'source' | 'target') =>
    measurements.reduce((n, m) => n + (m[side]?.members ?? 0), 0);
  return (
    [
      ['source', sourceSum],
      ['target', targetSum],
    ] as const
  ).flatMap(([cluster, sum]) =>
    measurements.every((m) => m[cluster] === null)
      ? []
      : clusterDatums(
          { MigrationId: migrationId, Cluster: cluster },
          members(cluster),
          sum,
          at,
        ),
  );
}

function clusterDatums(
  dimensions: Record<string, string>,
  members: number,
  sumOffsetLag: number | null,
  at: Date,
): Datum[] {
  return [
    { metricName: 'GroupMembers', dimensions, value: members, at },
    ...(sumOffsetLag === null
      ? []
      : [{ metricName: 'SumOffsetLag', dimensions, value: sumOffsetLag, at }]),
  ];
}
