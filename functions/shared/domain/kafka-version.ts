/**
 * The source cluster's Kafka version, inferred from the APIs its brokers
 * advertise (ApiVersions). Kafka has no "version" API; each release adds API
 * keys, so the newest key present gives a lower bound. MSK Replicator needs
 * Apache Kafka 2.8.1 or later.
 */

/** API key → first Apache Kafka release that serves it (newest first). */
const FIRST_RELEASE: readonly [apiKey: number, release: string][] = [
  [65, '3.0'], // DescribeTransactions
  [66, '3.0'], // ListTransactions
  [60, '2.8'], // DescribeCluster
  [61, '2.8'], // DescribeProducers
  [50, '2.7'], // DescribeUserScramCredentials
  [48, '2.6'], // DescribeClientQuotas
  [45, '2.4'], // AlterPartitionReassignments
  [44, '2.3'], // IncrementalAlterConfigs
  [43, '2.2'], // ElectLeaders
  [42, '1.1'], // DeleteGroups
  [36, '1.0'], // SaslAuthenticate
  [32, '0.11'], // DescribeConfigs
];

export const MIN_KAFKA_VERSION = '2.8.1';

export interface KafkaVersionVerdict {
  ok: boolean;
  /** Lower bound such as "2.8", or null when nothing is recognised. */
  atLeast: string | null;
  reason: string;
}

function compare(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Lower bound of the Kafka release that advertises these API keys. */
export function kafkaVersionFromApis(
  apis: ReadonlyMap<number, number>,
): string | null {
  let best: string | null = null;
  for (const [key, release] of FIRST_RELEASE) {
    if (apis.has(key) && (best === null || compare(release, best) > 0)) {
      best = release;
    }
  }
  return best;
}

/** Whether the advertised APIs show Kafka >= 2.8.1, with a reason. */
export function checkKafkaVersion(
  apis: ReadonlyMap<number, number>,
): KafkaVersionVerdict {
  const atLeast = kafkaVersionFromApis(apis);
  if (atLeast === null) {
    return {
      ok: false,
      atLeast,
      reason: `the brokers advertise none of the APIs that identify a Kafka release; MSK Replicator needs Apache Kafka ${MIN_KAFKA_VERSION} or later`,
    };
  }
  if (compare(atLeast, '2.8') < 0) {
    return {
      ok: false,
      atLeast,
      reason: `the brokers advertise the APIs of Kafka ${atLeast} (no DescribeCluster, added in 2.8); MSK Replicator needs Apache Kafka ${MIN_KAFKA_VERSION} or later: upgrade the source cluster first`,
    };
  }
  return {
    ok: true,
    atLeast,
    reason:
      atLeast === '2.8'
        ? `the brokers advertise the APIs of Kafka 2.8 (2.8.0 and 2.8.1 look the same on the wire; MSK Replicator needs ${MIN_KAFKA_VERSION})`
        : `the brokers advertise the APIs of Kafka ${atLeast} or later`,
  };
}
