/**
 * The domain's vocabulary: gates and their decisions, application states,
 * consumer-group measurements, the ledger records the domain reads, and the
 * Kafka and CloudWatch values its pure functions take. The domain defines
 * them; the phase contracts (../contracts.ts) and the ports (../ports.ts)
 * build on them and re-export them for their callers.
 */

// ------------------------------------------------------------ gates

export const GateKinds = [
  'cutover',
  'keep-or-rollback',
  'verify-timeout',
  'rollback-verify-timeout',
  'teardown',
  /** One gate for a whole wave (plans with `cutoverWaves`). */
  'wave-cutover',
  'wave-keep-or-rollback',
] as const;
export type GateKind = (typeof GateKinds)[number];

export const DecisionsByGate = {
  cutover: ['cutover', 'postpone', 'skip', 'abort'],
  'keep-or-rollback': ['keep', 'rollback'],
  /** Cutover verification did not pass by its deadline. */
  'verify-timeout': ['keep-waiting', 'rollback', 'record-moved'],
  /** Rollback verification did not pass by its deadline. */
  'rollback-verify-timeout': ['keep-waiting', 'record-moved'],
  teardown: ['teardown', 'keep-replicators'],
  /** A wave's cutover: every application, less those named under `skip`. */
  'wave-cutover': ['cutover', 'postpone', 'abort'],
  /** A wave's keep-or-rollback: keep, less those named under `rollback`. */
  'wave-keep-or-rollback': ['keep'],
} as const satisfies Record<GateKind, readonly string[]>;
export type Decision =
  (typeof DecisionsByGate)[keyof typeof DecisionsByGate][number];

/**
 * One application of a wave as its gate shows it: at a wave-cutover gate
 * its readiness (`ready`, first reasons, its evidence record); at a
 * wave-keep-or-rollback gate its cutover outcome (`verified`, `unverified`,
 * `failed` with `error`, `skipped`).
 */
export interface WaveAppStatus {
  app: string;
  ready?: boolean;
  reasons?: string[];
  evidenceId?: string;
  outcome?: 'verified' | 'unverified' | 'skipped' | 'failed' | 'rolled-back';
  error?: string;
}

// ------------------------------------------------------------ applications

/** Application states kept in the ledger (one item per application). */
export const AppStates = [
  'ON_SOURCE',
  'CUTOVER_APPROVED',
  'ON_TARGET',
  'KEPT_ON_TARGET',
  'ROLLBACK_APPROVED',
  'ROLLED_BACK',
  'SKIPPED',
] as const;
export type AppState = (typeof AppStates)[number];

// ------------------------------------------------------------ measurements

/** One consumer group as seen on one cluster. */
export interface GroupSide {
  /** Kafka group state: Stable, Empty, Dead, PreparingRebalance, … */
  state: string;
  members: number;
  /** null when the group has no committed offset there (no data ≠ zero). */
  sumOffsetLag: number | null;
  byTopic: Record<string, number>;
}

export interface GroupMeasurement {
  group: string;
  /** null when the cluster could not be read. */
  source: GroupSide | null;
  target: GroupSide | null;
}

/**
 * The `data` of a `measure` evidence record (kind `measure`): what
 * poll-readiness and verify-cutover read by `measurementId`.
 */
export interface MeasureEvidenceData {
  groups: GroupMeasurement[];
  /** One application's measurement: the end offsets of the topics it produces. */
  producedEndOffsets?: ProducedEndOffsets;
}

/** Topic → sum of its partitions' end offsets per cluster (null: unread). */
export type ProducedEndOffsets = Record<
  string,
  { source: number | null; target: number | null }
>;

// ------------------------------------------------------------ ledger records

export interface EvidenceRecord {
  migrationId: string;
  evidenceId: string;
  at: string;
  kind: 'preflight' | 'probe' | 'measure' | 'readiness' | 'verify' | 'teardown';
  app?: string;
  ready?: boolean;
  reasons: string[];
  /** Numbers behind the verdict; kept small (< 100 KB) per item. */
  data: Record<string, unknown>;
}

export interface ApprovalRecord {
  approvalId: string;
  migrationId: string;
  kind: GateKind;
  app?: string;
  /** Wave gates: the wave's name. */
  wave?: string;
  /**
   * Wave gates: the wave's applications when the gate opened, each with its
   * readiness (wave-cutover) or its cutover outcome (wave-keep-or-rollback).
   */
  waveApps?: WaveAppStatus[];
  executionId: string;
  /** KMS ciphertext of the task token. */
  encryptedTaskToken: string;
  /** Per-approval anti-forgery value for the page's form. */
  formNonce: string;
  evidenceId?: string;
  createdAt: string;
  /**
   * When the gate first opened, on an approval re-issued by a reminder (the
   * gate's timeout still counts from then). Absent: `createdAt`.
   */
  gateOpenedAt?: string;
  expiresAt: string;
  status: 'OPEN' | 'DECIDED' | 'SUPERSEDED' | 'EXPIRED';
  remindedAt?: string;
  /** Why the gate is asked again (shown on the page and in the email). */
  note?: string;
  /** Teardown gate: how many times it was answered "keep the replicators" before. */
  asked?: number;
  decision?: Decision;
  /** Wave gates: the applications named under `skip` / `rollback`. */
  skip?: string[];
  rollback?: string[];
  approver?: string;
  comment?: string;
  decidedAt?: string;
  sourceIp?: string;
  userAgent?: string;
  /**
   * When Step Functions answered the decision's SendTaskSuccess: the
   * workflow took it (`accepted`) or the task had already closed
   * (`gate-closed`). Absent on a decided approval: not delivered yet, and
   * approval-reminders sends it again.
   */
  deliveredAt?: string;
  delivery?: 'accepted' | 'gate-closed';
}

// ------------------------------------------------------------ Kafka

export interface KafkaAcl {
  resourceType:
    | 'TOPIC'
    | 'GROUP'
    | 'CLUSTER'
    | 'TRANSACTIONAL_ID'
    | 'DELEGATION_TOKEN'
    | 'USER';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  principal: string;
  host: string;
  operation: string;
  permission: 'ALLOW' | 'DENY';
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

// ------------------------------------------------------------ CloudWatch

export interface MetricQuery {
  /** Unique id in the request (`[a-z][A-Za-z0-9_]*`). */
  id: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: 'Sum' | 'Maximum' | 'Minimum' | 'Average';
  periodSeconds: number;
}

export interface MetricSeries {
  id: string;
  /** Oldest first. Empty when CloudWatch has no datapoint ("missing"). */
  points: { at: Date; value: number }[];
}

// ------------------------------------------------------------ readiness

export type RuleId =
  | 'ReplicatorFailure'
  | 'ReplicationFailures'
  | 'ConsumerGroupOffsetSyncFailure'
  | 'KafkaClusterPingSuccessCount'
  | 'MessageLag'
  | 'ReplicationLatency'
  | 'ConsumerGroupCount'
  | 'AuthError'
  | 'TargetSumOffsetLag'
  | 'SourceSumOffsetLag';

export interface RuleOutcome {
  rule: RuleId;
  /** Replicator (and topic or cluster), or consumer group. */
  subject: string;
  ok: boolean;
  /** The measured value; null when there was no data. */
  value: number | null;
  limit: number | null;
  /** Set when the rule failed: one sentence that says why. */
  reason?: string;
}
