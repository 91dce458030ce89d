import { describe, expect, it } from 'vitest';
import {
  DecisionScript,
  loadScenario,
  mergePlan,
  scenarioNames,
} from '../../../cli/rehearsal/scenario.ts';

const REQUIRED = [
  'happy-path',
  'rollback',
  'replicator-failed',
  'stuck-creating',
  'lag-never-settles',
  'replicator-saturated',
  'metrics-missing',
  'auth-error',
  'throttling',
  'gate-timeout',
  'duplicate-approval',
  'tampered-link',
  'abort-mid-migration',
  'abort-before-cutover',
  'lambda-retry-create',
  'unidirectional',
  'never-moved',
  'idle-producer',
  'teardown-kept',
  'abort-concurrent',
  'wave-one-unverified',
  'wave-rollback-subset',
];

describe('scenarios', () => {
  it('should bundle every required scenario, happy-path first, each valid', () => {
    const names = scenarioNames();
    expect(names[0]).toBe('happy-path');
    expect([...names].sort()).toEqual([...REQUIRED].sort());
    for (const name of names) {
      const s = loadScenario(name);
      expect(s.name).toBe(name);
      expect(s.description.length).toBeGreaterThan(20);
    }
  });

  it('should answer a wave gate by its wave, with its subset, and cut over and keep a wave whole by default', () => {
    const script = new DecisionScript([
      {
        gate: 'wave-keep-or-rollback',
        wave: 'b',
        decide: 'keep',
        subset: ['orders'],
        afterMinutes: 10,
      },
    ]);
    expect(script.next('wave-keep-or-rollback', undefined, 'a')).toMatchObject({
      decide: 'keep',
    });
    expect(
      script.next('wave-keep-or-rollback', undefined, 'a').subset,
    ).toBeUndefined();
    expect(script.next('wave-keep-or-rollback', undefined, 'b')).toMatchObject({
      decide: 'keep',
      subset: ['orders'],
    });
    expect(script.next('wave-cutover', undefined, 'a').decide).toBe('cutover');
  });

  it('should remove a plan field patched with null, as a JSON merge patch does', () => {
    expect(
      mergePlan(
        { cutoverOrder: ['a'], readiness: { a: 1, b: 2 } },
        { cutoverOrder: null, readiness: { b: null, c: 3 } },
      ),
    ).toEqual({ readiness: { a: 1, c: 3 } });
  });

  it('should name the known scenarios when asked for an unknown one', () => {
    expect(() => loadScenario('nope')).toThrow(
      /unknown scenario "nope"; known: happy-path/,
    );
  });

  it('should answer gates from the script in order, then by default', () => {
    const script = new DecisionScript([
      {
        gate: 'keep-or-rollback',
        app: 'orders',
        decide: 'rollback',
        times: 1,
        afterMinutes: 5,
      },
      { gate: 'cutover', decide: 'none', afterMinutes: 10 },
    ]);
    expect(script.next('keep-or-rollback', 'other').decide).toBe('keep');
    expect(script.next('keep-or-rollback', 'orders').decide).toBe('rollback');
    expect(script.next('keep-or-rollback', 'orders').decide).toBe('keep');
    expect(script.next('cutover', 'x').decide).toBe('none');
    expect(script.next('cutover', 'y').decide).toBe('none');
    expect(script.next('teardown').decide).toBe('teardown');
    expect(script.next('teardown').decide).toBe('teardown');
    expect(script.next('teardown').decide).toBe('teardown');
    expect(script.next('teardown').decide).toBe('keep-replicators');
  });

  it('should deep-merge plan changes, replacing arrays and scalars', () => {
    const merged = mergePlan(
      { readiness: { maxMessageLag: 1, sustainedMinutes: 15 }, apps: [1, 2] },
      { readiness: { maxWaitHours: 6 }, apps: [3] },
    );
    expect(merged).toEqual({
      readiness: { maxMessageLag: 1, sustainedMinutes: 15, maxWaitHours: 6 },
      apps: [3],
    });
  });
});
