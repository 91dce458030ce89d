/**
 * The Ledger port's contract, run against both ledgers: DynamoLedger on
 * dynalite (the truth) and the MemoryLedger the phase and scenario tests
 * use. A case that passes on one and fails on the other is drift.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import type { CheckResult } from '../../../functions/shared/contracts.ts';
import {
  LedgerConflictError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import type {
  ApprovalRecord,
  EvidenceRecord,
  Ledger,
  MigrationRecord,
} from '../../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { MemoryLedger, TestClock } from '../../support/memory-ports.ts';

/** The port plus the two reads both ledgers offer the CLI's `status`. */
type ContractLedger = Ledger & {
  getChecks(
    migrationId: string,
    phase: 'preflight' | 'probe',
  ): Promise<CheckResult[] | null>;
  listAudit(
    migrationId: string,
  ): Promise<{ at: string; event: string; detail: string }[]>;
};

interface Subject {
  name: string;
  /** A fresh, empty ledger on `clock`. */
  make(clock: TestClock): Promise<ContractLedger>;
}

let db: LocalDynamo | undefined;
let tableNo = 0;

const subjects: Subject[] = [
  {
    name: 'DynamoLedger on dynalite',
    make: async (clock) => {
      db ??= await startDynalite();
      const table = await db.createTable(`contract-${++tableNo}`);
      return new DynamoLedger(db.client, table, clock);
    },
  },
  { name: 'MemoryLedger', make: async (clock) => new MemoryLedger(clock) },
];

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

const T0 = new Date('2026-03-01T10:00:00.000Z');
const at = (seconds: number) =>
  new Date(T0.getTime() + seconds * 1000).toISOString();

function migration(over: Partial<MigrationRecord> = {}): MigrationRecord {
  return {
    migrationId: 'm1',
    planDigest: 'abc',
    planRef: { bucket: 'plans', key: 'm1.json', versionId: 'v1' },
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
    expiresAt: at(3600),
    status: 'OPEN',
    ...over,
  };
}

function evidence(over: Partial<EvidenceRecord> = {}): EvidenceRecord {
  return {
    migrationId: 'm1',
    evidenceId: 'e1',
    at: T0.toISOString(),
    kind: 'readiness',
    reasons: [],
    data: {},
    ...over,
  };
}

describe.each(subjects)('$name', ({ make }) => {
  let clock: TestClock;
  let ledger: ContractLedger;
  const fresh = async () => {
    clock = new TestClock(T0);
    ledger = await make(clock);
  };

  describe('migrations', () => {
    it('should start a migration once and take the same plan again as a no-op', async () => {
      await fresh();
      await ledger.startMigration(migration());
      await ledger.startMigration(migration({ startedAt: at(60) }));
      expect(await ledger.getMigration('m1')).toStrictEqual(migration());
      expect(await ledger.getMigration('m2')).toBeNull();
    });

    it('should refuse the same id with a different plan, naming the stored digest', async () => {
      await fresh();
      await ledger.startMigration(migration());
      const refused = ledger.startMigration(migration({ planDigest: 'other' }));
      await expect(refused).rejects.toThrow(LedgerConflictError);
      await expect(refused).rejects.toThrow(
        'migration m1 already exists with a different plan (digest abc); choose a new migrationId',
      );
      expect((await ledger.getMigration('m1'))?.planDigest).toBe('abc');
    });

    it('should patch fields, stamp updatedAt from the clock and keep an explicit one', async () => {
      await fresh();
      await ledger.startMigration(migration());
      clock.set(at(60));
      await ledger.updateMigration('m1', { readySince: at(30) });
      expect(await ledger.getMigration('m1')).toStrictEqual(
        migration({ readySince: at(30), updatedAt: at(60) }),
      );
      await ledger.updateMigration('m1', {
        sourceClusterId: 'abc-123',
        updatedAt: at(45),
      });
      expect(await ledger.getMigration('m1')).toMatchObject({
        sourceClusterId: 'abc-123',
        updatedAt: at(45),
      });
    });

    it('should leave a field alone when the patch has it undefined', async () => {
      await fresh();
      await ledger.startMigration(migration({ readySince: at(10) }));
      await ledger.updateMigration('m1', {
        readySince: undefined,
        creatingSince: at(20),
      });
      const m = await ledger.getMigration('m1');
      expect(m?.readySince).toBe(at(10));
      expect(m?.creatingSince).toBe(at(20));
    });

    it('should refuse to patch an unknown migration', async () => {
      await fresh();
      const refused = ledger.updateMigration('nope', { status: 'FAILED' });
      await expect(refused).rejects.toThrow(LedgerConflictError);
      await expect(refused).rejects.toThrow('migration nope not found');
      expect(await ledger.getMigration('nope')).toBeNull();
    });

    it('should list the running migrations by start time, following status changes', async () => {
      await fresh();
      await ledger.startMigration(migration({ migrationId: 'late' }));
      await ledger.startMigration(
        migration({ migrationId: 'early', startedAt: at(-60) }),
      );
      await ledger.startMigration(
        migration({
          migrationId: 'done',
          status: 'SUCCEEDED',
          startedAt: at(-30),
        }),
      );
      expect((await ledger.listMigrations()).map((m) => m.migrationId)).toEqual(
        ['early', 'late'],
      );
      await ledger.updateMigration('early', { status: 'FAILED' });
      await ledger.updateMigration('done', { status: 'RUNNING' });
      const list = await ledger.listMigrations();
      expect(list.map((m) => m.migrationId)).toEqual(['done', 'late']);
      expect(list[0]).toStrictEqual(
        migration({ migrationId: 'done', startedAt: at(-30) }),
      );
    });

    it('should hand out copies: changing a read record changes nothing stored', async () => {
      await fresh();
      await ledger.startMigration(migration());
      const m = await ledger.getMigration('m1');
      if (!m) throw new Error('missing');
      m.status = 'FAILED';
      m.planRef.key = 'changed';
      expect(await ledger.getMigration('m1')).toStrictEqual(migration());
    });
  });

  describe('applications', () => {
    it('should create missing apps ON_SOURCE in plan order across batches and keep existing ones', async () => {
      await fresh();
      // More than two BatchWriteItem batches of 25.
      const apps = Array.from({ length: 60 }, (_, i) => `app-${i}`);
      await ledger.putApps('m1', apps.slice(0, 10));
      await ledger.transitionApp('m1', 'app-3', ['ON_SOURCE'], 'SKIPPED');
      clock.set(at(60));
      await ledger.putApps('m1', apps);
      const list = await ledger.listApps('m1');
      expect(list.map((a) => a.app)).toEqual(apps);
      expect(list[0]).toStrictEqual({
        migrationId: 'm1',
        app: 'app-0',
        order: 0,
        state: 'ON_SOURCE',
        updatedAt: T0.toISOString(),
        version: 0,
      });
      expect(list[59]).toMatchObject({ order: 59, updatedAt: at(60) });
      expect(list[3]).toMatchObject({ state: 'SKIPPED', version: 1 });
      expect(await ledger.listApps('m2')).toEqual([]);
      expect(await ledger.getApp('m1', 'ghost')).toBeNull();
    });

    it('should transition only from an allowed state, counting versions', async () => {
      await fresh();
      await ledger.putApps('m1', ['orders']);
      clock.set(at(5));
      const a = await ledger.transitionApp(
        'm1',
        'orders',
        ['ON_SOURCE', 'ROLLED_BACK'],
        'CUTOVER_APPROVED',
      );
      expect(a).toStrictEqual({
        migrationId: 'm1',
        app: 'orders',
        order: 0,
        state: 'CUTOVER_APPROVED',
        updatedAt: at(5),
        version: 1,
      });
      expect(await ledger.getApp('m1', 'orders')).toStrictEqual(a);
      const refused = ledger.transitionApp(
        'm1',
        'orders',
        ['ON_SOURCE'],
        'SKIPPED',
      );
      await expect(refused).rejects.toThrow(LedgerConflictError);
      await expect(refused).rejects.toThrow(
        'application orders is CUTOVER_APPROVED, not ON_SOURCE: cannot move it to SKIPPED',
      );
      await expect(
        ledger.transitionApp('m1', 'ghost', ['ON_SOURCE'], 'SKIPPED'),
      ).rejects.toThrow('application ghost is not in migration m1');
      expect((await ledger.getApp('m1', 'orders'))?.version).toBe(1);
    });

    it('should refuse an empty list of allowed states as bad input', async () => {
      await fresh();
      await ledger.putApps('m1', ['orders']);
      const refused = ledger.transitionApp('m1', 'orders', [], 'SKIPPED');
      await expect(refused).rejects.toThrow(ValidationError);
      await expect(refused).rejects.toThrow('`from` must not be empty');
      expect((await ledger.getApp('m1', 'orders'))?.state).toBe('ON_SOURCE');
    });

    it('should let exactly one of two concurrent transitions win', async () => {
      await fresh();
      await ledger.putApps('m1', ['orders']);
      const results = await Promise.allSettled([
        ledger.transitionApp('m1', 'orders', ['ON_SOURCE'], 'CUTOVER_APPROVED'),
        ledger.transitionApp('m1', 'orders', ['ON_SOURCE'], 'SKIPPED'),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(LedgerConflictError);
      const stored = await ledger.getApp('m1', 'orders');
      expect(stored?.version).toBe(1);
      expect(stored?.state).toBe(won[0]?.value.state);
    });
  });

  describe('replicators', () => {
    it('should keep one ref per name, by name, per migration', async () => {
      await fresh();
      const ref = (name: string) => ({
        name,
        arn: `arn:aws:kafka:us-east-1:111122223333:replicator/${name}/x`,
        shard: 'default',
        direction: 'forward' as const,
      });
      await ledger.putReplicator('m1', ref('mc-m1-fwd-b'));
      await ledger.putReplicator('m1', ref('mc-m1-fwd-a'));
      await ledger.putReplicator('m2', ref('mc-m2-fwd-a'));
      // Written again with the aliases poll-readiness caches.
      await ledger.putReplicator('m1', {
        ...ref('mc-m1-fwd-b'),
        clusterAliases: { source: 'src', target: 'tgt' },
      });
      expect(await ledger.listReplicators('m1')).toStrictEqual([
        ref('mc-m1-fwd-a'),
        {
          ...ref('mc-m1-fwd-b'),
          clusterAliases: { source: 'src', target: 'tgt' },
        },
      ]);
      expect(await ledger.listReplicators('m3')).toEqual([]);
    });
  });

  describe('evidence and checks', () => {
    it('should read evidence back as JSON keeps it', async () => {
      await fresh();
      await ledger.putEvidence(
        evidence({
          app: 'orders',
          ready: false,
          reasons: ['MessageLag 5,000 > 1,000'],
          data: {
            lag: 5000,
            gone: undefined,
            when: new Date(T0),
            nested: { list: [1, 'two', null] },
          },
        }),
      );
      expect(await ledger.getEvidence('m1', 'e1')).toStrictEqual({
        migrationId: 'm1',
        evidenceId: 'e1',
        at: T0.toISOString(),
        kind: 'readiness',
        app: 'orders',
        ready: false,
        reasons: ['MessageLag 5,000 > 1,000'],
        data: {
          lag: 5000,
          when: T0.toISOString(),
          nested: { list: [1, 'two', null] },
        },
      });
      await ledger.putEvidence(evidence({ evidenceId: 'e2' }));
      expect(await ledger.getEvidence('m1', 'e2')).toStrictEqual(
        evidence({ evidenceId: 'e2' }),
      );
      expect(await ledger.getEvidence('m1', 'missing')).toBeNull();
      expect(await ledger.getEvidence('m2', 'e1')).toBeNull();
    });

    it('should point at the newest evidence per kind and scope, whatever the write order', async () => {
      await fresh();
      await ledger.putEvidence(evidence({ evidenceId: 'e2', at: at(120) }));
      // Written late but older: the newer one stays the latest.
      await ledger.putEvidence(evidence({ evidenceId: 'e1', at: at(60) }));
      await ledger.putEvidence(
        evidence({ evidenceId: 'a1', at: at(180), app: 'orders' }),
      );
      await ledger.putEvidence(
        evidence({ evidenceId: 'v1', at: at(240), kind: 'verify' }),
      );
      expect(await ledger.latestEvidenceRef('m1', 'readiness')).toStrictEqual({
        evidenceId: 'e2',
        at: at(120),
      });
      expect((await ledger.latestEvidence('m1', 'readiness'))?.evidenceId).toBe(
        'e2',
      );
      expect(
        (await ledger.latestEvidence('m1', 'readiness', 'orders'))?.evidenceId,
      ).toBe('a1');
      expect((await ledger.latestEvidence('m1', 'verify'))?.evidenceId).toBe(
        'v1',
      );
      expect(await ledger.latestEvidence('m1', 'teardown')).toBeNull();
      expect(
        await ledger.latestEvidenceRef('m1', 'readiness', 'billing'),
      ).toBeNull();
      expect(await ledger.latestEvidence('m2', 'readiness')).toBeNull();
    });

    it('should let the last write win between two evidence of the same instant', async () => {
      await fresh();
      await ledger.putEvidence(evidence({ evidenceId: 'x', at: at(60) }));
      await ledger.putEvidence(evidence({ evidenceId: 'y', at: at(60) }));
      await ledger.putEvidence(evidence({ evidenceId: 'x', at: at(60) }));
      expect(
        (await ledger.latestEvidenceRef('m1', 'readiness'))?.evidenceId,
      ).toBe('x');
    });

    it('should keep the last check results per phase', async () => {
      await fresh();
      const checks: CheckResult[] = [
        { id: 'a', ok: true, severity: 'error', reason: 'fine' },
        { id: 'b', ok: false, severity: 'warning', reason: 'meh' },
      ];
      await ledger.putChecks('m1', 'preflight', [checks[1] as CheckResult]);
      await ledger.putChecks('m1', 'preflight', checks);
      expect(await ledger.getChecks('m1', 'preflight')).toStrictEqual(checks);
      expect(await ledger.getChecks('m1', 'probe')).toBeNull();
      expect(await ledger.getChecks('m2', 'preflight')).toBeNull();
    });
  });

  describe('approvals', () => {
    it('should store a request with its timestamps in canonical ISO form', async () => {
      await fresh();
      await ledger.putApproval(
        approval({
          createdAt: '2026-03-01T10:00:00Z',
          expiresAt: '2026-03-01T12:00:00+01:00',
          note: undefined,
        }),
      );
      expect(await ledger.getApproval('ap-1')).toStrictEqual(approval());
      expect(await ledger.getApproval('nope')).toBeNull();
    });

    it('should refuse a bad timestamp and a second request with the same id', async () => {
      await fresh();
      const bad = ledger.putApproval(approval({ expiresAt: 'tomorrow' }));
      await expect(bad).rejects.toThrow(ValidationError);
      await expect(bad).rejects.toThrow(
        'expiresAt: "tomorrow" is not a timestamp',
      );
      await expect(
        ledger.putApproval(approval({ createdAt: '' })),
      ).rejects.toThrow('createdAt: "" is not a timestamp');
      expect(await ledger.getApproval('ap-1')).toBeNull();
      await ledger.putApproval(approval());
      const again = ledger.putApproval(approval({ formNonce: 'other' }));
      await expect(again).rejects.toThrow(LedgerConflictError);
      await expect(again).rejects.toThrow('approval ap-1 already exists');
      expect((await ledger.getApproval('ap-1'))?.formNonce).toBe('nonce');
    });

    it('should supersede the open request of the same gate only', async () => {
      await fresh();
      await ledger.putApproval(approval());
      await ledger.putApproval(
        approval({ approvalId: 'ap-billing', app: 'billing' }),
      );
      await ledger.putApproval(
        approval({
          approvalId: 'ap-teardown',
          kind: 'teardown',
          app: undefined,
        }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'ap-m2', migrationId: 'm2' }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'ap-2', createdAt: at(300) }),
      );
      const status = async (id: string) =>
        (await ledger.getApproval(id))?.status;
      expect(await status('ap-1')).toBe('SUPERSEDED');
      expect(await status('ap-2')).toBe('OPEN');
      expect(await status('ap-billing')).toBe('OPEN');
      expect(await status('ap-teardown')).toBe('OPEN');
      expect(await status('ap-m2')).toBe('OPEN');
      await expect(
        ledger.decideApproval(
          'ap-1',
          { decision: 'cutover', approver: 'a' },
          T0,
        ),
      ).rejects.toThrow(
        'approval ap-1 was replaced by a newer request for the same gate',
      );
    });

    it('should leave open only the request recorded last, whatever its createdAt', async () => {
      await fresh();
      await ledger.putApproval(
        approval({ approvalId: 'ap-new', createdAt: at(300) }),
      );
      // A retried request-approval of the same gate lands after it.
      await ledger.putApproval(approval({ approvalId: 'ap-late' }));
      expect((await ledger.getApproval('ap-new'))?.status).toBe('SUPERSEDED');
      expect((await ledger.getApproval('ap-late'))?.status).toBe('OPEN');
    });

    it('should keep a decision when a newer request of its gate arrives', async () => {
      await fresh();
      await ledger.putApproval(approval());
      await ledger.decideApproval(
        'ap-1',
        { decision: 'cutover', approver: 'ann' },
        T0,
      );
      await ledger.putApproval(
        approval({ approvalId: 'ap-2', createdAt: at(60) }),
      );
      expect((await ledger.getApproval('ap-1'))?.status).toBe('DECIDED');
      expect((await ledger.getApproval('ap-2'))?.status).toBe('OPEN');
    });

    it('should list a migration’s approvals by creation time', async () => {
      await fresh();
      await ledger.putApproval(
        approval({ approvalId: 'b', createdAt: at(60) }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'c', app: 'billing', createdAt: at(60) }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'a', app: 'x', createdAt: at(120) }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'z', app: 'y', createdAt: at(-60) }),
      );
      await ledger.putApproval(
        approval({ approvalId: 'o', migrationId: 'm2' }),
      );
      const list = await ledger.listApprovals('m1');
      expect(list.map((a) => a.approvalId)).toEqual(['z', 'b', 'c', 'a']);
      expect(list[0]).toStrictEqual(
        approval({ approvalId: 'z', app: 'y', createdAt: at(-60) }),
      );
      expect(await ledger.listApprovals('m3')).toEqual([]);
    });

    it('should decide once, recording who, when and from where', async () => {
      await fresh();
      await ledger.putApproval(approval());
      const decided = await ledger.decideApproval(
        'ap-1',
        {
          decision: 'skip',
          approver: 'ann',
          sourceIp: '10.0.0.1',
          comment: undefined,
        },
        new Date(at(30)),
      );
      const expected = approval({
        status: 'DECIDED',
        decision: 'skip',
        approver: 'ann',
        sourceIp: '10.0.0.1',
        decidedAt: at(30),
      });
      expect(decided).toStrictEqual(expected);
      expect(await ledger.getApproval('ap-1')).toStrictEqual(expected);
      const replay = ledger.decideApproval(
        'ap-1',
        { decision: 'abort', approver: 'b' },
        T0,
      );
      await expect(replay).rejects.toThrow(LedgerConflictError);
      await expect(replay).rejects.toThrow(
        `approval ap-1 was already decided (skip by ann at ${at(30)})`,
      );
      expect((await ledger.getApproval('ap-1'))?.decision).toBe('skip');
    });

    it('should refuse a decision at or after expiry and on an unknown approval', async () => {
      await fresh();
      await ledger.putApproval(approval());
      for (const when of [at(3600), at(7200)]) {
        const late = ledger.decideApproval(
          'ap-1',
          { decision: 'cutover', approver: 'a' },
          new Date(when),
        );
        await expect(late).rejects.toThrow(LedgerConflictError);
        await expect(late).rejects.toThrow(
          'approval ap-1 expired at 2026-03-01T11:00:00.000Z',
        );
      }
      expect((await ledger.getApproval('ap-1'))?.status).toBe('OPEN');
      await ledger.putApproval(
        approval({ approvalId: 'ap-x', app: 'x', status: 'EXPIRED' }),
      );
      await expect(
        ledger.decideApproval('ap-x', { decision: 'abort', approver: 'b' }, T0),
      ).rejects.toThrow('approval ap-x expired at');
      await expect(
        ledger.decideApproval('nope', { decision: 'abort', approver: 'b' }, T0),
      ).rejects.toThrow('approval nope does not exist');
    });

    it('should let exactly one of two concurrent decisions win', async () => {
      await fresh();
      await ledger.putApproval(approval());
      const results = await Promise.allSettled([
        ledger.decideApproval(
          'ap-1',
          { decision: 'cutover', approver: 'ann' },
          T0,
        ),
        ledger.decideApproval(
          'ap-1',
          { decision: 'abort', approver: 'bob' },
          T0,
        ),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0]?.reason).toBeInstanceOf(LedgerConflictError);
      expect((await ledger.getApproval('ap-1'))?.decision).toBe(
        won[0]?.value.decision,
      );
    });

    it('should mark a reminder once per instant, forward only and while open', async () => {
      await fresh();
      await ledger.putApproval(approval());
      expect(await ledger.markReminded('ap-1', new Date(at(60)))).toBe(true);
      expect(await ledger.markReminded('ap-1', new Date(at(60)))).toBe(false);
      expect(await ledger.markReminded('ap-1', new Date(at(30)))).toBe(false);
      expect((await ledger.getApproval('ap-1'))?.remindedAt).toBe(at(60));
      expect(await ledger.markReminded('ap-1', new Date(at(120)))).toBe(true);
      await ledger.decideApproval(
        'ap-1',
        { decision: 'skip', approver: 'a' },
        T0,
      );
      expect(await ledger.markReminded('ap-1', new Date(at(180)))).toBe(false);
      expect((await ledger.getApproval('ap-1'))?.remindedAt).toBe(at(120));
      expect(await ledger.markReminded('nope', T0)).toBe(false);
      expect(await ledger.getApproval('nope')).toBeNull();
    });

    it('should record a delivery only on a decided approval, the last one standing', async () => {
      await fresh();
      await ledger.putApproval(approval());
      await ledger.markDelivered('ap-1', 'accepted', T0);
      expect(await ledger.getApproval('ap-1')).toStrictEqual(approval());
      await ledger.decideApproval(
        'ap-1',
        { decision: 'cutover', approver: 'a' },
        T0,
      );
      await ledger.markDelivered('ap-1', 'accepted', new Date(at(1)));
      await ledger.markDelivered('ap-1', 'gate-closed', new Date(at(2)));
      expect(await ledger.getApproval('ap-1')).toMatchObject({
        status: 'DECIDED',
        delivery: 'gate-closed',
        deliveredAt: at(2),
      });
      await ledger.markDelivered('nope', 'accepted', T0);
      expect(await ledger.getApproval('nope')).toBeNull();
    });
  });

  describe('readiness trackers', () => {
    it('should keep one tracker per scope and overwrite it whole', async () => {
      await fresh();
      const t = { waitingSince: at(0), lastPollAt: at(0) };
      await ledger.putReadinessTracker('m1', undefined, {
        ...t,
        readySince: at(1),
      });
      await ledger.putReadinessTracker('m1', 'orders', {
        ...t,
        readyNotifiedAt: at(2),
      });
      await ledger.putReadinessTracker('m1', undefined, {
        ...t,
        lastPollAt: at(300),
        readySince: undefined,
      });
      expect(await ledger.getReadinessTracker('m1')).toStrictEqual({
        ...t,
        lastPollAt: at(300),
      });
      expect(await ledger.getReadinessTracker('m1', 'orders')).toStrictEqual({
        ...t,
        readyNotifiedAt: at(2),
      });
      expect(await ledger.getReadinessTracker('m1', 'billing')).toBeNull();
      expect(await ledger.getReadinessTracker('m2')).toBeNull();
    });
  });

  describe('audit', () => {
    it('should keep the trail oldest first, all of it, with long details cut', async () => {
      await fresh();
      // About 1.2 MB of trail: more than one 1 MB page of a DynamoDB Query.
      for (let i = 0; i < 75; i++) {
        clock.set(at(i));
        await ledger.audit('m1', `event-${i}`, {
          n: i,
          pad: 'x'.repeat(20_000),
        });
      }
      clock.set(at(-10));
      await ledger.audit('m1', 'earliest', { small: true });
      await ledger.audit('m2', 'other', {});
      const trail = await ledger.listAudit('m1');
      expect(trail.map((t) => t.event)).toEqual([
        'earliest',
        ...Array.from({ length: 75 }, (_, i) => `event-${i}`),
      ]);
      expect(trail[0]).toStrictEqual({
        at: at(-10),
        event: 'earliest',
        detail: '{"small":true}',
      });
      expect(trail[1]?.detail).toBe(
        `${JSON.stringify({ n: 0, pad: 'x'.repeat(20_000) }).slice(0, 16_000)}…(truncated)`,
      );
      expect(await ledger.listAudit('m3')).toEqual([]);
    });
  });
});
