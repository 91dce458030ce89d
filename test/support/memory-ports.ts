/**
 * In-memory ports for the workflow's scenario tests and the unit tests of
 * the orchestration phases. They keep the contracts of the real adapters
 * (conditional writes raise LedgerConflictError, a duplicate replicator name
 * is a conflict, a deleted replicator reads as null) without AWS; the real
 * DynamoLedger is tested on dynalite and the SDK adapters on
 * aws-sdk-client-mock.
 */
import type {
  CreateReplicatorCommandInput,
  DescribeReplicatorResponse,
  ReplicatorState,
  ReplicatorSummary,
} from '@aws-sdk/client-kafka';
import type { Context } from 'aws-lambda';
import {
  AUDIT_DETAIL_CHARS,
  isoOrThrow,
  whyNotOpen,
} from '../../functions/shared/aws/ledger.ts';
import type {
  AppState,
  CheckResult,
  PlanRef,
  ReplicatorRef,
} from '../../functions/shared/contracts.ts';
import {
  LedgerConflictError,
  ValidationError,
} from '../../functions/shared/domain/errors.ts';
import type { ReadinessTracker } from '../../functions/shared/domain/readiness.ts';
import { lambdaContext as sharedLambdaContext } from '../../functions/shared/lambda-context.ts';
import type {
  AppRecord,
  ApprovalRecord,
  Clock,
  CreateOutcome,
  EvidenceRecord,
  Ledger,
  Log,
  MigrationRecord,
  Notification,
  Notifier,
  PlanStore,
  Replicators,
} from '../../functions/shared/ports.ts';

const copy = <T>(value: T): T => structuredClone(value);

/** A typed Lambda context for handler tests. */
/** A typed Context with a fixed request id, for handler tests. */
export function lambdaContext(functionName = 'msk-cutover-test'): Context {
  return sharedLambdaContext(functionName, {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    awsRequestId: '00000000-0000-4000-8000-000000000000',
    logStreamName: 'test',
  });
}

/** A settable clock for unit tests. */
export class TestClock implements Clock {
  constructor(private at: Date = new Date('2026-03-01T00:00:00Z')) {}
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date | string): void {
    this.at = new Date(at);
  }
  advance(seconds: number): void {
    this.at = new Date(this.at.getTime() + seconds * 1000);
  }
}

/** Collects log lines (to assert on them, e.g. that no secret is logged). */
export class MemoryLog implements Log {
  readonly lines: { level: string; message: string; extra?: object }[] = [];
  debug(message: string, extra?: object) {
    this.lines.push({ level: 'debug', message, ...(extra ? { extra } : {}) });
  }
  info(message: string, extra?: object) {
    this.lines.push({ level: 'info', message, ...(extra ? { extra } : {}) });
  }
  warn(message: string, extra?: object) {
    this.lines.push({ level: 'warn', message, ...(extra ? { extra } : {}) });
  }
  error(message: string, extra?: object) {
    this.lines.push({ level: 'error', message, ...(extra ? { extra } : {}) });
  }
  /** Every line as one string (to assert nothing secret was logged). */
  text(): string {
    return JSON.stringify(this.lines);
  }
}

export class MemoryPlanStore implements PlanStore {
  readonly objects = new Map<string, string>();
  #version = 0;

  async get(ref: PlanRef): Promise<string> {
    const text = this.objects.get(`${ref.bucket}/${ref.key}@${ref.versionId}`);
    if (text === undefined) {
      throw new ValidationError(
        `plan s3://${ref.bucket}/${ref.key} (version ${ref.versionId}) not found`,
      );
    }
    return text;
  }

  async put(bucket: string, key: string, body: string): Promise<PlanRef> {
    const versionId = `v${++this.#version}`;
    this.objects.set(`${bucket}/${key}@${versionId}`, body);
    return { bucket, key, versionId };
  }
}

export class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  readonly subscribed: string[] = [];

  async publish(n: Notification): Promise<void> {
    this.sent.push(copy(n));
  }

  async subscribeEmails(emails: readonly string[]): Promise<string[]> {
    const known = new Set(this.subscribed.map((e) => e.toLowerCase()));
    const added = emails.filter((e) => !known.has(e.toLowerCase()));
    this.subscribed.push(...added);
    return added;
  }

  ofType(type: string): Notification[] {
    return this.sent.filter((n) => n.type === type);
  }
}

interface StoredReplicator {
  arn: string;
  input: CreateReplicatorCommandInput;
  state: ReplicatorState;
  stateInfo?: { Code?: string; Message?: string };
  createdAt: Date;
}

/**
 * MSK Replicator behind the {@link Replicators} port: a name is unique, a
 * deleted replicator disappears at once (the real one shows DELETING first).
 */
export class MemoryReplicators implements Replicators {
  readonly byName = new Map<string, StoredReplicator>();
  readonly calls: string[] = [];
  #seq = 0;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async create(input: CreateReplicatorCommandInput): Promise<CreateOutcome> {
    const name = input.ReplicatorName ?? '';
    this.calls.push(`create ${name}`);
    if (this.byName.has(name)) return { kind: 'conflict' };
    const arn = `arn:aws:kafka:us-east-1:123456789012:replicator/${name}/${String(++this.#seq).padStart(8, '0')}-0000-0000-0000-000000000000`;
    this.byName.set(name, {
      arn,
      input: copy(input),
      state: 'CREATING',
      createdAt: this.clock.now(),
    });
    return { kind: 'created', arn, state: 'CREATING' };
  }

  async describe(arn: string): Promise<DescribeReplicatorResponse | null> {
    this.calls.push(`describe ${arn.split('/')[1]}`);
    const r = this.#byArn(arn);
    if (!r) return null;
    return {
      ReplicatorArn: r.arn,
      ReplicatorName: r.input.ReplicatorName,
      ServiceExecutionRoleArn: r.input.ServiceExecutionRoleArn,
      ReplicatorState: r.state,
      CreationTime: r.createdAt,
      CurrentVersion: 'K1',
      Tags: copy(r.input.Tags),
      ...(r.stateInfo ? { StateInfo: copy(r.stateInfo) } : {}),
    };
  }

  async listByPrefix(prefix: string): Promise<ReplicatorSummary[]> {
    this.calls.push(`list ${prefix}`);
    return [...this.byName.values()]
      .filter((r) => r.input.ReplicatorName?.startsWith(prefix))
      .map((r) => ({
        ReplicatorArn: r.arn,
        ReplicatorName: r.input.ReplicatorName,
        ReplicatorState: r.state,
        CreationTime: r.createdAt,
      }));
  }

  /** Names whose DeleteReplicator is accepted but has no effect. */
  readonly undeletable = new Set<string>();

  async delete(arn: string): Promise<void> {
    const r = this.#byArn(arn);
    const name = r?.input.ReplicatorName ?? '';
    this.calls.push(`delete ${name || arn}`);
    if (r && !this.undeletable.has(name)) this.byName.delete(name);
  }

  /** Test helper: a replicator that exists (created by anyone). */
  seed(name: string, tags: Record<string, string> = {}): string {
    const arn = `arn:aws:kafka:us-east-1:123456789012:replicator/${name}/${String(++this.#seq).padStart(8, '0')}-0000-0000-0000-000000000000`;
    this.byName.set(name, {
      arn,
      input: {
        ReplicatorName: name,
        Tags: tags,
      } as CreateReplicatorCommandInput,
      state: 'RUNNING',
      createdAt: this.clock.now(),
    });
    return arn;
  }

  setState(
    name: string,
    state: ReplicatorState,
    stateInfo?: { Code?: string; Message?: string },
  ): void {
    const r = this.byName.get(name);
    if (!r) throw new Error(`no replicator ${name}`);
    r.state = state;
    if (stateInfo) r.stateInfo = stateInfo;
  }

  /** Sets every replicator's state (e.g. all RUNNING). */
  setAll(state: ReplicatorState): void {
    for (const r of this.byName.values()) r.state = state;
  }

  #byArn(arn: string): StoredReplicator | undefined {
    return [...this.byName.values()].find((r) => r.arn === arn);
  }
}

/**
 * What DynamoDB keeps of a value written through the document client with
 * `removeUndefinedValues`: the same value without `undefined` members.
 */
function stored<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stored) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, stored(v)]),
    ) as T;
  }
  return value;
}

/** What DynamoLedger keeps of a value it stores as gzip'd JSON. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The scope part of a key: the migration (`*`) or one application. */
const scoped = (app?: string) => (app === undefined ? '*' : `APP#${app}`);

/**
 * The {@link Ledger} contract in memory (one migration table). It behaves as
 * DynamoLedger does on DynamoDB (test/functions/shared/ledger-contract.test.ts
 * runs the same cases on both): the same conflicts and messages, the same
 * order of lists, and values read back as DynamoDB returns them.
 */
export class MemoryLedger implements Ledger {
  readonly migrations = new Map<string, MigrationRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly replicators = new Map<string, ReplicatorRef>();
  readonly evidence = new Map<string, EvidenceRecord>();
  readonly checks = new Map<string, CheckResult[]>();
  readonly approvals = new Map<string, ApprovalRecord>();
  readonly trackers = new Map<string, ReadinessTracker>();
  readonly audits: {
    migrationId: string;
    at: string;
    event: string;
    detail: object;
  }[] = [];
  /** Newest evidence per migration, kind and scope (DynamoLedger's LATEST#). */
  readonly #latest = new Map<string, { evidenceId: string; at: string }>();
  /** Newest approval request per gate (DynamoLedger's GATE#). */
  readonly #gates = new Map<string, string>();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async startMigration(rec: MigrationRecord): Promise<void> {
    const existing = this.migrations.get(rec.migrationId);
    if (existing) {
      if (existing.planDigest === rec.planDigest) return;
      throw new LedgerConflictError(
        `migration ${rec.migrationId} already exists with a different plan (digest ${existing.planDigest}); choose a new migrationId`,
      );
    }
    this.migrations.set(rec.migrationId, stored(rec));
  }

  async getMigration(migrationId: string): Promise<MigrationRecord | null> {
    const m = this.migrations.get(migrationId);
    return m ? copy(m) : null;
  }

  async updateMigration(
    migrationId: string,
    patch: Partial<Omit<MigrationRecord, 'migrationId'>>,
  ): Promise<void> {
    const m = this.migrations.get(migrationId);
    if (!m) throw new LedgerConflictError(`migration ${migrationId} not found`);
    // An undefined member leaves the field as it is (it is not written).
    Object.assign(m, stored(patch));
    if (!('updatedAt' in patch)) m.updatedAt = this.clock.now().toISOString();
  }

  async listMigrations(): Promise<MigrationRecord[]> {
    // DynamoLedger reads them from GSI1, sorted by start time.
    return [...this.migrations.values()]
      .filter((m) => m.status === 'RUNNING')
      .sort((a, b) => byKey(a.startedAt, b.startedAt))
      .map(copy);
  }

  async putApps(migrationId: string, apps: string[]): Promise<void> {
    const now = this.clock.now().toISOString();
    apps.forEach((app, order) => {
      const key = `${migrationId}/${app}`;
      if (this.apps.has(key)) return;
      this.apps.set(key, {
        migrationId,
        app,
        order,
        state: 'ON_SOURCE',
        updatedAt: now,
        version: 0,
      });
    });
  }

  async getApp(migrationId: string, app: string): Promise<AppRecord | null> {
    const a = this.apps.get(`${migrationId}/${app}`);
    return a ? copy(a) : null;
  }

  async listApps(migrationId: string): Promise<AppRecord[]> {
    return [...this.apps.values()]
      .filter((a) => a.migrationId === migrationId)
      .sort((a, b) => a.order - b.order)
      .map(copy);
  }

  async transitionApp(
    migrationId: string,
    app: string,
    from: readonly AppState[],
    to: AppState,
  ): Promise<AppRecord> {
    if (from.length === 0) {
      throw new ValidationError('transitionApp: `from` must not be empty');
    }
    const a = this.apps.get(`${migrationId}/${app}`);
    if (!a) {
      throw new LedgerConflictError(
        `application ${app} is not in migration ${migrationId}`,
      );
    }
    if (!from.includes(a.state)) {
      throw new LedgerConflictError(
        `application ${app} is ${a.state}, not ${from.join(' or ')}: cannot move it to ${to}`,
      );
    }
    a.state = to;
    a.updatedAt = this.clock.now().toISOString();
    a.version++;
    return copy(a);
  }

  /** Test helper: put an application straight into a state. */
  setApp(migrationId: string, app: string, state: AppState, at?: Date): void {
    const a = this.apps.get(`${migrationId}/${app}`);
    if (!a) throw new Error(`no app ${app}`);
    a.state = state;
    a.updatedAt = (at ?? this.clock.now()).toISOString();
  }

  async putReplicator(migrationId: string, ref: ReplicatorRef): Promise<void> {
    this.replicators.set(`${migrationId}/${ref.name}`, stored(ref));
  }

  async listReplicators(migrationId: string): Promise<ReplicatorRef[]> {
    // DynamoLedger queries `REPL#<name>` sort keys: by name.
    return [...this.replicators.entries()]
      .filter(([k]) => k.startsWith(`${migrationId}/`))
      .map(([, v]) => copy(v))
      .sort((a, b) => byKey(a.name, b.name));
  }

  async putEvidence(rec: EvidenceRecord): Promise<void> {
    this.evidence.set(
      `${rec.migrationId}/${rec.evidenceId}`,
      stored({ ...rec, ...viaJson({ reasons: rec.reasons, data: rec.data }) }),
    );
    // The pointer moves unless a newer one is recorded (ties: the last write).
    const key = `${rec.migrationId}/${rec.kind}/${scoped(rec.app)}`;
    const latest = this.#latest.get(key);
    if (!latest || latest.at <= rec.at) {
      this.#latest.set(key, { evidenceId: rec.evidenceId, at: rec.at });
    }
  }

  async getEvidence(
    migrationId: string,
    evidenceId: string,
  ): Promise<EvidenceRecord | null> {
    const e = this.evidence.get(`${migrationId}/${evidenceId}`);
    return e ? copy(e) : null;
  }

  async latestEvidence(
    migrationId: string,
    kind: EvidenceRecord['kind'],
    app?: string,
  ): Promise<EvidenceRecord | null> {
    const ref = await this.latestEvidenceRef(migrationId, kind, app);
    return ref ? this.getEvidence(migrationId, ref.evidenceId) : null;
  }

  async latestEvidenceRef(
    migrationId: string,
    kind: EvidenceRecord['kind'],
    app?: string,
  ): Promise<{ evidenceId: string; at: string } | null> {
    const ref = this.#latest.get(`${migrationId}/${kind}/${scoped(app)}`);
    return ref ? { ...ref } : null;
  }

  async putChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
    checks: CheckResult[],
  ): Promise<void> {
    this.checks.set(`${migrationId}/${phase}`, viaJson(checks));
  }

  /** The check results last recorded for a phase (DynamoLedger's getChecks). */
  async getChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
  ): Promise<CheckResult[] | null> {
    const c = this.checks.get(`${migrationId}/${phase}`);
    return c ? copy(c) : null;
  }

  async putApproval(rec: ApprovalRecord): Promise<void> {
    const createdAt = isoOrThrow(rec.createdAt, 'createdAt');
    const expiresAt = isoOrThrow(rec.expiresAt, 'expiresAt');
    if (this.approvals.has(rec.approvalId)) {
      throw new LedgerConflictError(
        `approval ${rec.approvalId} already exists`,
      );
    }
    this.approvals.set(
      rec.approvalId,
      stored({ ...rec, createdAt, expiresAt }),
    );
    // The request recorded last is the one that can decide its gate.
    const gate = `${rec.migrationId}/${rec.kind}/${scoped(rec.app)}`;
    const previous = this.#gates.get(gate);
    this.#gates.set(gate, rec.approvalId);
    const old = previous ? this.approvals.get(previous) : undefined;
    if (old?.status === 'OPEN') old.status = 'SUPERSEDED';
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | null> {
    const a = this.approvals.get(approvalId);
    return a ? copy(a) : null;
  }

  async listApprovals(migrationId: string): Promise<ApprovalRecord[]> {
    // DynamoLedger reads them from GSI1, sorted by `<createdAt>#<approvalId>`.
    return [...this.approvals.values()]
      .filter((a) => a.migrationId === migrationId)
      .sort((a, b) =>
        byKey(
          `${a.createdAt}#${a.approvalId}`,
          `${b.createdAt}#${b.approvalId}`,
        ),
      )
      .map(copy);
  }

  async decideApproval(
    approvalId: string,
    decision: Pick<
      ApprovalRecord,
      'decision' | 'approver' | 'comment' | 'sourceIp' | 'userAgent'
    >,
    now: Date,
  ): Promise<ApprovalRecord> {
    const a = this.approvals.get(approvalId);
    if (a?.status !== 'OPEN' || a.expiresAt <= now.toISOString()) {
      throw new LedgerConflictError(
        whyNotOpen(approvalId, a ? copy(a) : null, now),
      );
    }
    Object.assign(a, stored(decision), {
      status: 'DECIDED',
      decidedAt: now.toISOString(),
    });
    return copy(a);
  }

  async markReminded(approvalId: string, at: Date): Promise<boolean> {
    const a = this.approvals.get(approvalId);
    if (a?.status !== 'OPEN') return false;
    if (a.remindedAt && a.remindedAt >= at.toISOString()) return false;
    a.remindedAt = at.toISOString();
    return true;
  }

  async markDelivered(
    approvalId: string,
    delivery: NonNullable<ApprovalRecord['delivery']>,
    at: Date,
  ): Promise<void> {
    const a = this.approvals.get(approvalId);
    if (a?.status !== 'DECIDED') return;
    a.deliveredAt = at.toISOString();
    a.delivery = delivery;
  }

  async getReadinessTracker(
    migrationId: string,
    app?: string,
  ): Promise<ReadinessTracker | null> {
    const t = this.trackers.get(`${migrationId}/${app ?? ''}`);
    return t ? copy(t) : null;
  }

  async putReadinessTracker(
    migrationId: string,
    app: string | undefined,
    tracker: ReadinessTracker,
  ): Promise<void> {
    this.trackers.set(`${migrationId}/${app ?? ''}`, stored(tracker));
  }

  async audit(
    migrationId: string,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const at = this.clock.now().toISOString();
    this.audits.push({ migrationId, at, event, detail: copy(detail) });
  }

  /** The audit trail, oldest first, as DynamoLedger's listAudit gives it. */
  async listAudit(
    migrationId: string,
  ): Promise<{ at: string; event: string; detail: string }[]> {
    return this.audits
      .filter((a) => a.migrationId === migrationId)
      .sort((a, b) => byKey(a.at, b.at))
      .map(({ at, event, detail }) => {
        let text = JSON.stringify(detail);
        if (text.length > AUDIT_DETAIL_CHARS) {
          text = `${text.slice(0, AUDIT_DETAIL_CHARS)}…(truncated)`;
        }
        return { at, event, detail: text };
      });
  }
}

/** DynamoDB orders string sort keys by their UTF-8 bytes. */
function byKey(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
