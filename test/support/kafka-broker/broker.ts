/**
 * A minimal Kafka-protocol broker for tests: a real TLS listener, a real
 * SASL exchange (SCRAM-SHA-256/512 from ./scram.ts, and OAUTHBEARER with an
 * MSK IAM token shape check), the admin reads the probe uses at pinned API
 * versions, an in-memory cluster model and fault knobs.
 *
 * Byte encoding reuses the client library's `Reader`/`Writer` (plain
 * primitives: compact strings, varints, tagged fields); every message layout
 * below is written here from the Kafka protocol schemas, and the
 * `encode*` functions are exported so tests can round-trip them through the
 * client's own `parseResponse`.
 *
 * It proves the client's wire, TLS and SASL behaviour and our error
 * classification, not real Kafka semantics (those stay for a staging check
 * against the real cluster).
 */
import { randomUUID } from 'node:crypto';
import { createServer as createNetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Reader, Writer } from '@platformatic/kafka';
import {
  type ScramCredential,
  type ScramMechanism,
  ScramServerExchange,
  scramCredential,
} from './scram.ts';

// ------------------------------------------------------------------ model

export interface PartitionLog {
  logStart: bigint;
  logEnd: bigint;
}

export interface TopicModel {
  partitions: PartitionLog[];
  configs: Record<string, string>;
}

export interface GroupModel {
  state: string;
  members: number;
  /** Committed offset per topic and partition; absent = none. */
  offsets: Record<string, Record<number, bigint>>;
}

export interface AclModel {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permission: number;
}

export interface BrokerModel {
  clusterId: string;
  topics: Map<string, TopicModel>;
  groups: Map<string, GroupModel>;
  acls: AclModel[];
}

export interface BrokerFaults {
  /** ApiKey → error code put where that API carries its error. */
  apiErrors?: Partial<Record<number, number>>;
  /** Completes TLS, then never answers a request. */
  silent?: boolean;
  /** Replaces the advertised API versions (e.g. an old broker). */
  apiVersions?: Map<number, [number, number]>;
}

export interface BrokerOptions {
  cert: string;
  key: string;
  model: BrokerModel;
  /** SASL mechanisms enabled on the listener. */
  mechanisms?: string[];
  users?: { name: string; password: string; mechanisms?: ScramMechanism[] }[];
  faults?: BrokerFaults;
}

export interface RunningBroker {
  host: string;
  port: number;
  bootstrap: string;
  /** `apiKey:version` of every request, in arrival order. */
  log: string[];
  /** Users and OAUTHBEARER tokens that authenticated. */
  authenticated: string[];
  faults: BrokerFaults;
  stop(): Promise<void>;
}

/** The versions this broker serves; the client picks the highest it knows. */
export const PINNED_API_VERSIONS = new Map<number, [number, number]>([
  [18, [0, 3]], // ApiVersions
  [17, [1, 1]], // SaslHandshake
  [36, [2, 2]], // SaslAuthenticate
  [3, [12, 12]], // Metadata
  [10, [4, 4]], // FindCoordinator
  [9, [8, 8]], // OffsetFetch
  [2, [9, 9]], // ListOffsets
  [16, [5, 5]], // ListGroups
  [15, [5, 5]], // DescribeGroups
  [32, [4, 4]], // DescribeConfigs
  [29, [3, 3]], // DescribeAcls
  [60, [1, 1]], // DescribeCluster (advertised: marks Kafka 2.8+)
  [61, [0, 0]], // DescribeProducers (Kafka 2.8+)
]);

/** Request and response headers are flexible from these versions on. */
const FLEXIBLE_FROM = new Map<number, number>([
  [18, 3],
  [17, 99],
  [36, 2],
  [3, 9],
  [10, 3],
  [9, 6],
  [2, 6],
  [16, 3],
  [15, 5],
  [32, 4],
  [29, 2],
]);

const NO_SUCH_TOPIC = 3;
const NOT_AUTHENTICATED_APIS = new Set([17, 18, 36]);

function topicId(name: string): string {
  // Deterministic UUID-shaped id per topic name.
  const hex = Buffer.from(name.padEnd(16, '#').slice(0, 16)).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// ------------------------------------------------------------- topology

export interface NodeInfo {
  nodeId: number;
  host: string;
  port: number;
}

/**
 * The brokers of a test cluster as every broker advertises them. Partition
 * `i` of every topic is led by node `i mod n`; a group's coordinator is
 * chosen by a hash of its id, so a client must route requests as Kafka
 * requires or get NOT_LEADER_OR_FOLLOWER / NOT_COORDINATOR.
 */
export type Topology = NodeInfo[];

const NOT_LEADER_OR_FOLLOWER = 6;
const NOT_COORDINATOR = 16;

function nodesOf(t: Topology | { host: string; port: number }): Topology {
  return Array.isArray(t) ? t : [{ nodeId: 1, ...t }];
}

export function leaderOf(t: Topology, partition: number): NodeInfo {
  return t[partition % t.length] as NodeInfo;
}

export function coordinatorOf(t: Topology, key: string): NodeInfo {
  let h = 0;
  for (const c of key) h = (h * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return t[h % t.length] as NodeInfo;
}

// ------------------------------------------------------------- encoders

export function encodeApiVersions(
  version: number,
  apis: Map<number, [number, number]>,
): Writer {
  const w = Writer.create().appendInt16(0);
  const entries = [...apis.entries()];
  if (version >= 3) {
    w.appendArray(
      entries,
      (x, [key, [min, max]]) =>
        x.appendInt16(key).appendInt16(min).appendInt16(max),
      true,
      true,
    );
    return w.appendInt32(0).appendTaggedFields();
  }
  w.appendArray(
    entries,
    (x, [key, [min, max]]) =>
      x.appendInt16(key).appendInt16(min).appendInt16(max),
    false,
    false,
  );
  return w.appendInt32(0);
}

export function encodeMetadataV12(
  model: BrokerModel,
  topology: Topology | { host: string; port: number },
  requested: string[] | null,
  topicError = 0,
): Writer {
  const names = requested ?? [...model.topics.keys()];
  const nodes = nodesOf(topology);
  return Writer.create()
    .appendInt32(0)
    .appendArray(nodes, (w, node) =>
      w
        .appendInt32(node.nodeId)
        .appendString(node.host)
        .appendInt32(node.port)
        .appendString(null),
    )
    .appendString(model.clusterId)
    .appendInt32((nodes[0] as NodeInfo).nodeId)
    .appendArray(names, (w, name) => {
      const topic = model.topics.get(name);
      const error = topicError || (topic ? 0 : NO_SUCH_TOPIC);
      w.appendInt16(error)
        .appendString(name)
        .appendUUID(
          topic ? topicId(name) : '00000000-0000-0000-0000-000000000000',
        )
        .appendBoolean(false)
        .appendArray(
          error === 0 && topic ? topic.partitions : [],
          (p, _log, index) => {
            const leader = leaderOf(nodes, index).nodeId;
            p.appendInt16(0)
              .appendInt32(index)
              .appendInt32(leader)
              .appendInt32(0)
              .appendArray([leader], (r, id) => r.appendInt32(id), true, false)
              .appendArray([leader], (r, id) => r.appendInt32(id), true, false)
              .appendArray([], () => {}, true, false);
          },
        )
        .appendInt32(-2147483648);
    })
    .appendTaggedFields();
}

export function encodeFindCoordinatorV4(
  keys: string[],
  topology: Topology | { host: string; port: number },
): Writer {
  const nodes = nodesOf(topology);
  return Writer.create()
    .appendInt32(0)
    .appendArray(keys, (w, key) => {
      const c = coordinatorOf(nodes, key);
      w.appendString(key)
        .appendInt32(c.nodeId)
        .appendString(c.host)
        .appendInt32(c.port)
        .appendInt16(0)
        .appendString(null);
    })
    .appendTaggedFields();
}

export function encodeOffsetFetchV8(
  model: BrokerModel,
  groups: { groupId: string; topics: string[] | null }[],
  groupError = 0,
  coordinates: (groupId: string) => boolean = () => true,
): Writer {
  return Writer.create()
    .appendInt32(0)
    .appendArray(groups, (w, { groupId, topics }) => {
      const offsets = model.groups.get(groupId)?.offsets ?? {};
      const error = groupError || (coordinates(groupId) ? 0 : NOT_COORDINATOR);
      const names = error ? [] : (topics ?? Object.keys(offsets));
      w.appendString(groupId)
        .appendArray(names, (t, name) => {
          const partitions = Object.entries(offsets[name] ?? {});
          t.appendString(name).appendArray(partitions, (p, [index, offset]) =>
            p
              .appendInt32(Number(index))
              .appendInt64(offset)
              .appendInt32(-1)
              .appendString(null)
              .appendInt16(0),
          );
        })
        .appendInt16(error);
    })
    .appendTaggedFields();
}

export function encodeListOffsetsV9(
  model: BrokerModel,
  topics: {
    name: string;
    partitions: { index: number; timestamp: bigint }[];
  }[],
  partitionError = 0,
  leads: (partition: number) => boolean = () => true,
): Writer {
  return Writer.create()
    .appendInt32(0)
    .appendArray(topics, (w, { name, partitions }) => {
      w.appendString(name).appendArray(
        partitions,
        (p, { index, timestamp }) => {
          const log = model.topics.get(name)?.partitions[index];
          const error =
            partitionError ||
            (!log ? NO_SUCH_TOPIC : leads(index) ? 0 : NOT_LEADER_OR_FOLLOWER);
          const offset =
            !log || error ? -1n : timestamp === -2n ? log.logStart : log.logEnd;
          p.appendInt32(index)
            .appendInt16(error)
            .appendInt64(-1n)
            .appendInt64(offset)
            .appendInt32(0);
        },
      );
    })
    .appendTaggedFields();
}

export function encodeListGroupsV5(model: BrokerModel, error = 0): Writer {
  const groups = error ? [] : [...model.groups.entries()];
  return Writer.create()
    .appendInt32(0)
    .appendInt16(error)
    .appendArray(groups, (w, [id, g]) =>
      w
        .appendString(id)
        .appendString('consumer')
        .appendString(g.state)
        .appendString('classic'),
    )
    .appendTaggedFields();
}

export function encodeDescribeGroupsV5(
  model: BrokerModel,
  ids: string[],
  groupError = 0,
  coordinates: (groupId: string) => boolean = () => true,
): Writer {
  return Writer.create()
    .appendInt32(0)
    .appendArray(ids, (w, id) => {
      const g = model.groups.get(id);
      const error = groupError || (coordinates(id) ? 0 : NOT_COORDINATOR);
      const members = g && !error ? g.members : 0;
      w.appendInt16(error)
        .appendString(id)
        .appendString(g ? g.state : 'Dead')
        .appendString(g ? 'consumer' : '')
        .appendString(members > 0 ? 'range' : '')
        .appendArray(
          Array.from({ length: members }, (_, i) => i),
          (m, i) =>
            m
              .appendString(`${id}-member-${i}`)
              .appendString(null)
              .appendString(`${id}-client`)
              .appendString('/10.0.0.1')
              .appendBytes(Buffer.alloc(0))
              .appendBytes(Buffer.alloc(0)),
        )
        .appendInt32(-2147483648);
    })
    .appendTaggedFields();
}

export function encodeDescribeConfigsV4(
  model: BrokerModel,
  resources: { type: number; name: string; keys: string[] | null }[],
  error = 0,
): Writer {
  return Writer.create()
    .appendInt32(0)
    .appendArray(resources, (w, { type, name, keys }) => {
      const topic = model.topics.get(name);
      const code = error || (type === 2 && !topic ? NO_SUCH_TOPIC : 0);
      const configs = Object.entries(code ? {} : (topic?.configs ?? {})).filter(
        ([k]) => !keys || keys.includes(k),
      );
      w.appendInt16(code)
        .appendString(code ? 'denied or unknown' : null)
        .appendInt8(type)
        .appendString(name)
        .appendArray(configs, (c, [k, v]) =>
          c
            .appendString(k)
            .appendString(v)
            .appendBoolean(false)
            .appendInt8(1)
            .appendBoolean(false)
            .appendArray([], () => {})
            .appendInt8(2)
            .appendString(null),
        );
    })
    .appendTaggedFields();
}

export interface AclFilterRequest {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permission: number;
}

/** Kafka's AclBindingFilter matching, including MATCH (2). */
export function aclMatchesFilter(acl: AclModel, f: AclFilterRequest): boolean {
  if (f.resourceType !== 1 && f.resourceType !== acl.resourceType) return false;
  if (f.patternType === 2) {
    if (f.resourceName !== null) {
      const n = f.resourceName;
      const ok =
        (acl.patternType === 3 &&
          (acl.resourceName === n || acl.resourceName === '*')) ||
        (acl.patternType === 4 && n.startsWith(acl.resourceName));
      if (!ok) return false;
    }
  } else {
    if (f.patternType !== 1 && f.patternType !== acl.patternType) return false;
    if (f.resourceName !== null && f.resourceName !== acl.resourceName)
      return false;
  }
  if (f.principal !== null && f.principal !== acl.principal) return false;
  if (f.host !== null && f.host !== acl.host) return false;
  if (f.operation !== 1 && f.operation !== acl.operation) return false;
  if (f.permission !== 1 && f.permission !== acl.permission) return false;
  return true;
}

export function encodeDescribeAclsV3(
  model: BrokerModel,
  filter: AclFilterRequest,
  error = 0,
): Writer {
  const matching = error
    ? []
    : model.acls.filter((a) => aclMatchesFilter(a, filter));
  const byResource = new Map<string, AclModel[]>();
  for (const acl of matching) {
    const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
    byResource.set(key, [...(byResource.get(key) ?? []), acl]);
  }
  return Writer.create()
    .appendInt32(0)
    .appendInt16(error)
    .appendString(error ? 'Cluster authorization failed.' : null)
    .appendArray([...byResource.values()], (w, acls) => {
      const first = acls[0] as AclModel;
      w.appendInt8(first.resourceType)
        .appendString(first.resourceName)
        .appendInt8(first.patternType)
        .appendArray(acls, (a, acl) =>
          a
            .appendString(acl.principal)
            .appendString(acl.host)
            .appendInt8(acl.operation)
            .appendInt8(acl.permission),
        );
    })
    .appendTaggedFields();
}

function encodeSaslHandshakeV1(error: number, mechanisms: string[]): Writer {
  return Writer.create()
    .appendInt16(error)
    .appendArray(mechanisms, (w, m) => w.appendString(m, false), false, false);
}

function encodeSaslAuthenticateV2(
  error: number,
  message: string | null,
  bytes: Buffer,
): Writer {
  return Writer.create()
    .appendInt16(error)
    .appendString(message)
    .appendBytes(bytes)
    .appendInt64(error ? 0n : 3_600_000n)
    .appendTaggedFields();
}

// ------------------------------------------------------------ OAUTHBEARER

/**
 * Checks that an OAUTHBEARER client-first message carries a well-formed MSK
 * IAM token: a base64url presigned `kafka-cluster:Connect` URL with a SigV4
 * signature. The signature itself cannot be verified without AWS.
 */
export function checkMskIamToken(message: Buffer): string | null {
  const text = message.toString('utf8');
  // RFC 7628: gs2 header, then kvpairs separated by \x01, ending in \x01\x01.
  const SEP = String.fromCharCode(1);
  const [gs2, ...pairs] = text.split(SEP);
  const auth = pairs.find((p) => p.startsWith('auth=Bearer '));
  if (!gs2?.startsWith('n,') || !text.endsWith(SEP + SEP) || !auth) {
    return 'OAUTHBEARER message is not "n,,<SOH>auth=Bearer <token><SOH><SOH>"';
  }
  const token = auth.slice('auth=Bearer '.length);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return 'token is not base64url';
  let url: URL;
  try {
    url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return 'token does not decode to a URL';
  }
  const q = url.searchParams;
  if (!/^kafka\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname)) {
    return `token host ${url.hostname} is not kafka.<region>.amazonaws.com`;
  }
  if (q.get('Action') !== 'kafka-cluster:Connect')
    return 'Action is not kafka-cluster:Connect';
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return 'not SigV4';
  if (
    !/^[A-Z0-9]+\/\d{8}\/[a-z0-9-]+\/kafka-cluster\/aws4_request$/.test(
      q.get('X-Amz-Credential') ?? '',
    )
  ) {
    return 'X-Amz-Credential is malformed';
  }
  if (!/^[0-9a-f]{64}$/.test(q.get('X-Amz-Signature') ?? ''))
    return 'X-Amz-Signature is malformed';
  if (!/^\d{8}T\d{6}Z$/.test(q.get('X-Amz-Date') ?? ''))
    return 'X-Amz-Date is malformed';
  return null;
}

// ------------------------------------------------------------------ server

interface ConnectionState {
  mechanism?: string;
  scram?: ScramServerExchange;
  scramStep: 0 | 1;
  authenticated: boolean;
}

function readRequestBody(
  apiKey: number,
  reader: Reader,
): Record<string, unknown> {
  switch (apiKey) {
    case 17:
      return { mechanism: reader.readString(false) };
    case 36:
      return { bytes: reader.readBytes() };
    case 3:
      return {
        topics: reader.readNullableArray((r) => {
          r.readUUID();
          return r.readNullableString();
        }),
      };
    case 10:
      reader.readInt8();
      return { keys: reader.readArray((r) => r.readString(), true, false) };
    case 9:
      return {
        groups: reader.readArray((r) => ({
          groupId: r.readString(),
          topics: r.readNullableArray((t) => {
            const name = t.readString();
            t.readArray((p) => p.readInt32(), true, false);
            return name;
          }),
        })),
      };
    case 2:
      reader.readInt32();
      reader.readInt8();
      return {
        topics: reader.readArray((r) => ({
          name: r.readString(),
          partitions: r.readArray((p) => {
            const index = p.readInt32();
            p.readInt32();
            return { index, timestamp: p.readInt64() };
          }),
        })),
      };
    case 15:
      return { ids: reader.readArray((r) => r.readString(), true, false) };
    case 32:
      return {
        resources: reader.readArray((r) => ({
          type: r.readInt8(),
          name: r.readString(),
          keys: r.readNullableArray((k) => k.readString(), true, false),
        })),
      };
    case 29:
      return {
        filter: {
          resourceType: reader.readInt8(),
          resourceName: reader.readNullableString(),
          patternType: reader.readInt8(),
          principal: reader.readNullableString(),
          host: reader.readNullableString(),
          operation: reader.readInt8(),
          permission: reader.readInt8(),
        } satisfies AclFilterRequest,
      };
    default:
      return {};
  }
}

/** One broker of a cluster: `self` is its entry in `topology`. */
async function startNode(
  options: BrokerOptions,
  topology: Topology,
  self: NodeInfo,
): Promise<RunningBroker> {
  const faults = options.faults ?? {};
  const mechanisms = options.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512'];
  const credentials = new Map<string, ScramCredential[]>();
  for (const user of options.users ?? []) {
    credentials.set(
      user.name,
      (user.mechanisms ?? ['SCRAM-SHA-256', 'SCRAM-SHA-512']).map((m) =>
        scramCredential(m, user.password),
      ),
    );
  }
  const lookup = (user: string, mechanism: ScramMechanism) =>
    credentials.get(user)?.find((c) => c.mechanism === mechanism);
  const sockets = new Set<Socket>();
  const log: string[] = [];
  const authenticated: string[] = [];
  const coordinates = (groupId: string) =>
    coordinatorOf(topology, groupId).nodeId === self.nodeId;

  const handle = (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const state: ConnectionState = { scramStep: 0, authenticated: false };
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      if (faults.silent) return;
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        const reply = respond(frame, state, socket);
        if (reply) socket.write(reply);
        if (socket.destroyed) return;
      }
    });
  };

  const respond = (
    frame: Buffer,
    state: ConnectionState,
    socket: TLSSocket,
  ): Buffer | null => {
    const reader = Reader.from(frame);
    const apiKey = reader.readInt16();
    const version = reader.readInt16();
    const correlationId = reader.readInt32();
    reader.readNullableString(false);
    const flexible = version >= (FLEXIBLE_FROM.get(apiKey) ?? 99);
    if (flexible) reader.readTaggedFields();
    log.push(`${apiKey}:${version}`);
    if (!state.authenticated && !NOT_AUTHENTICATED_APIS.has(apiKey)) {
      socket.destroy();
      return null;
    }
    const body = readRequestBody(apiKey, reader);
    const error = faults.apiErrors?.[apiKey] ?? 0;
    let out: Writer;
    let closeAfter = false;
    switch (apiKey) {
      case 18:
        out = encodeApiVersions(
          version,
          faults.apiVersions ?? PINNED_API_VERSIONS,
        );
        break;
      case 17: {
        const mechanism = body.mechanism as string;
        const ok = mechanisms.includes(mechanism);
        state.mechanism = ok ? mechanism : undefined;
        if (ok && mechanism.startsWith('SCRAM-')) {
          state.scram = new ScramServerExchange(
            mechanism as ScramMechanism,
            lookup,
          );
          state.scramStep = 0;
        }
        out = encodeSaslHandshakeV1(ok ? 0 : 33, mechanisms);
        break;
      }
      case 36: {
        const bytes = body.bytes as Buffer;
        if (state.mechanism === 'OAUTHBEARER') {
          const problem = checkMskIamToken(bytes);
          if (problem) {
            out = encodeSaslAuthenticateV2(
              58,
              `Authentication failed: ${problem}`,
              Buffer.alloc(0),
            );
            closeAfter = true;
          } else {
            state.authenticated = true;
            authenticated.push('OAUTHBEARER');
            out = encodeSaslAuthenticateV2(0, null, Buffer.alloc(0));
          }
          break;
        }
        if (!state.scram) {
          out = encodeSaslAuthenticateV2(
            34,
            'Unexpected SaslAuthenticate',
            Buffer.alloc(0),
          );
          closeAfter = true;
          break;
        }
        const step =
          state.scramStep === 0
            ? state.scram.first(bytes)
            : state.scram.final(bytes);
        state.scramStep = 1;
        if (step.kind === 'fail') {
          out = encodeSaslAuthenticateV2(58, step.message, Buffer.alloc(0));
          closeAfter = true;
        } else {
          if (step.kind === 'done') {
            state.authenticated = true;
            authenticated.push(step.user);
          }
          out = encodeSaslAuthenticateV2(0, null, step.reply);
        }
        break;
      }
      case 3:
        out = encodeMetadataV12(
          options.model,
          topology,
          body.topics as string[] | null,
          error,
        );
        break;
      case 10:
        out = encodeFindCoordinatorV4(body.keys as string[], topology);
        break;
      case 9:
        out = encodeOffsetFetchV8(
          options.model,
          body.groups as { groupId: string; topics: string[] | null }[],
          error,
          coordinates,
        );
        break;
      case 2:
        out = encodeListOffsetsV9(
          options.model,
          body.topics as {
            name: string;
            partitions: { index: number; timestamp: bigint }[];
          }[],
          error,
          (partition) => leaderOf(topology, partition).nodeId === self.nodeId,
        );
        break;
      case 16:
        out = encodeListGroupsV5(options.model, error);
        break;
      case 15:
        out = encodeDescribeGroupsV5(
          options.model,
          body.ids as string[],
          error,
          coordinates,
        );
        break;
      case 32:
        out = encodeDescribeConfigsV4(
          options.model,
          body.resources as {
            type: number;
            name: string;
            keys: string[] | null;
          }[],
          error,
        );
        break;
      case 29:
        out = encodeDescribeAclsV3(
          options.model,
          body.filter as AclFilterRequest,
          error,
        );
        break;
      default:
        socket.destroy();
        return null;
    }
    const header = Writer.create().appendInt32(correlationId);
    // ApiVersions answers with header v0 even at flexible versions.
    if (flexible && apiKey !== 18) header.appendTaggedFields();
    const frameOut = header.appendFrom(out).prependLength().buffer;
    if (closeAfter) {
      socket.end(frameOut);
      return null;
    }
    return frameOut;
  };

  const server = createTlsServer(
    { cert: options.cert, key: options.key },
    handle,
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  self.port = typeof address === 'object' && address ? address.port : 0;
  return {
    host: self.host,
    port: self.port,
    bootstrap: `${self.host}:${self.port}`,
    log,
    authenticated,
    faults,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Starts `size` brokers on 127.0.0.1 sharing one model (and users, faults):
 * each advertises all of them, leads its share of the partitions and
 * coordinates its share of the groups.
 */
export async function startTestCluster(
  options: BrokerOptions,
  size: number,
  /** Host name each broker advertises; `localhost` by default. */
  advertisedHosts: string[] = [],
): Promise<{
  brokers: RunningBroker[];
  bootstrap: string;
  stop(): Promise<void>;
}> {
  const topology: Topology = Array.from({ length: size }, (_, i) => ({
    nodeId: i + 1,
    host: advertisedHosts[i] ?? 'localhost',
    port: 0,
  }));
  const shared = { ...options, faults: options.faults ?? {} };
  const brokers = await Promise.all(
    topology.map((node) => startNode(shared, topology, node)),
  );
  return {
    brokers,
    bootstrap: (brokers[0] as RunningBroker).bootstrap,
    async stop() {
      await Promise.all(brokers.map((b) => b.stop()));
    },
  };
}

/** Starts one broker on 127.0.0.1 with a random port. */
export async function startTestBroker(
  options: BrokerOptions,
): Promise<RunningBroker> {
  const self: NodeInfo = { nodeId: 1, host: 'localhost', port: 0 };
  return startNode(options, [self], self);
}

/** A TCP server that accepts and never speaks TLS: a TLS stall. */
export async function startStallServer(): Promise<{
  port: number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A small model: `topics` name → partition end offsets (start 0). */
export function modelOf(input: {
  clusterId?: string;
  topics?: Record<string, number[]>;
  configs?: Record<string, Record<string, string>>;
  groups?: Record<
    string,
    { state?: string; members?: number; offsets?: Record<string, number[]> }
  >;
  acls?: AclModel[];
}): BrokerModel {
  const topics = new Map<string, TopicModel>();
  for (const [name, ends] of Object.entries(input.topics ?? {})) {
    topics.set(name, {
      partitions: ends.map((end) => ({ logStart: 0n, logEnd: BigInt(end) })),
      configs: {
        'cleanup.policy': 'delete',
        'retention.ms': '604800000',
        ...(input.configs?.[name] ?? {}),
      },
    });
  }
  const groups = new Map<string, GroupModel>();
  for (const [id, g] of Object.entries(input.groups ?? {})) {
    const offsets: GroupModel['offsets'] = {};
    for (const [topic, list] of Object.entries(g.offsets ?? {})) {
      offsets[topic] = Object.fromEntries(list.map((o, i) => [i, BigInt(o)]));
    }
    groups.set(id, {
      state: g.state ?? (g.members ? 'Stable' : 'Empty'),
      members: g.members ?? 0,
      offsets,
    });
  }
  return {
    clusterId: input.clusterId ?? `cluster-${randomUUID().slice(0, 8)}`,
    topics,
    groups,
    acls: input.acls ?? [],
  };
}
