import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandler } from '../../../functions/record-failure/handler.ts';
import {
  errorMessage,
  type RecordFailureDeps,
  runRecordFailure,
} from '../../../functions/record-failure/record-failure.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  TestClock,
} from '../../support/memory-ports.ts';

const ID = 'orders-platform';
const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
/** A Lambda error as Step Functions puts it in the Catch's Cause. */
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: ['at x (y.js:1:1)'] });

describe('record-failure', () => {
  let deps: RecordFailureDeps & {
    ledger: MemoryLedger;
    notifier: MemoryNotifier;
  };

  beforeEach(async () => {
    const clock = new TestClock();
    deps = {
      ledger: new MemoryLedger(clock),
      notifier: new MemoryNotifier(),
      clock,
      log: new MemoryLog(),
    };
    await deps.ledger.startMigration({
      migrationId: ID,
      planDigest: 'd',
      planRef,
      status: 'RUNNING',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    await deps.ledger.putApps(ID, ['order-status', 'orders', 'billing']);
  });

  it("records one wave application's failure (mode verify-cutover) without failing the migration", async () => {
    await deps.ledger.transitionApp(
      ID,
      'orders',
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'app-cutover',
        app: 'orders',
        mode: 'verify-cutover',
        error: {
          Error: 'ReplicatorFailedError',
          Cause: lambdaCause('ReplicatorFailedError', 'replicator fwd FAILED'),
        },
      },
      deps,
    );
    expect(result).toEqual({
      status: 'FAILED',
      notified: true,
      error: 'ReplicatorFailedError',
      cause: 'replicator fwd FAILED',
    });
    // The migration goes on: its status is untouched.
    expect((await deps.ledger.getMigration(ID))?.status).toBe('RUNNING');
    expect(deps.notifier.ofType('Migration Failed')).toEqual([]);
    const [sent] = deps.notifier.ofType('Application Failed');
    expect(sent?.subject).toBe(
      'msk-cutover orders-platform: application orders failed in its wave',
    );
    expect(sent?.body).toContain('the other applications of its wave go on');
    expect(sent?.body).toContain('CUTOVER_APPROVED (moving)');
    expect(deps.ledger.audits.map((a) => a.event)).toContain(
      'application failed',
    );
  });

  it("records a wave's own failure as the migration's, naming the wave", async () => {
    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'wave-cutover',
        wave: 'payments',
        error: {
          Error: 'MigrationAbortedError',
          Cause: 'aborted the migration at the cutover gate of wave payments',
        },
      },
      deps,
    );
    expect(result.status).toBe('ABORTED');
    expect((await deps.ledger.getMigration(ID))?.status).toBe('ABORTED');
    const [sent] = deps.notifier.ofType('Migration Aborted');
    expect(sent?.body).toContain('in wave-cutover (wave payments)');
  });

  it('should record FAILED and say what failed, where each app is, and that cleanup deletes', async () => {
    await deps.ledger.putReplicator(ID, {
      name: 'msk-cutover-orders-platform-fwd',
      arn: 'arn:fwd',
      shard: 'default',
      direction: 'forward',
    });

    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'migration',
        error: {
          Error: 'ReplicatorFailedError',
          Cause: lambdaCause(
            'ReplicatorFailedError',
            'msk-cutover-orders-platform-fwd is FAILED: ClusterConnectivityError: timeout',
          ),
        },
      },
      deps,
    );

    expect(result).toEqual({
      status: 'FAILED',
      notified: true,
      error: 'ReplicatorFailedError',
      cause:
        'msk-cutover-orders-platform-fwd is FAILED: ClusterConnectivityError: timeout',
    });
    expect((await deps.ledger.getMigration(ID))?.status).toBe('FAILED');
    const [sent] = deps.notifier.ofType('Migration Failed');
    expect(sent?.body).toContain(
      'What failed: ReplicatorFailedError: msk-cutover-orders-platform-fwd is FAILED: ClusterConnectivityError: timeout',
    );
    expect(sent?.body).toContain(
      'On the source: order-status (ON_SOURCE), orders (ON_SOURCE), billing (ON_SOURCE)',
    );
    expect(sent?.body).toMatch(/it will delete the replicators/);
    expect(sent?.body).toContain(
      'failed in migration, while the replicators were starting or replicating.',
    );
    expect(sent?.body).not.toContain('trace');
  });

  it('should record ABORTED and warn that cleanup keeps the replicators while apps are split', async () => {
    deps.ledger.setApp(ID, 'order-status', 'KEPT_ON_TARGET');
    deps.ledger.setApp(ID, 'orders', 'CUTOVER_APPROVED');
    await deps.ledger.putReplicator(ID, {
      name: 'msk-cutover-orders-platform-rev',
      arn: 'arn:rev',
      shard: 'default',
      direction: 'reverse',
    });

    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'app-cutover',
        app: 'billing',
        error: {
          Error: 'MigrationAbortedError',
          Cause:
            'ana@example.com aborted the migration at the cutover gate of billing',
        },
      },
      deps,
    );

    expect(result.status).toBe('ABORTED');
    const [sent] = deps.notifier.ofType('Migration Aborted');
    expect(sent?.body).toContain(
      'Migration orders-platform was aborted in app-cutover (application billing), at a cutover gate, by a person.',
    );
    expect(sent?.body).toContain(
      'On the target: order-status (KEPT_ON_TARGET)',
    );
    expect(sent?.body).toContain(
      'Moving between clusters: orders (CUTOVER_APPROVED)',
    );
    expect(sent?.body).toMatch(/it will NOT delete the replicators/);
    expect(sent?.body).toContain(
      'aws kafka list-replicators --replicator-name-filter msk-cutover-',
    );
    expect(sent?.detail.applicationsOffSource).toEqual([
      'order-status',
      'orders',
    ]);
  });

  it('should announce a failure once when nested executions fail together', async () => {
    const event = {
      migrationId: ID,
      planRef,
      phase: 'migration',
      error: { Error: 'States.TaskFailed', Cause: '{}' },
    };
    await runRecordFailure(event, deps);

    const again = await runRecordFailure(event, deps);

    expect(again).toMatchObject({ status: 'FAILED', notified: false });
    expect(deps.notifier.sent).toHaveLength(1);
  });

  it('should still notify when the migration was never recorded', async () => {
    deps.ledger.migrations.clear();

    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'migration',
        error: {
          Error: 'ValidationError',
          Cause: lambdaCause('ValidationError', 'plan is invalid: region'),
        },
      },
      deps,
    );

    expect(result.notified).toBe(true);
    expect(deps.notifier.sent[0]?.body).toContain(
      'nothing: no replicator was created.',
    );
  });

  it('should report the root error of a failed child, and ABORTED for an abort inside it', async () => {
    const child = JSON.stringify({
      Name: 'orders-platform-1-a1',
      Status: 'FAILED',
      Error: 'MigrationAbortedError',
      Cause:
        'ana@example.com aborted the migration at the cutover gate of orders',
    });

    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'migration',
        error: { Error: 'States.TaskFailed', Cause: child },
      },
      deps,
    );

    expect(result).toEqual({
      status: 'ABORTED',
      notified: true,
      error: 'MigrationAbortedError',
      cause:
        'ana@example.com aborted the migration at the cutover gate of orders',
    });
  });

  it('should accept a Catch output without a Cause', async () => {
    const result = await runRecordFailure(
      {
        migrationId: ID,
        planRef,
        phase: 'app-cutover',
        app: 'orders',
        error: { Error: 'States.Timeout', Cause: null },
      },
      deps,
    );

    expect(result).toMatchObject({
      error: 'States.Timeout',
      cause: 'no details',
    });
  });

  it('should read the error inside a failed child execution', () => {
    const child = JSON.stringify({
      Name: 'm-1-a2',
      Status: 'FAILED',
      Error: 'ReadinessTimeoutError',
      Cause: lambdaCause('ReadinessTimeoutError', 'not ready after 168 hours'),
    });

    expect(errorMessage(child)).toBe(
      'ReadinessTimeoutError in m-1-a2: not ready after 168 hours',
    );
    expect(errorMessage(undefined)).toBe('no details');
    expect(errorMessage('x'.repeat(5000))).toHaveLength(1000);
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

    it('should record the Catch output', async () => {
      const handler = createHandler(deps);

      const result = await handler(
        {
          migrationId: ID,
          planRef,
          phase: 'migration',
          error: { Error: 'States.Timeout', Cause: 'The gate timed out' },
        },
        lambdaContext(),
      );

      expect(result.status).toBe('FAILED');
    });

    it('should reject an event without the error', async () => {
      const handler = createHandler(deps);

      await expect(
        handler(
          { migrationId: ID, planRef, phase: 'migration' },
          lambdaContext(),
        ),
      ).rejects.toThrow(/error/);
    });
  });
});
