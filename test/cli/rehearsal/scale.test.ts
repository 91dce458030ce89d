/**
 * The scale target of the rehearsal: the generated 1,000-application,
 * 5,000-topic (7 shards), 5,000-group plan rehearses end to end with the
 * real handlers, and every execution stays within the Step Functions
 * quotas. (The benchmark adds a week of polling before it and prints the
 * wall time and memory; nothing here is timed.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { largePlan, largeWavePlan } from '../../../bench/rehearsal.ts';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';

describe('rehearsal of 1,000 applications', { timeout: 600_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should move every application and stay within the quotas', async () => {
    const r = await rehearse({
      plan: largePlan(),
      scenario: loadScenario('happy-path'),
    });
    // On a failure, the execution's cause says where.
    expect(r.mismatches, r.cause ?? '').toEqual([]);
    expect(r.outcome).toBe('SUCCEEDED');
    const states = Object.values(r.apps);
    expect(states).toHaveLength(1000);
    expect(new Set(states)).toEqual(new Set(['ON_TARGET']));
    // Seven shards, a forward and a reverse replicator each; none left.
    expect(r.replicators.created).toHaveLength(14);
    expect(r.replicators.remaining).toEqual([]);
    // The parent, one child per application, and their continuations.
    expect(r.accounting.executions.length).toBeGreaterThanOrEqual(1001);
    expect(r.accounting.limits.ok).toBe(true);
    for (const e of r.accounting.executions) {
      expect(e.historyEvents, e.name).toBeLessThanOrEqual(25_000);
      expect(e.largestPayloadBytes, e.name).toBeLessThanOrEqual(256 * 1024);
    }
    // Two gates per application and the teardown gate, each decided once.
    expect(r.gates).toHaveLength(2001);
    expect(r.accounting.awsCalls['SFN.SendTaskSuccess']).toBe(2001);
  });
});

describe('rehearsal of 1,000 applications in 20 waves', {
  timeout: 1_200_000,
}, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should move every application wave by wave with at most 41 gates, within the quotas', async () => {
    const r = await rehearse({
      plan: largeWavePlan(),
      scenario: loadScenario('happy-path'),
    });
    expect(r.mismatches).toEqual([]);
    expect(r.outcome).toBe('SUCCEEDED');
    const states = Object.values(r.ledgerApps);
    expect(states).toHaveLength(1000);
    expect(new Set(states)).toEqual(new Set(['KEPT_ON_TARGET']));
    expect(r.replicators.remaining).toEqual([]);
    // Two gates per wave and the teardown gate, each decided once.
    expect(r.gates.length).toBeLessThanOrEqual(41);
    expect(r.gates.filter((g) => g.kind === 'wave-cutover')).toHaveLength(20);
    expect(
      r.gates.filter((g) => g.kind === 'wave-keep-or-rollback'),
    ).toHaveLength(20);
    expect(r.gates.some((g) => g.app !== undefined)).toBe(false);
    expect(r.accounting.awsCalls['SFN.SendTaskSuccess']).toBe(r.gates.length);
    // Waves ran in the plan's order.
    expect(
      r.gates.filter((g) => g.kind === 'wave-cutover').map((g) => g.wave),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `wave-${i + 1}`));
    expect(r.accounting.limits.ok).toBe(true);
    for (const e of r.accounting.executions) {
      expect(e.historyEvents, e.name).toBeLessThanOrEqual(25_000);
      expect(e.largestPayloadBytes, e.name).toBeLessThanOrEqual(256 * 1024);
    }
  });
});
