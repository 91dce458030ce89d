/**
 * Sharded plans rehearsed end to end: each shard has its own replicator
 * pair, and an application whose topics sit in two shards (it produces in
 * one and consumes from the next) must still become ready, cut over and be
 * verified, reading each topic's metrics from its own shard's replicators.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';
import { generatePlan } from '../../../functions/shared/domain/generate-plan.ts';
import {
  shardOfTopic,
  shardsOfApp,
} from '../../../functions/shared/domain/replicator-config.ts';
import { validatePlan } from '../../../functions/shared/domain/validate.ts';

describe('rehearsal of a sharded plan', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should move applications whose topics span two shards', async () => {
    const plan = {
      ...generatePlan({
        apps: 6,
        topics: 12,
        groups: 6,
        shards: 3,
        migrationId: 'sharded',
      }),
      // Fail fast instead of polling for a week if an app never gets ready.
      readiness: { maxWaitHours: 6 },
    };
    const validated = validatePlan(plan);
    if (!validated.ok) throw new Error('the generated plan is invalid');
    // The plan really has applications in two shards: app-0001 produces
    // t00002-t00003 in s1 and consumes t00004, the first topic of s2; the
    // last application consumes the first topic of s1.
    const spanning = validated.plan.applications.filter(
      (a) => shardsOfApp(validated.plan, a).length > 1,
    );
    expect(spanning.map((a) => a.name)).toEqual([
      'app-0001',
      'app-0003',
      'app-0005',
    ]);
    expect(shardOfTopic(validated.plan, 'app-0002-t00004')).toBe('s2');

    const r = await rehearse({ plan, scenario: loadScenario('happy-path') });

    expect(r.mismatches).toEqual([]);
    expect(r.outcome).toBe('SUCCEEDED');
    expect(Object.values(r.apps)).toEqual(Array(6).fill('ON_TARGET'));
    expect(r.replicators.created).toHaveLength(6);
    expect(r.replicators.remaining).toEqual([]);
  });
});
