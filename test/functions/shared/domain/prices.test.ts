import { describe, expect, it } from 'vitest';
import {
  applyPriceOverrides,
  DEFAULT_PRICES,
  PRICE_KEYS,
  PRICE_TABLE_DATE,
} from '../../../../functions/shared/domain/prices.ts';

describe('the price table', () => {
  it('should date every price and name its AWS pricing page', () => {
    expect(Object.keys(DEFAULT_PRICES).sort()).toEqual([...PRICE_KEYS].sort());
    for (const key of PRICE_KEYS) {
      const p = DEFAULT_PRICES[key];
      expect(p.source, key).toMatch(
        /^https:\/\/aws\.amazon\.com\/[a-z-]+\/pricing\/$/,
      );
      expect(p.read, key).toBe(PRICE_TABLE_DATE);
      expect(['verified', 'UNVERIFIED']).toContain(p.status);
      expect(p.usd, key).toBeGreaterThan(0);
    }
  });
});

describe('applyPriceOverrides', () => {
  it('should replace a price given as a number or an object and mark it overridden', () => {
    const r = applyPriceOverrides(
      {
        mskReplicatorHour: 0.5,
        mskReplicatorGb: {
          usd: 0.1,
          source: 'contract 42',
          read: '2026-11-30',
        },
      },
      'prices.json',
    );
    if (!r.ok) throw new Error('expected valid overrides');
    expect(r.prices.mskReplicatorHour).toMatchObject({
      usd: 0.5,
      source: 'prices.json',
      status: 'override',
    });
    expect(r.prices.mskReplicatorGb).toMatchObject({
      usd: 0.1,
      source: 'contract 42',
      read: '2026-11-30',
      status: 'override',
    });
    expect(r.prices.lambdaRequest).toEqual(DEFAULT_PRICES.lambdaRequest);
  });

  it('should name every problem with its path: unknown keys, negative prices, bad dates', () => {
    const r = applyPriceOverrides(
      {
        mskReplicatorHours: 1,
        lambdaRequest: -1,
        mskReplicatorGb: { usd: 1, read: 'yesterday' },
      },
      'prices.json',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => i.path).sort();
    expect(paths).toEqual(
      ['(prices)', 'lambdaRequest', 'mskReplicatorGb.read'].sort(),
    );
    const unknown = r.issues.find((i) => i.path === '(prices)');
    expect(unknown?.message).toContain('unknown price "mskReplicatorHours"');
    expect(unknown?.message).toContain('known: mskReplicatorHour');
  });

  it('should refuse a file that is not an object', () => {
    const r = applyPriceOverrides([1, 2], 'prices.json');
    expect(r.ok).toBe(false);
  });
});
