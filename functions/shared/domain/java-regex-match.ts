/**
 * Matching a Java pattern (parsed by `java-regex.ts`) against a whole name,
 * as `Pattern.compile(p).matcher(name).matches()` does, in bounded time.
 *
 * - Patterns made only of constructs whose meaning RE2 shares (classes,
 *   alternation, groups, greedy and lazy quantifiers up to 1,000, anchors)
 *   are translated to RE2 syntax and run by re2js, in time linear in the
 *   name: `(a+)+b` answers at once. Every class is written out as explicit
 *   code-point ranges, so no RE2 flag or class changes the meaning.
 * - Back-references, lookarounds, atomic groups and possessive quantifiers
 *   (which RE2 cannot express) run on a backtracking matcher with a hard step
 *   budget; past it, matching throws `PatternTooComplexError` naming the
 *   pattern instead of running on.
 *
 * Anchors and `\b` depend on line terminators and non-ASCII letters only in
 * ways RE2 and Java agree on for printable-ASCII names; other names go to the
 * backtracking matcher when the pattern has such an assertion.
 */
import { createRequire } from 'node:module';
import type { RE2JS } from 're2js';
import { ValidationError } from './errors.ts';
import {
  type CharSet,
  has,
  type JavaNode,
  LINE_TERMINATORS,
  type ParsedPattern,
  parseJavaPattern,
  toLower,
  toUpper,
} from './java-regex.ts';

/** Steps (node visits) the backtracking matcher may take for one name. */
export const STEP_BUDGET = 1_000_000;

/** RE2 refuses larger repetition counts (`{n,m}` with m > 1000). */
const RE2_MAX_REPEAT = 1000;

/**
 * A pattern whose evaluation against a name exceeded `STEP_BUDGET`. It is a
 * `ValidationError` (the plan's pattern must change), so phases fail without
 * retries.
 */
export class PatternTooComplexError extends ValidationError {
  constructor(
    readonly pattern: string,
    readonly subject: string,
    /** The pattern's JSON path in the plan, when the caller knows it. */
    readonly path?: string,
  ) {
    const shown = subject.length > 60 ? `${subject.slice(0, 57)}...` : subject;
    super(
      `pattern \`${pattern}\`${path === undefined ? '' : ` (${path})`} is too complex to evaluate within ${STEP_BUDGET.toLocaleString('en-US')} steps against \`${shown}\`: simplify it (back-references, lookarounds, atomic groups and possessive quantifiers inside nested repetition backtrack exponentially)`,
    );
  }
}

export interface JavaMatcher {
  readonly source: string;
  /** `linear` (re2js) or `backtracking` (step budget), for the bench and tests. */
  readonly engine: 'linear' | 'backtracking';
  /** Whether the pattern matches the whole of `name`, as Java's `matches()`. */
  matches(name: string): boolean;
}

/** Printable ASCII, no line terminators: anchors mean the same in RE2. */
const PLAIN = /^[\x20-\x7e]+$/;

/**
 * Compile `source` with Java's meaning. Throws what `parseJavaPattern`
 * throws for a pattern Java refuses or msk-cutover does not support.
 */
export function compileJavaPattern(
  source: string,
  parsed: ParsedPattern = parseJavaPattern(source),
): JavaMatcher {
  const { root, groupCount } = parsed;
  const translation = { contextual: false };
  const re2Source = toRe2(root, translation);
  const backtrack = (name: string) =>
    backtrackMatch(root, groupCount, source, name);
  if (re2Source === undefined) {
    return { source, engine: 'backtracking', matches: backtrack };
  }
  // The RE2 program is compiled on first use: validating a plan parses
  // every pattern, but only matching a name needs the engine.
  let program: RE2JS | null | undefined;
  const linear = (): RE2JS | null => {
    if (program === undefined) {
      const engine = linearEngine();
      try {
        program = engine.compile(re2Source);
      } catch {
        // Too large for RE2 (nested counts): the backtracking matcher runs it.
        program = null;
      }
    }
    return program;
  };
  return {
    source,
    get engine() {
      return linear() === null ? 'backtracking' : 'linear';
    },
    matches: (name) => {
      const re2 = linear();
      return re2 !== null && (!translation.contextual || PLAIN.test(name))
        ? re2.testExact(name)
        : backtrack(name);
    },
  };
}

/**
 * Set to `true` by the Lambda bundles' esbuild `define`
 * (infra/bundle-trims.ts); undeclared when run from the sources.
 */
declare const MSK_CUTOVER_BUNDLE: true | undefined;

let re2js: typeof RE2JS | undefined;

/**
 * re2js (153 KiB), loaded on the first match of a pattern that is not a
 * literal: most plans list names, and loading the engine is a fifth of a
 * function's cold import. Synchronous, so matching stays synchronous: in a
 * bundle esbuild turns `require` into a call of the engine's module, which
 * is then evaluated and not before (an ESM `import()` would be evaluated
 * lazily too, but only behind a promise); from the sources, Node's
 * `require` loads the package.
 */
function linearEngine(): typeof RE2JS {
  re2js ??= (
    (typeof MSK_CUTOVER_BUNDLE === 'undefined'
      ? createRequire(import.meta.url)('re2js')
      : require('re2js')) as typeof import('re2js')
  ).RE2JS;
  return re2js;
}

function re2Class(set: CharSet): string {
  const hex = (cp: number) => `\\x{${cp.toString(16)}}`;
  if (set.length === 0) return '[^\\x{0}-\\x{10ffff}]';
  if (set.length === 2 && set[0] === set[1]) return hex(set[0] as number);
  let out = '[';
  for (let i = 0; i < set.length; i += 2) {
    const lo = set[i] as number;
    const hi = set[i + 1] as number;
    out += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  }
  return `${out}]`;
}

/**
 * RE2 syntax with the same full-match meaning, or undefined when the tree
 * holds a construct RE2 cannot express.
 */
function toRe2(
  node: JavaNode,
  ctx: { contextual: boolean },
): string | undefined {
  switch (node.t) {
    case 'set':
      return re2Class(node.set);
    case 'seq': {
      const parts = node.items.map((n) => toRe2(n, ctx));
      return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
    }
    case 'alt': {
      const parts = node.alts.map((n) => toRe2(n, ctx));
      return parts.every((p) => p !== undefined)
        ? `(?:${parts.join('|')})`
        : undefined;
    }
    case 'group': {
      const body = toRe2(node.body, ctx);
      return body === undefined ? undefined : `(?:${body})`;
    }
    case 'repeat': {
      if (node.mode === 'possessive') return undefined;
      if (node.min > RE2_MAX_REPEAT) return undefined;
      if (node.max !== Infinity && node.max > RE2_MAX_REPEAT) return undefined;
      const body = toRe2(node.body, ctx);
      if (body === undefined) return undefined;
      const count =
        node.max === Infinity
          ? node.min === 0
            ? '*'
            : node.min === 1
              ? '+'
              : `{${node.min},}`
          : node.min === node.max
            ? `{${node.min}}`
            : node.min === 0 && node.max === 1
              ? '?'
              : `{${node.min},${node.max}}`;
      return `(?:${body})${count}${node.mode === 'lazy' ? '?' : ''}`;
    }
    case 'assert':
      ctx.contextual = true;
      switch (node.kind) {
        case 'begin':
        case 'caretM':
          return '\\A';
        case 'end':
        case 'dollar':
        case 'dollarM':
          return '\\z';
        case 'bound':
          return '\\b';
        case 'nonBound':
          return '\\B';
      }
      return undefined;
    default:
      return undefined;
  }
}

/** Continuation-passing matcher: `m(i, k)` matches at `i`, then calls `k`. */
type Matcher = (i: number, k: (end: number) => boolean) => boolean;

class Budget {
  steps = 0;
  constructor(
    readonly pattern: string,
    readonly subject: string,
  ) {}
  step(): void {
    if (++this.steps > STEP_BUDGET) {
      throw new PatternTooComplexError(this.pattern, this.subject);
    }
  }
}

function backtrackMatch(
  root: JavaNode,
  groupCount: number,
  source: string,
  name: string,
): boolean {
  const s = [...name].map((c) => c.codePointAt(0) as number);
  const n = s.length;
  const caps: ([number, number] | undefined)[] = new Array(groupCount);
  const budget = new Budget(source, name);
  const isLT = (cp: number | undefined) =>
    cp !== undefined && has(LINE_TERMINATORS, cp);

  /** Java 17's `\b`: letters and digits in Unicode's sense, and `_`. */
  const isWord = (cp: number | undefined) =>
    cp !== undefined &&
    (cp === 0x5f || /^[\p{L}\p{Nd}]$/u.test(String.fromCodePoint(cp)));

  const assertion = (kind: string, unix: boolean): ((i: number) => boolean) => {
    const term = unix ? (cp: number | undefined) => cp === 0x0a : isLT;
    switch (kind) {
      case 'begin':
        return (i) => i === 0;
      case 'end':
        return (i) => i === n;
      case 'caretM':
        // Java's multiline `^`: never at the end of input, never between \r\n.
        return (i) => {
          if (i === n) return false;
          if (i === 0) return true;
          const before = s[i - 1];
          if (!term(before)) return false;
          return !(!unix && before === 0x0d && s[i] === 0x0a);
        };
      case 'dollar':
      case 'dollarM': {
        const multi = kind === 'dollarM';
        return (i) => {
          if (i === n) return true;
          if (unix) {
            return s[i] === 0x0a && (multi || i === n - 1);
          }
          if (!multi && i < n - 2) return false;
          if (!multi && i === n - 2 && !(s[i] === 0x0d && s[i + 1] === 0x0a)) {
            return false;
          }
          const c = s[i];
          if (c === 0x0a) return !(i > 0 && s[i - 1] === 0x0d);
          return isLT(c);
        };
      }
      case 'bound':
        return (i) => isWord(s[i - 1]) !== isWord(s[i]);
      default:
        return (i) => isWord(s[i - 1]) === isWord(s[i]);
    }
  };

  const sameChar = (a: number, b: number, ci: 0 | 1 | 2) => {
    if (a === b) return true;
    if (ci === 1)
      return a < 0x80 && b < 0x80 && lowerAscii(a) === lowerAscii(b);
    if (ci === 2) return toLower(toUpper(a)) === toLower(toUpper(b));
    return false;
  };

  const compile = (node: JavaNode): Matcher => {
    switch (node.t) {
      case 'set': {
        const set = node.set;
        return (i, k) => {
          budget.step();
          return i < n && has(set, s[i] as number) && k(i + 1);
        };
      }
      case 'seq': {
        const items = node.items.map(compile);
        const run = (
          j: number,
          i: number,
          k: (e: number) => boolean,
        ): boolean =>
          j === items.length
            ? k(i)
            : (items[j] as Matcher)(i, (e) => run(j + 1, e, k));
        return (i, k) => run(0, i, k);
      }
      case 'alt': {
        const alts = node.alts.map(compile);
        return (i, k) => {
          for (const m of alts) {
            budget.step();
            if (m(i, k)) return true;
          }
          return false;
        };
      }
      case 'group': {
        const body = compile(node.body);
        const index = node.capture;
        if (index === undefined) return body;
        return (i, k) =>
          body(i, (e) => {
            const before = caps[index];
            caps[index] = [i, e];
            if (k(e)) return true;
            caps[index] = before;
            return false;
          });
      }
      case 'repeat': {
        const body = compile(node.body);
        const { min, max } = node;
        const greedy = (
          count: number,
          i: number,
          k: (e: number) => boolean,
        ): boolean => {
          budget.step();
          if (
            count < max &&
            body(i, (e) =>
              // An empty iteration past the minimum ends the loop (as Java's).
              e === i && count >= min ? false : greedy(count + 1, e, k),
            )
          ) {
            return true;
          }
          return count >= min && k(i);
        };
        const lazy = (
          count: number,
          i: number,
          k: (e: number) => boolean,
        ): boolean => {
          budget.step();
          if (count >= min && k(i)) return true;
          return (
            count < max &&
            body(i, (e) =>
              e === i && count >= min ? false : lazy(count + 1, e, k),
            )
          );
        };
        if (node.mode === 'lazy') return (i, k) => lazy(0, i, k);
        if (node.mode === 'greedy') return (i, k) => greedy(0, i, k);
        return atomic((i, k) => greedy(0, i, k));
      }
      case 'atomic':
        return atomic(compile(node.body));
      case 'look': {
        const body = compile(node.body);
        if (!node.behind) {
          return (i, k) => {
            const saved = caps.slice();
            const found = body(i, () => true);
            if (found !== node.negate && k(i)) return true;
            caps.splice(0, caps.length, ...saved);
            return false;
          };
        }
        // Java tries starts from i - min down to i - max (int arithmetic).
        const minLength = node.minLength ?? 0;
        const maxLength = node.maxLength ?? 0;
        return (i, k) => {
          const saved = caps.slice();
          let found = false;
          const from = Math.max((i - maxLength) | 0, 0);
          for (
            let start = (i - minLength) | 0;
            start >= from && !found;
            start--
          ) {
            budget.step();
            found = body(start, (e) => e === i);
          }
          if (found !== node.negate && k(i)) return true;
          caps.splice(0, caps.length, ...saved);
          return false;
        };
      }
      case 'backref': {
        const { group, ci } = node;
        return (i, k) => {
          budget.step();
          const cap = caps[group];
          if (cap === undefined) return false;
          const len = cap[1] - cap[0];
          if (i + len > n) return false;
          for (let j = 0; j < len; j++) {
            if (!sameChar(s[cap[0] + j] as number, s[i + j] as number, ci)) {
              return false;
            }
          }
          return k(i + len);
        };
      }
      case 'assert': {
        const test = assertion(node.kind, node.unixLines);
        return (i, k) => {
          budget.step();
          return test(i) && k(i);
        };
      }
    }
  };

  /** Matches `m` once, keeps its first way, never backtracks into it. */
  const atomic =
    (m: Matcher): Matcher =>
    (i, k) => {
      const saved = caps.slice();
      let end = -1;
      const found = m(i, (e) => {
        end = e;
        return true;
      });
      if (!found) return false;
      if (k(end)) return true;
      caps.splice(0, caps.length, ...saved);
      return false;
    };

  try {
    return compile(root)(0, (e) => e === n);
  } catch (err) {
    // Deep recursion on a long name is the same failure as a spent budget.
    if (err instanceof RangeError) {
      throw new PatternTooComplexError(source, name);
    }
    throw err;
  }
}

const lowerAscii = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 32 : c);
