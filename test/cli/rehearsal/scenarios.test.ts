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
    expect(scenarioNames()).toHaveLength(15);
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
