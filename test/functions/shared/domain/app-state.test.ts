import { describe, expect, it } from 'vitest';
import { AppStates } from '../../../../functions/shared/contracts.ts';
import {
  APP_TRANSITIONS,
  canTransition,
  hasLeftSource,
  isSettledForTeardown,
  ledgerLocation,
  stateAfterDecision,
  statesBefore,
} from '../../../../functions/shared/domain/app-state.ts';

describe('app state', () => {
  it('should define the next states of every state, and only known states', () => {
    expect(Object.keys(APP_TRANSITIONS).sort()).toEqual([...AppStates].sort());
    for (const next of Object.values(APP_TRANSITIONS)) {
      for (const s of next) expect(AppStates).toContain(s);
    }
  });

  it.each([
    ['ON_SOURCE', 'CUTOVER_APPROVED', true],
    ['ON_SOURCE', 'ON_TARGET', false],
    ['CUTOVER_APPROVED', 'ON_TARGET', true],
    // A cutover not verified in time may be rolled back (verify-timeout).
    ['CUTOVER_APPROVED', 'ROLLBACK_APPROVED', true],
    ['ON_TARGET', 'KEPT_ON_TARGET', true],
    ['ON_TARGET', 'ROLLBACK_APPROVED', true],
    ['ROLLBACK_APPROVED', 'ROLLED_BACK', true],
    ['ROLLED_BACK', 'CUTOVER_APPROVED', true],
    ['KEPT_ON_TARGET', 'ROLLBACK_APPROVED', false],
    ['SKIPPED', 'CUTOVER_APPROVED', false],
  ] as const)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('should record a verify-timeout decision where the application then is', () => {
    expect(stateAfterDecision('record-moved', 'verify-timeout')).toBe(
      'ON_TARGET',
    );
    expect(stateAfterDecision('record-moved', 'rollback-verify-timeout')).toBe(
      'ROLLED_BACK',
    );
    expect(stateAfterDecision('rollback', 'verify-timeout')).toBe(
      'ROLLBACK_APPROVED',
    );
    expect(stateAfterDecision('keep-waiting', 'verify-timeout')).toBeNull();
  });

  it('should list the states a transition may start from (the ledger condition)', () => {
    expect(statesBefore('CUTOVER_APPROVED').sort()).toEqual([
      'ON_SOURCE',
      'ROLLED_BACK',
    ]);
    expect(statesBefore('SKIPPED').sort()).toEqual([
      'ON_SOURCE',
      'ROLLED_BACK',
    ]);
    expect(statesBefore('ON_SOURCE')).toEqual(['CUTOVER_APPROVED']);
  });

  it('should place every state on a cluster, counting moves as off the source', () => {
    expect(
      AppStates.map((s) => [s, ledgerLocation(s), hasLeftSource(s)]),
    ).toEqual([
      ['ON_SOURCE', 'source', false],
      ['CUTOVER_APPROVED', 'moving', true],
      ['ON_TARGET', 'target', true],
      ['KEPT_ON_TARGET', 'target', true],
      ['ROLLBACK_APPROVED', 'moving', true],
      ['ROLLED_BACK', 'source', false],
      ['SKIPPED', 'source', false],
    ]);
  });

  it('should let teardown proceed only for kept or skipped applications', () => {
    expect(AppStates.filter(isSettledForTeardown)).toEqual([
      'KEPT_ON_TARGET',
      'SKIPPED',
    ]);
  });
});
