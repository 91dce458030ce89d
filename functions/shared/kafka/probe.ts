/**
 * `KafkaProbe` over @platformatic/kafka: admin reads only (cluster id,
 * advertised APIs, topics, configs, ACLs, groups, offsets), over TLS with
 * SCRAM for the external source or OAUTHBEARER (MSK IAM) for the target.
 *
 * The package's `exports` map exposes only its root, so the import below is
 * the narrowest one possible; esbuild tree-shakes what the Admin client does
 * not reach (see functions/probe-source/handler.ts for the bundle recipe).
 */
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  type AdminOptions,
  ConfigResourceTypes,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import pLimit from 'p-limit';
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
} from '../ports.ts';
import { classifyKafkaError, KafkaAccessError } from './classify.ts';
import { checkBrokerTransport } from './transport.ts';

export interface ProbeTuning {
  /** Per connection attempt. @default 5000 */
  connectTimeoutMs: number;
  /** Per request. @default 15000 */
  requestTimeoutMs: number;
  /** Requests in flight at once for chunked reads. @default 4 */
  concurrency: number;
  /** Topics or groups per request. @default 100 */
  chunkSize: number;
}

const DEFAULT_TUNING: ProbeTuning = {
  connectTimeoutMs: 5000,
  requestTimeoutMs: 15_000,
  concurrency: 4,
  chunkSize: 100,
};

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

const byValue = <T extends Record<string, number>>(table: T) =>
  new Map(Object.entries(table).map(([k, v]) => [v, k]));
const RESOURCE_TYPE_NAMES = byValue(ResourceTypes);
const OPERATION_NAMES = byValue(AclOperations);

function toKafkaAcl(
  resourceType: number,
  resourceName: string,
  patternType: number,
  acl: {
    principal: string;
    host: string;
    operation: number;
    permissionType: number;
  },
): KafkaAcl | null {
  const type = RESOURCE_TYPE_NAMES.get(resourceType);
  const pattern =
    patternType === ResourcePatternTypes.PREFIXED
      ? 'PREFIXED'
      : patternType === ResourcePatternTypes.LITERAL
        ? 'LITERAL'
        : null;
  const permission =
    acl.permissionType === AclPermissionTypes.ALLOW
      ? 'ALLOW'
      : acl.permissionType === AclPermissionTypes.DENY
        ? 'DENY'
        : null;
  if (!type || !pattern || !permission) return null;
  return {
    resourceType: type as KafkaAcl['resourceType'],
    resourceName,
    patternType: pattern,
    principal: acl.principal,
    host: acl.host,
    operation: OPERATION_NAMES.get(acl.operation) ?? 'UNKNOWN',
    permission,
  };
}

class PlatformaticSession implements KafkaSession {
  readonly #limit;

  constructor(
    private readonly admin: Admin,
    private readonly tuning: ProbeTuning,
  ) {
    this.#limit = pLimit(tuning.concurrency);
  }

  async #chunked<T, R>(items: readonly T[], fn: (chunk: T[]) => Promise<R[]>) {
    const parts = await Promise.all(
      chunks(items, this.tuning.chunkSize).map((c) => this.#limit(() => fn(c))),
    );
    return parts.flat();
  }

  async clusterId(): Promise<string> {
    return (await this.admin.metadata({ topics: [] })).id;
  }

  async advertisedBrokers(): Promise<string[]> {
    const md = await this.admin.metadata({ topics: [] });
    return [...md.brokers.values()].map((b) =>
      b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`,
    );
  }

  async apiVersions(): Promise<Map<number, number>> {
    const apis = await this.admin.listApis();
    return new Map(apis.map((a) => [a.apiKey, a.maxVersion]));
  }

  async listTopics(): Promise<KafkaTopic[]> {
    const names = await this.admin.listTopics({ includeInternals: false });
    return this.#chunked(names, async (chunk) => {
      const md = await this.admin.metadata({ topics: chunk });
      return chunk.map((name) => ({
        name,
        partitions: md.topics.get(name)?.partitionsCount ?? 0,
      }));
    });
  }

  async topicConfigs(
    topics: string[],
  ): Promise<Map<string, Map<string, string>>> {
    const described = await this.#chunked(topics, (chunk) =>
      this.admin.describeConfigs({
        resources: chunk.map((resourceName) => ({
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName,
        })),
      }),
    );
    return new Map(
      described.map((d) => [
        d.resourceName,
        new Map(d.configs.map((c) => [c.name, c.value ?? ''])),
      ]),
    );
  }

  async acls(principal: string): Promise<KafkaAcl[]> {
    const out: KafkaAcl[] = [];
    // DescribeAcls filters the principal exactly: ask for the user and for
    // the `User:*` wildcard principal, every resource and pattern type.
    for (const p of new Set([principal, 'User:*'])) {
      const resources = await this.admin.describeAcls({
        filter: {
          resourceType: ResourceTypes.ANY,
          resourceName: null,
          resourcePatternType: ResourcePatternTypes.ANY,
          principal: p,
          host: null,
          operation: AclOperations.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      });
      for (const r of resources) {
        for (const acl of r.acls) {
          const mapped = toKafkaAcl(
            r.resourceType,
            r.resourceName,
            r.resourcePatternType,
            acl,
          );
          if (mapped) out.push(mapped);
        }
      }
    }
    return out;
  }

  async groups(groupIds?: string[]): Promise<KafkaGroup[]> {
    const ids = groupIds ?? [...(await this.admin.listGroups()).keys()];
    return this.#chunked(ids, async (chunk) => {
      const described = await this.admin.describeGroups({ groups: chunk });
      return chunk.map((groupId) => {
        const g = described.get(groupId);
        return {
          groupId,
          state: g?.state ?? 'Dead',
          members: g?.members.size ?? 0,
        };
      });
    });
  }

  async committedOffsets(
    groupIds: string[],
  ): Promise<Map<string, PartitionOffset[]>> {
    const listed = await this.#chunked(groupIds, (chunk) =>
      this.admin.listConsumerGroupOffsets({ groups: chunk }),
    );
    const out = new Map<string, PartitionOffset[]>(
      groupIds.map((g) => [g, []]),
    );
    for (const g of listed) {
      out.set(
        g.groupId,
        g.topics.flatMap((t) =>
          t.partitions
            .filter((p) => p.committedOffset >= 0n)
            .map((p) => ({
              topic: t.name,
              partition: p.partitionIndex,
              offset: p.committedOffset,
            })),
        ),
      );
    }
    return out;
  }

  async endOffsets(topics: KafkaTopic[]): Promise<PartitionOffset[]> {
    return this.#chunked(topics, async (chunk) => {
      const listed = await this.admin.listOffsets({
        topics: chunk.map((t) => ({
          name: t.name,
          partitions: Array.from({ length: t.partitions }, (_, i) => ({
            partitionIndex: i,
            timestamp: -1n,
          })),
        })),
      });
      return listed.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.offset,
        })),
      );
    });
  }

  async close(): Promise<void> {
    await this.admin.close();
  }
}

/** Options of the Admin client for one cluster; exported for tests. */
export function adminOptions(
  access: KafkaClusterAccess,
  tuning: ProbeTuning = DEFAULT_TUNING,
): AdminOptions {
  const { credentials } = access;
  return {
    clientId: 'msk-cutover-probe',
    bootstrapBrokers: access.bootstrapBrokers,
    tls: access.tls.ca ? { ca: access.tls.ca } : {},
    tlsServerName: true,
    connectTimeout: tuning.connectTimeoutMs,
    requestTimeout: tuning.requestTimeoutMs,
    timeout: tuning.requestTimeoutMs,
    retries: 1,
    retryDelay: 200,
    sasl:
      credentials.mechanism === 'OAUTHBEARER'
        ? {
            mechanism: 'OAUTHBEARER',
            token:
              credentials.token ??
              (() => Promise.reject(new Error('no token provider'))),
          }
        : {
            mechanism: credentials.mechanism,
            username: credentials.username ?? '',
            password: credentials.password ?? '',
          },
  };
}

/** The production `KafkaProbe`. */
export class PlatformaticKafkaProbe implements KafkaProbe {
  readonly #tuning: ProbeTuning;

  constructor(tuning: Partial<ProbeTuning> = {}) {
    this.#tuning = { ...DEFAULT_TUNING, ...tuning };
  }

  checkTransport(
    broker: string,
    tls: TlsSettings,
    timeoutMs: number,
  ): Promise<TransportCheck> {
    return checkBrokerTransport(broker, tls, timeoutMs);
  }

  async connect(access: KafkaClusterAccess): Promise<KafkaSession> {
    const admin = new Admin(adminOptions(access, this.#tuning));
    // The client's pool listens for a connection's first 'error' only; a
    // second one (a TLS failure followed by ECONNRESET) would be an uncaught
    // exception that kills the Lambda. The request path reports the failure.
    const swallow = ({ connection }: { connection: NodeJS.EventEmitter }) => {
      connection.on('error', () => {});
    };
    admin.on('client:broker:connect', swallow);
    admin.on('client:broker:failed', swallow);
    try {
      // Forces connect + SASL now so authentication failures surface here.
      await admin.metadata({ topics: [] });
    } catch (error) {
      await admin.close().catch(() => {});
      throw new KafkaAccessError(classifyKafkaError(error), { cause: error });
    }
    return new PlatformaticSession(admin, this.#tuning);
  }
}
