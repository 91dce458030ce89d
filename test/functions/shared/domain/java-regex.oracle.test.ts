/**
 * Differential test: msk-cutover's Java pattern semantics against the JDK's
 * own java.util.regex, over a table of patterns × names. Java runs once for
 * the whole table (test/support/java-oracle.ts). Without `java` on PATH the
 * test fails with a message saying so: CI installs a JDK.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  javaMatcher,
  PatternTooComplexError,
  patternProblem,
} from '../../../../functions/shared/domain/patterns.ts';
import {
  javaMajor,
  type OracleVerdict,
  runJavaOracle,
} from '../../../support/java-oracle.ts';

/**
 * Where JDKs differ among themselves. msk-cutover follows Java 17 (Debian
 * 12's default JDK) except for one message, where it takes the later JDKs'
 * clearer wording.
 */
const SAME_REASON: Record<string, string> = {
  'Unexpected internal error': 'Unescaped trailing backslash',
};
/** JDK 19 made `\b` and `\B` ASCII-only (JDK-8264160); Java 17 is followed. */
const boundaryDiffers = (pattern: string, name: string) =>
  javaMajor() >= 19 && /\\[bB]/.test(pattern) && /[^\p{ASCII}]/u.test(name);

/** Every pattern is tried against these, and against its own extra names. */
const NAMES = [
  '',
  'a',
  'aa',
  'aaa',
  'ab',
  'aab',
  'b',
  'abc',
  'A',
  'AB',
  'x',
  '0',
  '7',
  '123',
  'a-b',
  'a_b',
  'a.b',
  'orders',
  'Orders',
  'ORDERS',
  'orders-v2',
  'orders.v1',
  'ordersXv1',
  'QordersE',
  'payments',
  'orders.dlq',
  '__consumer_offsets',
  'orders\n',
  'a\n',
  'a\r\n',
  '\n',
  ' ',
  '\t',
  'é',
  'É',
  'ß',
  '\u212a',
  'k',
  'K',
  '\u017f',
  's',
  'S',
  'Ω',
  'ω',
  '😀',
  'a'.repeat(35),
  `${'a'.repeat(30)}b`,
];

/** [pattern, extra names]; the cases first. */
const TABLE: [string, string[]?][] = [
  // The issue: refused by Java, accepted by JavaScript.
  ['[]'],
  ['[^]'],
  ['a{,3}'],
  ['{foo}'],
  ['\\q'],
  // The issue: accepted by Java, refused by JavaScript.
  ['(?i)orders', ['oRdErS']],
  ['a++'],
  ['(?>a)'],
  ['\\Qorders\\E'],
  // Literals and escapes.
  ['orders'],
  ['orders\\.v1'],
  ['orders.v1'],
  ['orders]'],
  ['orders}'],
  ['a\\-b'],
  ['a\\.b'],
  ['\\Qa.b\\E'],
  ['\\Qa.b'],
  ['\\Q'],
  ['x\\E'],
  ['\\Q\\E'],
  ['\\Q1\\E23', ['123']],
  ['\\Qa\\Eb\\Qc\\E', ['abc']],
  ['\\Qa\\\\b\\E', ['a\\\\b', 'a\\b']],
  ['a\\Q*\\E', ['a*']],
  ['\\x61'],
  ['\\x{61}'],
  ['\\x{1F600}'],
  ['\\x{110000}'],
  ['\\x{61'],
  ['\\xg'],
  ['\\u0061'],
  ['\\u006'],
  ['\\uD83D\\uDE00'],
  ['\\0141'],
  ['\\0141b', ['ab']],
  ['\\060', ['0']],
  ['\\0400', ['\u00200', ' 0']],
  ['\\08'],
  ['\\0'],
  ['\\t'],
  ['\\n'],
  ['a\\n'],
  ['\\e'],
  ['\\a'],
  ['\\cA', ['\u0001']],
  ['\\c'],
  ['\\N{LATIN SMALL LETTER A}'],
  ['\\N'],
  ['\\y'],
  ['\\i'],
  ['\\_'],
  ['\\@'],
  ['a\\'],
  ['\\\\', ['\\']],
  // Classes.
  ['[abc]'],
  ['[^abc]'],
  ['[a-z]+'],
  ['[a-z&&[^x]]+', ['xyz', 'yz']],
  ['[a-z&&[def]]'],
  ['[a-z&&[^bc]]'],
  ['[a-d[m-p]]', ['m', 'n']],
  ['[a-c&&b]'],
  ['[&&a]'],
  ['[a&&]'],
  ['[[a]&&]'],
  ['[^&&a]'],
  ['[a&&b&&c]'],
  ['[abc&&b-z&&[^c]]'],
  ['[a&b]', ['&']],
  ['[a-]', ['-']],
  ['[-a]', ['-']],
  ['[z-a]'],
  ['[a-\\d]'],
  ['[\\d-z]', ['-', 'z']],
  ['[\\v-\\x0c]', ['\u000b']],
  ['[]a]', [']']],
  ['[^]a]', [']']],
  ['[a]'],
  ['[\\Q]\\E]', [']']],
  ['[\\Q^\\E]', ['^']],
  ['[a-z0-9._-]+'],
  ['[\\w.-]+'],
  ['[\\s\\S]'],
  ['[\\p{L}&&[^a]]'],
  ['[\\b]'],
  ['[\\1]'],
  ['[\\A]'],
  ['[a'],
  ['[a-'],
  ['[\\'],
  ['[[a]'],
  ['[^\\x00-\\x{10FFFF}]'],
  // Predefined classes.
  ['\\d+'],
  ['\\D+'],
  ['\\w+'],
  ['\\W'],
  ['\\s'],
  ['\\S+'],
  ['\\h', ['\u00a0', '\u3000']],
  ['\\H'],
  ['\\v', ['\u000b', '\u2028']],
  ['\\V+'],
  ['\\R', ['\r\n', '\r', '\u2029']],
  ['a\\R', ['a\r']],
  ['\\R\\n', ['\r\n']],
  ['.'],
  ['.+'],
  ['(?s).+'],
  ['(?d).+'],
  ['.*'],
  // Properties.
  ['\\p{L}+'],
  ['\\pL+'],
  ['\\PL+'],
  ['\\p{Lu}'],
  ['\\p{IsLu}'],
  ['\\p{gc=Lu}'],
  ['\\p{general_category=Ll}'],
  ['\\p{Ll}'],
  ['(?i)\\p{Lu}'],
  ['\\p{Lower}+'],
  ['\\p{Upper}'],
  ['(?i)\\p{Lower}'],
  ['\\p{Alpha}+'],
  ['\\p{Alnum}+'],
  ['\\p{Punct}'],
  ['\\p{Graph}+'],
  ['\\p{Print}+'],
  ['\\p{Blank}'],
  ['\\p{Cntrl}'],
  ['\\p{XDigit}+'],
  ['\\p{Space}'],
  ['\\p{ASCII}+'],
  ['\\p{L1}'],
  ['\\p{all}+'],
  ['\\p{LD}+'],
  ['\\p{IsLatin}+'],
  ['\\p{IsGreek}'],
  ['\\p{IsLatn}+'],
  ['\\p{sc=Greek}'],
  ['\\p{script=latin}+'],
  ['\\p{IsAlphabetic}+'],
  ['\\p{Isalphabetic}+'],
  ['\\p{IsLetter}+'],
  ['\\p{IsWhite_Space}'],
  ['\\p{IsUppercase}'],
  ['(?i)\\p{IsUppercase}'],
  ['\\p{IsPunctuation}'],
  ['\\p{IsDigit}+'],
  ['\\p{javaLowerCase}+'],
  ['\\p{javaLetterOrDigit}+'],
  ['\\p{Nd}+'],
  ['\\p{N}+'],
  ['\\p{So}'],
  ['\\p{Foo}'],
  ['\\p{IsFoo}'],
  ['\\p{javaFoo}'],
  ['\\p{foo=bar}'],
  ['\\p{sc=Nope}'],
  ['\\p{Lu'],
  ['\\p{}'],
  ['\\p'],
  // Quantifiers.
  ['a*'],
  ['a+'],
  ['a?'],
  ['a{2}'],
  ['a{2,}'],
  ['a{1,2}'],
  ['a{0}'],
  ['a*?'],
  ['a+?'],
  ['a??'],
  ['a{1,2}?'],
  ['a*+'],
  ['a?+'],
  ['a{1,2}+'],
  ['a*+a'],
  ['a++b'],
  ['(a|ab)++b', ['abb']],
  ['a{2}{3}', ['aaaaaa']],
  ['a**'],
  ['a?+?'],
  ['*a'],
  ['+'],
  ['?'],
  ['a{'],
  ['a{1'],
  ['a{1,'],
  ['a{2,x}'],
  ['a{3,2}'],
  ['a{99999999999}'],
  ['a{2147483647}'],
  ['a{2147483648}'],
  ['a{1001}'],
  ['(?:a{2}){1000}'],
  ['x{'],
  ['{'],
  ['}'],
  ['a}'],
  // Groups, alternation, flags.
  ['(a)'],
  ['(a)(b)'],
  ['(?:a|b)+'],
  ['orders|payments'],
  ['a|'],
  ['|a'],
  ['|'],
  ['()'],
  ['(a'],
  ['a)'],
  ['('],
  [')'],
  ['(?'],
  ['(?i'],
  ['(?:'],
  ['(?$)'],
  ['(?@)'],
  ['(?#comment)'],
  ['(?<name>a)\\k<name>', ['aa']],
  ['(?<a>x)(?<a>y)'],
  ['(?<1a>x)'],
  ['(?<a'],
  ['(?<ab'],
  ['\\k<x>'],
  ['\\kx'],
  ['(?<n>a)\\k<n'],
  ['(?i)a', ['A']],
  ['(?i:a)b', ['Ab', 'AB']],
  ['a(?i)b', ['aB', 'AB']],
  ['a(?i)b|c', ['C', 'c']],
  ['(a(?i)b)c', ['aBc', 'aBC']],
  ['(?i)ß', ['ẞ']],
  ['(?i)k'],
  ['(?iu)k'],
  ['(?iu)\u212a'],
  ['(?i)\u212a'],
  ['(?iu)é'],
  ['(?i)é'],
  ['(?iu)[a-z]+'],
  ['(?i)[a-z]+'],
  ['(?i)[k]'],
  ['(?iu)[k]'],
  ['(?iu)[é]'],
  ['(?iu)ω'],
  ['(?i)(a)\\1', ['aA']],
  ['(?-i)a'],
  ['(?i-i)a'],
  ['(?-)a'],
  ['(?i-)a'],
  ['(?i)*'],
  ['(?m)^a$'],
  ['(?m)a$\\n', ['a\n']],
  ['a$\\n', ['a\n']],
  ['a$'],
  ['^a'],
  ['^a$'],
  ['(?m)^'],
  ['^'],
  ['$'],
  ['a\\Z'],
  ['a\\Z\\n', ['a\n']],
  ['a\\z'],
  ['\\Aa'],
  ['\\Ga'],
  ['a\\b'],
  ['\\ba\\b'],
  ['a\\Bb'],
  ['\\b{x'],
  ['(?d)a$\\n', ['a\n']],
  ['(?s)a.b', ['a\nb']],
  ['a.b', ['a\nb', 'a\rb']],
  ['(?x)a b'],
  ['(?c)a'],
  ['(?U)\\w'],
  ['(?-x)a'],
  ['(?-U)a'],
  ['\\X'],
  ['\\b{g}'],
  ['\\p{InGreek}'],
  // Lookarounds and back-references.
  ['(?=a)a'],
  ['(?!b).'],
  ['(?!.*dlq).*'],
  ['.*(?<!\\.dlq)'],
  ['(?<=a)b'],
  ['a(?<=a)'],
  ['(?<=a+)b'],
  ['(?<=a|bc*)d'],
  ['(?<=(a)\\1)b'],
  // Java 17's lookbehind length rules (int arithmetic in Node.study).
  ['(?<=a+?)'],
  ['(?<=a++)'],
  ['(?<=(a)+)'],
  ['(?<=(?:ab)+)'],
  ['b+(?<=ab+)', ['abb']],
  ['a(?<=a*)b*(?<=ab*)', ['abb']],
  ['(?<=\\R+)'],
  ['(?<=(?:a|b)*)'],
  ['(?<=[ab]*)'],
  ['(?<=(?>a*))'],
  ['a*+b(?<=a*+b)', ['aab']],
  ['(?<=ab*?c)'],
  ['(?<=(a){2,})'],
  ['(?<=(?:a+)+)'],
  ['(?<=(?:a|b)c*?)'],
  ['(?<=(?:a|b)?c*?)'],
  ['(?<=a?b*?)'],
  ['(?<=a{2}b*?)'],
  ['(?<=(?:a)+)'],
  ['(?<=(?:a|)*)'],
  ['a+(?<=\\Qab\\E+)', ['a']],
  ['.*(?<=\\.dlq)', ['orders.dlq', 'orders']],
  ['(?=a)*a'],
  ['(a)\\1'],
  ['(a)\\2'],
  ['\\1'],
  ['(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', ['abcdefghijj']],
  ['(a)\\11', ['aa1']],
  ['(a*)\\1'],
  ['(a|b)\\1+'],
  ['(?>a|ab)c', ['abc', 'ac']],
  ['(?>a*)a'],
  // Catastrophic in a backtracking engine.
  ['(a+)+b'],
  ['(a|a)*b'],
  ['(a|aa)+b'],
  ['(a*)*b'],
  ['((a+)+)+b'],
  ['(.*a){12}'],
  ['(a+)++b'],
  ['(?=(a+)+b)a*'],
  ['(a+)+\\1b'],
  ['((a)+)+\\2b'],
];

/** Patterns where a step-budget error is an acceptable answer. */
const CATASTROPHIC = new Set(['(?=(a+)+b)a*', '(a+)+\\1b', '((a)+)+\\2b']);

/** A small deterministic generator (mulberry32), so every run tries the same cases. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Patterns assembled from fragments of Java's syntax, valid and not: they
 * reach combinations no hand-written table lists (quantified groups,
 * classes inside classes, flags in alternatives, back-references).
 */
const FRAGMENTS = [
  'a',
  'b',
  'A',
  '.',
  '-',
  '\\.',
  '[ab]',
  '[^a]',
  '[a-c&&[^b]]',
  '[a[b]]',
  '\\d',
  '\\w',
  '\\W',
  '\\s',
  '\\b',
  '\\B',
  '^',
  '$',
  '|',
  '(',
  ')',
  '(?:',
  '(?i)',
  '(?-i)',
  '(?i:',
  '(?=',
  '(?!',
  '(?<=',
  '(?<!',
  '(?>',
  '(?<g>',
  '\\1',
  '\\k<g>',
  '*',
  '+',
  '?',
  '*?',
  '+?',
  '*+',
  '++',
  '{2}',
  '{1,2}',
  '{0,}',
  '{,1}',
  '{',
  '}',
  ']',
  '[',
  '\\Q.\\E',
  '\\x61',
  '\\u0062',
  '\\p{Lu}',
  '\\P{L}',
  '\\R',
  '\\h',
  '\\Z',
  '\\z',
  '&&',
  '\\',
  '\\0',
  '\\07',
  '\\c',
  '\\pL',
  '\\p{IsLatin}',
  '[^]',
  '[]',
  '[a-]',
  '[-a]',
  '[\\d-z]',
  '[a-\\d]',
  '[&&]',
  '(?<',
  '(?m)',
  '(?s)',
  '(?d)',
  '(?iu)',
  '(?im-d:',
  '\\Q',
  '\\E',
  '{1,',
  '{3,2}',
  '\\8',
  '\\11',
  '\\G',
  '\\A',
  '\\v',
  '\\V',
  '\\H',
  '[\\v-x]',
  '\\x{',
  '\\u',
  '#',
  ' ',
  'k',
  'ſ',
  '[k-s]',
  '[^\\s]',
  '[a-z&&b-y]',
  '(a|b|)',
  '(?<h>a|b)',
  '\\k<h>',
];
const ALPHABET = [
  'a',
  'b',
  'A',
  'B',
  '-',
  '.',
  '\n',
  'é',
  '_',
  '1',
  'k',
  'K',
  '\u212a',
  'S',
  'ſ',
  '\r',
  ' ',
];

function generated(count: number): { pattern: string; names: string[] }[] {
  const next = random(20261205);
  const pick = <T>(list: readonly T[]) =>
    list[Math.floor(next() * list.length)] as T;
  return Array.from({ length: count }, () => {
    const parts = Array.from({ length: 1 + Math.floor(next() * 6) }, () =>
      pick(FRAGMENTS),
    );
    const names = Array.from({ length: 12 }, () =>
      Array.from({ length: Math.floor(next() * 6) }, () => pick(ALPHABET)).join(
        '',
      ),
    );
    return { pattern: parts.join(''), names };
  });
}

const cases = [
  ...TABLE.map(([pattern, extra]) => ({
    pattern,
    names: [...NAMES, ...(extra ?? [])],
  })),
  ...generated(3000),
];

describe('Java pattern semantics, compared with java.util.regex', () => {
  let verdicts: OracleVerdict[];

  beforeAll(() => {
    verdicts = runJavaOracle(cases);
  }, 240_000);

  it('accepts what Java accepts and refuses what it refuses, with its reason', () => {
    const mismatches: string[] = [];
    cases.forEach(({ pattern }, i) => {
      const java = (verdicts[i] as OracleVerdict).error;
      const ours = patternProblem(pattern);
      if (ours?.kind === 'unsupported') {
        // Said explicitly; Java must accept it whenever we claim it does.
        if (java !== undefined && ours.message.startsWith('valid in Java')) {
          mismatches.push(
            `${pattern}: we say "${ours.message}", Java refuses: ${java.description}`,
          );
        }
        return;
      }
      const expected =
        java === undefined
          ? undefined
          : `${SAME_REASON[java.description] ?? java.description} near index ${java.index}`;
      if (ours?.message !== expected) {
        mismatches.push(
          `${pattern}: Java ${expected ?? 'accepts'}, ours ${ours?.message ?? 'accepts'}`,
        );
      }
    });
    expect(mismatches).toEqual([]);
  });

  it("matches every name as Java's matches() does (or reports the step budget)", () => {
    const mismatches: string[] = [];
    let budgetErrors = 0;
    cases.forEach(({ pattern, names }, i) => {
      const verdict = verdicts[i] as OracleVerdict;
      const matcher = javaMatcher(pattern);
      if (matcher === undefined) return;
      names.forEach((name, j) => {
        const java = verdict.matches[j];
        let ours: boolean | 'budget';
        try {
          ours = matcher.matches(name);
        } catch (err) {
          if (!(err instanceof PatternTooComplexError)) throw err;
          ours = 'budget';
        }
        if (ours === 'budget') {
          budgetErrors++;
          if (!CATASTROPHIC.has(pattern)) {
            mismatches.push(
              `${pattern} on ${JSON.stringify(name)}: budget error`,
            );
          }
          return;
        }
        if (
          java !== 'timeout' &&
          ours !== java &&
          !boundaryDiffers(pattern, name)
        ) {
          mismatches.push(
            `${pattern} on ${JSON.stringify(name)}: Java ${java}, ours ${ours}`,
          );
        }
      });
    });
    expect(mismatches).toEqual([]);
    // The catastrophic back-reference patterns do hit the budget on the long name.
    expect(budgetErrors).toBeGreaterThan(0);
  });

  it('covers a broad table', () => {
    const refused = verdicts.filter((v) => v.error !== undefined).length;
    const accepted = verdicts.length - refused;
    expect(TABLE.length).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(500);
    expect(accepted).toBeGreaterThan(500);
  });
});
