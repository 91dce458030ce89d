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

/** The {@link Ledger} contract in memory (one migration table). */
export class MemoryLedger implements Ledger {
  readonly migrations = new Map<string, MigrationRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly replicators = new Map<string, ReplicatorRef>();
  readonly evidence = new Map<string, EvidenceRecord>();
  readonly checks = new Map<string, CheckResult[]>();
  readonly approvals = new Map<string, ApprovalRecord>();
  readonly trackers = new Map<string, ReadinessTracker>();
  readonly audits: { migrationId: string; event: string; detail: object }[] =
    [];

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async startMigration(rec: MigrationRecord): Promise<void> {
    const existing = this.migrations.get(rec.migrationId);
    if (existing) {
      if (existing.planDigest === rec.planDigest) return;
      throw new LedgerConflictError(
        `migration ${rec.migrationId} already exists with a different plan (digest ${existing.planDigest}); choose a new migrationId`,
      );
    }
    this.migrations.set(rec.migrationId, copy(rec));
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
    Object.assign(m, copy(patch), {
      updatedAt: patch.updatedAt ?? this.clock.now().toISOString(),
    });
  }

  async listMigrations(): Promise<MigrationRecord[]> {
    return [...this.migrations.values()]
      .filter((m) => m.status === 'RUNNING')
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
    this.replicators.set(`${migrationId}/${ref.name}`, copy(ref));
  }

  async listReplicators(migrationId: string): Promise<ReplicatorRef[]> {
    return [...this.replicators.entries()]
      .filter(([k]) => k.startsWith(`${migrationId}/`))
      .map(([, v]) => copy(v));
  }

  async putEvidence(rec: EvidenceRecord): Promise<void> {
    this.evidence.set(`${rec.migrationId}/${rec.evidenceId}`, copy(rec));
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
    const all = [...this.evidence.values()].filter(
      (e) => e.migrationId === migrationId && e.kind === kind && e.app === app,
    );
    all.sort((a, b) => a.at.localeCompare(b.at));
    const last = all.at(-1);
    return last ? copy(last) : null;
  }

  async latestEvidenceRef(
    migrationId: string,
    kind: EvidenceRecord['kind'],
    app?: string,
  ): Promise<{ evidenceId: string; at: string } | null> {
    const last = await this.latestEvidence(migrationId, kind, app);
    return last ? { evidenceId: last.evidenceId, at: last.at } : null;
  }

  async putChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
    checks: CheckResult[],
  ): Promise<void> {
    this.checks.set(`${migrationId}/${phase}`, copy(checks));
  }

  async putApproval(rec: ApprovalRecord): Promise<void> {
    for (const a of this.approvals.values()) {
      if (
        a.migrationId === rec.migrationId &&
        a.kind === rec.kind &&
        a.app === rec.app &&
        a.status === 'OPEN'
      ) {
        a.status = 'SUPERSEDED';
      }
    }
    this.approvals.set(rec.approvalId, copy(rec));
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | null> {
    const a = this.approvals.get(approvalId);
    return a ? copy(a) : null;
  }

  async listApprovals(migrationId: string): Promise<ApprovalRecord[]> {
    return [...this.approvals.values()]
      .filter((a) => a.migrationId === migrationId)
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
        `approval ${approvalId} is ${a?.status ?? 'unknown'}`,
      );
    }
    Object.assign(a, copy(decision), {
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
    this.trackers.set(`${migrationId}/${app ?? ''}`, copy(tracker));
  }

  async audit(
    migrationId: string,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    this.audits.push({ migrationId, event, detail: copy(detail) });
  }
}
