/**
 * The ledger on DynamoDB (single table, keys in `ledger-table.ts`).
 *
 * Every state change is a conditional write, so a retried Lambda or two
 * concurrent callers can never corrupt it: a transition only happens from
 * the expected state, a decision only once, a migration starts only once.
 * Large values (evidence, check lists) are gzip'd and split across items so
 * none comes near DynamoDB's 400 KB item limit.
 */
import { randomBytes } from 'node:crypto';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { systemClock } from '../clock.ts';
import type { AppState, CheckResult, ReplicatorRef } from '../contracts.ts';
import {
  LedgerConflictError,
  TransientError,
  ValidationError,
} from '../domain/errors.ts';
import type { ReadinessTracker } from '../domain/readiness.ts';
import type {
  AppRecord,
  ApprovalRecord,
  Clock,
  EvidenceRecord,
  Ledger,
  MigrationRecord,
} from '../ports.ts';
import { LEDGER_GSI1 } from './ledger-table.ts';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_SIZE = 25;
/** Bytes of gzip'd JSON per item; far below the 400 KB item limit. */
export const BLOB_PART_BYTES = 300_000;
/** Audit details are cut to this many characters. */
export const AUDIT_DETAIL_CHARS = 16_000;
const BATCH_ATTEMPTS = 8;

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI1PK', 'GSI1SK'] as const;

const migPk = (migrationId: string) => `MIG#${migrationId}`;
const approvalPk = (approvalId: string) => `APPROVAL#${approvalId}`;
const trackerSk = (app?: string) =>
  `READINESS#${app === undefined ? '*' : `APP#${app}`}`;
const gateSk = (kind: string, app?: string) =>
  `GATE#${kind}#${app === undefined ? '*' : `APP#${app}`}`;
const latestSk = (kind: string, app?: string) =>
  `LATEST#${kind}#${app === undefined ? '*' : `APP#${app}`}`;

function stripKeys<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const k of KEY_ATTRIBUTES) delete copy[k];
  return copy as T;
}

/** A timestamp in canonical ISO form; ValidationError naming `field` if unparsable. */
export function isoOrThrow(value: string, field: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new ValidationError(`${field}: "${value}" is not a timestamp`);
  }
  return new Date(t).toISOString();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** {@link Ledger} over one DynamoDB table. */
export class DynamoLedger implements Ledger {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  // ------------------------------------------------------------ migration

  async startMigration(rec: MigrationRecord): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: migPk(rec.migrationId),
            SK: 'META',
            GSI1PK: `STATUS#${rec.status}`,
            GSI1SK: rec.startedAt,
            ...rec,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const existing = await this.getMigration(rec.migrationId);
      if (existing?.planDigest === rec.planDigest) return;
      throw new LedgerConflictError(
        `migration ${rec.migrationId} already exists with a different plan (digest ${existing?.planDigest ?? 'unknown'}); choose a new migrationId`,
        { cause: err },
      );
    }
  }

  async getMigration(migrationId: string): Promise<MigrationRecord | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: migPk(migrationId), SK: 'META' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<MigrationRecord>(out.Item) : null;
  }

  async updateMigration(
    migrationId: string,
    patch: Partial<Omit<MigrationRecord, 'migrationId'>>,
  ): Promise<void> {
    const fields = Object.entries(patch).filter(([, v]) => v !== undefined);
    if (!('updatedAt' in patch)) {
      fields.push(['updatedAt', this.clock.now().toISOString()]);
    }
    if (patch.status) fields.push(['GSI1PK', `STATUS#${patch.status}`]);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = fields.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: migPk(migrationId), SK: 'META' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ConditionExpression: 'attribute_exists(PK)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new LedgerConflictError(`migration ${migrationId} not found`, {
          cause: err,
        });
      }
      throw err;
    }
  }

  async listMigrations(): Promise<MigrationRecord[]> {
    // RUNNING is the only status that is not final.
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: LEDGER_GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': 'STATUS#RUNNING' },
    });
    return items.map((i) => stripKeys<MigrationRecord>(i));
  }

  // ------------------------------------------------------------ apps

  async putApps(migrationId: string, apps: string[]): Promise<void> {
    // BatchWriteItem cannot be conditional, so read which items exist first
    // and write only the missing ones. putApps runs before any transition
    // (validate-plan), so nothing can change an app between the two steps.
    const existing = new Set(
      (await this.listApps(migrationId)).map((a) => a.app),
    );
    const now = this.clock.now().toISOString();
    const missing = apps
      .map((app, order) => ({ app, order }))
      .filter(({ app }) => !existing.has(app));
    const requests = missing.map(({ app, order }) => ({
      PutRequest: {
        Item: {
          PK: migPk(migrationId),
          SK: `APP#${app}`,
          migrationId,
          app,
          order,
          state: 'ON_SOURCE',
          updatedAt: now,
          version: 0,
        } satisfies AppRecord & { PK: string; SK: string },
      },
    }));
    await this.batchWrite(requests);
  }

  async getApp(migrationId: string, app: string): Promise<AppRecord | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: migPk(migrationId), SK: `APP#${app}` },
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<AppRecord>(out.Item) : null;
  }

  async listApps(migrationId: string): Promise<AppRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': migPk(migrationId), ':sk': 'APP#' },
      ConsistentRead: true,
    });
    return items
      .map((i) => stripKeys<AppRecord>(i))
      .sort((a, b) => a.order - b.order);
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
    const values: Record<string, unknown> = {
      ':to': to,
      ':now': this.clock.now().toISOString(),
      ':one': 1,
    };
    const froms = from.map((s, i) => {
      values[`:s${i}`] = s;
      return `:s${i}`;
    });
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: migPk(migrationId), SK: `APP#${app}` },
          UpdateExpression:
            'SET #state = :to, updatedAt = :now ADD version :one',
          ConditionExpression: `attribute_exists(PK) AND #state IN (${froms.join(', ')})`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stripKeys<AppRecord>(out.Attributes ?? {});
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.getApp(migrationId, app);
      throw new LedgerConflictError(
        current
          ? `application ${app} is ${current.state}, not ${from.join(' or ')}: cannot move it to ${to}`
          : `application ${app} is not in migration ${migrationId}`,
        { cause: err },
      );
    }
  }

  // ------------------------------------------------------------ replicators

  async putReplicator(migrationId: string, ref: ReplicatorRef): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { PK: migPk(migrationId), SK: `REPL#${ref.name}`, ...ref },
      }),
    );
  }

  async listReplicators(migrationId: string): Promise<ReplicatorRef[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': migPk(migrationId), ':sk': 'REPL#' },
      ConsistentRead: true,
    });
    return items.map((i) => stripKeys<ReplicatorRef>(i));
  }

  // ------------------------------------------------------------ evidence

  async putEvidence(rec: EvidenceRecord): Promise<void> {
    await this.putBlob(
      rec.migrationId,
      `EVID#${rec.evidenceId}`,
      {
        migrationId: rec.migrationId,
        evidenceId: rec.evidenceId,
        at: rec.at,
        kind: rec.kind,
        app: rec.app,
        ready: rec.ready,
      },
      { reasons: rec.reasons, data: rec.data },
    );
    // A pointer to the newest evidence of this kind and scope, so a gate
    // finds it with one read however many polls came before.
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: migPk(rec.migrationId),
            SK: latestSk(rec.kind, rec.app),
            evidenceId: rec.evidenceId,
            at: rec.at,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': rec.at },
        }),
      );
    } catch (err) {
      // A newer one is already recorded: it stays the latest.
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
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
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: migPk(migrationId), SK: latestSk(kind, app) },
        ConsistentRead: true,
      }),
    );
    const { evidenceId, at } = out.Item ?? {};
    return typeof evidenceId === 'string' && typeof at === 'string'
      ? { evidenceId, at }
      : null;
  }

  async getEvidence(
    migrationId: string,
    evidenceId: string,
  ): Promise<EvidenceRecord | null> {
    const got = await this.getBlob<{
      reasons: string[];
      data: Record<string, unknown>;
    }>(migrationId, `EVID#${evidenceId}`);
    if (!got) return null;
    const meta = got.meta as Omit<EvidenceRecord, 'reasons' | 'data'>;
    return { ...meta, reasons: got.value.reasons, data: got.value.data };
  }

  async putChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
    checks: CheckResult[],
  ): Promise<void> {
    await this.putBlob(
      migrationId,
      `CHECKS#${phase}`,
      {
        migrationId,
        phase,
        at: this.clock.now().toISOString(),
        passed: checks.filter((c) => c.ok).length,
        failed: checks.filter((c) => !c.ok).length,
      },
      checks,
    );
  }

  /** The check results last recorded for a phase (for `status`). */
  async getChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
  ): Promise<CheckResult[] | null> {
    const got = await this.getBlob<CheckResult[]>(
      migrationId,
      `CHECKS#${phase}`,
    );
    return got ? got.value : null;
  }

  // ------------------------------------------------------------ approvals

  async putApproval(rec: ApprovalRecord): Promise<void> {
    const createdAt = isoOrThrow(rec.createdAt, 'createdAt');
    const expiresAt = isoOrThrow(rec.expiresAt, 'expiresAt');
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            PK: approvalPk(rec.approvalId),
            SK: 'APPROVAL',
            GSI1PK: `APPROVALS#${rec.migrationId}`,
            GSI1SK: `${createdAt}#${rec.approvalId}`,
            ...rec,
            createdAt,
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) {
        throw new LedgerConflictError(
          `approval ${rec.approvalId} already exists`,
          { cause: err },
        );
      }
      throw err;
    }
    // The request recorded last is the only one that can decide its gate.
    // A pointer item per gate names it; moving the pointer returns the
    // request it replaced, so superseding costs two writes however many
    // gates the migration has had (no read of every approval, no index lag).
    // Two requests of one gate at once: the last pointer write wins and
    // supersedes the other, so exactly one stays open.
    const out = await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: {
          PK: migPk(rec.migrationId),
          SK: gateSk(rec.kind, rec.app ?? rec.wave),
        },
        UpdateExpression: 'SET approvalId = :id, createdAt = :at',
        ExpressionAttributeValues: { ':id': rec.approvalId, ':at': createdAt },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const previous = out.Attributes?.approvalId;
    if (typeof previous === 'string' && previous !== rec.approvalId) {
      await this.supersede(previous);
    }
  }

  /** OPEN → SUPERSEDED; a decision made meanwhile stands. */
  private async supersede(approvalId: string): Promise<void> {
    await this.updateApprovalIf(
      approvalId,
      'SET #status = :superseded',
      '#status = :open',
      { ':superseded': 'SUPERSEDED', ':open': 'OPEN' },
    );
  }

  /**
   * One conditional update of an approval item (`#status` names its
   * status); false when the condition did not hold.
   */
  private async updateApprovalIf(
    approvalId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: approvalPk(approvalId), SK: 'APPROVAL' },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async getApproval(approvalId: string): Promise<ApprovalRecord | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: approvalPk(approvalId), SK: 'APPROVAL' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<ApprovalRecord>(out.Item) : null;
  }

  async listApprovals(migrationId: string): Promise<ApprovalRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: LEDGER_GSI1.indexName,
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `APPROVALS#${migrationId}` },
    });
    return items.map((i) => stripKeys<ApprovalRecord>(i));
  }

  async decideApproval(
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
  ): Promise<ApprovalRecord> {
    const fields = Object.entries({
      ...decision,
      status: 'DECIDED',
      decidedAt: now.toISOString(),
    }).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = {
      ':open': 'OPEN',
      ':now': now.toISOString(),
    };
    const sets = fields.map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { PK: approvalPk(approvalId), SK: 'APPROVAL' },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression:
            'attribute_exists(PK) AND #status = :open AND expiresAt > :now',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return stripKeys<ApprovalRecord>(out.Attributes ?? {});
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const current = await this.getApproval(approvalId);
      throw new LedgerConflictError(whyNotOpen(approvalId, current, now), {
        cause: err,
      });
    }
  }

  async markReminded(approvalId: string, at: Date): Promise<boolean> {
    return this.updateApprovalIf(
      approvalId,
      'SET remindedAt = :at',
      'attribute_exists(PK) AND #status = :open AND (attribute_not_exists(remindedAt) OR remindedAt < :at)',
      { ':open': 'OPEN', ':at': at.toISOString() },
    );
  }

  async markDelivered(
    approvalId: string,
    delivery: NonNullable<ApprovalRecord['delivery']>,
    at: Date,
  ): Promise<void> {
    // Not decided (never, or gone): there is no delivery to record.
    await this.updateApprovalIf(
      approvalId,
      'SET deliveredAt = :at, delivery = :delivery',
      '#status = :decided',
      { ':at': at.toISOString(), ':delivery': delivery, ':decided': 'DECIDED' },
    );
  }

  // ------------------------------------------------------------ readiness

  async getReadinessTracker(
    migrationId: string,
    app?: string,
  ): Promise<ReadinessTracker | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: migPk(migrationId), SK: trackerSk(app) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    const {
      app: _,
      migrationId: __,
      ...tracker
    } = stripKeys<ReadinessTracker & { app?: string; migrationId: string }>(
      out.Item,
    );
    return tracker;
  }

  async putReadinessTracker(
    migrationId: string,
    app: string | undefined,
    tracker: ReadinessTracker,
  ): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: migPk(migrationId),
          SK: trackerSk(app),
          migrationId,
          app,
          ...tracker,
        },
      }),
    );
  }

  // ------------------------------------------------------------ audit

  async audit(
    migrationId: string,
    event: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const at = this.clock.now().toISOString();
    let text = JSON.stringify(detail);
    if (text.length > AUDIT_DETAIL_CHARS) {
      text = `${text.slice(0, AUDIT_DETAIL_CHARS)}…(truncated)`;
    }
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: migPk(migrationId),
          SK: `AUDIT#${at}#${randomBytes(4).toString('hex')}`,
          migrationId,
          at,
          event,
          detail: text,
        },
      }),
    );
  }

  /** The audit trail, oldest first. */
  async listAudit(
    migrationId: string,
  ): Promise<{ at: string; event: string; detail: string }[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sk)',
      ExpressionAttributeValues: { ':pk': migPk(migrationId), ':sk': 'AUDIT#' },
    });
    return items.map((i) => ({
      at: String(i.at),
      event: String(i.event),
      detail: String(i.detail),
    }));
  }

  // ------------------------------------------------------------ helpers

  private async queryAll(
    input: QueryCommandInput,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({ ...input, ExclusiveStartKey: start }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Writes in groups of 25, retrying UnprocessedItems with backoff. */
  private async batchWrite(
    requests: { PutRequest: { Item: Record<string, unknown> } }[],
  ): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) {
      let pending = requests.slice(i, i + BATCH_WRITE_SIZE);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= BATCH_ATTEMPTS) {
          throw new TransientError(
            `ledger: ${pending.length} items still unprocessed after ${BATCH_ATTEMPTS} attempts`,
          );
        }
        if (attempt > 0) {
          // Full jitter, as the SDK does for throttling.
          await sleep(Math.random() * Math.min(2000, 50 * 2 ** attempt));
        }
        const out = await this.doc.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: pending },
          }),
        );
        pending = (out.UnprocessedItems?.[this.tableName] ??
          []) as typeof pending;
      }
    }
  }

  /**
   * Stores `value` as gzip'd JSON under `sk`, split into `sk#P<n>` parts when
   * it is large. Parts are written before the head item, so a reader that
   * sees the head always finds its parts.
   */
  private async putBlob(
    migrationId: string,
    sk: string,
    meta: Record<string, unknown>,
    value: unknown,
  ): Promise<void> {
    // Fastest level: evidence is written on every poll and read back about
    // once; level 1 is about three times faster than the default on this
    // JSON for about a quarter more bytes.
    const zipped = gzipSync(JSON.stringify(value), {
      level: constants.Z_BEST_SPEED,
    });
    const parts: Buffer[] = [];
    for (let o = 0; o < zipped.length; o += BLOB_PART_BYTES) {
      parts.push(zipped.subarray(o, o + BLOB_PART_BYTES));
    }
    if (parts.length > 1) {
      await this.batchWrite(
        parts.map((blob, n) => ({
          PutRequest: {
            Item: { PK: migPk(migrationId), SK: `${sk}#P${n}`, blob },
          },
        })),
      );
    }
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: migPk(migrationId),
          SK: sk,
          ...meta,
          parts: parts.length,
          ...(parts.length === 1 ? { blob: parts[0] } : {}),
        },
      }),
    );
  }

  private async getBlob<T>(
    migrationId: string,
    sk: string,
  ): Promise<{ meta: Record<string, unknown>; value: T } | null> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: migPk(migrationId), SK: sk },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return null;
    const { blob, parts, ...rest } = out.Item as {
      blob?: Uint8Array;
      parts: number;
    } & Record<string, unknown>;
    let zipped: Buffer;
    if (parts === 1 && blob) {
      zipped = Buffer.from(blob);
    } else {
      const chunks: Buffer[] = [];
      for (let n = 0; n < parts; n++) {
        const part = await this.doc.send(
          new GetCommand({
            TableName: this.tableName,
            Key: { PK: migPk(migrationId), SK: `${sk}#P${n}` },
            ConsistentRead: true,
          }),
        );
        const b = part.Item?.blob as Uint8Array | undefined;
        if (!b) throw new Error(`ledger: ${sk} part ${n} is missing`);
        chunks.push(Buffer.from(b));
      }
      zipped = Buffer.concat(chunks);
    }
    return {
      meta: stripKeys(rest),
      value: JSON.parse(gunzipSync(zipped).toString('utf-8')) as T,
    };
  }
}

/** Why a decision was refused: the LedgerConflictError's message. */
export function whyNotOpen(
  approvalId: string,
  current: ApprovalRecord | null,
  now: Date,
): string {
  if (!current) return `approval ${approvalId} does not exist`;
  if (current.status === 'DECIDED') {
    return `approval ${approvalId} was already decided (${current.decision ?? 'unknown'} by ${current.approver ?? 'unknown'} at ${current.decidedAt ?? 'unknown'})`;
  }
  if (current.status === 'SUPERSEDED') {
    return `approval ${approvalId} was replaced by a newer request for the same gate`;
  }
  if (current.status === 'EXPIRED' || current.expiresAt <= now.toISOString()) {
    return `approval ${approvalId} expired at ${current.expiresAt}`;
  }
  return `approval ${approvalId} is ${current.status}`;
}
