/**
 * Every bundled scenario rehearsed end to end, in-process: the real ASL
 * files in the local runner, the real handlers, simulated AWS, dynalite and
 * the virtual clock. Each must reach its expected outcome; the assertions
 * below add what each scenario is about.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { IamAuthorizer } from '../../../cli/rehearsal/iam.ts';
import {
  readReviewedGrants,
  reviewGrants,
} from '../../../cli/rehearsal/least-privilege.ts';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import {
  type RehearsalOptions,
  type RehearsalResult,
  rehearse,
} from '../../../cli/rehearsal/rehearse.ts';
import {
  loadScenario,
  scenarioNames,
} from '../../../cli/rehearsal/scenario.ts';

const plan: unknown = JSON.parse(
  readFileSync('events/start-migration.json', 'utf8'),
);
const APPS = ['orders', 'order-status', 'customer-notification'];

/** Principal → the actions any scenario used (IAM least privilege). */
const exercised = new Map<string, Set<string>>();
const rehearsed = new Set<string>();
let authorizer: IamAuthorizer | undefined;

async function run(
  name: string,
  options: Partial<RehearsalOptions> = {},
): Promise<RehearsalResult> {
  const r = await rehearse({
    plan,
    scenario: loadScenario(name),
    ...options,
    onAuthorizer: (a) => {
      authorizer = a;
    },
  });
  // Every scenario runs with IAM enforced and AWS would refuse nothing.
  expect(r.iam.enforced).toBe(true);
  expect(r.iam.denied).toEqual([]);
  for (const [principal, actions] of authorizer?.exercised ?? []) {
    const all = exercised.get(principal) ?? new Set<string>();
    for (const a of actions) all.add(a);
    exercised.set(principal, all);
  }
  rehearsed.add(name);
  return r;
}

const decided = (r: RehearsalResult, kind: string) =>
  r.gates.filter((g) => g.kind === kind).map((g) => `${g.app}:${g.decision}`);

describe('rehearsal scenarios', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should cover every scenario below', () => {
    expect(scenarioNames()).toHaveLength(22);
  });

  it('happy-path: every application moves and stays, nothing remains', async () => {
    const r = await run('happy-path');
    expect(r.mismatches).toEqual([]);
    expect(r.outcome).toBe('SUCCEEDED');
    expect(Object.values(r.apps)).toEqual(APPS.map(() => 'ON_TARGET'));
    expect(r.replicators.created).toHaveLength(2);
    expect(r.replicators.remaining).toEqual([]);
    expect(decided(r, 'cutover').sort()).toEqual(
      APPS.map((a) => `${a}:cutover`).sort(),
    );
    expect(decided(r, 'keep-or-rollback')).toHaveLength(3);
    expect(decided(r, 'teardown')).toEqual(['undefined:teardown']);
    // Each decision went through the page and SendTaskSuccess exactly once.
    expect(r.accounting.awsCalls['SFN.SendTaskSuccess']).toBe(r.gates.length);
    expect(r.accounting.limits.ok).toBe(true);
    expect(r.emails.length).toBeGreaterThanOrEqual(r.gates.length);
    // The overview link every email carries opened the read-only page.
    expect(
      r.timeline.filter((t) => t.text.startsWith('overview page:')),
    ).toEqual([
      expect.objectContaining({
        text: expect.stringMatching(/^overview page: 200 Migration /),
      }),
    ]);
    // The teardown waited for the rollback window (24 h of virtual time).
    const teardown = r.gates.find((g) => g.kind === 'teardown');
    const lastKeep = r.gates
      .filter((g) => g.kind === 'keep-or-rollback')
      .at(-1);
    expect(
      Date.parse(teardown?.openedAt ?? '') - Date.parse(lastKeep?.at ?? ''),
    ).toBeGreaterThanOrEqual(24 * 3_600_000);
  });

  it('rollback: one application rolled back, then cut over again', async () => {
    const r = await run('rollback');
    expect(r.mismatches).toEqual([]);
    expect(decided(r, 'keep-or-rollback')).toContain('orders:rollback');
    expect(
      decided(r, 'cutover').filter((d) => d === 'orders:cutover'),
    ).toHaveLength(2);
    expect(r.apps.orders).toBe('ON_TARGET');
    expect(r.replicators.remaining).toEqual([]);
  });

  for (const name of [
    'replicator-failed',
    'stuck-creating',
    'lag-never-settles',
    'replicator-saturated',
    'auth-error',
  ]) {
    it(`${name}: fails before any gate and leaves no replicator`, async () => {
      const r = await run(name);
      expect(r.mismatches).toEqual([]);
      expect(r.outcome).toBe('FAILED');
      expect(r.gates).toEqual([]);
      expect(r.replicators.remaining).toEqual([]);
      expect(r.cleanup?.action).toBe('deleted');
    });
  }

  it('replicator-saturated: the quota holds the replicator below the inflow; the stall is announced within 2 hours, the deadline ends it', async () => {
    const stallEvents: string[] = [];
    const r = await run('replicator-saturated', {
      observe: (inv) => {
        const detail = (inv.result as { evidenceId?: string } | undefined)
          ?.evidenceId;
        if (
          inv.phase === 'poll-readiness' &&
          inv.calls['EventBridge.PutEvents']
        ) {
          stallEvents.push(detail ?? '');
        }
      },
    });
    expect(r.mismatches).toEqual([]);
    expect(r.error).toBe('ReadinessTimeoutError');
    const polls = r.timeline.filter((t) =>
      t.text.startsWith('readiness: not ready: MessageLag'),
    );
    // Exact values until the forecast writes millions as "1.2 M".
    const lags = polls
      .map((t) =>
        Number(
          /MessageLag ([\d,]+)(?:,| >)/.exec(t.text)?.[1]?.replaceAll(',', ''),
        ),
      )
      .filter((v) => !Number.isNaN(v));
    // Lag grows every poll: the replicator never catches up.
    expect(lags.length).toBeGreaterThan(10);
    for (let i = 1; i < lags.length; i++) {
      expect(lags[i]).toBeGreaterThan(lags[i - 1] ?? 0);
    }
    // 50 records/s short: about 15,000 records more every 5-minute poll.
    const step = (lags.at(-1) ?? 0) - (lags.at(-2) ?? 0);
    expect(step).toBeGreaterThan(14_000);
    expect(step).toBeLessThan(16_000);
    // Every poll from the third says so.
    expect(polls.at(-1)?.text).toMatch(
      /MessageLag [\d,.]+ M, growing 180,000\/h: will not catch up$/,
    );
    // One stall notice, within 2 virtual hours of the replicators running.
    const running = r.timeline.find((t) => t.text === 'replicators RUNNING');
    const stalled = r.emails.filter((e) => /readiness stalled/.test(e.subject));
    expect(stalled).toHaveLength(1);
    const after =
      Date.parse(stalled[0]?.at ?? '') - Date.parse(running?.at ?? '');
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(2 * 3_600_000);
    expect(stalled[0]?.body).toMatch(
      /msk-cutover-orders-platform-fwd \(shard default\): MessageLag/,
    );
    expect(stalled[0]?.body).toMatch(/lift the Kafka quota/);
    // Its EventBridge event went out from the same poll, once (the other
    // poll-readiness events: the periodic "still not ready" notice).
    expect(stallEvents).toContain(`readiness-${stalled[0]?.at ?? ''}`);
    // Still the deadline that ends it.
    expect(
      Date.parse(r.virtualEnd) - Date.parse(stalled[0]?.at ?? ''),
    ).toBeGreaterThan(3 * 3_600_000);
  });

  it('replicator-saturated with readiness.failWhenStalled: the stall ends the wait early', async () => {
    const scenario = loadScenario('replicator-saturated');
    const r = await run('replicator-saturated', {
      scenario: {
        ...scenario,
        plan: {
          readiness: { maxWaitHours: 6, failWhenStalled: true },
        },
        expected: { ...scenario.expected, error: 'ReadinessStalledError' },
      },
    });
    expect(r.mismatches).toEqual([]);
    expect(r.error).toBe('ReadinessStalledError');
    const running = r.timeline.find((t) => t.text === 'replicators RUNNING');
    const stalled = r.emails.find((e) => /readiness stalled/.test(e.subject));
    expect(stalled?.body).toMatch(
      /the wait ends now with ReadinessStalledError/,
    );
    expect(
      Date.parse(stalled?.at ?? '') - Date.parse(running?.at ?? ''),
    ).toBeLessThanOrEqual(2 * 3_600_000);
    expect(r.replicators.remaining).toEqual([]);
    expect(r.cleanup?.action).toBe('deleted');
  });

  it('metrics-missing: readiness waits for data instead of reading zero', async () => {
    const r = await run('metrics-missing');
    expect(r.mismatches).toEqual([]);
    const first = r.gates[0];
    expect(Date.parse(first?.openedAt ?? '')).toBeGreaterThan(
      Date.parse(r.virtualStart) + 180 * 60_000,
    );
  });

  it('throttling: throttled calls are retried and the migration completes', async () => {
    const r = await run('throttling');
    expect(r.mismatches).toEqual([]);
    expect(r.injected.throttledCalls).toBe(6);
  });

  it('gate-timeout: the unanswered gate times out and nothing moved', async () => {
    const r = await run('gate-timeout');
    expect(r.mismatches).toEqual([]);
    expect(r.gates[0]?.decision).toBe('timeout');
    expect(r.cleanup?.action).toBe('deleted');
  });

  it('duplicate-approval: the second post changes nothing', async () => {
    const r = await run('duplicate-approval');
    expect(r.mismatches).toEqual([]);
    const replay = r.gates[0]?.attempts.find((a) => a.kind === 'replayed');
    expect(replay?.status).toBe(409);
    expect(r.accounting.awsCalls['SFN.SendTaskSuccess']).toBe(r.gates.length);
  });

  it('tampered-link: a forged signature is refused, the real link works', async () => {
    const r = await run('tampered-link');
    expect(r.mismatches).toEqual([]);
    const forged = r.gates[0]?.attempts.find((a) => a.kind === 'tampered');
    expect(forged?.status).toBe(403);
    expect(r.gates[0]?.decision).toBe('cutover');
  });

  it('abort-mid-migration: cleanup keeps the replicators of split applications', async () => {
    const r = await run('abort-mid-migration');
    expect(r.mismatches).toEqual([]);
    expect(r.apps).toEqual({
      orders: 'ON_SOURCE',
      'order-status': 'ON_TARGET',
      'customer-notification': 'ON_SOURCE',
    });
    expect(r.replicators.remaining).toHaveLength(2);
    expect(r.cleanup?.action).toBe('kept-split');
    expect(r.cleanup?.reason).toMatch(/order-status/);
  });

  it('abort-before-cutover: cleanup deletes the replicators', async () => {
    const r = await run('abort-before-cutover');
    expect(r.mismatches).toEqual([]);
    expect(r.error).toBe('MigrationAbortedError');
    expect(r.replicators.remaining).toEqual([]);
  });

  it('lambda-retry-create: the retry adopts the replicator it already created', async () => {
    const r = await run('lambda-retry-create');
    expect(r.mismatches).toEqual([]);
    expect(r.replicators.created).toEqual([
      'msk-cutover-orders-platform-fwd',
      'msk-cutover-orders-platform-rev',
    ]);
    // 2 creates, then the retry: 1 conflict (adopted) + ... never a third name.
    expect(r.accounting.awsCalls['Kafka.CreateReplicator']).toBe(3);
  });

  it('unidirectional: a moved producer is verified from end offsets, without a reverse replicator', async () => {
    const r = await run('unidirectional');
    expect(r.mismatches).toEqual([]);
    expect(r.replicators.created).toEqual(['msk-cutover-orders-platform-fwd']);
    // Verified (no verify-timeout gate), kept, and recorded so.
    expect(r.gates.map((g) => g.kind)).not.toContain('verify-timeout');
    expect(decided(r, 'keep-or-rollback')).toHaveLength(3);
    expect(r.ledgerApps).toEqual(
      Object.fromEntries(APPS.map((a) => [a, 'KEPT_ON_TARGET'])),
    );
  });

  it('never-moved: verification ends at its deadline and the decision (rollback) ends it', async () => {
    const r = await run('never-moved');
    expect(r.mismatches).toEqual([]);
    const cutover = r.gates.find(
      (g) => g.app === 'orders' && g.decision === 'cutover',
    );
    const timeout = r.gates.find((g) => g.kind === 'verify-timeout');
    expect(timeout?.app).toBe('orders');
    expect(timeout?.decision).toBe('rollback');
    // Asked after the plan's 30 minutes, not before.
    const waited =
      Date.parse(timeout?.openedAt ?? '') - Date.parse(cutover?.at ?? '');
    expect(waited).toBeGreaterThanOrEqual(30 * 60_000);
    expect(waited).toBeLessThan(3 * 3_600_000);
    // The email says why verification did not pass.
    expect(timeout?.email?.body).toMatch(/not verified by its deadline/);
    expect(timeout?.email?.body).toMatch(/group orders|produced to orders/);
    // Rolled back, asked again, skipped: the ledger says where it is.
    expect(r.apps.orders).toBe('SKIPPED');
    expect(r.ledgerApps.orders).toBe('SKIPPED');
    expect(r.notifications.map((n) => n.type)).toContain('Approval Requested');
  });

  it('idle-producer: a producer with nothing to produce is decided at the deadline, with the reason recorded', async () => {
    const r = await run('idle-producer');
    expect(r.mismatches).toEqual([]);
    const timeouts = r.gates.filter((g) => g.kind === 'verify-timeout');
    // Only the producing applications (orders, order-status) need it.
    expect(timeouts.map((g) => `${g.app}:${g.decision}`).sort()).toEqual([
      'order-status:record-moved',
      'orders:record-moved',
    ]);
    expect(r.ledgerApps).toEqual(
      Object.fromEntries(APPS.map((a) => [a, 'KEPT_ON_TARGET'])),
    );
  });

  it('teardown-kept: keeping the replicators asks again every 24 hours, then completes with them running', async () => {
    const r = await run('teardown-kept');
    expect(r.mismatches).toEqual([]);
    const asks = r.gates.filter((g) => g.kind === 'teardown');
    expect(asks.map((g) => g.decision)).toEqual(
      Array(7).fill('keep-replicators'),
    );
    for (let i = 1; i < asks.length; i++) {
      expect(
        Date.parse(asks[i]?.openedAt ?? '') - Date.parse(asks[i - 1]?.at ?? ''),
      ).toBe(24 * 3_600_000);
    }
    // The page states the interval; the last ask says it is the last.
    expect(asks[0]?.email?.body).toMatch(/asks again in 24 hours/);
    expect(asks[6]?.email?.body).toMatch(/last time the workflow asks/);
    expect(r.replicators.remaining).toHaveLength(2);
    const kept = r.notifications.filter((n) => n.type === 'Replicators Kept');
    expect(kept).toHaveLength(1);
    expect(r.notifications.at(-1)?.type).toBe('Migration Completed');
  });

  it('abort-concurrent: two cutovers approved in the minute of an abort stay recorded as moving, everywhere', async () => {
    const r = await run('abort-concurrent');
    // Includes the check that the ledger agrees with where each
    // application's clients were told to run.
    expect(r.mismatches).toEqual([]);
    const minute = (g: { at?: string }) => g.at?.slice(0, 16);
    expect(new Set(r.gates.map(minute)).size).toBe(1);
    expect(r.ledgerApps).toEqual({
      orders: 'CUTOVER_APPROVED',
      'order-status': 'CUTOVER_APPROVED',
      'customer-notification': 'ON_SOURCE',
    });
    expect(r.apps).toEqual({
      orders: 'MOVING',
      'order-status': 'MOVING',
      'customer-notification': 'ON_SOURCE',
    });
    // Cleanup keeps the replicators for the moving applications, and its
    // notification places them as the summary does.
    expect(r.cleanup?.action).toBe('kept-split');
    const refused = r.emails.find((e) => /replicators kept/.test(e.subject));
    expect(refused?.body).toMatch(
      /Moving[^\n]*order-status|Moving[^\n]*orders/,
    );
  });

  it('gate-timeout at cutoverConcurrency 3: the applications moved meanwhile are kept and recorded on the target', async () => {
    const base = loadScenario('gate-timeout');
    const r = await rehearse({
      plan,
      scenario: {
        ...base,
        plan: { ...base.plan, cutoverConcurrency: 3 },
        decisions: [
          {
            gate: 'cutover',
            app: 'customer-notification',
            decide: 'none',
            afterMinutes: 10,
          },
        ],
        expected: {
          outcome: 'FAILED',
          apps: { 'customer-notification': 'ON_SOURCE' },
          otherApps: 'ON_TARGET',
          remainingReplicators: 2,
          cleanup: 'kept-split',
        },
      },
    });
    expect(r.mismatches).toEqual([]);
    expect(r.ledgerApps).toEqual({
      orders: 'KEPT_ON_TARGET',
      'order-status': 'KEPT_ON_TARGET',
      'customer-notification': 'ON_SOURCE',
    });
  });

  it('replicator-failed at cutoverConcurrency 3: nothing moved, nothing kept', async () => {
    const base = loadScenario('replicator-failed');
    const r = await rehearse({
      plan,
      scenario: { ...base, plan: { ...base.plan, cutoverConcurrency: 3 } },
    });
    expect(r.mismatches).toEqual([]);
    expect(Object.values(r.ledgerApps)).toEqual(APPS.map(() => 'ON_SOURCE'));
    expect(r.cleanup?.action).toBe('deleted');
  });

  const waveGates = (r: RehearsalResult) =>
    r.gates.map(
      (g) =>
        `${g.kind} ${g.wave ?? g.app ?? '-'}: ${g.decision}${g.subset ? ` [${g.subset.join(', ')}]` : ''}`,
    );

  it('waves: events/start-migration-waves.json rehearses with one cutover and one keep gate per wave', async () => {
    const wavePlan: unknown = JSON.parse(
      readFileSync('events/start-migration-waves.json', 'utf8'),
    );
    const r = await rehearse({
      plan: wavePlan,
      scenario: loadScenario('happy-path'),
    });
    expect(r.iam.denied).toEqual([]);
    expect(r.mismatches).toEqual([]);
    expect(r.outcome).toBe('SUCCEEDED');
    // Five gates for three applications: no per-application gate at all.
    expect(waveGates(r)).toEqual([
      'wave-cutover order-flow: cutover',
      'wave-keep-or-rollback order-flow: keep',
      'wave-cutover notifications: cutover',
      'wave-keep-or-rollback notifications: keep',
      'teardown -: teardown',
    ]);
    expect(r.ledgerApps).toEqual({
      orders: 'KEPT_ON_TARGET',
      'order-status': 'KEPT_ON_TARGET',
      'customer-notification': 'KEPT_ON_TARGET',
    });
    expect(r.replicators.remaining).toEqual([]);
    // The wave's email lists each application with its readiness verdict.
    const first = r.gates[0]?.email;
    expect(first?.subject).toContain('approve cutover of wave order-flow');
    expect(first?.body).toContain('Applications of wave order-flow (2);');
    expect(first?.body).toMatch(
      / {2}\[ \] order-status: READY: .*\n {2}\[ \] orders: READY: /,
    );
    expect(first?.body).toContain('--wave order-flow');
    expect(r.accounting.awsCalls['SFN.SendTaskSuccess']).toBe(r.gates.length);
  });

  it('wave-one-unverified: one application failing verification does not strand the others of its wave', async () => {
    const r = await run('wave-one-unverified');
    expect(r.mismatches).toEqual([]);
    expect(waveGates(r)).toEqual([
      'wave-cutover estate: cutover',
      'wave-keep-or-rollback estate: keep [orders]',
      'teardown -: teardown',
    ]);
    const keep = r.gates[1]?.email?.body ?? '';
    // Rollback pre-checked for the unverified one only.
    expect(keep).toContain('[x] orders: UNVERIFIED: Not verified in time');
    expect(keep).toContain('[ ] order-status: VERIFIED:');
    expect(keep).toContain('[ ] customer-notification: VERIFIED:');
    expect(r.ledgerApps).toEqual({
      orders: 'ROLLED_BACK',
      'order-status': 'KEPT_ON_TARGET',
      'customer-notification': 'KEPT_ON_TARGET',
    });
    // No per-application gate: the wave's gate decided for "orders" too.
    expect(r.gates.some((g) => g.kind === 'verify-timeout')).toBe(false);
  });

  it('wave-rollback-subset: the named application is rolled back and verified, the rest of its wave kept', async () => {
    const r = await run('wave-rollback-subset');
    expect(r.mismatches).toEqual([]);
    expect(waveGates(r)).toEqual([
      'wave-cutover order-flow: cutover',
      'wave-keep-or-rollback order-flow: keep [orders]',
      'wave-cutover notifications: cutover',
      'wave-keep-or-rollback notifications: keep',
      'teardown -: teardown',
    ]);
    expect(r.ledgerApps).toEqual({
      orders: 'ROLLED_BACK',
      'order-status': 'KEPT_ON_TARGET',
      'customer-notification': 'KEPT_ON_TARGET',
    });
    expect(r.replicators.remaining).toEqual([]);
  });

  // Last: it reads what every scenario above exercised.
  it('least privilege: every grant is exercised by a scenario or reviewed', async () => {
    expect([...rehearsed].sort()).toEqual(scenarioNames().sort());
    const { unexercised, stale } = await reviewGrants(
      authorizer as IamAuthorizer,
      exercised,
      readReviewedGrants(),
    );
    // A new grant no scenario needs: remove it, or give it a reason in
    // infra/iam-reviewed-grants.json.
    expect(unexercised).toEqual([]);
    // A reviewed grant the stack no longer makes: drop its entry.
    expect(stale).toEqual([]);
  });
});
