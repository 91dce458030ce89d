import { describe, expect, it } from 'vitest';
import {
  didYouMean,
  suggest,
} from '../../../../functions/shared/domain/suggest.ts';

const FIELDS = ['replication', 'readiness', 'region', 'applications'];

describe('suggest', () => {
  it('suggests the closest field for a typo', () => {
    expect(suggest('replicaton', FIELDS)).toBe('replication');
    expect(suggest('readines', FIELDS)).toBe('readiness');
    expect(suggest('Region', FIELDS)).toBe('region');
  });

  it('suggests nothing for a word that is not a near miss', () => {
    expect(suggest('topics', FIELDS)).toBeUndefined();
    expect(suggest('x', FIELDS)).toBeUndefined();
    expect(suggest('anything', [])).toBeUndefined();
  });

  it('formats the hint, or nothing', () => {
    expect(didYouMean('applicatons', FIELDS)).toBe(
      '; did you mean `applications`?',
    );
    expect(didYouMean('zzz', FIELDS)).toBe('');
  });
});
