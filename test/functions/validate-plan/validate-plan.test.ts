import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PlanRef } from '../../../functions/shared/contracts.ts';
import {
  LedgerConflictError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import { createHandler } from '../../../functions/validate-plan/handler.ts';
import {
  runValidatePlan,
  type ValidatePlanDeps,
} from '../../../functions/validate-plan/validate-plan.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  MemoryPlanStore,
  TestClock,
} from '../../support/memory-ports.ts';

const planText = readFileSync('events/start-migration.json', 'utf8');

describe('validate-plan', () => {
  let deps: ValidatePlanDeps & {
    plans: MemoryPlanStore;
    ledger: MemoryLedger;
    notifier: MemoryNotifier;
  };
  let ref: PlanRef;

  beforeEach(async () => {
    const clock = new TestClock();
    deps = {
      plans: new MemoryPlanStore(),
      ledger: new MemoryLedger(clock),
      notifier: new MemoryNotifier(),
      clock,
      log: new MemoryLog(),
    };
    ref = await deps.plans.put('plans', 'orders-platform.json', planText);
  });

  const event = () => ({ migrationId: 'orders-platform', planRef: ref });

  it('returns the waves of a wave plan, its applications in wave order, and waveConcurrency 0 without cutoverConcurrency', async () => {
    const waves = readFileSync('events/start-migration-waves.json', 'utf8');
    const wavesRef = await deps.plans.put('plans', 'waves.json', waves);
    const result = await runValidatePlan(
      { migrationId: 'orders-platform-waves', planRef: wavesRef },
      deps,
    );
    expect(result.apps).toEqual([
      'order-status',
      'orders',
      'customer-notification',
    ]);
    expect(result.waves).toEqual([
      { name: 'order-flow', apps: ['order-status', 'orders'] },
      { name: 'notifications', apps: ['customer-notification'] },
    ]);
    expect(result.waveConcurrency).toBe(0);
    expect(result.concurrency).toBe(1);

    // A plan that sets cutoverConcurrency bounds each wave by it.
    const bounded = JSON.stringify({
      ...JSON.parse(waves),
      cutoverConcurrency: 1,
    });
    const boundedRef = await deps.plans.put('plans', 'bounded.json', bounded);
    deps.ledger = new MemoryLedger(deps.clock as TestClock);
    const again = await runValidatePlan(
      { migrationId: 'orders-platform-waves', planRef: boundedRef },
      deps,
    );
    expect(again.waveConcurrency).toBe(1);
  });

  it('returns no waves for a plan without cutoverWaves', async () => {
    const result = await runValidatePlan(event(), deps);
    expect(result).not.toHaveProperty('waves');
    expect(result).not.toHaveProperty('waveConcurrency');
  });

  it('should return the apps in cutover order and the loop settings, not the plan', async () => {
    const result = await runValidatePlan(event(), deps);

    expect(result).toEqual({
      migrationId: 'orders-platform',
      planDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      apps: ['order-status', 'orders', 'customer-notification'],
      shards: ['default'],
      replicatorNames: [
        'msk-cutover-orders-platform-fwd',
        'msk-cutover-orders-platform-rev',
      ],
      concurrency: 1,
      pollIntervalSeconds: 300,
      runningPollSeconds: 60,
      gateTimeoutSeconds: 72 * 3600,
      postponeSeconds: 3600,
      rollbackWindowSeconds: 24 * 3600,
      teardownRequiresApproval: true,
      teardownAskAgainSeconds: 24 * 3600,
      teardownMaxAsks: 7,
    });
    expect(JSON.stringify(result)).not.toContain('bootstrapBrokers');
  });

  it('should hand a wave plan to the workflow as its applications wave after wave', async () => {
    const waves = await deps.plans.put(
      'plans',
      'orders-platform-waves.json',
      readFileSync('events/start-migration-waves.json', 'utf8'),
    );
    const result = await runValidatePlan(
      { migrationId: 'orders-platform-waves', planRef: waves },
      deps,
    );

    // The cutover Map runs these one after another (concurrency 1): wave
    // `order-flow` (order-status, orders), then `notifications`.
    expect(result.apps).toEqual([
      'order-status',
      'orders',
      'customer-notification',
    ]);
    expect(result.concurrency).toBe(1);
  });

  it('should record the migration, one ON_SOURCE item per app, and subscribe the emails', async () => {
    await runValidatePlan(event(), deps);

    const migration = await deps.ledger.getMigration('orders-platform');
    expect(migration).toMatchObject({
      status: 'RUNNING',
      planRef: ref,
      startedAt: '2026-03-01T00:00:00.000Z',
    });
    const apps = await deps.ledger.listApps('orders-platform');
    expect(apps.map((a) => [a.app, a.order, a.state])).toEqual([
      ['order-status', 0, 'ON_SOURCE'],
      ['orders', 1, 'ON_SOURCE'],
      ['customer-notification', 2, 'ON_SOURCE'],
    ]);
    expect(deps.notifier.subscribed).toEqual(['kafka-migration@example.com']);
  });

  it('should change nothing when run again with the same plan (retry or continuation)', async () => {
    await runValidatePlan(event(), deps);
    await deps.ledger.transitionApp(
      'orders-platform',
      'order-status',
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );

    await runValidatePlan(event(), deps);

    const app = await deps.ledger.getApp('orders-platform', 'order-status');
    expect(app?.state).toBe('CUTOVER_APPROVED');
    expect(deps.notifier.subscribed).toHaveLength(1);
  });

  it('should refuse another plan under the same migrationId', async () => {
    await runValidatePlan(event(), deps);
    const changed = JSON.parse(planText);
    changed.readiness.maxMessageLag = 5;
    const other = await deps.plans.put(
      'plans',
      'orders-platform.json',
      JSON.stringify(changed),
    );

    await expect(
      runValidatePlan({ migrationId: 'orders-platform', planRef: other }, deps),
    ).rejects.toBeInstanceOf(LedgerConflictError);
  });

  it('should reject an invalid plan with the JSON path and record nothing', async () => {
    const broken = JSON.parse(planText);
    broken.replication.startingPosition = 'OLDEST';
    const bad = await deps.plans.put(
      'plans',
      'bad.json',
      JSON.stringify(broken),
    );

    const run = runValidatePlan(
      { migrationId: 'orders-platform', planRef: bad },
      deps,
    );

    await expect(run).rejects.toBeInstanceOf(ValidationError);
    await expect(run).rejects.toThrow(/replication\.startingPosition/);
    expect(deps.ledger.migrations.size).toBe(0);
    expect(deps.notifier.subscribed).toEqual([]);
  });

  it("should reject an execution whose migrationId is not the plan's", async () => {
    await expect(
      runValidatePlan({ migrationId: 'payments', planRef: ref }, deps),
    ).rejects.toThrow(/"payments" but the plan says "orders-platform"/);
  });

  it('should run a failed migration again when the same plan is started again', async () => {
    await runValidatePlan(event(), deps);
    await deps.ledger.updateMigration('orders-platform', { status: 'FAILED' });

    await runValidatePlan(event(), deps);

    expect((await deps.ledger.getMigration('orders-platform'))?.status).toBe(
      'RUNNING',
    );
    expect(deps.ledger.audits.map((a) => a.event)).toContain(
      'migration restarted',
    );
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

    it('should validate and run the core', async () => {
      const handler = createHandler(deps);

      const result = await handler(event(), lambdaContext());

      expect(result.apps).toHaveLength(3);
    });

    it('should reject an event without planRef as a ValidationError', async () => {
      const handler = createHandler(deps);

      await expect(
        handler({ migrationId: 'orders-platform' }, lambdaContext()),
      ).rejects.toThrow(/planRef/);
    });
  });
});
