/**
 * How fast one MSK Replicator can copy, from the documented limits, and how
 * long a backlog takes to drain at that pace. One model for the rehearsal's
 * simulator, the forecast of `msk-cutover plan`, and readiness ETAs.
 *
 * Sources (reference/msk-replicator-facts.md, and the AWS pages they cite):
 * - [D-LIM] MSK quotas, "MSK Replicator quotas": maximum ingress of 1 GB/s
 *   per replicator; records up to 10 MB cross-region (default
 *   `max.request.size` 10,485,760).
 * - [D-SIZE] msk-replicator-bp-sizing.html, "Throughput and recommended
 *   minimum number of partitions": 50 MB/s → 167, 100 → 334, 250 → 833,
 *   500 → 1,666, 1,000 → 3,333. Every row is 0.2994–0.3001 MB/s per
 *   partition, so a replicator reaches at most 0.3 MB/s per partition it
 *   copies. The page states a recommended minimum, not a hard ceiling; this
 *   model reads it as the throughput the partitions allow.
 * - [D-BPQ] msk-replicator-bp-quotas.html: a Kafka network bandwidth quota
 *   (`consumer_byte_rate`) on the replicator's principal caps its byte
 *   rate; "this quota is defined on a per-broker basis", and replicators
 *   sharing a service execution role "are all subject to the same Kafka
 *   quotas". The quota given here is the rate across the cluster (the
 *   per-broker value times the brokers leading the partitions), shared
 *   evenly by the replicators that use the principal.
 *
 * Megabytes and gigabytes are decimal here (10^6, 10^9 bytes): the pages
 * do not say, and the decimal reading is the smaller (safer) capacity.
 *
 * No AWS imports: pure arithmetic.
 */

/** [D-LIM] Maximum ingress per replicator: 1 GB/s. */
export const REPLICATOR_MAX_BYTES_PER_SECOND = 1_000_000_000;
/** [D-SIZE] 1,000 MB/s needs 3,333 partitions: 0.3 MB/s per partition. */
export const PARTITION_BYTES_PER_SECOND = 300_000;
/** [D-LIM] The largest record a replicator copies by default. */
export const MAX_RECORD_BYTES = 10_485_760;
/**
 * How long a record is in flight on a replicator that keeps up: one
 * fetch-and-produce round. No AWS page gives a figure; this is a model
 * constant. 20 ms keeps a replicator at the documented maximum of 750
 * topics, each written at the default 50 records/s (37,500 records/s),
 * at 750 records in flight: under the blog's MessageLag threshold of
 * 1,000. A replicator whose inflow times this exceeds `maxMessageLag`
 * never satisfies the MessageLag rule, however fast it copies.
 */
export const IN_FLIGHT_SECONDS = 0.02;

/** What bounds a replicator's throughput. */
export type CapacityLimit =
  | 'replicator'
  | 'partitions'
  | 'quota'
  | 'records-per-second';

export interface CapacityInput {
  /** Partitions of the topics the replicator copies. */
  partitions: number;
  /** Average record size in bytes. */
  recordSizeBytes: number;
  /** A Kafka quota on the replicators' principal, bytes per second. */
  quotaBytesPerSecond?: number | undefined;
  /** Replicators sharing that principal (and quota). @default 1 */
  quotaSharedBy?: number;
  /** An extra cap in records per second (deprecated plan field). */
  recordsPerSecondCap?: number | undefined;
}

export interface Capacity {
  bytesPerSecond: number;
  recordsPerSecond: number;
  /** The tightest bound. */
  limitedBy: CapacityLimit;
  /** Every bound, in bytes per second (absent: no such bound). */
  bounds: Partial<Record<CapacityLimit, number>>;
}

/** The throughput one replicator can reach. */
export function replicatorCapacity(input: CapacityInput): Capacity {
  const size = Math.max(1, input.recordSizeBytes);
  const bounds: Partial<Record<CapacityLimit, number>> = {
    replicator: REPLICATOR_MAX_BYTES_PER_SECOND,
    partitions: Math.max(0, input.partitions) * PARTITION_BYTES_PER_SECOND,
  };
  if (input.quotaBytesPerSecond !== undefined) {
    bounds.quota =
      input.quotaBytesPerSecond / Math.max(1, input.quotaSharedBy ?? 1);
  }
  if (input.recordsPerSecondCap !== undefined) {
    bounds['records-per-second'] = input.recordsPerSecondCap * size;
  }
  let limitedBy: CapacityLimit = 'replicator';
  let bytes = Number.POSITIVE_INFINITY;
  for (const [limit, value] of Object.entries(bounds) as [
    CapacityLimit,
    number,
  ][]) {
    if (value < bytes) {
      bytes = value;
      limitedBy = limit;
    }
  }
  return {
    bytesPerSecond: bytes,
    recordsPerSecond: bytes / size,
    limitedBy,
    bounds,
  };
}

/**
 * Seconds until `backlog` records are copied while `inflow` more arrive
 * each second at `capacity` records per second; null when it never
 * catches up (inflow at or above capacity with anything pending).
 */
export function drainSeconds(
  backlog: number,
  inflowPerSecond: number,
  capacityPerSecond: number,
): number | null {
  if (backlog <= 0) return inflowPerSecond > capacityPerSecond ? null : 0;
  const net = capacityPerSecond - inflowPerSecond;
  return net > 0 ? backlog / net : null;
}

/** Records in flight on a replicator that keeps up with `inflowPerSecond`. */
export function inFlightRecords(inflowPerSecond: number): number {
  return inflowPerSecond * IN_FLIGHT_SECONDS;
}
