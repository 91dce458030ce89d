/**
 * Ports: the narrow interfaces the phase cores talk to. Adapters over the AWS
 * SDK v3 clients live in `shared/aws/`, the Kafka adapter in `shared/kafka/`;
 * the rehearsal runs the same adapters over simulated SDK clients, and the
 * simulated source cluster implements `KafkaProbe` directly.
 *
 * A core receives only the ports it needs (`deps`), plus a logger and clock.
 */
import type {
  CreateReplicatorCommandInput,
  DescribeReplicatorResponse,
  ReplicatorSummary,
} from '@aws-sdk/client-kafka';
import type { CheckResult, PlanRef, ReplicatorRef } from './contracts.ts';
import type { ReadinessTracker } from './domain/readiness.ts';
import type {
  ApprovalRecord,
  AppState,
  EvidenceRecord,
  KafkaAcl,
  MetricQuery,
  MetricSeries,
  PartitionOffset,
} from './domain/types.ts';

/** The domain's records and values these ports carry (./domain/types.ts). */
export type {
  ApprovalRecord,
  EvidenceRecord,
  KafkaAcl,
  MetricQuery,
  MetricSeries,
  PartitionOffset,
} from './domain/types.ts';

// ------------------------------------------------------------------ basics

export interface Clock {
  now(): Date;
}

/** The part of the Powertools Logger the cores use (`DebugLogger` style). */
export interface Log {
  debug(message: string, extra?: object): void;
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

// -------------------------------------------------------------- plan store

export interface PlanStore {
  /** The exact object version: the plan is pinned for the whole migration. */
  get(ref: PlanRef): Promise<string>;
  /** Used by `msk-cutover start`; returns the new version. */
  put(bucket: string, key: string, body: string): Promise<PlanRef>;
}

// -------------------------------------------------------------- MSK Replicator

export type CreateOutcome =
  | { kind: 'created'; arn: string; state: string }
  /** ConflictException: a replicator with this exact name already exists. */
  | { kind: 'conflict' };

export interface Replicators {
  create(input: CreateReplicatorCommandInput): Promise<CreateOutcome>;
  describe(arn: string): Promise<DescribeReplicatorResponse | null>;
  /** ListReplicators with a name prefix (the API filters by prefix), all pages. */
  listByPrefix(prefix: string): Promise<ReplicatorSummary[]>;
  delete(arn: string): Promise<void>;
}

// -------------------------------------------------------------- other AWS reads

export interface MskClusterInfo {
  arn: string;
  name: string;
  state: string;
  clusterType: string;
  instanceType: string | null;
  iamAuthEnabled: boolean;
  kafkaVersion: string | null;
  subnetIds: string[];
}

export interface AwsInventory {
  mskCluster(arn: string): Promise<MskClusterInfo | null>;
  /** Secret JSON; callers must never log the values. `null` when missing. */
  secretJson(arn: string): Promise<Record<string, unknown> | null>;
  subnets(ids: string[]): Promise<{ id: string; vpcId: string; az: string }[]>;
  securityGroups(ids: string[]): Promise<
    {
      id: string;
      vpcId: string;
      egress: {
        protocol: string;
        fromPort?: number;
        toPort?: number;
        cidrs: string[];
        groups: string[];
      }[];
    }[]
  >;
  /** Service Quotas L-8F940D28; the default (15) when it cannot be read. */
  replicatorQuota(): Promise<number>;
  /**
   * GetBootstrapBrokers: the SASL/IAM bootstrap string clients switch to
   * (`BootstrapBrokerStringSaslIam`); null when the cluster has none.
   */
  bootstrapBrokers(clusterArn: string): Promise<string | null>;
}

/**
 * Whether the destinations a replicator delivers its logs to exist
 * (CreateReplicator `LogDelivery`). Absence is `false`, never an error.
 */
export interface LogDestinations {
  logGroupExists(name: string): Promise<boolean>;
  bucketExists(name: string): Promise<boolean>;
  deliveryStreamExists(name: string): Promise<boolean>;
}

// -------------------------------------------------------------- CloudWatch

export interface Metrics {
  /** One GetMetricData call per 500 queries (the API's limit). */
  query(queries: MetricQuery[], from: Date, to: Date): Promise<MetricSeries[]>;
  /** PutMetricData into the `msk-cutover` namespace (source-side lag). */
  put(
    data: {
      metricName: string;
      dimensions: Record<string, string>;
      value: number;
      at: Date;
    }[],
  ): Promise<void>;
}

// -------------------------------------------------------------- notifications

export interface Notification {
  migrationId: string;
  /** EventBridge `detail-type`, e.g. "Phase Changed", "Migration Failed". */
  type: string;
  subject: string;
  /** Plain text a person can act on. */
  body: string;
  detail: Record<string, unknown>;
}

export interface Notifier {
  /** SNS (email) and EventBridge (source `msk-cutover`). */
  publish(n: Notification): Promise<void>;
  /**
   * Subscribes each address (protocol `email`) that is not yet subscribed to
   * the topic, pending confirmations included; returns the newly subscribed.
   */
  subscribeEmails(emails: readonly string[]): Promise<string[]>;
}

// -------------------------------------------------------------- Step Functions

/**
 * Both methods reject with the domain's TaskGoneError when Step Functions no
 * longer waits for the token (timed out, execution ended); any other error
 * is the adapter's own.
 */
export interface TaskTokens {
  sendSuccess(taskToken: string, output: object): Promise<void>;
  sendFailure(taskToken: string, error: string, cause: string): Promise<void>;
}

/** KMS envelope for task tokens at rest in the ledger. */
export interface TokenCipher {
  encrypt(plaintext: string, context: Record<string, string>): Promise<string>;
  decrypt(ciphertext: string, context: Record<string, string>): Promise<string>;
}

/** The HMAC key that signs approval links (Secrets Manager). */
export interface SigningKeys {
  current(): Promise<Buffer>;
}

// -------------------------------------------------------------- ledger

export interface MigrationRecord {
  migrationId: string;
  planDigest: string;
  planRef: PlanRef;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TORN_DOWN';
  startedAt: string;
  updatedAt: string;
  /** Cluster id discovered by probe-source. */
  sourceClusterId?: string;
  /** First time the forward replicators were seen CREATING. */
  creatingSince?: string;
  /** When describe-replicators warned that CREATING takes too long (once). */
  creatingWarnedAt?: string;
  /** When readiness first held continuously (sustained window start). */
  readySince?: string;
}

export interface AppRecord {
  migrationId: string;
  app: string;
  /** Position in the cutover order. */
  order: number;
  state: AppState;
  updatedAt: string;
  /** Incremented on every transition (optimistic concurrency). */
  version: number;
}

export interface Ledger {
  /** Idempotent: same digest → no-op; a different digest → LedgerConflictError. */
  startMigration(rec: MigrationRecord): Promise<void>;
  getMigration(migrationId: string): Promise<MigrationRecord | null>;
  updateMigration(
    migrationId: string,
    patch: Partial<Omit<MigrationRecord, 'migrationId'>>,
  ): Promise<void>;
  /** Migrations whose status is not final (for the daily sweep). */
  listMigrations(): Promise<MigrationRecord[]>;

  /** Creates missing app items (ON_SOURCE), batched; existing ones are kept. */
  putApps(migrationId: string, apps: string[]): Promise<void>;
  getApp(migrationId: string, app: string): Promise<AppRecord | null>;
  listApps(migrationId: string): Promise<AppRecord[]>;
  /** Conditional: fails with LedgerConflictError unless the state is in `from`. */
  transitionApp(
    migrationId: string,
    app: string,
    from: readonly AppState[],
    to: AppState,
  ): Promise<AppRecord>;

  putReplicator(migrationId: string, ref: ReplicatorRef): Promise<void>;
  listReplicators(migrationId: string): Promise<ReplicatorRef[]>;

  putEvidence(rec: EvidenceRecord): Promise<void>;
  getEvidence(
    migrationId: string,
    evidenceId: string,
  ): Promise<EvidenceRecord | null>;
  /**
   * The newest evidence of a kind (by `at`) for one application, or the
   * migration-wide one when `app` is absent; null when none was recorded.
   * Gates snapshot it as the evidence a decision was made on.
   */
  latestEvidence(
    migrationId: string,
    kind: EvidenceRecord['kind'],
    app?: string,
  ): Promise<EvidenceRecord | null>;
  /** The id and time of {@link latestEvidence}, without reading it. */
  latestEvidenceRef(
    migrationId: string,
    kind: EvidenceRecord['kind'],
    app?: string,
  ): Promise<{ evidenceId: string; at: string } | null>;
  putChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
    checks: CheckResult[],
  ): Promise<void>;

  /** Marks older OPEN approvals of the same gate (migration, kind, app) SUPERSEDED. */
  putApproval(rec: ApprovalRecord): Promise<void>;
  getApproval(approvalId: string): Promise<ApprovalRecord | null>;
  listApprovals(migrationId: string): Promise<ApprovalRecord[]>;
  /**
   * Single use: succeeds only while the approval is OPEN and unexpired at
   * `now`; otherwise LedgerConflictError. Returns the decided record.
   */
  decideApproval(
    approvalId: string,
    decision: Pick<
      ApprovalRecord,
      | 'decision'
      | 'approver'
      | 'comment'
      | 'sourceIp'
      | 'userAgent'
      | 'skip'
      | 'rollback'
    >,
    now: Date,
  ): Promise<ApprovalRecord>;
  markReminded(approvalId: string, at: Date): Promise<boolean>;
  /** Records that a decided approval reached Step Functions (idempotent). */
  markDelivered(
    approvalId: string,
    delivery: NonNullable<ApprovalRecord['delivery']>,
    at: Date,
  ): Promise<void>;

  /**
   * Readiness bookkeeping between polls (sustained window start, wait start,
   * notices sent) of the migration, or of one application when `app` is set.
   */
  getReadinessTracker(
    migrationId: string,
    app?: string,
  ): Promise<ReadinessTracker | null>;
  putReadinessTracker(
    migrationId: string,
    app: string | undefined,
    tracker: ReadinessTracker,
  ): Promise<void>;

  audit(
    migrationId: string,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void>;
}

// -------------------------------------------------------------- Kafka

export interface TlsSettings {
  /** PEM chain (root + intermediates) from the secret; absent = system CAs. */
  ca?: string;
}

export type TransportLayer =
  | 'dns'
  | 'tcp-refused'
  | 'tcp-timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-stall'
  | 'tls-other';

export interface TransportCheck {
  broker: string;
  ok: boolean;
  /** Where it failed; absent when ok. */
  failedAt?: TransportLayer;
  detail: string;
  addresses: string[];
  millis: number;
}

export interface KafkaCredentials {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512' | 'OAUTHBEARER';
  username?: string;
  password?: string;
  /** OAUTHBEARER: returns a fresh token (MSK IAM signer). */
  token?: () => Promise<string>;
}

export interface KafkaClusterAccess {
  bootstrapBrokers: string[];
  tls: TlsSettings;
  credentials: KafkaCredentials;
}

export interface KafkaTopic {
  name: string;
  partitions: number;
}

export interface KafkaGroup {
  groupId: string;
  state: string;
  members: number;
}

/** An authenticated admin session on one cluster. */
export interface KafkaSession {
  clusterId(): Promise<string>;
  /**
   * `host:port` of every broker as the cluster advertises it (Metadata).
   * Clients, the replicators included, connect to these after bootstrap.
   * Optional: a simulated cluster may leave it out.
   */
  advertisedBrokers?(): Promise<string[]>;
  /** ApiKey → max version the brokers advertise. */
  apiVersions(): Promise<Map<number, number>>;
  listTopics(): Promise<KafkaTopic[]>;
  topicConfigs(topics: string[]): Promise<Map<string, Map<string, string>>>;
  /** ACLs that apply to the principal (its own and `User:*`). */
  acls(principal: string): Promise<KafkaAcl[]>;
  groups(groupIds?: string[]): Promise<KafkaGroup[]>;
  committedOffsets(groupIds: string[]): Promise<Map<string, PartitionOffset[]>>;
  endOffsets(topics: KafkaTopic[]): Promise<PartitionOffset[]>;
  close(): Promise<void>;
}

export interface KafkaProbe {
  /** DNS → TCP → TLS for one broker, each step with its own timeout. */
  checkTransport(
    broker: string,
    tls: TlsSettings,
    timeoutMs: number,
  ): Promise<TransportCheck>;
  /** Connects and authenticates; rejects with a classified error. */
  connect(access: KafkaClusterAccess): Promise<KafkaSession>;
}
