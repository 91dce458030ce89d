import { describe, expect, it } from 'vitest';
import {
  appGroups,
  appTopics,
  javaMatcher,
  literalOf,
  literalPrefixOf,
  matchesPatterns,
  PatternSet,
  PatternTooComplexError,
  patternProblem,
  regexError,
  Selection,
} from '../../../../functions/shared/domain/patterns.ts';

describe('matchesPatterns (MSK Replicator full-match semantics)', () => {
  it('matches the whole name, not a substring', () => {
    expect(matchesPatterns('orders', ['orders'], [])).toBe(true);
    expect(matchesPatterns('orders-v2', ['orders'], [])).toBe(false);
    expect(matchesPatterns('old-orders', ['orders'], [])).toBe(false);
    expect(matchesPatterns('orders-v2', ['orders.*'], [])).toBe(true);
  });

  it('treats alternation as a whole-name choice', () => {
    // `^a|b$` would match `ax`; full-match wraps the group first.
    expect(matchesPatterns('ordersx', ['orders|payments'], [])).toBe(false);
    expect(matchesPatterns('payments', ['orders|payments'], [])).toBe(true);
  });

  it('lets exclusions win over inclusions', () => {
    expect(matchesPatterns('orders.dlq', ['orders.*'], ['.*\\.dlq'])).toBe(
      false,
    );
    expect(matchesPatterns('orders.v1', ['orders.*'], ['.*\\.dlq'])).toBe(true);
  });

  it('matches nothing with an empty include list', () => {
    expect(matchesPatterns('orders', [], [])).toBe(false);
  });

  it('ignores a pattern that does not compile instead of throwing', () => {
    expect(matchesPatterns('orders', ['orders(', 'orders'], [])).toBe(true);
    expect(matchesPatterns('x', ['orders('], [])).toBe(false);
  });
});

describe('literalOf and literalPrefixOf', () => {
  it('recognises plain names and escaped metacharacters as literals', () => {
    expect(literalOf('orders')).toBe('orders');
    expect(literalOf('orders\\.v1')).toBe('orders.v1');
    expect(literalOf('order_status-2')).toBe('order_status-2');
  });

  it('rejects real regular expressions', () => {
    for (const p of [
      'orders.v1',
      'orders.*',
      'a|b',
      '[ab]',
      'x+',
      '\\d+',
      '',
    ]) {
      expect(literalOf(p)).toBeUndefined();
    }
  });

  it('finds the literal prefix of `<literal>.*`', () => {
    expect(literalPrefixOf('orders\\..*')).toBe('orders.');
    expect(literalPrefixOf('orders-.*')).toBe('orders-');
    expect(literalPrefixOf('orders\\.*')).toBeUndefined();
    expect(literalPrefixOf('ord.rs-.*')).toBeUndefined();
    expect(literalPrefixOf('orders')).toBeUndefined();
  });
});

describe('PatternSet and Selection', () => {
  it('reports which pattern matched, literal or regex', () => {
    const set = new PatternSet(['orders\\.v1', 'pay.*', 'orders\\.v1']);
    expect(set.firstMatch('orders.v1')).toBe('orders\\.v1');
    expect(set.firstMatch('payments')).toBe('pay.*');
    expect(set.firstMatch('ordersXv1')).toBeUndefined();
  });

  it('selects by include and exclude lists', () => {
    const s = new Selection(['t-.*'], ['t-tmp.*']);
    expect(s.selects('t-1')).toBe(true);
    expect(s.selects('t-tmp1')).toBe(false);
    expect(s.selects('u-1')).toBe(false);
  });

  it('compiles each pattern once', () => {
    expect(javaMatcher('a.*')).toBe(javaMatcher('a.*'));
  });
});

describe('Java meaning (MSK Replicator reads java.util.regex)', () => {
  it('takes literals as Java spells them', () => {
    expect(literalOf('\\Qorders.v1\\E')).toBe('orders.v1');
    expect(literalOf('orders]')).toBe('orders]');
    expect(literalOf('orders}')).toBe('orders}');
    expect(literalOf('\\x6frders')).toBe('orders');
    expect(literalOf('[o]rders')).toBe('orders');
    expect(literalOf('(?i)orders')).toBeUndefined();
    expect(literalOf('[]')).toBeUndefined();
    expect(literalPrefixOf('\\Qorders.\\E.*')).toBe('orders.');
    expect(literalPrefixOf('orders-.*?')).toBe('orders-');
    expect(literalPrefixOf('orders-[a-z]*')).toBeUndefined();
  });

  it('matches case-insensitive, possessive and atomic patterns', () => {
    expect(matchesPatterns('ORDERS', ['(?i)orders'], [])).toBe(true);
    expect(matchesPatterns('aaa', ['a++'], [])).toBe(true);
    expect(matchesPatterns('aaa', ['a++a'], [])).toBe(false);
    expect(matchesPatterns('ac', ['(?>a|ab)c'], [])).toBe(true);
    expect(matchesPatterns('abc', ['(?>a|ab)c'], [])).toBe(false);
    expect(matchesPatterns('orders', ['\\Qorders\\E'], [])).toBe(true);
    expect(matchesPatterns('QordersE', ['\\Qorders\\E'], [])).toBe(false);
  });

  it('runs regular patterns in linear time and the rest under a step budget', () => {
    expect(javaMatcher('(a+)+b')?.engine).toBe('linear');
    expect(javaMatcher('(a+)+b')?.matches('a'.repeat(5000))).toBe(false);
    expect(javaMatcher('(a)\\1')?.engine).toBe('backtracking');
    expect(javaMatcher('(?=a)a')?.engine).toBe('backtracking');
    expect(javaMatcher('a{1001}')?.engine).toBe('backtracking');
  });

  it('fails with the pattern and its path past the step budget, never hangs', () => {
    const set = new PatternSet(['orders', '(a|aa)+\\1b'], 'replication.topics');
    expect(set.matches('orders')).toBe(true);
    expect(() => set.matches('a'.repeat(40))).toThrow(PatternTooComplexError);
    expect(() => set.matches('a'.repeat(40))).toThrow(
      /^pattern `\(a\|aa\)\+\\1b` \(replication\.topics\[1\]\) is too complex to evaluate within 1,000,000 steps against `a{40}`/,
    );
  });

  it('tells invalid from unsupported patterns', () => {
    expect(patternProblem('[]')).toEqual({
      kind: 'invalid',
      message: 'Unclosed character class near index 1',
    });
    expect(patternProblem('\\X')).toEqual({
      kind: 'unsupported',
      message:
        'valid in Java but not supported by msk-cutover: grapheme clusters (\\X)',
    });
    expect(patternProblem('[a-z&&[^x]]')).toBeUndefined();
  });
});

describe('regexError', () => {
  it("returns Java's message for an invalid pattern only", () => {
    expect(regexError('orders(')).toBe('Unclosed group near index 7');
    expect(regexError('orders.*')).toBeUndefined();
  });
});

describe('appTopics and appGroups', () => {
  it('lists each topic and group once', () => {
    expect(appTopics({ produces: ['a', 'b'], consumes: ['b', 'c'] })).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(appGroups({ consumerGroups: ['g', 'g', 'h'] })).toEqual(['g', 'h']);
  });
});
