import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  GroupMeasurement,
  PlanRef,
} from '../../../functions/shared/contracts.ts';
import {
  TeardownGuardError,
  TransientError,
} from '../../../functions/shared/domain/errors.ts';
import { createHandler } from '../../../functions/teardown/handler.ts';
import {
  runTeardown,
  type TeardownDeps,
} from '../../../functions/teardown/teardown.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  MemoryPlanStore,
  MemoryReplicators,
  TestClock,
} from '../../support/memory-ports.ts';

const ID = 'orders-platform';
const FWD = 'msk-cutover-orders-platform-fwd';
const REV = 'msk-cutover-orders-platform-rev';
const TAGS = { 'msk-cutover:migration-id': ID };

describe('teardown', () => {
  let clock: TestClock;
  let deps: TeardownDeps & {
    ledger: MemoryLedger;
    replicators: MemoryReplicators;
    notifier: MemoryNotifier;
  };
  let ref: PlanRef;
  const run = () => runTeardown({ migrationId: ID, planRef: ref }, deps);

  /** A measurement of an app's groups, as probe-source records it. */
  async function measure(app: string, groups: GroupMeasurement[]) {
    await deps.ledger.putEvidence({
      migrationId: ID,
      evidenceId: `m-${app}-${clock.now().getTime()}`,
      at: clock.now().toISOString(),
      kind: 'measure',
      app,
      reasons: [],
      data: { groups },
    });
  }
  const side = (members: number) => ({
    state: members > 0 ? 'Stable' : 'Empty',
    members,
    sumOffsetLag: 0,
    byTopic: {},
  });

  /** Every app kept on the target 25 hours ago, groups empty on the source. */
  async function settled() {
    for (const app of ['order-status', 'orders', 'customer-notification']) {
      deps.ledger.setApp(ID, app, 'KEPT_ON_TARGET');
    }
    await measure('order-status', [
      { group: 'order-status', source: side(0), target: side(3) },
    ]);
    await measure('customer-notification', [
      { group: 'customer-notification', source: side(0), target: side(2) },
    ]);
    clock.advance(25 * 3600);
  }

  beforeEach(async () => {
    clock = new TestClock();
    const plans = new MemoryPlanStore();
    ref = await plans.put(
      'plans',
      'p.json',
      readFileSync('events/start-migration.json', 'utf8'),
    );
    deps = {
      plans,
      ledger: new MemoryLedger(clock),
      replicators: new MemoryReplicators(clock),
      notifier: new MemoryNotifier(),
      clock,
      log: new MemoryLog(),
    };
    await deps.ledger.startMigration({
      migrationId: ID,
      planDigest: 'd',
      planRef: ref,
      status: 'RUNNING',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    await deps.ledger.putApps(ID, [
      'order-status',
      'orders',
      'customer-notification',
    ]);
    for (const [name, direction] of [
      [FWD, 'forward'],
      [REV, 'reverse'],
    ] as const) {
      const arn = deps.replicators.seed(name, TAGS);
      await deps.ledger.putReplicator(ID, {
        name,
        arn,
        shard: 'default',
        direction,
      });
    }
  });

  it('should delete reverse then forward and confirm they are gone', async () => {
    await settled();

    const result = await run();

    expect(result).toEqual({ deleted: [REV, FWD], remaining: [] });
    expect(
      deps.replicators.calls.filter((c) => c.startsWith('delete')),
    ).toEqual([`delete ${REV}`, `delete ${FWD}`]);
    expect((await deps.ledger.getMigration(ID))?.status).toBe('TORN_DOWN');
    expect(deps.notifier.ofType('Replicators Deleted')).toHaveLength(1);
  });

  it('treats an application rolled back in its wave like a skipped one, and only in a plan with waves', async () => {
    await settled();
    deps.ledger.setApp(ID, 'orders', 'ROLLED_BACK');
    // Without waves, a rolled-back application is offered another cutover:
    // teardown waits for it.
    await expect(run()).rejects.toThrow(/orders \(ROLLED_BACK\)/);

    const waves = JSON.parse(
      readFileSync('events/start-migration-waves.json', 'utf8'),
    );
    waves.migrationId = ID;
    ref = await (deps.plans as MemoryPlanStore).put(
      'plans',
      'waves.json',
      JSON.stringify(waves),
    );
    const result = await run();
    expect(result).toEqual({ deleted: [REV, FWD], remaining: [] });
  });

  it('should refuse while an application is not kept on the target or skipped', async () => {
    await settled();
    deps.ledger.setApp(ID, 'orders', 'ON_TARGET');

    const refused = run();

    await expect(refused).rejects.toBeInstanceOf(TeardownGuardError);
    await expect(refused).rejects.toThrow(/orders \(ON_TARGET\)/);
    expect(deps.replicators.byName.size).toBe(2);
  });

  it('should refuse while the rollback window is open', async () => {
    await settled();
    clock.advance(-2 * 3600);

    await expect(run()).rejects.toThrow(
      /rollback window is open until 2026-03-02T00:00:00.000Z/,
    );
    expect(deps.replicators.calls.some((c) => c.startsWith('delete'))).toBe(
      false,
    );
  });

  it('should refuse while a kept application still has members on the source', async () => {
    await settled();
    await measure('customer-notification', [
      { group: 'customer-notification', source: side(1), target: side(2) },
    ]);

    await expect(run()).rejects.toThrow(
      /customer-notification: group customer-notification has 1 member\(s\) on the source/,
    );
  });

  it('should refuse when a kept application was never measured or its source was unreadable', async () => {
    await settled();
    deps.ledger.evidence.clear();
    await measure('order-status', [
      { group: 'order-status', source: null, target: side(3) },
    ]);

    const refused = run();

    await expect(refused).rejects.toThrow(/order-status could not be read/);
    await expect(refused).rejects.toThrow(
      /customer-notification: its consumer groups were never measured/,
    );
  });

  it('should not hold a skipped application against the teardown', async () => {
    await settled();
    deps.ledger.setApp(ID, 'customer-notification', 'SKIPPED');
    await measure('customer-notification', [
      { group: 'customer-notification', source: side(4), target: side(0) },
    ]);

    await expect(run()).resolves.toMatchObject({ deleted: [REV, FWD] });
  });

  it("should delete an unrecorded replicator of ours but never another migration's", async () => {
    await settled();
    deps.ledger.replicators.clear();
    deps.replicators.seed('msk-cutover-orders-platform-eu-fwd', {
      'msk-cutover:migration-id': 'orders-platform-eu',
    });

    await run();

    expect([...deps.replicators.byName.keys()]).toEqual([
      'msk-cutover-orders-platform-eu-fwd',
    ]);
  });

  it('should retry when a replicator is still listed after its deletion', async () => {
    await settled();
    deps.replicators.undeletable.add(FWD);

    await expect(run()).rejects.toBeInstanceOf(TransientError);
    expect((await deps.ledger.getMigration(ID))?.status).toBe('RUNNING');
  });

  describe('handler', () => {
    beforeEach(() => {
      vi.stubEnv('LEDGER_TABLE', 'msk-cutover-ledger');
      vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:msk-cutover');
      vi.stubEnv('EVENT_BUS_NAME', 'default');
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('should tear down', async () => {
      await settled();
      const handler = createHandler(deps);

      const result = await handler(
        { migrationId: ID, planRef: ref },
        lambdaContext(),
      );

      expect(result.deleted).toEqual([REV, FWD]);
    });

    it('should surface a guard refusal as TeardownGuardError', async () => {
      const handler = createHandler(deps);

      await expect(
        handler({ migrationId: ID, planRef: ref }, lambdaContext()),
      ).rejects.toMatchObject({ name: 'TeardownGuardError' });
    });
  });
});
