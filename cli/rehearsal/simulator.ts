/**
 * The simulated world of a rehearsal: the external source cluster, the MSK
 * Express target, the applications that produce and consume on them, and the
 * MSK Replicators between them, all over virtual time.
 *
 * The model follows reference/msk-replicator-facts.md:
 * - a replicator is CREATING for `creatingMinutes`, then RUNNING (or FAILED,
 *   or stays CREATING, when a scenario says so); DeleteReplicator makes it
 *   DELETING for a minute, then it is gone;
 * - the forward replicator starts at EARLIEST: the whole source backlog is
 *   pending and drains at the replicator's capacity, in bytes, from the
 *   documented limits (`functions/shared/domain/capacity.ts`: 1 GB/s per
 *   replicator, 0.3 MB/s per partition, a Kafka quota on the replicators'
 *   principal when the plan sets one); the reverse one starts at LATEST;
 * - records are produced on whichever cluster each application runs on;
 * - a consumer group's offsets are synced (ENHANCED, both ways) only onto a
 *   cluster where the group has no active member, 15 s behind the cluster
 *   the group last consumed on: so lag drains within 30 s after a client
 *   stops;
 * - an application moves `appMoveMinutes` after its cutover or rollback is
 *   approved (its clients stop a minute before they start on the other
 *   cluster, long enough for the synced offsets to catch up);
 * - ReplicationLatency is measured on replicated records, so a minute in
 *   which a replicator copies nothing has no datapoint (the reverse one
 *   until an application produces on the target).
 *
 * Efficiency (a 1,000-application, 5,000-topic plan over weeks of virtual
 * time): nothing is per record. Topic counts are closed-form functions of
 * the applications' moves; each replicator keeps one aggregate "pending"
 * number per virtual minute, computed forward only as far as the clock has
 * gone; metrics are computed per query window on demand.
 */
import type {
  CreateReplicatorCommandInput,
  KafkaClusterDescription,
  ReplicationInfoDescription,
} from '@aws-sdk/client-kafka';
import {
  type Capacity,
  inFlightRecords,
  replicatorCapacity,
} from '../../functions/shared/domain/capacity.ts';
import {
  literalOf,
  PatternSet,
} from '../../functions/shared/domain/patterns.ts';
import type { Plan } from '../../functions/shared/domain/plan.ts';

const MINUTE = 60_000;
/**
 * How far a synced offset trails the cluster where the group consumes. The
 * blog says lag reaches zero "about 30 seconds" after a client stops; a
 * 15-second trail gives that (stop, then at most one more sync round well
 * within 30 s) and keeps the target's lag of an active group below the
 * blog's 1,000-record SumOffsetLag threshold at the default 50 records/s.
 */
export const OFFSET_SYNC_DELAY_MS = 15_000;
/** Consumers near the tip are this far behind the newest record. */
const CONSUMER_TIP_SECONDS = 1;
/** ReplicationLatency of a replicator that keeps up. */
const BASE_LATENCY_MS = 250;
const DELETING_MS = MINUTE;
/** Virtual instants whose computed values are kept (see `instant`). */
const MEMO_INSTANTS = 32;
/** An application's clients are down this long while they move. */
const RESTART_GAP_MS = MINUTE;

/** The simulator's parameters; the plan's `rehearsal` block, then a scenario. */
export interface SimulationParameters {
  /** Records already on the source when the forward replicator starts. */
  backlogRecords: number;
  /** Records per second each application produces (over its topics). */
  produceRatePerSecond: number;
  /** Average record size in bytes: capacity is in bytes. */
  recordSizeBytes: number;
  /** A Kafka quota on the replicators' principal (bytes/s), per direction. */
  replicatorQuotaBytesPerSecond?: number | undefined;
  /** Deprecated: an extra cap in records per second per replicator. */
  replicatorThroughputPerSecond?: number | undefined;
  /** Minutes a replicator spends CREATING before RUNNING. */
  creatingMinutes: number;
  /** Minutes between an approved cutover (or rollback) and the move. */
  appMoveMinutes: number;
  /** Partitions of every simulated topic. */
  partitionsPerTopic: number;
  /** Members of a consuming application's group while it runs. */
  consumerMembers: number;
}

export const DEFAULT_PARAMETERS: SimulationParameters = {
  backlogRecords: 200_000,
  produceRatePerSecond: 50,
  recordSizeBytes: 1024,
  creatingMinutes: 30,
  appMoveMinutes: 5,
  partitionsPerTopic: 6,
  consumerMembers: 3,
};

/** Faults a scenario injects into the model (times in virtual minutes from the start). */
export interface ModelFaults {
  /** Replicators whose name contains `nameContains` end FAILED instead of RUNNING. */
  replicatorFailed?: { nameContains: string; code: string; message: string };
  /** Replicators never leave CREATING. */
  stuckCreating?: boolean;
  /** No replicator datapoint at all in this window. */
  metricsMissing?: { fromMinute: number; toMinute: number };
  /** The replicators cannot authenticate to one cluster in this window. */
  authError?: {
    cluster: 'source' | 'target';
    fromMinute: number;
    toMinute?: number;
  };
  /** Broker throttling (ThrottleTime ms) on one cluster in this window. */
  throttleTime?: {
    cluster: 'source' | 'target';
    milliseconds: number;
    fromMinute: number;
    toMinute?: number;
  };
}

export type ClusterSide = 'source' | 'target';
export type AppLocation = ClusterSide | 'stopped';
export type ReplicatorState =
  | 'CREATING'
  | 'RUNNING'
  | 'DELETING'
  | 'FAILED'
  | 'GONE';

interface Move {
  at: number;
  location: AppLocation;
}

interface SimApp {
  /** Index in creation order (memo keys). */
  id: number;
  name: string;
  /** Records per second into each produced topic. */
  ratePerTopic: number;
  produces: string[];
  consumes: string[];
  groups: string[];
  /** Location changes, oldest first; the app starts on the source. */
  moves: Move[];
}

interface SimTopic {
  /** Index in creation order (memo keys). */
  id: number;
  name: string;
  backlog: number;
  /** Producing applications with their rate into this topic. */
  producers: { app: SimApp; rate: number }[];
  /** Sum of producer rates (for the consumer tip). */
  rate: number;
}

export interface SimReplicator {
  /** Creation order (memo keys). */
  serial: number;
  arn: string;
  name: string;
  direction: 'forward' | 'reverse';
  input: CreateReplicatorCommandInput;
  createdAt: number;
  /** null while it stays CREATING. */
  runningAt: number | null;
  failedAt: number | null;
  stateInfo?: { Code: string; Message: string };
  deletedAt: number | null;
  topics: SimTopic[];
  groups: string[];
  /** Pending (unreplicated) records at `runningAt + i` minutes. */
  pending: number[];
  /** Records of each topic already on the target side before the start (LATEST). */
  baseline: Map<string, number>;
  /** Topic weights in the pending aggregate. */
  weights: Map<string, number>;
  /** Producing applications aggregated over the replicator's topics. */
  inflow: { app: SimApp; rate: number }[];
  /** Backlog (forward) minus LATEST baselines, over all its topics. */
  offset: number;
  /** How fast it copies (records/s from bytes/s and the record size). */
  capacity: Capacity;
}

export interface GroupView {
  state: string;
  members: number;
  /** Per topic: [committed, end]; empty when the group has no offsets there. */
  topics: { topic: string; committed: number; end: number }[];
  sumOffsetLag: number | null;
}

/** What the model computed at one virtual instant (see `ClusterModel.memo`). */
interface InstantValues {
  /** `topic.id * 2 + side` → end offset. */
  end: Map<number, number>;
  /** `((app.id * topics + topic.id) * 2 + side) * 4 + depth` → committed. */
  committed: Map<number, number | null>;
  /** Replicator serial → records per second flowing into it. */
  inflow: Map<number, number>;
}

/**
 * Full-match regex semantics, as MSK Replicator applies its patterns, with
 * literal names answered from a set (`PatternSet`): a shard lists hundreds
 * of topics literally.
 */
function fullMatch(patterns: string[]): (name: string) => boolean {
  const set = new PatternSet(patterns);
  return (name) => set.matches(name);
}

const LITERAL = /^[A-Za-z0-9._-]+$/;

/**
 * The simulated clusters and replicators of one rehearsal.
 *
 * `now()` is the virtual clock; the model never looks at wall time.
 */
export class ClusterModel {
  readonly params: SimulationParameters;
  readonly faults: ModelFaults;
  readonly startedAt: number;
  readonly sourceClusterId: string;
  readonly targetClusterArn: string;
  readonly targetClusterName: string;
  private readonly apps = new Map<string, SimApp>();
  private readonly topics = new Map<string, SimTopic>();
  private readonly groupApp = new Map<string, SimApp>();
  private readonly replicators = new Map<string, SimReplicator>();
  /** topic → the replicator copying it into each side. */
  private readonly into = {
    source: new Map<string, SimReplicator>(),
    target: new Map<string, SimReplicator>(),
  };
  private serial = 0;
  /** Replicators per direction (one per shard): they share the quota. */
  private readonly shardCount: number;
  /**
   * Values already computed, per virtual instant: a poll of a large plan
   * asks for the same topic's end offset and the same application's
   * committed offsets thousands of times at one instant (every group of an
   * application, both clusters, every query of a window). Any change to the
   * model (a move, a replicator created or deleted) drops them all. Keys are
   * numbers built from topic and application indexes: this runs tens of
   * thousands of times per poll.
   */
  private readonly memo = new Map<number, InstantValues>();

  constructor(
    plan: Plan,
    private readonly now: () => Date,
    params: Partial<SimulationParameters> = {},
    faults: ModelFaults = {},
  ) {
    this.params = { ...DEFAULT_PARAMETERS, ...plan.rehearsal, ...params };
    this.faults = faults;
    this.startedAt = now().getTime();
    this.sourceClusterId = plan.source.clusterId ?? 'rehearsal-source-cluster';
    this.targetClusterArn = plan.target.mskClusterArn;
    this.targetClusterName =
      plan.target.mskClusterArn.split('/')[1] ?? 'target';
    this.shardCount = Math.max(1, plan.replication.shards?.length ?? 1);
    this.build(plan);
  }

  private build(plan: Plan): void {
    const names = new Set<string>();
    for (const app of plan.applications) {
      for (const t of [...app.produces, ...app.consumes]) names.add(t);
    }
    const rep = plan.replication;
    // Literal entries (`orders`, `orders\\.v1`, `\\Qorders\\E`) name topics
    // that exist on the source, read with Java's meaning.
    const literal = [
      ...(rep.topics ?? []),
      ...(rep.shards ?? []).flatMap((s) => s.topics),
    ]
      .map(literalOf)
      .filter((t): t is string => t !== undefined && LITERAL.test(t));
    const excluded = fullMatch([
      ...(rep.topicsToExclude ?? []),
      ...(rep.shards ?? []).flatMap((s) => s.topicsToExclude),
    ]);
    for (const t of literal) if (!excluded(t)) names.add(t);
    const backlog = names.size ? this.params.backlogRecords / names.size : 0;
    for (const name of [...names].sort()) {
      this.topics.set(name, {
        id: this.topics.size,
        name,
        backlog,
        producers: [],
        rate: 0,
      });
    }
    for (const a of plan.applications) {
      const app: SimApp = {
        id: this.apps.size,
        name: a.name,
        ratePerTopic: a.produces.length
          ? this.params.produceRatePerSecond / a.produces.length
          : 0,
        produces: a.produces,
        consumes: a.consumes.filter((t) => this.topics.has(t)),
        groups: a.consumerGroups,
        moves: [],
      };
      this.apps.set(a.name, app);
      for (const g of a.consumerGroups) this.groupApp.set(g, app);
      for (const t of a.produces) {
        const topic = this.topics.get(t);
        if (!topic) continue;
        topic.producers.push({ app, rate: app.ratePerTopic });
        topic.rate += app.ratePerTopic;
      }
    }
  }

  private t(): number {
    return this.now().getTime();
  }

  /** The values remembered for instant `at`. */
  private instant(at: number): InstantValues {
    let values = this.memo.get(at);
    if (values === undefined) {
      values = { end: new Map(), committed: new Map(), inflow: new Map() };
      this.memo.set(at, values);
      // Instants are visited roughly in order; keep the recent ones.
      if (this.memo.size > MEMO_INSTANTS) {
        const oldest = this.memo.keys().next().value;
        if (oldest !== undefined) this.memo.delete(oldest);
      }
    }
    return values;
  }

  /** The model changed: remembered values may no longer hold. */
  private changed(): void {
    this.memo.clear();
  }

  /** The virtual clock's time, in epoch milliseconds. */
  currentTime(): number {
    return this.t();
  }

  /** Virtual minutes since the rehearsal started. */
  minuteOf(at: number): number {
    return (at - this.startedAt) / MINUTE;
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  groupNames(): string[] {
    return [...this.groupApp.keys()];
  }

  appNames(): string[] {
    return [...this.apps.keys()];
  }

  // ------------------------------------------------------------ applications

  private app(name: string): SimApp {
    const app = this.apps.get(name);
    if (!app) throw new Error(`rehearsal: unknown application "${name}"`);
    return app;
  }

  /** Where the application's clients run at `at` (default: now). */
  location(appName: string, at = this.t()): AppLocation {
    return locationAt(this.app(appName), at);
  }

  /**
   * A person approved a cutover (to the target) or a rollback (to the
   * source): the application's clients stop a minute before they start on
   * the other cluster, `appMoveMinutes` after `at`.
   */
  moveApp(appName: string, to: ClusterSide, at = this.t()): void {
    const app = this.app(appName);
    const arrive = at + this.params.appMoveMinutes * MINUTE;
    const stop = Math.max(at, arrive - RESTART_GAP_MS);
    // A later decision replaces moves that have not happened yet.
    app.moves = app.moves.filter((m) => m.at <= at);
    if (stop < arrive) app.moves.push({ at: stop, location: 'stopped' });
    app.moves.push({ at: arrive, location: to });
    this.changed();
  }

  // ------------------------------------------------------------ topics

  /** Records of `topic` produced on `side` up to `at` (backlog on the source). */
  producedOn(topic: SimTopic, side: ClusterSide, at: number): number {
    let n = side === 'source' ? topic.backlog : 0;
    for (const { app, rate } of topic.producers) {
      n += rate * secondsOn(app, side, this.startedAt, at);
    }
    return n;
  }

  /** The end offset (record count) of `topic` on `side` at `at`. */
  endOffset(topicName: string, side: ClusterSide, at = this.t()): number {
    const topic = this.topics.get(topicName);
    if (!topic) return 0;
    const values = this.instant(at).end;
    const key = topic.id * 2 + (side === 'source' ? 0 : 1);
    const hit = values.get(key);
    if (hit !== undefined) return hit;
    const into = this.replicatorInto(side, topicName);
    const end =
      this.producedOn(topic, side, at) +
      (into ? this.replicated(into, topic, at) : 0);
    values.set(key, end);
    return end;
  }

  private replicatorInto(
    side: ClusterSide,
    topic: string,
  ): SimReplicator | undefined {
    // A deleted replicator still counts: what it copied stays copied.
    return this.into[side].get(topic);
  }

  /** Records of `topic` the replicator has copied by `at`. */
  private replicated(r: SimReplicator, topic: SimTopic, at: number): number {
    const ran = this.ranUntil(r, at);
    if (ran === null) return 0;
    const from = r.direction === 'forward' ? 'source' : 'target';
    const produced =
      this.producedOn(topic, from, ran) - (r.baseline.get(topic.name) ?? 0);
    const pending = this.pendingAt(r, ran) * (r.weights.get(topic.name) ?? 0);
    return Math.max(0, produced - pending);
  }

  // ------------------------------------------------------------ replicators

  /** CreateReplicator; throws `duplicate` when the name exists. */
  createReplicator(
    input: CreateReplicatorCommandInput,
  ): { ok: true; replicator: SimReplicator } | { ok: false } {
    const name = input.ReplicatorName ?? '';
    const at = this.t();
    const existing = this.replicators.get(name);
    if (existing && this.stateOf(existing, at) !== 'GONE') return { ok: false };
    const info = input.ReplicationInfoList?.[0];
    const direction: SimReplicator['direction'] = info?.SourceKafkaClusterArn
      ? 'reverse'
      : 'forward';
    const tr = info?.TopicReplication;
    const include = fullMatch(tr?.TopicsToReplicate ?? []);
    const exclude = fullMatch(tr?.TopicsToExclude ?? []);
    const topics = [...this.topics.values()].filter(
      (t) => include(t.name) && !exclude(t.name),
    );
    const cg = info?.ConsumerGroupReplication;
    const gInclude = fullMatch(cg?.ConsumerGroupsToReplicate ?? []);
    const gExclude = fullMatch(cg?.ConsumerGroupsToExclude ?? []);
    const topicSet = new Set(topics.map((t) => t.name));
    const groups = [...this.groupApp.entries()]
      .filter(
        ([g, app]) =>
          gInclude(g) &&
          !gExclude(g) &&
          app.consumes.some((t) => topicSet.has(t)),
      )
      .map(([g]) => g);
    this.serial += 1;
    const failed =
      this.faults.replicatorFailed &&
      name.includes(this.faults.replicatorFailed.nameContains);
    const creating = this.params.creatingMinutes * MINUTE;
    const region = this.targetClusterArn.split(':')[3] ?? 'us-east-1';
    const account = this.targetClusterArn.split(':')[4] ?? '123456789012';
    const r: SimReplicator = {
      serial: this.serial,
      arn: `arn:aws:kafka:${region}:${account}:replicator/${name}/${uuid(this.serial)}`,
      name,
      direction,
      input,
      createdAt: at,
      runningAt: this.faults.stuckCreating || failed ? null : at + creating,
      failedAt: failed ? at + creating : null,
      ...(failed && this.faults.replicatorFailed
        ? {
            stateInfo: {
              Code: this.faults.replicatorFailed.code,
              Message: this.faults.replicatorFailed.message,
            },
          }
        : {}),
      deletedAt: null,
      topics,
      groups,
      pending: [],
      baseline: new Map(),
      weights: new Map(),
      inflow: [],
      offset: 0,
      capacity: replicatorCapacity({
        partitions: topics.length * this.params.partitionsPerTopic,
        recordSizeBytes: this.params.recordSizeBytes,
        quotaBytesPerSecond: this.params.replicatorQuotaBytesPerSecond,
        quotaSharedBy: this.shardCount,
        recordsPerSecondCap: this.params.replicatorThroughputPerSecond,
      }),
    };
    const startLatest =
      tr?.StartingPosition?.Type === 'LATEST' || direction === 'reverse';
    const weightBase = topics.map((t) => ({
      t,
      w: (startLatest ? 0 : t.backlog) + t.rate * 60 + 1e-9,
    }));
    const total = weightBase.reduce((s, x) => s + x.w, 0);
    for (const { t, w } of weightBase) r.weights.set(t.name, w / total);
    if (startLatest && r.runningAt !== null) {
      const from = direction === 'forward' ? 'source' : 'target';
      for (const t of topics) {
        r.baseline.set(t.name, this.producedOn(t, from, r.runningAt));
      }
    }
    const from = direction === 'forward' ? 'source' : 'target';
    const inflow = new Map<SimApp, number>();
    for (const t of topics) {
      if (from === 'source') r.offset += t.backlog;
      r.offset -= r.baseline.get(t.name) ?? 0;
      for (const p of t.producers) {
        inflow.set(p.app, (inflow.get(p.app) ?? 0) + p.rate);
      }
    }
    r.inflow = [...inflow].map(([app, rate]) => ({ app, rate }));
    this.replicators.set(name, r);
    for (const t of topics) {
      this.into[direction === 'forward' ? 'target' : 'source'].set(t.name, r);
    }
    this.changed();
    return { ok: true, replicator: r };
  }

  /** DeleteReplicator: DELETING for a minute, then gone. */
  deleteReplicator(arn: string): SimReplicator | null {
    const r = this.byArn(arn);
    if (!r) return null;
    r.deletedAt ??= this.t();
    this.changed();
    return r;
  }

  byArn(arn: string): SimReplicator | null {
    for (const r of this.replicators.values()) {
      if (r.arn === arn && this.stateOf(r, this.t()) !== 'GONE') return r;
    }
    return null;
  }

  /** Replicators that still exist (any state but gone), by name. */
  listReplicators(prefix = ''): SimReplicator[] {
    const at = this.t();
    return [...this.replicators.values()]
      .filter((r) => r.name.startsWith(prefix))
      .filter((r) => this.stateOf(r, at) !== 'GONE')
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every replicator ever created (for the report), by name. */
  allReplicators(): SimReplicator[] {
    return [...this.replicators.values()];
  }

  stateOf(r: SimReplicator, at = this.t()): ReplicatorState {
    if (r.deletedAt !== null && at >= r.deletedAt + DELETING_MS) return 'GONE';
    if (r.deletedAt !== null && at >= r.deletedAt) return 'DELETING';
    if (r.failedAt !== null && at >= r.failedAt) return 'FAILED';
    if (r.runningAt !== null && at >= r.runningAt) return 'RUNNING';
    return 'CREATING';
  }

  /** The cluster alias DescribeReplicator reports and metrics use. */
  aliasOf(side: ClusterSide): string {
    return side === 'source'
      ? this.sourceClusterId
      : `${this.targetClusterName}`;
  }

  /** DescribeReplicator's cluster and replication descriptions. */
  describeShape(r: SimReplicator): {
    KafkaClusters: KafkaClusterDescription[];
    ReplicationInfoList: ReplicationInfoDescription[];
  } {
    const clusters: KafkaClusterDescription[] = (
      r.input.KafkaClusters ?? []
    ).map((c) => ({
      ...(c.AmazonMskCluster ? { AmazonMskCluster: c.AmazonMskCluster } : {}),
      ...(c.ApacheKafkaCluster
        ? { ApacheKafkaCluster: c.ApacheKafkaCluster }
        : {}),
      ...(c.VpcConfig ? { VpcConfig: c.VpcConfig } : {}),
      ...(c.ClientAuthentication
        ? { ClientAuthentication: c.ClientAuthentication }
        : {}),
      ...(c.EncryptionInTransit
        ? { EncryptionInTransit: c.EncryptionInTransit }
        : {}),
      KafkaClusterAlias: this.aliasOf(c.AmazonMskCluster ? 'target' : 'source'),
    }));
    const [from, to]: [ClusterSide, ClusterSide] =
      r.direction === 'forward' ? ['source', 'target'] : ['target', 'source'];
    const info = (r.input.ReplicationInfoList ?? []).map((i) => ({
      SourceKafkaClusterAlias: this.aliasOf(from),
      TargetKafkaClusterAlias: this.aliasOf(to),
      TargetCompressionType: i.TargetCompressionType,
      TopicReplication: i.TopicReplication,
      ConsumerGroupReplication: i.ConsumerGroupReplication,
    }));
    return { KafkaClusters: clusters, ReplicationInfoList: info };
  }

  /** The last instant the replicator copied data, up to `at`; null if never. */
  private ranUntil(r: SimReplicator, at: number): number | null {
    if (r.runningAt === null || at < r.runningAt) return null;
    return r.deletedAt === null ? at : Math.min(at, r.deletedAt);
  }

  /** Records the replicator has copied by `at` (all its topics). */
  copiedRecords(r: SimReplicator, at = this.t()): number {
    return r.topics.reduce((sum, t) => sum + this.replicated(r, t, at), 0);
  }

  /** Records on the replicator's source side it has not copied yet, at `at`. */
  pendingAt(r: SimReplicator, at: number): number {
    if (r.runningAt === null || at < r.runningAt) return 0;
    const minutes = (at - r.runningAt) / MINUTE;
    const i = Math.floor(minutes);
    this.advance(r, i + 1);
    const a = r.pending[i] ?? 0;
    const b = r.pending[i + 1] ?? a;
    return a + (b - a) * (minutes - i);
  }

  /** Extends the replicator's per-minute pending series to index `upTo`. */
  private advance(r: SimReplicator, upTo: number): void {
    if (r.runningAt === null || r.pending.length > upTo) return;
    const from = r.direction === 'forward' ? 'source' : 'target';
    const produced = (at: number) =>
      r.inflow.reduce(
        (s, p) => s + p.rate * secondsOn(p.app, from, this.startedAt, at),
        r.offset,
      );
    if (r.pending.length === 0) r.pending.push(produced(r.runningAt));
    const perMinute = r.capacity.recordsPerSecond * 60;
    // Production is a sum over the producing apps; evaluate it once per
    // minute boundary (the cumulative count is exact at each boundary).
    let prevAt = r.runningAt + (r.pending.length - 1) * MINUTE;
    let prevProduced = produced(prevAt);
    while (r.pending.length <= upTo) {
      const at = prevAt + MINUTE;
      const now = produced(at);
      const last = r.pending[r.pending.length - 1] ?? 0;
      r.pending.push(Math.max(0, last + (now - prevProduced) - perMinute));
      prevAt = at;
      prevProduced = now;
    }
  }

  /** Records per second flowing into the replicator at `at`. */
  private inflowRate(r: SimReplicator, at: number): number {
    // Per instant: every per-topic metric of a poll asks for it.
    const values = this.instant(at).inflow;
    const hit = values.get(r.serial);
    if (hit !== undefined) return hit;
    const from = r.direction === 'forward' ? 'source' : 'target';
    let rate = 0;
    for (const p of r.inflow) {
      if (locationAt(p.app, at) === from) rate += p.rate;
    }
    values.set(r.serial, rate);
    return rate;
  }

  /** Records per second produced into one topic on the replicator's source side. */
  private topicInflowRate(r: SimReplicator, topic: string, at: number): number {
    const from = r.direction === 'forward' ? 'source' : 'target';
    const t = this.topics.get(topic);
    let rate = 0;
    for (const p of t?.producers ?? []) {
      if (locationAt(p.app, at) === from) rate += p.rate;
    }
    return rate;
  }

  // ------------------------------------------------------------ metrics

  private inWindow(
    w: { fromMinute: number; toMinute?: number } | undefined,
    at: number,
  ): boolean {
    if (!w) return false;
    const m = this.minuteOf(at);
    return m >= w.fromMinute && (w.toMinute === undefined || m < w.toMinute);
  }

  /**
   * The value a replicator metric has for the minute ending at `at`, or
   * undefined when CloudWatch would have no datapoint (not RUNNING, or a
   * metrics gap).
   */
  replicatorMetric(
    r: SimReplicator,
    metric: string,
    dims: Record<string, string>,
    at: number,
  ): number | undefined {
    const state = this.stateOf(r, at);
    if (state !== 'RUNNING') return undefined;
    if (this.inWindow(this.faults.metricsMissing, at)) return undefined;
    const topic = dims.Topic;
    const alias = dims.ClusterAlias;
    const inflight = inFlightRecords(this.inflowRate(r, at));
    const lag = Math.max(this.pendingAt(r, at), inflight);
    const side = (a: string): ClusterSide | undefined =>
      a === this.aliasOf('source')
        ? 'source'
        : a === this.aliasOf('target')
          ? 'target'
          : undefined;
    switch (metric) {
      case 'MessageLag':
        if (topic === undefined) return Math.round(lag);
        if (!r.weights.has(topic)) return undefined;
        return Math.round(lag * (r.weights.get(topic) ?? 0));
      case 'ReplicationLatency': {
        if (topic !== undefined && !r.weights.has(topic)) return undefined;
        const behind = this.pendingAt(r, at);
        // Measured on replicated records: a minute with nothing to copy has
        // no datapoint (the reverse replicator until an application
        // produces on the target).
        const share = topic === undefined ? 1 : (r.weights.get(topic) ?? 0);
        const flowing =
          topic === undefined
            ? this.inflowRate(r, at)
            : this.topicInflowRate(r, topic, at);
        if (flowing <= 0 && behind * share < 1) return undefined;
        return Math.round(
          BASE_LATENCY_MS + (behind / r.capacity.recordsPerSecond) * 1000,
        );
      }
      case 'ReplicatorThroughput':
      case 'ReplicatorBytesInPerSec': {
        // Bytes per second copied (the metric's unit, [D-MET]): what flows
        // in now, or the full capacity while a backlog waits (its share,
        // per topic). Never more than the capacity: a replicator behind an
        // inflow above its capacity copies at its capacity.
        if (topic !== undefined && !r.weights.has(topic)) return undefined;
        const share = topic === undefined ? 1 : (r.weights.get(topic) ?? 0);
        const inflow =
          topic === undefined
            ? this.inflowRate(r, at)
            : this.topicInflowRate(r, topic, at);
        const capacity = r.capacity.recordsPerSecond * share;
        const draining = this.pendingAt(r, at) * share >= 1;
        const records = draining ? capacity : Math.min(inflow, capacity);
        return records * this.params.recordSizeBytes;
      }
      case 'ReplicatorFailure':
      case 'ReplicationFailures':
      case 'ConsumerGroupOffsetSyncFailure':
        return 0;
      case 'ConsumerGroupCount':
        return r.groups.length;
      case 'KafkaClusterPingSuccessCount': {
        const s = alias === undefined ? undefined : side(alias);
        if (!s) return undefined;
        const auth = this.faults.authError;
        return auth?.cluster === s && this.inWindow(auth, at) ? 0 : 1;
      }
      case 'AuthError': {
        const s = alias === undefined ? undefined : side(alias);
        if (!s) return undefined;
        const auth = this.faults.authError;
        return auth?.cluster === s && this.inWindow(auth, at) ? 12 : 0;
      }
      case 'ThrottleTime': {
        const s = alias === undefined ? undefined : side(alias);
        if (!s) return undefined;
        const th = this.faults.throttleTime;
        return th?.cluster === s && this.inWindow(th, at) ? th.milliseconds : 0;
      }
      default:
        return undefined;
    }
  }

  /** The target's SumOffsetLag of one group and topic at `at` (AWS/Kafka). */
  targetSumOffsetLag(
    group: string,
    topic: string,
    at: number,
  ): number | undefined {
    // CloudWatch has it only while the group is Stable or Empty there, that
    // is while it has offsets on the target (one topic at a time: a poll
    // asks for thousands of these).
    const app = this.groupApp.get(group);
    if (!app?.consumes.includes(topic)) return undefined;
    const committed = this.committed(app, topic, 'target', at);
    if (committed === null) return undefined;
    return Math.max(0, this.endOffset(topic, 'target', at) - committed);
  }

  // ------------------------------------------------------------ groups

  /** The cluster a group last consumed on, at `at`. */
  private driver(app: SimApp, at: number): ClusterSide {
    let last: ClusterSide = 'source';
    for (const m of app.moves) {
      if (m.at > at) break;
      if (m.location !== 'stopped') last = m.location;
    }
    return last;
  }

  /**
   * The committed offset (record count) of an app's group for `topic` on
   * `side` at `at`, or null when the group has no offset there.
   */
  committed(
    app: SimApp,
    topic: string,
    side: ClusterSide,
    at: number,
    depth = 0,
  ): number | null {
    // Every group of an application commits the same offsets.
    const t = this.topics.get(topic);
    if (t === undefined)
      return this.computeCommitted(app, topic, side, at, depth);
    const values = this.instant(at).committed;
    const key =
      ((app.id * this.topics.size + t.id) * 2 + (side === 'source' ? 0 : 1)) *
        4 +
      depth;
    const hit = values.get(key);
    if (hit !== undefined) return hit;
    const value = this.computeCommitted(app, topic, side, at, depth);
    values.set(key, value);
    return value;
  }

  private computeCommitted(
    app: SimApp,
    topic: string,
    side: ClusterSide,
    at: number,
    depth: number,
  ): number | null {
    const driver = this.driver(app, at);
    const t = this.topics.get(topic);
    const tip = (t?.rate ?? 0) * CONSUMER_TIP_SECONDS;
    if (side === driver) {
      const loc = locationAt(app, at);
      const until = loc === side ? at : lastActive(app, side, at);
      return Math.max(0, this.endOffset(topic, side, until) - tip);
    }
    // Offsets land on this side only through the replicator that copies
    // into it, only while it runs, and only while the group has no active
    // member here (true: the group consumes on `driver`).
    const into = this.replicatorInto(side, topic);
    if (!into || depth > 2) return null;
    const ran = this.ranUntil(into, at);
    if (ran === null) return null;
    const seen = ran - OFFSET_SYNC_DELAY_MS;
    if (seen < (into.runningAt ?? 0)) return null;
    const upstream = this.committed(
      app,
      topic,
      this.driver(app, seen),
      seen,
      depth + 1,
    );
    if (upstream === null) return null;
    return Math.min(upstream, this.endOffset(topic, side, at));
  }

  /** A consumer group as the given cluster sees it at `at`. */
  group(groupId: string, side: ClusterSide, at = this.t()): GroupView {
    const app = this.groupApp.get(groupId);
    if (!app)
      return { state: 'Dead', members: 0, topics: [], sumOffsetLag: null };
    const active = locationAt(app, at) === side;
    const topics: GroupView['topics'] = [];
    for (const topic of app.consumes) {
      const committed = this.committed(app, topic, side, at);
      if (committed === null) continue;
      topics.push({ topic, committed, end: this.endOffset(topic, side, at) });
    }
    const hasOffsets = topics.length > 0;
    return {
      state: active ? 'Stable' : hasOffsets ? 'Empty' : 'Dead',
      members: active ? this.params.consumerMembers : 0,
      topics,
      sumOffsetLag: hasOffsets
        ? Math.round(
            topics.reduce((s, x) => s + Math.max(0, x.end - x.committed), 0),
          )
        : null,
    };
  }

  /** Groups of one application. */
  groupsOf(appName: string): string[] {
    return this.app(appName).groups;
  }
}

function locationAt(app: SimApp, at: number): AppLocation {
  let loc: AppLocation = 'source';
  for (const m of app.moves) {
    if (m.at > at) break;
    loc = m.location;
  }
  return loc;
}

/** The last instant before `at` at which the app ran on `side`. */
function lastActive(app: SimApp, side: ClusterSide, at: number): number {
  let loc: AppLocation = 'source';
  let last = Number.NEGATIVE_INFINITY;
  for (const m of app.moves) {
    if (m.at > at) break;
    if (loc === side) last = m.at;
    loc = m.location;
  }
  return loc === side ? at : last;
}

/** Seconds the app spent producing on `side` between `from` and `to`. */
function secondsOn(
  app: SimApp,
  side: ClusterSide,
  from: number,
  to: number,
): number {
  if (to <= from) return 0;
  let loc: AppLocation = 'source';
  let cursor = from;
  let total = 0;
  for (const m of app.moves) {
    if (m.at >= to) break;
    if (m.at > cursor) {
      if (loc === side) total += m.at - cursor;
      cursor = m.at;
    }
    loc = m.location;
  }
  if (loc === side) total += to - cursor;
  return total / 1000;
}

/** A deterministic UUID-shaped suffix (no randomness: rehearsals repeat). */
function uuid(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `0f1e2d3c-4b5a-4978-8a9b-${hex}-1`;
}
