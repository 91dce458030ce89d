/**
 * The simulated Kafka clusters behind the `KafkaProbe` port: the source
 * (reached with the plan's bootstrap brokers and SCRAM credentials) and the
 * MSK target (reached with the IAM bootstrap brokers GetBootstrapBrokers
 * returns). Topics, consumer groups, offsets and ACLs all come from the
 * rehearsal's {@link ClusterModel}, read at the virtual clock's time, so the
 * probe-source handler measures exactly what the simulated replicators and
 * applications did.
 */

import { operationWireName } from '../../functions/shared/domain/acl-eval.ts';
import type { Plan } from '../../functions/shared/domain/plan.ts';
import { requiredSourceAcls } from '../../functions/shared/domain/source-acls.ts';
import type {
  KafkaAcl,
  KafkaClusterAccess,
  KafkaGroup,
  KafkaProbe,
  KafkaSession,
  KafkaTopic,
  PartitionOffset,
  TlsSettings,
  TransportCheck,
} from '../../functions/shared/ports.ts';
import type { ClusterModel, ClusterSide } from './simulator.ts';

/**
 * ApiKey → max version a Kafka 3.7 broker advertises (the probe derives
 * the broker version from which keys exist).
 */
const API_VERSIONS: [number, number][] = [
  [0, 11],
  [1, 16],
  [2, 8],
  [3, 12],
  [8, 9],
  [9, 9],
  [10, 5],
  [11, 9],
  [15, 5],
  [16, 4],
  [17, 1],
  [18, 3],
  [19, 7],
  [29, 3],
  [32, 4],
  [36, 2],
  [42, 2],
  [43, 2],
  [44, 1],
  [45, 0],
  [48, 1],
  [50, 0],
  [60, 0],
  [61, 0],
  [65, 0],
  [66, 0],
];

/** Faults of the simulated source cluster. */
export interface KafkaFaults {
  /** The source grants the replicator's principal nothing. */
  noAcls?: boolean;
}

/** {@link KafkaProbe} over the rehearsal's model. */
export class SimulatedKafka implements KafkaProbe {
  constructor(
    private readonly model: ClusterModel,
    private readonly plan: Plan,
    /** The target's IAM bootstrap brokers (from the simulated MSK). */
    private readonly targetBrokers: string[],
    private readonly faults: KafkaFaults = {},
  ) {}

  async checkTransport(
    broker: string,
    _tls: TlsSettings,
    _timeoutMs: number,
  ): Promise<TransportCheck> {
    const known =
      this.plan.source.bootstrapBrokers.includes(broker) ||
      this.targetBrokers.includes(broker);
    const index = Math.max(
      0,
      this.plan.source.bootstrapBrokers.indexOf(broker),
    );
    return known
      ? {
          broker,
          ok: true,
          detail: 'TLS handshake completed (simulated)',
          addresses: [`10.0.100.${index + 11}`],
          millis: 4,
        }
      : {
          broker,
          ok: false,
          failedAt: 'dns',
          detail: `${broker.split(':')[0]} does not resolve (not a simulated broker)`,
          addresses: [],
          millis: 1,
        };
  }

  async connect(access: KafkaClusterAccess): Promise<KafkaSession> {
    const side = this.sideOf(access.bootstrapBrokers);
    if (!side) {
      throw new Error(
        `connect ECONNREFUSED: ${access.bootstrapBrokers.join(',')} is not a simulated cluster`,
      );
    }
    if (side === 'source' && !access.credentials.password) {
      const err = new Error('SASL authentication failed');
      err.name = 'AuthenticationError';
      throw err;
    }
    return new SimulatedSession(
      this.model,
      this.plan,
      side,
      access.credentials.username ?? 'msk-iam',
      this.faults,
    );
  }

  private sideOf(brokers: string[]): ClusterSide | null {
    if (brokers.some((b) => this.plan.source.bootstrapBrokers.includes(b))) {
      return 'source';
    }
    if (brokers.some((b) => this.targetBrokers.includes(b))) return 'target';
    return null;
  }
}

/** Splits a count over partitions: the first `n mod P` get one more. */
function share(n: number, partitions: number, i: number): number {
  const base = Math.floor(n / partitions);
  return base + (i < n % partitions ? 1 : 0);
}

class SimulatedSession implements KafkaSession {
  private closed = false;

  constructor(
    private readonly model: ClusterModel,
    private readonly plan: Plan,
    private readonly side: ClusterSide,
    private readonly username: string,
    private readonly faults: KafkaFaults,
  ) {}

  private check(): void {
    if (this.closed) throw new Error('session closed');
  }

  private get partitions(): number {
    return this.model.params.partitionsPerTopic;
  }

  async clusterId(): Promise<string> {
    this.check();
    return this.side === 'source'
      ? this.model.sourceClusterId
      : `${this.model.targetClusterName}-kraft`;
  }

  async apiVersions(): Promise<Map<number, number>> {
    this.check();
    return new Map(API_VERSIONS);
  }

  async listTopics(): Promise<KafkaTopic[]> {
    this.check();
    const names = this.model
      .topicNames()
      .filter(
        (t) => this.side === 'source' || this.model.endOffset(t, 'target') > 0,
      );
    return names.map((name) => ({ name, partitions: this.partitions }));
  }

  async topicConfigs(
    topics: string[],
  ): Promise<Map<string, Map<string, string>>> {
    this.check();
    return new Map(
      topics.map((t) => [
        t,
        new Map([
          ['max.message.bytes', '1048588'],
          ['retention.ms', '604800000'],
          ['cleanup.policy', 'delete'],
          ['message.timestamp.type', 'CreateTime'],
        ]),
      ]),
    );
  }

  async acls(principal: string): Promise<KafkaAcl[]> {
    this.check();
    if (this.side !== 'source' || this.faults.noAcls) return [];
    if (principal !== `User:${this.username}`) return [];
    // What a source admin typically grants the replicator's user: each
    // operation the plan needs, on every topic and group (wildcard), and
    // the cluster operations. Wildcards keep the grant small however many
    // topics a plan lists.
    const seen = new Set<string>();
    const acls: KafkaAcl[] = [];
    for (const a of requiredSourceAcls(this.plan)) {
      const resourceName = a.resourceType === 'CLUSTER' ? a.resourceName : '*';
      const key = `${a.resourceType}|${resourceName}|${a.operation}`;
      if (seen.has(key)) continue;
      seen.add(key);
      acls.push({
        resourceType: a.resourceType,
        resourceName,
        patternType: 'LITERAL',
        // Brokers describe ACLs with the wire names (DESCRIBE_CONFIGS).
        operation: operationWireName(a.operation),
        principal,
        host: '*',
        permission: 'ALLOW',
      });
    }
    return acls;
  }

  async groups(groupIds?: string[]): Promise<KafkaGroup[]> {
    this.check();
    const ids = groupIds ?? this.model.groupNames();
    const out: KafkaGroup[] = [];
    for (const id of ids) {
      const g = this.model.group(id, this.side);
      if (g.state === 'Dead' && groupIds === undefined) continue;
      out.push({ groupId: id, state: g.state, members: g.members });
    }
    return out;
  }

  async committedOffsets(
    groupIds: string[],
  ): Promise<Map<string, PartitionOffset[]>> {
    this.check();
    const out = new Map<string, PartitionOffset[]>();
    for (const id of groupIds) {
      const g = this.model.group(id, this.side);
      const offsets: PartitionOffset[] = [];
      for (const t of g.topics) {
        const end = Math.floor(t.end);
        const committed = Math.min(end, Math.floor(t.committed));
        for (let p = 0; p < this.partitions; p++) {
          offsets.push({
            topic: t.topic,
            partition: p,
            // Never past the partition's end (see `share`).
            offset: BigInt(
              Math.min(
                share(end, this.partitions, p),
                share(committed, this.partitions, p),
              ),
            ),
          });
        }
      }
      if (offsets.length > 0) out.set(id, offsets);
    }
    return out;
  }

  async endOffsets(topics: KafkaTopic[]): Promise<PartitionOffset[]> {
    this.check();
    const out: PartitionOffset[] = [];
    for (const t of topics) {
      const end = Math.floor(this.model.endOffset(t.name, this.side));
      for (let p = 0; p < t.partitions; p++) {
        out.push({
          topic: t.name,
          partition: p,
          offset: BigInt(share(end, t.partitions, p)),
        });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
