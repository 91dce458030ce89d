import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OVERVIEW_SCRIPT_HASH } from '../../../../functions/shared/approvals/headers.ts';
import {
  type OverviewDeps,
  readOverview,
} from '../../../../functions/shared/approvals/overview.ts';
import {
  renderOverviewLive,
  renderOverviewPage,
} from '../../../../functions/shared/approvals/overview-html.ts';
import { OVERVIEW_SCRIPT } from '../../../../functions/shared/approvals/overview-script.ts';
import {
  type Plan,
  PlanSchema,
} from '../../../../functions/shared/domain/plan.ts';
import type {
  AppRecord,
  ApprovalRecord,
} from '../../../../functions/shared/ports.ts';

const plan = PlanSchema.parse(
  JSON.parse(
    readFileSync(
      new URL('../../../../events/start-migration.json', import.meta.url),
      'utf-8',
    ),
  ),
);
const now = new Date('2026-11-24T12:00:00.000Z');
const at = (h: number) => new Date(Date.UTC(2026, 10, 24, h)).toISOString();

function ledger(
  over: { apps?: AppRecord[]; approvals?: Partial<ApprovalRecord>[] } = {},
): OverviewDeps['ledger'] {
  const apps =
    over.apps ??
    plan.applications.map((a, i) => ({
      migrationId: plan.migrationId,
      app: a.name,
      order: i,
      state: i === 0 ? ('KEPT_ON_TARGET' as const) : ('ON_SOURCE' as const),
      updatedAt: at(9),
      version: 1,
    }));
  const approvals = (over.approvals ?? []).map(
    (a) =>
      ({
        migrationId: plan.migrationId,
        executionId: 'x',
        encryptedTaskToken: 'SECRET-CIPHERTEXT',
        formNonce: 'SECRET-NONCE',
        status: 'OPEN',
        createdAt: at(10),
        expiresAt: at(34),
        ...a,
      }) as ApprovalRecord,
  );
  return {
    getMigration: async (id) =>
      id === plan.migrationId
        ? {
            migrationId: id,
            planDigest: 'd',
            planRef: { bucket: 'b', key: 'k', versionId: 'v' },
            status: 'RUNNING',
            startedAt: at(8),
            updatedAt: at(11),
          }
        : null,
    listApps: async () => apps.map((a) => ({ ...a })),
    listApprovals: async () => approvals,
    getReadinessTracker: async () => ({
      waitingSince: at(8),
      lastPollAt: at(11),
      readySince: at(10),
      forecast: 'MessageLag 4,000, falling 3,600/h',
    }),
    listReplicators: async () => [
      {
        name: 'msk-cutover-orders-platform-fwd',
        arn: 'arn:x',
        shard: 'default',
        direction: 'forward',
      },
    ],
    latestEvidence: async () => null,
  };
}

const page = (g: { approvalId: string }) =>
  `../approvals/${g.approvalId}?sig=s`;

describe('migration overview', () => {
  it('should say where each application’s clients are, and each open gate’s deadline and page', async () => {
    const o = await readOverview(
      {
        ledger: ledger({
          approvals: [
            {
              approvalId: 'gate-open-cutover-1',
              kind: 'cutover',
              app: 'order-status',
              gateOpenedAt: at(6),
            },
            {
              approvalId: 'gate-expired-link-1',
              kind: 'teardown',
              expiresAt: at(11),
            },
            {
              approvalId: 'gate-decided-0000001',
              kind: 'cutover',
              app: 'orders',
              status: 'DECIDED',
              decision: 'cutover',
              approver: 'Ada',
              decidedAt: at(9),
            },
          ],
        }),
      },
      plan.migrationId,
      plan,
      now,
      page,
    );
    expect(o?.waves).toHaveLength(1);
    expect(o?.waves[0]?.name).toBeNull();
    expect(o?.waves[0]?.apps.map((a) => [a.app, a.clients])).toEqual([
      ['orders', 'on MSK'],
      ['order-status', 'on the source'],
      ['customer-notification', 'on the source'],
    ]);
    expect(o?.waves[0]?.counts).toEqual({ KEPT_ON_TARGET: 1, ON_SOURCE: 2 });
    const [cutover, teardown] = o?.openGates ?? [];
    // The gate's own timeout counts from when it first opened.
    expect(cutover?.deadline).toBe(
      new Date(
        Date.parse(at(6)) + plan.approvals.gateTimeoutHours * 3_600_000,
      ).toISOString(),
    );
    expect(cutover?.page).toBe('../approvals/gate-open-cutover-1?sig=s');
    expect(teardown?.link).toBe('expired');
    expect(teardown?.page).toBeNull();
    expect(o?.waves[0]?.apps[1]?.gate?.approvalId).toBe('gate-open-cutover-1');
    expect(o?.recentDecisions).toEqual([
      {
        kind: 'cutover',
        app: 'orders',
        decision: 'cutover',
        approver: 'Ada',
        decidedAt: at(9),
      },
    ]);
    expect(JSON.stringify(o)).not.toMatch(/SECRET/);
    expect(
      await readOverview({ ledger: ledger() }, 'payments', plan, now, page),
    ).toBeNull();
  });

  it('should group the applications by wave when the plan has waves', async () => {
    const waved = {
      ...plan,
      cutoverWaves: [
        { name: 'first', applications: ['orders', 'order-status'] },
        { name: 'second', applications: ['customer-notification'] },
      ],
    } as Plan;
    const o = await readOverview(
      { ledger: ledger() },
      plan.migrationId,
      waved,
      now,
      page,
    );
    expect(o?.waves.map((w) => [w.name, w.apps.map((a) => a.app)])).toEqual([
      ['first', ['orders', 'order-status']],
      ['second', ['customer-notification']],
    ]);
    const html = renderOverviewLive(o as NonNullable<typeof o>);
    expect(html).toContain('<h3>Wave first</h3>');
    expect(html).toContain('<h3>Wave second</h3>');
  });

  it('should escape hostile names, carry no form, and allow only its own script', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const o = await readOverview(
      {
        ledger: ledger({
          apps: [
            {
              migrationId: plan.migrationId,
              app: evil,
              order: 0,
              state: 'ON_SOURCE',
              updatedAt: evil,
              version: 1,
            },
          ],
          approvals: [
            {
              approvalId: 'gate-open-cutover-1',
              kind: 'cutover',
              app: evil,
              createdAt: evil,
            },
            {
              approvalId: 'gate-decided-0000001',
              kind: 'cutover',
              app: evil,
              status: 'DECIDED',
              decision: 'cutover',
              approver: evil,
              decidedAt: at(9),
            },
          ],
        }),
      },
      plan.migrationId,
      plan,
      now,
      () => `"><script>alert(1)</script>`,
    );
    const html = renderOverviewPage(o as NonNullable<typeof o>);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toMatch(/<form/i);
    // A hostile value stays inside its quoted attribute.
    expect(html).toContain('datetime="&lt;img src=x onerror=alert(1)&gt;"');
    expect(html).toContain(
      'href="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"',
    );
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => m[1])).toEqual([OVERVIEW_SCRIPT]);
    const hash = createHash('sha256').update(OVERVIEW_SCRIPT).digest('base64');
    expect(OVERVIEW_SCRIPT_HASH).toBe(`'sha256-${hash}'`);
  });
});
