import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CleanupDeps,
  runCleanup,
} from '../../../functions/cleanup/cleanup.ts';
import { createHandler } from '../../../functions/cleanup/handler.ts';
import type { AppState } from '../../../functions/shared/contracts.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  MemoryReplicators,
  TestClock,
} from '../../support/memory-ports.ts';

const SM =
  'arn:aws:states:us-east-1:123456789012:stateMachine:msk-cutover-migration';
const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
const tag = (id: string) => ({ 'msk-cutover:migration-id': id });

function statusChange(
  migrationId: string,
  status: string,
  stateMachineArn = SM,
) {
  return {
    source: 'aws.states' as const,
    'detail-type': 'Step Functions Execution Status Change' as const,
    detail: {
      executionArn: `${SM.replace('stateMachine', 'execution')}:${migrationId}-1`,
      stateMachineArn,
      status,
      input: JSON.stringify({
        migrationId,
        planRef,
        executionBase: `${migrationId}-1`,
      }),
    },
  };
}
const sweepEvent = {
  source: 'aws.events' as const,
  'detail-type': 'Scheduled Event' as const,
};

describe('cleanup', () => {
  let deps: CleanupDeps & {
    ledger: MemoryLedger;
    replicators: MemoryReplicators;
    notifier: MemoryNotifier;
  };

  /** A migration with its two replicators and apps in the given states. */
  async function migration(
    id: string,
    status: 'RUNNING' | 'FAILED' | 'ABORTED' | 'SUCCEEDED',
    apps: Record<string, AppState>,
    record = true,
  ) {
    await deps.ledger.startMigration({
      migrationId: id,
      planDigest: 'd',
      planRef,
      status,
      startedAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    await deps.ledger.putApps(id, Object.keys(apps));
    for (const [app, state] of Object.entries(apps)) {
      deps.ledger.setApp(id, app, state);
    }
    for (const [suffix, direction] of [
      ['fwd', 'forward'],
      ['rev', 'reverse'],
    ] as const) {
      const name = `msk-cutover-${id}-${suffix}`;
      const arn = deps.replicators.seed(name, tag(id));
      if (record) {
        await deps.ledger.putReplicator(id, {
          name,
          arn,
          shard: 'default',
          direction,
        });
      }
    }
  }

  beforeEach(() => {
    const clock = new TestClock();
    deps = {
      ledger: new MemoryLedger(clock),
      replicators: new MemoryReplicators(clock),
      notifier: new MemoryNotifier(),
      stateMachineArn: SM,
      clock,
      log: new MemoryLog(),
    };
  });

  it('should delete the replicators of a failed migration when no app left the source', async () => {
    await migration('orders', 'FAILED', {
      a: 'ON_SOURCE',
      b: 'ROLLED_BACK',
      c: 'SKIPPED',
    });

    const result = await runCleanup(statusChange('orders', 'FAILED'), deps);

    expect(result.migrations).toEqual([
      {
        migrationId: 'orders',
        action: 'deleted',
        reason: 'no application has left the source',
        deleted: ['msk-cutover-orders-rev', 'msk-cutover-orders-fwd'],
      },
    ]);
    expect(deps.replicators.byName.size).toBe(0);
  });

  it('should delete nothing and say where each app is while apps are split across clusters', async () => {
    await migration('orders', 'ABORTED', {
      a: 'KEPT_ON_TARGET',
      b: 'ON_SOURCE',
      c: 'CUTOVER_APPROVED',
    });

    const result = await runCleanup(statusChange('orders', 'ABORTED'), deps);

    expect(result.migrations[0]).toMatchObject({
      action: 'kept-split',
      deleted: [],
    });
    expect(deps.replicators.byName.size).toBe(2);
    expect(deps.replicators.calls.some((c) => c.startsWith('delete'))).toBe(
      false,
    );
    const [sent] = deps.notifier.ofType('Cleanup Refused');
    expect(sent?.body).toContain('On the target: a');
    expect(sent?.body).toContain('Moving: c');
    expect(sent?.body).toContain('On the source: b');
  });

  it('should keep the replicators and point to teardown when every app is on the target', async () => {
    await migration('orders', 'FAILED', {
      a: 'KEPT_ON_TARGET',
      b: 'ON_TARGET',
    });

    const result = await runCleanup(statusChange('orders', 'FAILED'), deps);

    expect(result.migrations).toEqual([
      {
        migrationId: 'orders',
        action: 'kept-all-on-target',
        reason:
          'every application is on the target; rollback still depends on the reverse replicator',
        deleted: [],
      },
    ]);
    expect(deps.replicators.byName.size).toBe(2);
    expect(deps.replicators.calls.some((c) => c.startsWith('delete'))).toBe(
      false,
    );
    const [sent] = deps.notifier.ofType('Cleanup Refused');
    expect(sent?.subject).toContain('every application on the target');
    expect(sent?.body).toContain('On the target: a, b');
    expect(sent?.body).toContain('reverse replicator');
    expect(sent?.body).toContain(
      'aws kafka delete-replicator --replicator-arn',
    );
    expect(sent?.body).not.toContain('both clusters');
    expect(sent?.body).not.toContain('On the source');
  });

  it('should mark a RUNNING migration ABORTED when its execution was aborted', async () => {
    await migration('orders', 'RUNNING', { a: 'ON_SOURCE' });

    await runCleanup(statusChange('orders', 'ABORTED'), deps);

    expect((await deps.ledger.getMigration('orders'))?.status).toBe('ABORTED');
  });

  it('should find an unrecorded replicator by its tag, not by name prefix alone', async () => {
    await migration('orders', 'FAILED', { a: 'ON_SOURCE' }, false);
    deps.replicators.seed('msk-cutover-orders-eu-fwd', tag('orders-eu'));

    const result = await runCleanup(statusChange('orders', 'TIMED_OUT'), deps);

    expect(result.migrations[0]?.deleted.sort()).toEqual([
      'msk-cutover-orders-fwd',
      'msk-cutover-orders-rev',
    ]);
    expect([...deps.replicators.byName.keys()]).toEqual([
      'msk-cutover-orders-eu-fwd',
    ]);
  });

  it('should ignore succeeded executions and other state machines', async () => {
    await migration('orders', 'FAILED', { a: 'ON_SOURCE' });

    const ok = await runCleanup(statusChange('orders', 'SUCCEEDED'), deps);
    const other = await runCleanup(
      statusChange('orders', 'FAILED', `${SM}-other`),
      deps,
    );

    expect(ok.migrations).toEqual([]);
    expect(other.migrations).toEqual([]);
    expect(deps.replicators.byName.size).toBe(2);
  });

  it('should sweep only migrations that are over, and keep split ones', async () => {
    await migration('done', 'FAILED', { a: 'ON_SOURCE' });
    await migration('live', 'RUNNING', { a: 'ON_TARGET' });
    await migration('split', 'ABORTED', { a: 'ON_TARGET', b: 'ON_SOURCE' });
    deps.replicators.seed('msk-cutover-hand-made', {});

    const result = await runCleanup(sweepEvent, deps);

    expect(
      Object.fromEntries(
        result.migrations.map((m) => [m.migrationId, m.action]),
      ),
    ).toEqual({ done: 'deleted', live: 'kept-running', split: 'kept-split' });
    expect([...deps.replicators.byName.keys()].sort()).toEqual([
      'msk-cutover-hand-made',
      'msk-cutover-live-fwd',
      'msk-cutover-live-rev',
      'msk-cutover-split-fwd',
      'msk-cutover-split-rev',
    ]);
  });

  it('should reject an execution event without a migrationId', async () => {
    const event = statusChange('orders', 'FAILED');
    event.detail.input = '{}';

    await expect(runCleanup(event, deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  describe('handler', () => {
    beforeEach(() => {
      vi.stubEnv('LEDGER_TABLE', 'msk-cutover-ledger');
      vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:msk-cutover');
      vi.stubEnv('EVENT_BUS_NAME', 'default');
      vi.stubEnv('STATE_MACHINE_ARN', SM);
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('should run the daily sweep', async () => {
      await migration('done', 'FAILED', { a: 'SKIPPED' });
      const handler = createHandler(deps);

      const result = await handler(sweepEvent, lambdaContext());

      expect(result.migrations[0]?.action).toBe('deleted');
    });

    it('should reject an event it does not know', async () => {
      const handler = createHandler(deps);

      await expect(
        handler(
          { source: 'aws.s3', 'detail-type': 'Object Created' },
          lambdaContext(),
        ),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    });
  });
});
