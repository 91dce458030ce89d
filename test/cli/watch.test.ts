import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  formatStatus,
  type MigrationStatus,
} from '../../cli/commands/status.ts';
import { runWatch, statusChanges } from '../../cli/commands/watch.ts';
import { main } from '../../cli/main.ts';

const T = '2026-03-01T10:00:00.000Z';

function status(over: Partial<MigrationStatus> = {}): MigrationStatus {
  return {
    migration: {
      migrationId: 'orders-platform',
      planDigest: 'd',
      planRef: { bucket: 'b', key: 'k', versionId: 'v' },
      status: 'RUNNING',
      startedAt: T,
      updatedAt: T,
    },
    execution: {
      arn: 'arn:aws:states:x:1:execution:m:orders-platform',
      status: 'RUNNING',
    },
    apps: [
      { app: 'orders', order: 0, state: 'ON_SOURCE', updatedAt: T },
      { app: 'order-status', order: 1, state: 'ON_SOURCE', updatedAt: T },
    ],
    openGates: [],
    recentDecisions: [],
    ...over,
  };
}

const gate = {
  approvalId: 'ap-1',
  kind: 'cutover' as const,
  app: 'orders',
  openedAt: '2026-03-01T10:05:00.000Z',
  link: 'valid' as const,
  expiresAt: '2026-03-02T10:05:00.000Z',
  remindedAt: null,
};

describe('msk-cutover watch', () => {
  afterEach(() => vi.restoreAllMocks());

  it('should say what changed between two readings', () => {
    const before = status();
    const asked = status({ openGates: [gate] });
    expect(statusChanges(before, asked)).toEqual([
      'gate opened: cutover orders (decide: msk-cutover approve|reject orders-platform --app orders)',
    ]);
    const decided = status({
      apps: [
        { app: 'orders', order: 0, state: 'CUTOVER_APPROVED', updatedAt: T },
        { app: 'order-status', order: 1, state: 'ON_SOURCE', updatedAt: T },
      ],
      recentDecisions: [
        {
          kind: 'cutover',
          app: 'orders',
          decision: 'cutover',
          approver: 'Ada',
          decidedAt: '2026-03-01T10:20:00.000Z',
        },
      ],
    });
    // The gate closed by the decision is reported as the decision only.
    expect(statusChanges(asked, decided)).toEqual([
      'orders: ON_SOURCE → CUTOVER_APPROVED',
      'decided: cutover orders → cutover by Ada',
    ]);
    const timedOut = status({
      execution: { arn: 'a', status: 'FAILED' },
      migration: { ...status().migration, status: 'FAILED' },
    });
    expect(statusChanges(asked, timedOut)).toEqual([
      'migration RUNNING → FAILED',
      'gate closed: cutover orders',
      'execution RUNNING → FAILED',
    ]);
    expect(statusChanges(before, before)).toEqual([]);
  });

  it('should show the readiness forecast, and say once when readiness stalled', () => {
    const waiting = {
      waitingSince: T,
      lastPollAt: '2026-03-01T11:10:00.000Z',
      readySince: null,
      forecast: 'MessageLag 605,000, growing 180,000/h: will not catch up',
      stalledSince: '2026-03-01T10:10:00.000Z',
      stallNotifiedAt: null,
    };
    const before = status({ readiness: waiting });
    expect(formatStatus(before)).toEqual(
      expect.arrayContaining([
        `Readiness: waiting since ${T} (last poll 2026-03-01T11:10:00.000Z)`,
        '  forecast  MessageLag 605,000, growing 180,000/h: will not catch up',
        '  STALLED   since 2026-03-01T10:10:00.000Z',
      ]),
    );
    const notified = status({
      readiness: { ...waiting, stallNotifiedAt: '2026-03-01T11:10:00.000Z' },
    });
    expect(statusChanges(before, notified)).toEqual([
      'readiness stalled since 2026-03-01T10:10:00.000Z: MessageLag 605,000, growing 180,000/h: will not catch up',
    ]);
    expect(statusChanges(notified, notified)).toEqual([]);
    // Before the first poll there is no readiness section.
    expect(formatStatus(status()).join('\n')).not.toMatch(/Readiness/);
  });

  it('should print the status, then each change, until the execution ends', async () => {
    const readings = [
      status(),
      status(),
      status({ openGates: [gate] }),
      status({
        execution: { arn: 'a', status: 'SUCCEEDED' },
        migration: { ...status().migration, status: 'TORN_DOWN' },
      }),
    ];
    const lines: string[] = [];
    const sleeps: number[] = [];
    const code = await runWatch(30_000, {
      read: async () => readings.shift() ?? status(),
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      now: () => new Date('2026-03-01T10:30:15.000Z'),
      write: (line) => lines.push(line),
    });
    expect(code).toBe(0);
    expect(sleeps).toEqual([30_000, 30_000, 30_000]);
    expect(lines[0]).toBe(
      `Migration orders-platform: RUNNING (started ${T}, updated ${T})`,
    );
    expect(lines.slice(-5)).toEqual([
      '[10:30:15] gate opened: cutover orders (decide: msk-cutover approve|reject orders-platform --app orders)',
      '[10:30:15] migration RUNNING → TORN_DOWN',
      '[10:30:15] gate closed: cutover orders',
      '[10:30:15] execution RUNNING → SUCCEEDED',
      'Migration orders-platform: execution SUCCEEDED, migration TORN_DOWN',
    ]);
  });

  it('should end with 1 when the execution did not succeed', async () => {
    const code = await runWatch(1, {
      read: async () => status({ execution: { arn: 'a', status: 'ABORTED' } }),
      sleep: async () => {},
      now: () => new Date(T),
      write: () => {},
    });
    expect(code).toBe(1);
  });

  it('should refuse an interval under five seconds', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      err.push(String(c));
      return true;
    });
    expect(await main(['watch', 'orders-platform', '--interval', '1'])).toBe(2);
    expect(err.join('')).toContain(
      '--interval must be a number of seconds, at least 5 (got 1)',
    );
  });
});
