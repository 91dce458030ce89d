/**
 * Consumer lag and offset parity from raw offsets.
 *
 * MSK Replicator translates committed offsets conservatively, so numbers
 * differ between the clusters; what can be compared is how many records a
 * group still has to read on each side (end offset − committed offset). The
 * difference is the duplicate window: records a consumer re-reads after it
 * moves to the target. A negative window means it would skip records.
 */
import type { PartitionOffset } from '../ports.ts';

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** `topic/partition` → end offset, for quick lookups. */
export function offsetIndex(
  offsets: readonly PartitionOffset[],
): Map<string, bigint> {
  return new Map(offsets.map((o) => [key(o.topic, o.partition), o.offset]));
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
  ends: ReadonlyMap<string, bigint>,
): GroupLag {
  if (committed.length === 0) return { sumOffsetLag: null, byTopic: {} };
  const byTopic: Record<string, number> = {};
  let sum = 0n;
  for (const c of committed) {
    const end = ends.get(key(c.topic, c.partition));
    if (end === undefined) continue;
    const lag = end > c.offset ? end - c.offset : 0n;
    sum += lag;
    byTopic[c.topic] = (byTopic[c.topic] ?? 0) + Number(lag);
  }
  return { sumOffsetLag: Number(sum), byTopic };
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
 * Offset parity of one group per partition: source committed/end, target
 * committed (translated by the replicator)/end, and the duplicate window.
 * Offsets are strings so the evidence stays JSON.
 */
export function offsetParity(input: {
  sourceCommitted: readonly PartitionOffset[];
  sourceEnds: ReadonlyMap<string, bigint>;
  targetCommitted: readonly PartitionOffset[];
  targetEnds: ReadonlyMap<string, bigint>;
}): PartitionParity[] {
  const target = offsetIndex(input.targetCommitted);
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const o of [...input.sourceCommitted, ...input.targetCommitted]) {
    partitions.set(key(o.topic, o.partition), {
      topic: o.topic,
      partition: o.partition,
    });
  }
  const source = offsetIndex(input.sourceCommitted);
  return [...partitions.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, { topic, partition }]) => {
      const sc = source.get(k) ?? null;
      const se = input.sourceEnds.get(k) ?? null;
      const tc = target.get(k) ?? null;
      const te = input.targetEnds.get(k) ?? null;
      const window =
        sc !== null && se !== null && tc !== null && te !== null
          ? Number(te - tc - (se - sc))
          : null;
      const str = (v: bigint | null) => (v === null ? null : v.toString());
      return {
        topic,
        partition,
        sourceCommitted: str(sc),
        sourceEnd: str(se),
        targetCommitted: str(tc),
        targetEnd: str(te),
        duplicateWindow: window,
      };
    });
}

/**
 * True when a group has consumers on the target while its offsets there
 * were never synced for partitions it consumes on the source: the
 * replicator then skips the group and the consumers start from
 * `auto.offset.reset`.
 */
export function activeBeforeSync(input: {
  targetMembers: number;
  parity: readonly PartitionParity[];
}): boolean {
  return (
    input.targetMembers > 0 &&
    input.parity.some(
      (p) => p.sourceCommitted !== null && p.targetCommitted === null,
    )
  );
}
