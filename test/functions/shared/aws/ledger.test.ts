import type { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../../../functions/shared/aws/ledger.ts';
import { LedgerConflictError } from '../../../../functions/shared/domain/errors.ts';
import type {
  ApprovalRecord,
  MigrationRecord,
} from '../../../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from '../../../support/dynalite.ts';

const planRef = { bucket: 'plans', key: 'm1.json', versionId: 'v1' };
const T0 = new Date('2026-03-01T10:00:00.000Z');

function migration(over: Partial<MigrationRecord> = {}): MigrationRecord {
  return {
    migrationId: 'm1',
    planDigest: 'abc',
    planRef,
    status: 'RUNNING',
    startedAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    ...over,
  };
}

function approval(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: 'ap-1',
    migrationId: 'm1',
    kind: 'cutover',
    app: 'orders',
    executionId: 'arn:aws:states:us-east-1:111122223333:execution:sm:x',
    encryptedTaskToken: 'Y2lwaGVy',
    formNonce: 'nonce',
    createdAt: T0.toISOString(),
    expiresAt: new Date(T0.getTime() + 3_600_000).toISOString(),
    status: 'OPEN',
    ...over,
  };
}

let db: LocalDynamo;
let ledger: DynamoLedger;
let tableNo = 0;
let now = T0;
const clock = { now: () => now };

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  now = T0;
  const table = await db.createTable(`ledger-${++tableNo}`);
  ledger = new DynamoLedger(db.client, table, clock);
});

describe('migrations', () => {
  it('should start a migration once and accept the same plan again', async () => {
    await ledger.startMigration(migration());
    await ledger.startMigration(migration({ startedAt: 'later' }));
    expect(await ledger.getMigration('m1')).toMatchObject({
      planDigest: 'abc',
      startedAt: T0.toISOString(),
    });
  });

  it('should refuse the same id with a different plan digest', async () => {
    await ledger.startMigration(migration());
    await expect(
      ledger.startMigration(migration({ planDigest: 'other' })),
    ).rejects.toThrow(LedgerConflictError);
  });

  it('should list only migrations that are not final', async () => {
    await ledger.startMigration(migration());
    await ledger.startMigration(migration({ migrationId: 'm2' }));
    await ledger.updateMigration('m2', { status: 'SUCCEEDED' });
    const list = await ledger.listMigrations();
    expect(list.map((m) => m.migrationId)).toEqual(['m1']);
  });

  it('should patch fields and refuse to patch an unknown migration', async () => {
    await ledger.startMigration(migration());
    now = new Date(T0.getTime() + 60_000);
    await ledger.updateMigration('m1', { readySince: now.toISOString() });
    expect(await ledger.getMigration('m1')).toMatchObject({
      readySince: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    await expect(
      ledger.updateMigration('nope', { status: 'FAILED' }),
    ).rejects.toThrow(/migration nope not found/);
  });
});

describe('applications', () => {
  it('should create 1,000 apps in batches of 25 and keep existing ones', async () => {
    const apps = Array.from({ length: 1000 }, (_, i) => `app-${i}`);
    await ledger.putApps('m1', apps.slice(0, 10));
    await ledger.transitionApp('m1', 'app-3', ['ON_SOURCE'], 'SKIPPED');
    await ledger.putApps('m1', apps);
    const list = await ledger.listApps('m1');
    expect(list).toHaveLength(1000);
    expect(list[0]).toMatchObject({ app: 'app-0', order: 0 });
    expect(list[999]).toMatchObject({ app: 'app-999', order: 999 });
    expect(list.find((a) => a.app === 'app-3')?.state).toBe('SKIPPED');
  });

  it('should transition only from an allowed state and count versions', async () => {
    await ledger.putApps('m1', ['orders']);
    const a = await ledger.transitionApp(
      'm1',
      'orders',
      ['ON_SOURCE', 'ROLLED_BACK'],
      'CUTOVER_APPROVED',
    );
    expect(a).toMatchObject({ state: 'CUTOVER_APPROVED', version: 1 });
    await expect(
      ledger.transitionApp('m1', 'orders', ['ON_SOURCE'], 'SKIPPED'),
    ).rejects.toThrow(/orders is CUTOVER_APPROVED, not ON_SOURCE/);
    await expect(
      ledger.transitionApp('m1', 'ghost', ['ON_SOURCE'], 'SKIPPED'),
    ).rejects.toThrow(/ghost is not in migration m1/);
  });

  it('should let exactly one of two concurrent transitions win', async () => {
    await ledger.putApps('m1', ['orders']);
    const results = await Promise.allSettled([
      ledger.transitionApp('m1', 'orders', ['ON_SOURCE'], 'CUTOVER_APPROVED'),
      ledger.transitionApp('m1', 'orders', ['ON_SOURCE'], 'SKIPPED'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await ledger.getApp('m1', 'orders'))?.version).toBe(1);
  });
});

describe('evidence and checks', () => {
  it('should round-trip small evidence', async () => {
    await ledger.putEvidence({
      migrationId: 'm1',
      evidenceId: 'e1',
      at: T0.toISOString(),
      kind: 'readiness',
      ready: false,
      reasons: ['MessageLag 5,000 > 1,000'],
      data: { lag: 5000 },
    });
    expect(await ledger.getEvidence('m1', 'e1')).toEqual({
      migrationId: 'm1',
      evidenceId: 'e1',
      at: T0.toISOString(),
      kind: 'readiness',
      ready: false,
      reasons: ['MessageLag 5,000 > 1,000'],
      data: { lag: 5000 },
    });
    expect(await ledger.getEvidence('m1', 'missing')).toBeNull();
  });

  it('should find the latest evidence per kind and app', async () => {
    const ev = (id: string, at: string, app?: string) => ({
      migrationId: 'm1',
      evidenceId: id,
      at,
      kind: 'readiness' as const,
      ...(app ? { app } : {}),
      reasons: [],
      data: {},
    });
    await ledger.putEvidence(ev('e2', '2026-03-01T10:02:00.000Z'));
    // Written late but older: the newer one stays the latest.
    await ledger.putEvidence(ev('e1', '2026-03-01T10:01:00.000Z'));
    await ledger.putEvidence(ev('a1', '2026-03-01T10:03:00.000Z', 'orders'));
    expect((await ledger.latestEvidence('m1', 'readiness'))?.evidenceId).toBe(
      'e2',
    );
    expect(
      (await ledger.latestEvidence('m1', 'readiness', 'orders'))?.evidenceId,
    ).toBe('a1');
    expect(await ledger.latestEvidence('m1', 'verify')).toBeNull();
  });

  it('should split evidence larger than one item into parts', async () => {
    // Random hex does not compress: about 1.2 MB gzip'd, over 400 KB items.
    const { randomBytes } = await import('node:crypto');
    const big = Array.from({ length: 300 }, () =>
      randomBytes(2000).toString('hex'),
    );
    await ledger.putEvidence({
      migrationId: 'm1',
      evidenceId: 'big',
      at: T0.toISOString(),
      kind: 'measure',
      reasons: [],
      data: { big },
    });
    const back = await ledger.getEvidence('m1', 'big');
    expect(back?.data.big).toEqual(big);
  });

  it('should keep check results per phase', async () => {
    const checks = [
      { id: 'a', ok: true, severity: 'error' as const, reason: 'fine' },
      { id: 'b', ok: false, severity: 'warning' as const, reason: 'meh' },
    ];
    await ledger.putChecks('m1', 'preflight', checks);
    expect(await ledger.getChecks('m1', 'preflight')).toEqual(checks);
    expect(await ledger.getChecks('m1', 'probe')).toBeNull();
  });
});

describe('readiness trackers', () => {
  it('should keep one tracker per scope and overwrite it', async () => {
    const t = { waitingSince: T0.toISOString(), lastPollAt: T0.toISOString() };
    await ledger.putReadinessTracker('m1', undefined, t);
    await ledger.putReadinessTracker('m1', 'orders', {
      ...t,
      readySince: T0.toISOString(),
    });
    await ledger.putReadinessTracker('m1', undefined, {
      ...t,
      lastPollAt: '2026-03-01T10:05:00.000Z',
    });
    expect(await ledger.getReadinessTracker('m1')).toEqual({
      ...t,
      lastPollAt: '2026-03-01T10:05:00.000Z',
    });
    expect(await ledger.getReadinessTracker('m1', 'orders')).toEqual({
      ...t,
      readySince: T0.toISOString(),
    });
    expect(await ledger.getReadinessTracker('m1', 'billing')).toBeNull();
  });
});

describe('replicators and audit', () => {
  it('should keep replicator refs by name', async () => {
    const ref = {
      name: 'msk-cutover-m1-fwd',
      arn: 'arn:aws:kafka:us-east-1:111122223333:replicator/msk-cutover-m1-fwd/x',
      shard: 'default',
      direction: 'forward' as const,
    };
    await ledger.putReplicator('m1', ref);
    await ledger.putReplicator('m1', ref);
    expect(await ledger.listReplicators('m1')).toEqual([ref]);
  });

  it('should append audit events in time order', async () => {
    await ledger.audit('m1', 'first', { a: 1 });
    now = new Date(T0.getTime() + 1000);
    await ledger.audit('m1', 'second', { big: 'x'.repeat(50_000) });
    const trail = await ledger.listAudit('m1');
    expect(trail.map((t) => t.event)).toEqual(['first', 'second']);
    expect(trail[1]?.detail.length).toBeLessThan(16_100);
  });
});

describe('approvals', () => {
  it('should supersede the open request of the same gate', async () => {
    await ledger.putApproval(approval());
    await ledger.putApproval(
      approval({ approvalId: 'ap-other-app', app: 'billing' }),
    );
    await ledger.putApproval(
      approval({ approvalId: 'ap-2', createdAt: '2026-03-01T10:05:00Z' }),
    );
    expect((await ledger.getApproval('ap-1'))?.status).toBe('SUPERSEDED');
    expect((await ledger.getApproval('ap-2'))?.status).toBe('OPEN');
    expect((await ledger.getApproval('ap-other-app'))?.status).toBe('OPEN');
    expect(await ledger.listApprovals('m1')).toHaveLength(3);
    await expect(
      ledger.decideApproval('ap-1', { decision: 'cutover', approver: 'a' }, T0),
    ).rejects.toThrow(/replaced by a newer request/);
  });

  it('should leave open only the request recorded last', async () => {
    await ledger.putApproval(
      approval({ approvalId: 'ap-new', createdAt: '2026-03-01T10:05:00Z' }),
    );
    // A retried request-approval of the same gate lands after it.
    await ledger.putApproval(approval({ approvalId: 'ap-late' }));
    expect((await ledger.getApproval('ap-new'))?.status).toBe('SUPERSEDED');
    expect((await ledger.getApproval('ap-late'))?.status).toBe('OPEN');
  });

  it('should supersede without reading the other approvals', async () => {
    for (let i = 0; i < 30; i++) {
      await ledger.putApproval(
        approval({ approvalId: `ap-app-${i}`, app: `app-${i}` }),
      );
    }
    const calls: string[] = [];
    const spy = (ledger as unknown as { doc: { send: (c: object) => unknown } })
      .doc;
    const send = spy.send.bind(spy);
    spy.send = (command: object) => {
      calls.push(command.constructor.name);
      return send(command);
    };
    await ledger.putApproval(
      approval({
        approvalId: 'ap-app-3b',
        app: 'app-3',
        createdAt: '2026-03-01T10:05:00Z',
      }),
    );
    expect(calls).toEqual(['PutCommand', 'UpdateCommand', 'UpdateCommand']);
    expect((await ledger.getApproval('ap-app-3'))?.status).toBe('SUPERSEDED');
    expect((await ledger.getApproval('ap-app-4'))?.status).toBe('OPEN');
  });

  it('should let exactly one of two concurrent decisions win', async () => {
    await ledger.putApproval(approval());
    const results = await Promise.allSettled([
      ledger.decideApproval(
        'ap-1',
        { decision: 'cutover', approver: 'ann' },
        T0,
      ),
      ledger.decideApproval('ap-1', { decision: 'abort', approver: 'bob' }, T0),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(
      LedgerConflictError,
    );
    const stored = await ledger.getApproval('ap-1');
    expect(stored?.status).toBe('DECIDED');
    expect(stored?.decision).toBe(
      (won[0] as PromiseFulfilledResult<ApprovalRecord>).value.decision,
    );
  });

  it('should refuse an expired, replayed or unknown decision', async () => {
    await ledger.putApproval(approval());
    const late = new Date(T0.getTime() + 3_600_000);
    await expect(
      ledger.decideApproval(
        'ap-1',
        { decision: 'cutover', approver: 'a' },
        late,
      ),
    ).rejects.toThrow(/expired at 2026-03-01T11:00:00.000Z/);
    const decided = await ledger.decideApproval(
      'ap-1',
      { decision: 'skip', approver: 'ann', sourceIp: '10.0.0.1' },
      T0,
    );
    expect(decided).toMatchObject({
      status: 'DECIDED',
      decision: 'skip',
      approver: 'ann',
      sourceIp: '10.0.0.1',
      decidedAt: T0.toISOString(),
    });
    await expect(
      ledger.decideApproval('ap-1', { decision: 'abort', approver: 'b' }, T0),
    ).rejects.toThrow(/already decided \(skip by ann/);
    await expect(
      ledger.decideApproval('nope', { decision: 'abort', approver: 'b' }, T0),
    ).rejects.toThrow(/nope does not exist/);
  });

  it('should record a delivery only on a decided approval', async () => {
    await ledger.putApproval(approval());
    await ledger.markDelivered('ap-1', 'accepted', T0);
    expect((await ledger.getApproval('ap-1'))?.deliveredAt).toBeUndefined();
    await ledger.decideApproval(
      'ap-1',
      { decision: 'cutover', approver: 'a' },
      T0,
    );
    await ledger.markDelivered('ap-1', 'gate-closed', T0);
    expect(await ledger.getApproval('ap-1')).toMatchObject({
      status: 'DECIDED',
      delivery: 'gate-closed',
      deliveredAt: T0.toISOString(),
    });
    await ledger.markDelivered('nope', 'accepted', T0);
    expect(await ledger.getApproval('nope')).toBeNull();
  });

  it('should mark a reminder once per instant and only while open', async () => {
    await ledger.putApproval(approval());
    expect(await ledger.markReminded('ap-1', T0)).toBe(true);
    expect(await ledger.markReminded('ap-1', T0)).toBe(false);
    const later = new Date(T0.getTime() + 60_000);
    expect(await ledger.markReminded('ap-1', later)).toBe(true);
    await ledger.decideApproval(
      'ap-1',
      { decision: 'skip', approver: 'a' },
      T0,
    );
    const evenLater = new Date(T0.getTime() + 120_000);
    expect(await ledger.markReminded('ap-1', evenLater)).toBe(false);
  });
});

describe('bad input', () => {
  it('should name a bad timestamp and an empty transition', async () => {
    await expect(
      ledger.putApproval(approval({ expiresAt: 'tomorrow' })),
    ).rejects.toThrow(/expiresAt: "tomorrow" is not a timestamp/);
    await ledger.putApps('m1', ['orders']);
    await expect(
      ledger.transitionApp('m1', 'orders', [], 'SKIPPED'),
    ).rejects.toThrow(/`from` must not be empty/);
  });

  it('should refuse a second approval with the same id', async () => {
    await ledger.putApproval(approval());
    await expect(ledger.putApproval(approval())).rejects.toThrow(
      /approval ap-1 already exists/,
    );
  });
});

describe('batch writes', () => {
  it('should give up with TransientError when items stay unprocessed', async () => {
    const table = `ledger-${++tableNo}`;
    await db.createTable(table);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // Every batch comes back unprocessed, as under sustained throttling.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as BatchWriteItemCommand['input'];
        return {
          response: {},
          output: {
            $metadata: {},
            UnprocessedItems: input.RequestItems,
          },
        } as never;
      },
      { step: 'initialize', name: 'neverProcess' },
    );
    const l = new DynamoLedger(client, table, clock);
    await expect(l.putApps('m1', ['a'])).rejects.toThrow(
      /1 items still unprocessed after 8 attempts/,
    );
    client.destroy();
  });

  it('should retry unprocessed items until all are written', async () => {
    // dynalite never returns UnprocessedItems; a middleware on the real
    // client drops the last item of the first batch to exercise the retry.
    let dropped = false;
    const table = `ledger-${++tableNo}`;
    await db.createTable(table);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand' || dropped) {
          return next(args);
        }
        const input = args.input as BatchWriteItemCommand['input'];
        const reqs = input.RequestItems?.[table] ?? [];
        const last = reqs.pop();
        dropped = true;
        const out = await next(args);
        (out.output as { UnprocessedItems?: unknown }).UnprocessedItems = {
          [table]: last ? [last] : [],
        };
        return out;
      },
      { step: 'initialize', name: 'dropOne' },
    );
    const l = new DynamoLedger(client, table, clock);
    await l.putApps('m1', ['a', 'b', 'c']);
    expect(dropped).toBe(true);
    expect((await l.listApps('m1')).map((a) => a.app)).toEqual(['a', 'b', 'c']);
    client.destroy();
  });
});
