/**
 * The rehearsal's summary of where each application is comes from the
 * ledger, and is checked against where its clients were told to run.
 */
import { describe, expect, it } from 'vitest';
import {
  outcomeOfState,
  stateConflicts,
  toldSide,
} from '../../../cli/rehearsal/rehearse.ts';

describe('application states in the rehearsal summary', () => {
  it('should name every ledger state, decided-but-unverified as MOVING', () => {
    expect(
      [
        'ON_SOURCE',
        'CUTOVER_APPROVED',
        'ON_TARGET',
        'KEPT_ON_TARGET',
        'ROLLBACK_APPROVED',
        'ROLLED_BACK',
        'SKIPPED',
      ].map(outcomeOfState),
    ).toEqual([
      'ON_SOURCE',
      'MOVING',
      'ON_TARGET',
      'ON_TARGET',
      'MOVING',
      'ROLLED_BACK',
      'SKIPPED',
    ]);
  });

  it('should follow the last decision that moves clients', () => {
    expect(toldSide([])).toBe('source');
    expect(toldSide(['cutover', 'record-moved', 'keep'])).toBe('target');
    expect(toldSide(['cutover', 'rollback', 'skip'])).toBe('source');
  });

  it('should report a ledger that contradicts the decisions', () => {
    const decided = new Map([
      ['a', ['cutover']],
      ['b', ['cutover']],
      ['c', []],
    ]);
    expect(
      stateConflicts(
        { a: 'CUTOVER_APPROVED', b: 'ON_SOURCE', c: 'ON_SOURCE' },
        decided,
      ),
    ).toEqual([
      'b: the ledger says ON_SOURCE (source) but its clients were told to run on the target',
    ]);
  });
});
