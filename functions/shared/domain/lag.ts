/**
 * Consumer lag and offset parity from raw offsets.
 *
 * MSK Replicator translates committed offsets conservatively, so numbers
 * differ between the clusters; what can be compared is how many records a
 * group still has to read on each side (end offset − committed offset). The
 * difference is the duplicate window: records a consumer re-reads after it
 * moves to the target. A negative window means it would skip records.
 */
import type { PartitionOffset } from './types.ts';

/**
 * End (or committed) offsets by topic and partition. A measurement of a
 * large estate looks up tens of thousands of partitions per poll, so the
 * index is keyed by topic, then by partition number, with no string built
 * per lookup.
 */
export class OffsetIndex {
  private readonly byTopic = new Map<string, (bigint | undefined)[]>();

  constructor(offsets: readonly PartitionOffset[] = []) {
    for (const o of offsets) this.set(o.topic, o.partition, o.offset);
  }

  set(topic: string, partition: number, offset: bigint): void {
    let partitions = this.byTopic.get(topic);
    if (partitions === undefined) {
      partitions = [];
      this.byTopic.set(topic, partitions);
    }
    partitions[partition] = offset;
  }

  get(topic: string, partition: number): bigint | undefined {
    return this.byTopic.get(topic)?.[partition];
  }
}

/** `topic/partition` → offset, for quick lookups. */
export function offsetIndex(offsets: readonly PartitionOffset[]): OffsetIndex {
  return new OffsetIndex(offsets);
}

export interface GroupLag {
  /** null when the group has no committed offset (no data is not zero). */
  sumOffsetLag: number | null;
  byTopic: Record<string, number>;
}

/**
 * SumOffsetLag of one group: Σ max(0, end − committed) over its committed
 * partitions, in total and per topic. Partitions whose end offset is
 * unknown are left out.
 */
export function groupLag(
  committed: readonly PartitionOffset[],
  ends: OffsetIndex,
): GroupLag {
  if (committed.length === 0) return { sumOffsetLag: null, byTopic: {} };
  const perTopic = new Map<string, bigint>();
  let sum = 0n;
  for (const c of committed) {
    const end = ends.get(c.topic, c.partition);
    if (end === undefined) continue;
    const lag = end > c.offset ? end - c.offset : 0n;
    sum += lag;
    perTopic.set(c.topic, (perTopic.get(c.topic) ?? 0n) + lag);
  }
  // fromEntries: a topic named `__proto__` is a key like any other.
  const byTopic: Record<string, number> = Object.fromEntries(
    [...perTopic].map(([topic, lag]) => [topic, Number(lag)]),
  );
  return { sumOffsetLag: Number(sum), byTopic };
}

/** One partition's offsets on both clusters, as read. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  sourceCommitted: bigint | null;
  sourceEnd: bigint | null;
  targetCommitted: bigint | null;
  targetEnd: bigint | null;
  /** Records the group re-reads after moving (negative: it would skip). */
  duplicateWindow: number | null;
}

export interface PartitionParity {
  topic: string;
  partition: number;
  sourceCommitted: string | null;
  sourceEnd: string | null;
  targetCommitted: string | null;
  targetEnd: string | null;
  /** Records the group re-reads after moving (negative: it would skip). */
  duplicateWindow: number | null;
}

/**
 * Both clusters' offsets of one group per partition it committed on either
 * side, ordered by topic and partition, with the duplicate window where all
 * four offsets are known.
 */
export function partitionOffsets(input: {
  sourceCommitted: readonly PartitionOffset[];
  sourceEnds: OffsetIndex;
  targetCommitted: readonly PartitionOffset[];
  targetEnds: OffsetIndex;
}): PartitionOffsets[] {
  const rows = new Map<string, Map<number, PartitionOffsets>>();
  const row = (topic: string, partition: number): PartitionOffsets => {
    let partitions = rows.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      rows.set(topic, partitions);
    }
    let r = partitions.get(partition);
    if (r === undefined) {
      r = {
        topic,
        partition,
        sourceCommitted: null,
        sourceEnd: input.sourceEnds.get(topic, partition) ?? null,
        targetCommitted: null,
        targetEnd: input.targetEnds.get(topic, partition) ?? null,
        duplicateWindow: null,
      };
      partitions.set(partition, r);
    }
    return r;
  };
  for (const o of input.sourceCommitted) {
    row(o.topic, o.partition).sourceCommitted = o.offset;
  }
  for (const o of input.targetCommitted) {
    row(o.topic, o.partition).targetCommitted = o.offset;
  }
  const out: PartitionOffsets[] = [];
  for (const topic of [...rows.keys()].sort()) {
    const partitions = rows.get(topic) as Map<number, PartitionOffsets>;
    for (const p of [...partitions.keys()].sort((a, b) => a - b)) {
      const r = partitions.get(p) as PartitionOffsets;
      const { sourceCommitted: sc, sourceEnd: se } = r;
      const { targetCommitted: tc, targetEnd: te } = r;
      if (sc !== null && se !== null && tc !== null && te !== null) {
        r.duplicateWindow = Number(te - tc - (se - sc));
      }
      out.push(r);
    }
  }
  return out;
}

/** Parity of one group over its partitions, for the migration-wide record. */
export interface ParitySummary {
  partitions: number;
  /** Partitions with an offset on the source but none on the target. */
  unsynced: number;
  /** Smallest and largest duplicate window (negative: records skipped). */
  minWindow: number | null;
  maxWindow: number | null;
  /** Partitions whose window is negative, as `topic-partition: window`. */
  skipping: string[];
}

/**
 * {@link partitionOffsets} folded into one summary, without building a row
 * per partition: the migration-wide measurement does this for every group
 * of the estate on every poll.
 */
export function paritySummary(input: {
  sourceCommitted: readonly PartitionOffset[];
  sourceEnds: OffsetIndex;
  targetCommitted: readonly PartitionOffset[];
  targetEnds: OffsetIndex;
}): ParitySummary {
  const target = new OffsetIndex(input.targetCommitted);
  const out: ParitySummary = {
    partitions: input.sourceCommitted.length,
    unsynced: 0,
    minWindow: null,
    maxWindow: null,
    skipping: [],
  };
  for (const o of input.sourceCommitted) {
    const tc = target.get(o.topic, o.partition);
    if (tc === undefined) {
      out.unsynced++;
      continue;
    }
    const se = input.sourceEnds.get(o.topic, o.partition);
    const te = input.targetEnds.get(o.topic, o.partition);
    if (se === undefined || te === undefined) continue;
    const w = Number(te - tc - (se - o.offset));
    out.minWindow = out.minWindow === null ? w : Math.min(out.minWindow, w);
    out.maxWindow = out.maxWindow === null ? w : Math.max(out.maxWindow, w);
    if (w < 0) out.skipping.push(`${o.topic}-${o.partition}: ${w}`);
  }
  if (input.targetCommitted.length > 0) {
    const source = new OffsetIndex(input.sourceCommitted);
    for (const o of input.targetCommitted) {
      if (source.get(o.topic, o.partition) === undefined) out.partitions++;
    }
  }
  return out;
}

/**
 * Offset parity of one group per partition: source committed/end, target
 * committed (translated by the replicator)/end, and the duplicate window.
 * Offsets are strings so the evidence stays JSON.
 */
export function offsetParity(input: {
  sourceCommitted: readonly PartitionOffset[];
  sourceEnds: OffsetIndex;
  targetCommitted: readonly PartitionOffset[];
  targetEnds: OffsetIndex;
}): PartitionParity[] {
  return partitionOffsets(input).map(asParity);
}

/** The JSON form of a partition's offsets. */
export function asParity(p: PartitionOffsets): PartitionParity {
  const str = (v: bigint | null) => (v === null ? null : v.toString());
  return {
    topic: p.topic,
    partition: p.partition,
    sourceCommitted: str(p.sourceCommitted),
    sourceEnd: str(p.sourceEnd),
    targetCommitted: str(p.targetCommitted),
    targetEnd: str(p.targetEnd),
    duplicateWindow: p.duplicateWindow,
  };
}

/**
 * True when a group has consumers on the target while its offsets there
 * were never synced for partitions it consumes on the source: the
 * replicator then skips the group and the consumers start from
 * `auto.offset.reset`.
 */
export function activeBeforeSync(input: {
  targetMembers: number;
  parity: Pick<ParitySummary, 'unsynced'>;
}): boolean {
  return input.targetMembers > 0 && input.parity.unsynced > 0;
}
