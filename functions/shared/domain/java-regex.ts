/**
 * Java regular expressions (java.util.regex.Pattern), parsed the way MSK
 * Replicator's Java runtime parses its topic and consumer-group patterns.
 *
 * Written by hand because no JavaScript library parses Java's syntax, and
 * JavaScript's `RegExp` disagrees with it both ways (`[]`, `a{,3}` and `\q`
 * compile in JavaScript but not in Java; `(?i)`, `a++`, `(?>a)` the other way
 * round; `\Qa.b\E` means `a.b` in Java). The parser follows the grammar and
 * cursor conventions of `Pattern.compile` (code-point cursor, `\Q…\E`
 * rewritten before parsing, error index = cursor − 1), so that what it
 * accepts, what it refuses, and each refusal's description and index agree
 * with Java; the differential test against a real JVM checks this
 * (test/functions/shared/domain/java-regex.oracle.test.ts).
 *
 * The result is a flag-free tree: case-insensitivity, `.` and the anchors'
 * line-terminator rules are resolved while parsing, and every character
 * class is an exact set of code points (`CharSet`), so the matchers in
 * `java-regex-match.ts` need no knowledge of Java's flags.
 *
 * Where JDKs differ, Java 17 (Debian 12's default JDK, the one the
 * differential test runs) is followed: `\b` treats non-ASCII letters and
 * digits as word characters (JDK 19 made it ASCII-only), and lookbehind
 * lengths follow its int arithmetic (see `study`). Only the message for a
 * trailing backslash takes the later JDKs' wording.
 *
 * A few rare constructs are refused with "valid in Java but not supported by
 * msk-cutover" rather than accepted with another meaning: the COMMENTS (`x`),
 * CANON_EQ (`c`) and UNICODE_CHARACTER_CLASS (`U`) flags, `\X`, `\b{g}`,
 * `\N{name}`, Unicode blocks (`\p{InGreek}`) and a few `\p{java…}` classes.
 */

/** A set of code points: sorted, disjoint, non-adjacent `[lo, hi]` pairs. */
export type CharSet = readonly number[];

const MAX_CP = 0x10ffff;
/** Java's largest repetition count (`Integer.MAX_VALUE`). */
const MAX_REPS = 0x7fffffff;

export function charSet(...pairs: [number, number][]): CharSet {
  const sorted = pairs.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (const [lo, hi] of sorted) {
    const last = out.length - 1;
    if (last > 0 && lo <= (out[last] as number) + 1) {
      out[last] = Math.max(out[last] as number, hi);
    } else out.push(lo, hi);
  }
  return out;
}

function pairsOf(s: CharSet): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < s.length; i += 2) {
    out.push([s[i] as number, s[i + 1] as number]);
  }
  return out;
}

export const union = (a: CharSet, b: CharSet): CharSet =>
  charSet(...pairsOf(a), ...pairsOf(b));

export function negate(a: CharSet): CharSet {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of pairsOf(a)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CP) out.push([next, MAX_CP]);
  return charSet(...out);
}

export const intersect = (a: CharSet, b: CharSet): CharSet =>
  negate(union(negate(a), negate(b)));

export function has(s: CharSet, cp: number): boolean {
  let lo = 0;
  let hi = s.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (s[2 * mid] as number)) hi = mid - 1;
    else if (cp > (s[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

const ch = (c: string): [number, number] => [
  c.codePointAt(0) as number,
  c.codePointAt(0) as number,
];
const rng = (a: string, b: string): [number, number] => [
  a.codePointAt(0) as number,
  b.codePointAt(0) as number,
];

/** Java's line terminators (`.`, `^`, `$` without UNIX_LINES). */
export const LINE_TERMINATORS = charSet(
  ch('\n'),
  ch('\r'),
  [0x85, 0x85],
  [0x2028, 0x2029],
);

// Java's predefined classes (Pattern javadoc, "Predefined character classes"
// and "POSIX character classes (US-ASCII only)").
const DIGIT = charSet(rng('0', '9'));
const LOWER = charSet(rng('a', 'z'));
const UPPER = charSet(rng('A', 'Z'));
const ALPHA = union(LOWER, UPPER);
const ALNUM = union(ALPHA, DIGIT);
const WORD = union(ALNUM, charSet(ch('_')));
const SPACE = charSet(ch(' '), [0x09, 0x0d]);
const PUNCT = charSet(
  rng('!', '/'),
  rng(':', '@'),
  rng('[', '`'),
  rng('{', '~'),
);
const HSPACE = charSet(
  ch(' '),
  ch('\t'),
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x180e, 0x180e],
  [0x2000, 0x200a],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
);
const VSPACE = charSet([0x0a, 0x0d], [0x85, 0x85], [0x2028, 0x2029]);
const ALL = charSet([0, MAX_CP]);

/** `\d`, `\s`, … (ASCII meaning: no UNICODE_CHARACTER_CLASS). */
const ESCAPED_CLASSES: Record<string, CharSet> = {
  d: DIGIT,
  D: negate(DIGIT),
  w: WORD,
  W: negate(WORD),
  s: SPACE,
  S: negate(SPACE),
  h: HSPACE,
  H: negate(HSPACE),
  v: VSPACE,
  V: negate(VSPACE),
};

/** `\p{Lower}`, … : the US-ASCII POSIX classes and Java's extras. */
const POSIX: Record<string, CharSet> = {
  Lower: LOWER,
  Upper: UPPER,
  ASCII: charSet([0, 0x7f]),
  Alpha: ALPHA,
  Digit: DIGIT,
  Alnum: ALNUM,
  Punct: PUNCT,
  Graph: charSet([0x21, 0x7e]),
  Print: charSet([0x20, 0x7e]),
  Blank: charSet(ch(' '), ch('\t')),
  Cntrl: charSet([0, 0x1f], [0x7f, 0x7f]),
  XDigit: charSet(rng('0', '9'), rng('a', 'f'), rng('A', 'F')),
  Space: SPACE,
  L1: charSet([0, 0xff]),
  all: ALL,
};

const propertyCache = new Map<string, CharSet>();

/**
 * The code points a JavaScript `\p{…}` class expression matches (Node's
 * Unicode data, which agrees with Java's for every character Java knows).
 */
function jsProperty(expr: string): CharSet {
  let set = propertyCache.get(expr);
  if (set === undefined) {
    const re = new RegExp(`^[${expr}]$`, 'u');
    const pairs: [number, number][] = [];
    let start = -1;
    for (let cp = 0; cp <= MAX_CP + 1; cp++) {
      const inSet =
        cp <= MAX_CP &&
        !(cp >= 0xd800 && cp <= 0xdfff) &&
        re.test(String.fromCodePoint(cp));
      if (inSet && start < 0) start = cp;
      else if (!inSet && start >= 0) {
        pairs.push([start, cp - 1]);
        start = -1;
      }
    }
    set = charSet(...pairs);
    propertyCache.set(expr, set);
  }
  return set;
}

/** Java's general categories (`\p{Lu}`, `\p{IsL}`, `\p{gc=Nd}`). */
const CATEGORIES = new Set(
  'Cn Lu Ll Lt Lm Lo Mn Me Mc Nd Nl No Zs Zl Zp Cc Cf Co Cs Pd Ps Pe Pc Po Sm Sc Sk So Pi Pf L M N Z C P S LC'.split(
    ' ',
  ),
);

/** Java's Unicode binary properties (`\p{IsAlphabetic}`), upper-cased. */
const BINARY: Record<string, string> = {
  ALPHABETIC: '\\p{Alphabetic}',
  ASSIGNED: '\\P{Cn}',
  CONTROL: '\\p{Cc}',
  EMOJI: '\\p{Emoji}',
  EMOJI_PRESENTATION: '\\p{Emoji_Presentation}',
  EMOJI_MODIFIER: '\\p{Emoji_Modifier}',
  EMOJI_MODIFIER_BASE: '\\p{Emoji_Modifier_Base}',
  EMOJI_COMPONENT: '\\p{Emoji_Component}',
  EXTENDED_PICTOGRAPHIC: '\\p{Extended_Pictographic}',
  HEXDIGIT: '\\p{Nd}\\p{Hex_Digit}',
  HEX_DIGIT: '\\p{Nd}\\p{Hex_Digit}',
  IDEOGRAPHIC: '\\p{Ideographic}',
  JOINCONTROL: '\\p{Join_Control}',
  JOIN_CONTROL: '\\p{Join_Control}',
  LETTER: '\\p{L}',
  LOWERCASE: '\\p{Lowercase}',
  NONCHARACTERCODEPOINT: '\\p{Noncharacter_Code_Point}',
  NONCHARACTER_CODE_POINT: '\\p{Noncharacter_Code_Point}',
  TITLECASE: '\\p{Lt}',
  PUNCTUATION: '\\p{P}',
  UPPERCASE: '\\p{Uppercase}',
  WHITESPACE: '\\p{White_Space}',
  WHITE_SPACE: '\\p{White_Space}',
  WORD: '\\p{Alphabetic}\\p{Mn}\\p{Me}\\p{Mc}\\p{Nd}\\p{Pc}\\p{Join_Control}',
  ALPHA: '\\p{Alphabetic}',
  LOWER: '\\p{Lowercase}',
  UPPER: '\\p{Uppercase}',
  SPACE: '\\p{White_Space}',
  PUNCT: '\\p{P}',
  XDIGIT: '\\p{Nd}\\p{Hex_Digit}',
  ALNUM: '\\p{Alphabetic}\\p{Nd}',
  CNTRL: '\\p{Cc}',
  DIGIT: '\\p{Nd}',
  BLANK: '\\p{Zs}\\t',
};
/** Under CASE_INSENSITIVE these match either case (Java's CharPredicates). */
const CASED_BINARY = new Set([
  'LOWERCASE',
  'UPPERCASE',
  'TITLECASE',
  'LOWER',
  'UPPER',
]);

/** Java's `\p{javaXxx}` classes: those with a Unicode equivalent. */
const JAVA_CLASSES: Record<string, string | null> = {
  javaLowerCase: '\\p{Lowercase}',
  javaUpperCase: '\\p{Uppercase}',
  javaTitleCase: '\\p{Lt}',
  javaAlphabetic: '\\p{Alphabetic}',
  javaIdeographic: '\\p{Ideographic}',
  javaDigit: '\\p{Nd}',
  javaDefined: '\\P{Cn}',
  javaLetter: '\\p{L}',
  javaLetterOrDigit: '\\p{L}\\p{Nd}',
  javaSpaceChar: '\\p{Z}',
  javaISOControl: '\\x00-\\x1f\\x7f-\\x9f',
  javaMirrored: '\\p{Bidi_Mirrored}',
  javaWhitespace: null,
  javaJavaIdentifierStart: null,
  javaJavaIdentifierPart: null,
  javaUnicodeIdentifierStart: null,
  javaUnicodeIdentifierPart: null,
  javaIdentifierIgnorable: null,
};

// Flags (java.util.regex.Pattern constants).
const UNIX_LINES = 0x01;
const CASE_INSENSITIVE = 0x02;
const MULTILINE = 0x08;
const DOTALL = 0x20;
const UNICODE_CASE = 0x40;

/** Inline flag letters we support, and those Java has that we refuse. */
const FLAG_BITS: Record<string, number> = {
  i: CASE_INSENSITIVE,
  m: MULTILINE,
  s: DOTALL,
  d: UNIX_LINES,
  u: UNICODE_CASE,
};
const REFUSED_FLAGS: Record<string, string> = {
  x: 'the COMMENTS flag (?x)',
  c: 'the CANON_EQ flag (?c)',
  U: 'the UNICODE_CHARACTER_CLASS flag (?U)',
};

export type Assertion =
  | 'begin' // ^, \A, \G
  | 'end' // \z
  | 'dollar' // $ and \Z: end, or before a final line terminator
  | 'caretM' // ^ with MULTILINE
  | 'dollarM' // $ with MULTILINE
  | 'bound' // \b
  | 'nonBound'; // \B

export type JavaNode =
  | { t: 'set'; set: CharSet }
  | { t: 'seq'; items: JavaNode[] }
  | { t: 'alt'; alts: JavaNode[] }
  | { t: 'group'; body: JavaNode; capture?: number }
  | {
      t: 'repeat';
      body: JavaNode;
      min: number;
      max: number;
      mode: 'greedy' | 'lazy' | 'possessive';
    }
  | {
      t: 'look';
      body: JavaNode;
      behind: boolean;
      negate: boolean;
      /** Lookbehind only: the lengths Java computed (see `study`). */
      minLength?: number;
      maxLength?: number;
    }
  | { t: 'atomic'; body: JavaNode }
  | { t: 'backref'; group: number; ci: 0 | 1 | 2 }
  | { t: 'assert'; kind: Assertion; unixLines: boolean };

export interface ParsedPattern {
  root: JavaNode;
  /** Capturing groups + 1 (group 0 is the whole match). */
  groupCount: number;
}

/** A pattern `Pattern.compile` refuses; `message` reads like Java's. */
export class JavaPatternSyntaxError extends Error {
  constructor(
    readonly description: string,
    readonly index: number,
  ) {
    super(`${description} near index ${index}`);
    this.name = 'JavaPatternSyntaxError';
  }
}

/** A pattern Java accepts but msk-cutover deliberately does not evaluate. */
export class UnsupportedPatternError extends Error {
  /**
   * `knownValid` false where msk-cutover cannot tell whether Java accepts
   * the construct (a Unicode block name it has no table of).
   */
  constructor(
    readonly construct: string,
    knownValid = true,
  ) {
    super(
      knownValid
        ? `valid in Java but not supported by msk-cutover: ${construct}`
        : `not supported by msk-cutover: ${construct}`,
    );
    this.name = 'UnsupportedPatternError';
  }
}

/** An escape's value: a code point, a class, or a node (outside classes). */
type Escape = number | { set: CharSet } | { node: JavaNode };

/** A class expression, evaluated once the class is closed (see `clazz`). */
type ClassExpr =
  | CharSet
  | Bits
  | { op: 'or' | 'and'; a: ClassExpr; b: ClassExpr }
  | { op: 'not'; a: ClassExpr };

/**
 * Java collects the single characters below 256 of a class into one mutable
 * bit set that later characters keep adding to, even after it took part in
 * an intersection; modelling it as a shared object keeps that meaning.
 */
class Bits {
  readonly cps = new Set<number>();
}

function evaluate(e: ClassExpr): CharSet {
  if (e instanceof Bits)
    return charSet(...[...e.cps].map((c) => [c, c] as [number, number]));
  if (Array.isArray(e)) return e;
  const x = e as Exclude<ClassExpr, CharSet | Bits>;
  if (x.op === 'not') return negate(evaluate(x.a));
  const a = evaluate(x.a);
  const b = evaluate(x.b);
  return x.op === 'or' ? union(a, b) : intersect(a, b);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isAsciiAlpha = (c: number) =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isHex = (c: number) =>
  isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const hexValue = (c: number) => Number.parseInt(String.fromCharCode(c), 16);
const asciiLower = (c: number) => (c >= 0x41 && c <= 0x5a ? c + 32 : c);
const asciiUpper = (c: number) => (c >= 0x61 && c <= 0x7a ? c - 32 : c);

/** Java's `Character.toUpperCase(int)`/`toLowerCase(int)`: simple mappings. */
function simpleCase(cp: number, upper: boolean): number {
  const s = String.fromCodePoint(cp);
  const mapped = upper ? s.toUpperCase() : s.toLowerCase();
  const first = mapped.codePointAt(0) as number;
  return mapped.length === String.fromCodePoint(first).length ? first : cp;
}
export const toUpper = (cp: number) => simpleCase(cp, true);
export const toLower = (cp: number) => simpleCase(cp, false);

let casedCache: number[] | undefined;
/** Every code point that has a case mapping (all below U+20000). */
function casedCodePoints(): number[] {
  if (casedCache === undefined) {
    casedCache = [];
    for (let cp = 0; cp < 0x20000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (toUpper(cp) !== cp || toLower(cp) !== cp) casedCache.push(cp);
    }
  }
  return casedCache;
}

/** A single character under the current flags (Java's `single`). */
function single(cp: number, flags: number): CharSet {
  if (flags & CASE_INSENSITIVE) {
    if (flags & UNICODE_CASE) {
      const up = toUpper(cp);
      const low = toLower(up);
      if (up !== low) {
        const pairs: [number, number][] = [[low, low]];
        for (const c of casedCodePoints()) {
          if (toLower(toUpper(c)) === low) pairs.push([c, c]);
        }
        return charSet(...pairs);
      }
    } else if (cp < 0x80 && asciiLower(cp) !== asciiUpper(cp)) {
      return charSet(
        [asciiLower(cp), asciiLower(cp)],
        [asciiUpper(cp), asciiUpper(cp)],
      );
    }
  }
  return charSet([cp, cp]);
}

/** A class range under the current flags (Java's `Range`/`CIRange(U)`). */
function range(lo: number, hi: number, flags: number): CharSet {
  const base = charSet([lo, hi]);
  if (!(flags & CASE_INSENSITIVE)) return base;
  const inRange = (c: number) => c >= lo && c <= hi;
  const extra: [number, number][] = [];
  if (flags & UNICODE_CASE) {
    for (const c of casedCodePoints()) {
      const up = toUpper(c);
      if (inRange(up) || inRange(toLower(up))) extra.push([c, c]);
    }
  } else {
    for (let c = 0x41; c <= 0x7a; c++) {
      if (inRange(asciiUpper(c)) || inRange(asciiLower(c))) extra.push([c, c]);
    }
  }
  return union(base, charSet(...extra));
}

/**
 * The parser. Its cursor works on code points with two NUL sentinels after
 * the last one, as Java's does, so error indexes are Java's.
 */
class Parser {
  private cps: number[];
  private len: number;
  private cur = 0;
  private flags = 0;
  groupCount = 1;
  private readonly names = new Map<string, number>();

  constructor(source: string) {
    const cps = [...source].map((c) => c.codePointAt(0) as number);
    const quoted = removeQuoting(cps);
    this.cps = [...quoted, 0, 0];
    this.len = quoted.length;
  }

  private at(i: number): number {
    return this.cps[i] ?? 0;
  }
  private peek(): number {
    return this.at(this.cur);
  }
  private read(): number {
    return this.at(this.cur++);
  }
  private next(): number {
    return this.at(++this.cur);
  }
  private skip(): number {
    const c = this.at(this.cur + 1);
    this.cur += 2;
    return c;
  }
  private unread(): void {
    this.cur--;
  }
  private error(description: string): JavaPatternSyntaxError {
    return new JavaPatternSyntaxError(description, this.cur - 1);
  }
  private has(flag: number): boolean {
    return (this.flags & flag) !== 0;
  }

  parse(): JavaNode {
    const root = this.expr();
    if (this.cur !== this.len) {
      if (this.peek() === 0x29) throw this.error("Unmatched closing ')'");
      // Java 17 says "Unexpected internal error" here; later JDKs name it.
      if (this.cur === this.len + 1 && this.at(this.len - 1) === 0x5c) {
        throw this.error('Unescaped trailing backslash');
      }
      throw this.error('Unexpected internal error');
    }
    return root;
  }

  private expr(): JavaNode {
    const alts: JavaNode[] = [];
    for (;;) {
      alts.push(this.sequence());
      if (this.peek() !== 0x7c) break;
      this.next();
    }
    return alts.length === 1 ? (alts[0] as JavaNode) : { t: 'alt', alts };
  }

  private sequence(): JavaNode {
    const items: JavaNode[] = [];
    for (;;) {
      const c = this.peek();
      let node: JavaNode;
      if (c === 0x28) {
        const group = this.group();
        if (group !== null) items.push(group);
        continue;
      } else if (c === 0x5b) {
        node = { t: 'set', set: evaluate(this.clazz(true)) };
      } else if (c === 0x5c) {
        const e = this.nextEscaped();
        if (e === 0x70 || e === 0x50) node = this.propertyAfterP(e);
        else {
          this.unread();
          node = this.atom();
        }
      } else if (c === 0x5e) {
        this.next();
        node = this.anchor(this.has(MULTILINE) ? 'caretM' : 'begin');
      } else if (c === 0x24) {
        this.next();
        node = this.anchor(this.has(MULTILINE) ? 'dollarM' : 'dollar');
      } else if (c === 0x2e) {
        this.next();
        node = { t: 'set', set: this.dot() };
      } else if (c === 0x7c || c === 0x29) {
        break;
      } else if (c === 0x3f || c === 0x2a || c === 0x2b) {
        this.next();
        throw this.error(
          `Dangling meta character '${String.fromCodePoint(c)}'`,
        );
      } else if (c === 0 && this.cur >= this.len) {
        break;
      } else {
        node = this.atom();
      }
      items.push(this.closure(node));
    }
    return items.length === 1 ? (items[0] as JavaNode) : { t: 'seq', items };
  }

  private nextEscaped(): number {
    return this.at(++this.cur);
  }

  private anchor(kind: Assertion): JavaNode {
    return { t: 'assert', kind, unixLines: this.has(UNIX_LINES) };
  }

  private dot(): CharSet {
    if (this.has(DOTALL)) return ALL;
    return negate(this.has(UNIX_LINES) ? charSet(ch('\n')) : LINE_TERMINATORS);
  }

  /** Literal characters up to the next metacharacter (Java's `atom`). */
  private atom(): JavaNode {
    const chars: number[] = [];
    let prev = -1;
    let c = this.peek();
    for (;;) {
      if (c === 0x2a || c === 0x2b || c === 0x3f || c === 0x7b) {
        // A quantifier applies to the last character only.
        if (chars.length > 1) {
          this.cur = prev;
          chars.pop();
        }
        break;
      }
      if ('$.^([|)'.includes(String.fromCodePoint(c))) break;
      if (c === 0x5c) {
        const e = this.nextEscaped();
        if (e === 0x70 || e === 0x50) {
          if (chars.length > 0) {
            this.unread();
            break;
          }
          return this.propertyAfterP(e);
        }
        this.unread();
        prev = this.cur;
        const value = this.escape(false, chars.length === 0, false);
        if (typeof value === 'number') {
          chars.push(value);
          c = this.peek();
          continue;
        }
        if (chars.length === 0) {
          return 'set' in value ? { t: 'set', set: value.set } : value.node;
        }
        this.cur = prev;
        break;
      }
      if (c === 0 && this.cur >= this.len) break;
      prev = this.cur;
      chars.push(c);
      c = this.next();
    }
    const nodes = chars.map(
      (cp): JavaNode => ({ t: 'set', set: single(cp, this.flags) }),
    );
    return nodes.length === 1
      ? (nodes[0] as JavaNode)
      : { t: 'seq', items: nodes };
  }

  /** After `\p` or `\P`: `\pL` or `\p{Name}`. */
  private propertyAfterP(letter: number): JavaNode {
    return { t: 'set', set: this.family(letter === 0x50) };
  }

  private family(complement: boolean): CharSet {
    const oneLetter = this.next() !== 0x7b;
    if (oneLetter) this.unread();
    this.next();
    let name: string;
    if (oneLetter) {
      name = String.fromCodePoint(this.at(this.cur));
      this.read();
    } else {
      const start = this.cur;
      this.cps[this.len] = 0x7d;
      while (this.read() !== 0x7d) {}
      this.cps[this.len] = 0;
      const end = this.cur;
      if (end > this.len) throw this.error('Unclosed character family');
      if (start + 1 >= end) throw this.error('Empty character family');
      name = String.fromCodePoint(...this.cps.slice(start, end - 1));
    }
    const set = this.property(name);
    return complement ? negate(set) : set;
  }

  /** Java's property lookup order (`Pattern.family`). */
  private property(name: string): CharSet {
    const ci = this.has(CASE_INSENSITIVE);
    const eq = name.indexOf('=');
    if (eq >= 0) {
      const key = name.slice(0, eq).toLowerCase();
      const value = name.slice(eq + 1);
      let set: CharSet | undefined;
      if (key === 'sc' || key === 'script') set = script(value);
      else if (key === 'blk' || key === 'block') {
        throw new UnsupportedPatternError(
          `Unicode blocks (\\p{${name}})`,
          false,
        );
      } else if (key === 'gc' || key === 'general_category') {
        set = category(value, ci);
      }
      if (set === undefined) {
        throw this.error(
          `Unknown Unicode property {name=<${key}>, value=<${value}>}`,
        );
      }
      return set;
    }
    let set: CharSet | undefined;
    if (name.startsWith('In')) {
      throw new UnsupportedPatternError(`Unicode blocks (\\p{${name}})`, false);
    } else if (name.startsWith('Is')) {
      const short = name.slice(2);
      set =
        binary(short.toUpperCase(), ci) ?? category(short, ci) ?? script(short);
    } else set = category(name, ci);
    if (set === undefined) {
      throw this.error(`Unknown character property name {${name}}`);
    }
    return set;
  }

  /**
   * One escape sequence (cursor on the backslash). Outside a class, the
   * zero-width and back-reference escapes return a node.
   */
  private escape(inClass: boolean, create: boolean, isRange: boolean): Escape {
    const c = this.skip();
    const letter = String.fromCodePoint(c);
    const cls = ESCAPED_CLASSES[letter];
    if (cls !== undefined) {
      if (letter === 'v' && isRange) return 0x0b;
      return { set: cls };
    }
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) return simple;
    switch (letter) {
      case '0':
        return this.octal();
      case 'c':
        if (this.cur < this.len) return this.read() ^ 64;
        throw this.error('Illegal control escape sequence');
      case 'x':
        return this.hex();
      case 'u':
        return this.unicode();
      case 'N':
        if (this.read() !== 0x7b) {
          throw this.error('Illegal character name escape sequence');
        }
        throw new UnsupportedPatternError('character names (\\N{...})');
    }
    if (!inClass) {
      switch (letter) {
        case 'A':
        case 'G':
          return { node: this.anchor('begin') };
        case 'z':
          return { node: this.anchor('end') };
        case 'Z':
          return { node: this.anchor('dollar') };
        case 'B':
          return { node: this.anchor('nonBound') };
        case 'R':
          return { node: LINEBREAK };
        case 'X':
          throw new UnsupportedPatternError('grapheme clusters (\\X)');
        case 'b':
          if (create && this.peek() === 0x7b) {
            if (this.skip() === 0x67) {
              if (this.read() === 0x7d) {
                throw new UnsupportedPatternError(
                  'grapheme boundaries (\\b{g})',
                );
              }
              break;
            }
            this.unread();
            this.unread();
          }
          return { node: this.anchor('bound') };
        case 'k': {
          if (this.read() !== 0x3c) {
            throw this.error(
              "\\k is not followed by '<' for named capturing group",
            );
          }
          const name = this.groupName(this.read());
          const group = this.names.get(name);
          if (group === undefined) {
            throw this.error(`named capturing group <${name}> does not exist`);
          }
          return { node: this.backref(group) };
        }
      }
      if (c >= 0x31 && c <= 0x39) {
        return {
          node: create ? this.numberedBackref(c - 0x30) : BACKREF_PLACEHOLDER,
        };
      }
    }
    if (isAsciiAlpha(c) || isDigit(c)) {
      throw this.error('Illegal/unsupported escape sequence');
    }
    return c;
  }

  private backref(group: number): JavaNode {
    const ci = !this.has(CASE_INSENSITIVE) ? 0 : this.has(UNICODE_CASE) ? 2 : 1;
    return { t: 'backref', group, ci };
  }

  /** `\12` is group 12 only if that many groups exist so far (Java's `ref`). */
  private numberedBackref(first: number): JavaNode {
    let group = first;
    for (;;) {
      const c = this.peek();
      if (!isDigit(c)) break;
      const more = group * 10 + (c - 0x30);
      if (this.groupCount - 1 < more) break;
      group = more;
      this.read();
    }
    return this.backref(group);
  }

  private octal(): number {
    const isOctal = (c: number) => c >= 0x30 && c <= 0x37;
    const n = this.read();
    if (!isOctal(n)) throw this.error('Illegal octal escape sequence');
    const m = this.read();
    if (!isOctal(m)) {
      this.unread();
      return n - 0x30;
    }
    const o = this.read();
    if (isOctal(o) && n <= 0x33) {
      return (n - 0x30) * 64 + (m - 0x30) * 8 + (o - 0x30);
    }
    this.unread();
    return (n - 0x30) * 8 + (m - 0x30);
  }

  private hex(): number {
    const n = this.read();
    if (isHex(n)) {
      const m = this.read();
      if (isHex(m)) return hexValue(n) * 16 + hexValue(m);
    } else if (n === 0x7b && isHex(this.peek())) {
      let value = 0;
      let d: number;
      for (;;) {
        d = this.read();
        if (!isHex(d)) break;
        value = value * 16 + hexValue(d);
        if (value > MAX_CP)
          throw this.error('Hexadecimal codepoint is too big');
      }
      if (d !== 0x7d) throw this.error('Unclosed hexadecimal escape sequence');
      return value;
    }
    throw this.error('Illegal hexadecimal escape sequence');
  }

  private unicode(): number {
    const four = (): number => {
      let value = 0;
      for (let i = 0; i < 4; i++) {
        const d = this.read();
        if (!isHex(d)) throw this.error('Illegal Unicode escape sequence');
        value = value * 16 + hexValue(d);
      }
      return value;
    };
    const high = four();
    if (high >= 0xd800 && high <= 0xdbff) {
      const save = this.cur;
      if (this.read() === 0x5c && this.read() === 0x75) {
        const low = four();
        if (low >= 0xdc00 && low <= 0xdfff) {
          return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        }
      }
      this.cur = save;
    }
    return high;
  }

  /**
   * A character class, cursor on `[` (or, for the right operand of `&&`
   * written without brackets, on the character before it). Follows Java's
   * `clazz`, including its precedence of unions over intersections.
   */
  private clazz(consume: boolean): ClassExpr {
    let prev: ClassExpr | null = null;
    let curr: ClassExpr | null = null;
    const bits = new Bits();
    let hasBits = false;
    let negated = false;
    let c = this.next();
    if (c === 0x5e && this.at(this.cur - 1) === 0x5b) {
      c = this.next();
      negated = true;
    }
    const or = (a: ClassExpr | null, b: ClassExpr): ClassExpr =>
      a === null ? b : { op: 'or', a, b };
    for (;;) {
      if (c === 0x5b) {
        curr = this.clazz(true);
        prev = or(prev, curr);
        c = this.peek();
        continue;
      }
      if (c === 0x26) {
        c = this.next();
        if (c === 0x26) {
          c = this.next();
          let right: ClassExpr | null = null;
          while (c !== 0x5d && c !== 0x26) {
            if (c === 0x5b) right = or(right, this.clazz(true));
            else {
              this.unread();
              right = or(right, this.clazz(false));
            }
            c = this.peek();
          }
          if (hasBits) {
            if (prev === null) prev = curr = bits;
            else prev = or(prev, bits);
            hasBits = false;
          }
          if (right !== null) curr = right;
          if (prev === null) {
            if (right === null) throw this.error('Bad class syntax');
            prev = right;
          } else {
            if (curr === null) throw this.error('Bad intersection syntax');
            prev = { op: 'and', a: prev, b: curr };
          }
          continue;
        }
        this.unread();
      } else if (c === 0 && this.cur >= this.len) {
        throw this.error('Unclosed character class');
      } else if (c === 0x5d && (prev !== null || hasBits)) {
        if (consume) this.next();
        if (prev === null) prev = bits;
        else if (hasBits) prev = or(prev, bits);
        return negated ? { op: 'not', a: prev } : prev;
      }
      curr = this.classAtom(bits);
      if (curr === null) hasBits = true;
      else if (prev === null) prev = curr;
      else if (prev !== curr) prev = or(prev, curr);
      c = this.peek();
    }
  }

  /** One character, range or escape in a class; null when added to `bits`. */
  private classAtom(bits: Bits): CharSet | null {
    let c = this.peek();
    if (c === 0x5c) {
      c = this.nextEscaped();
      if (c === 0x70 || c === 0x50) return this.family(c === 0x50);
      const isRange = this.at(this.cur + 1) === 0x2d;
      this.unread();
      const value = this.escape(true, true, isRange);
      if (typeof value !== 'number') {
        return 'set' in value ? value.set : EMPTY;
      }
      c = value;
    } else this.next();
    if (this.peek() === 0x2d) {
      const end = this.at(this.cur + 1);
      if (end !== 0x5b && end !== 0x5d) {
        this.next();
        let m = this.peek();
        if (m === 0x5c) {
          const value = this.escape(true, false, true);
          m = typeof value === 'number' ? value : -1;
        } else this.next();
        if (m < c) throw this.error('Illegal character range');
        return range(c, m, this.flags);
      }
    }
    return this.bitsOrSingle(bits, c);
  }

  private bitsOrSingle(bits: Bits, c: number): CharSet | null {
    const ci = this.has(CASE_INSENSITIVE);
    const unicode = ci && this.has(UNICODE_CASE);
    if (c < 256 && !(unicode && SPECIAL_FOLDS.has(c))) {
      if (ci) {
        if (c < 0x80) {
          bits.cps.add(asciiUpper(c));
          bits.cps.add(asciiLower(c));
        } else if (unicode) {
          bits.cps.add(toLower(c));
          bits.cps.add(toUpper(c));
        }
      }
      bits.cps.add(c);
      return null;
    }
    return single(c, this.flags);
  }

  private groupName(first: number): string {
    if (!isAsciiAlpha(first)) {
      throw this.error(
        'capturing group name does not start with a Latin letter',
      );
    }
    let name = '';
    let c = first;
    do {
      name += String.fromCodePoint(c);
      c = this.read();
    } while (isAsciiAlpha(c) || isDigit(c));
    if (c !== 0x3e)
      throw this.error("named capturing group is missing trailing '>'");
    return name;
  }

  /** A group, cursor on `(`; null for a flags-only group like `(?i)`. */
  private group(): JavaNode | null {
    const saved = this.flags;
    let node: JavaNode;
    let c = this.next();
    if (c === 0x3f) {
      c = this.skip();
      const kind = String.fromCodePoint(c);
      if (kind === ':') node = { t: 'group', body: this.expr() };
      else if (kind === '=' || kind === '!') {
        node = {
          t: 'look',
          body: this.expr(),
          behind: false,
          negate: kind === '!',
        };
      } else if (kind === '>') node = { t: 'atomic', body: this.expr() };
      else if (kind === '<') {
        c = this.read();
        if (c !== 0x3d && c !== 0x21) {
          const name = this.groupName(c);
          if (this.names.has(name)) {
            throw this.error(
              `Named capturing group <${name}> is already defined`,
            );
          }
          const capture = this.groupCount++;
          this.names.set(name, capture);
          node = { t: 'group', body: this.expr(), capture };
        } else {
          const body = this.expr();
          const info = freshInfo();
          study(flat(body), info);
          if (!info.maxValid) {
            throw this.error(
              'Look-behind group does not have an obvious maximum length',
            );
          }
          node = {
            t: 'look',
            body,
            behind: true,
            negate: c === 0x21,
            minLength: info.min,
            maxLength: info.max,
          };
        }
      } else if (kind === '$' || kind === '@') {
        throw this.error('Unknown group type');
      } else {
        this.unread();
        this.addFlags();
        c = this.read();
        if (c === 0x29) return null;
        if (c !== 0x3a) throw this.error('Unknown inline modifier');
        node = { t: 'group', body: this.expr() };
      }
    } else {
      const capture = this.groupCount++;
      node = { t: 'group', body: this.expr(), capture };
    }
    if (this.read() !== 0x29) throw this.error('Unclosed group');
    this.flags = saved;
    return this.closure(node);
  }

  private addFlags(): void {
    let on = true;
    let c = this.peek();
    for (;;) {
      const letter = String.fromCodePoint(c);
      if (letter === '-' && on) on = false;
      else if (FLAG_BITS[letter] !== undefined) {
        const bit = FLAG_BITS[letter] as number;
        this.flags = on ? this.flags | bit : this.flags & ~bit;
      } else if (REFUSED_FLAGS[letter] !== undefined) {
        if (on)
          throw new UnsupportedPatternError(REFUSED_FLAGS[letter] as string);
        if (letter === 'U') this.flags &= ~UNICODE_CASE;
      } else return;
      c = this.next();
    }
  }

  /** A quantifier after `node`, if any (Java's `closure`). */
  private closure(node: JavaNode): JavaNode {
    const c = this.peek();
    if (c === 0x3f) return this.quantified(node, 0, 1);
    if (c === 0x2a) return this.quantified(node, 0, Infinity);
    if (c === 0x2b) return this.quantified(node, 1, Infinity);
    if (c !== 0x7b) return node;
    let d = this.skip();
    if (!isDigit(d)) throw this.error('Illegal repetition');
    let min = 0;
    let max: number;
    do {
      min = min * 10 + (d - 0x30);
      if (min > MAX_REPS) throw this.error('Illegal repetition range');
      d = this.read();
    } while (isDigit(d));
    if (d === 0x2c) {
      d = this.read();
      if (d === 0x7d) return this.checked(node, min, Infinity);
      max = 0;
      while (isDigit(d)) {
        max = max * 10 + (d - 0x30);
        if (max > MAX_REPS) throw this.error('Illegal repetition range');
        d = this.read();
      }
    } else max = min;
    if (d !== 0x7d) throw this.error('Unclosed counted closure');
    return this.checked(node, min, max);
  }

  private checked(node: JavaNode, min: number, max: number): JavaNode {
    if (max < min) {
      throw this.error('Illegal repetition range');
    }
    this.unread();
    return this.quantified(node, min, max);
  }

  /** Cursor on the quantifier's last character; reads `?`/`+` after it. */
  private quantified(body: JavaNode, min: number, max: number): JavaNode {
    const c = this.next();
    let mode: 'greedy' | 'lazy' | 'possessive' = 'greedy';
    if (c === 0x3f) {
      this.next();
      mode = 'lazy';
    } else if (c === 0x2b) {
      this.next();
      mode = 'possessive';
    }
    return { t: 'repeat', body, min, max, mode };
  }
}

const EMPTY: CharSet = [];
const LINEBREAK: JavaNode = {
  t: 'alt',
  alts: [
    {
      t: 'seq',
      items: [
        { t: 'set', set: charSet(ch('\r')) },
        { t: 'set', set: charSet(ch('\n')) },
      ],
    },
    { t: 'set', set: charSet([0x0a, 0x0d], [0x85, 0x85], [0x2028, 0x2029]) },
  ],
};
/** Discarded: the atom is unwound and the escape parsed again. */
const BACKREF_PLACEHOLDER: JavaNode = { t: 'seq', items: [] };

/** Escapes that stand for one character. */
const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  e: 0x1b,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
};

/** Characters Java keeps out of its bit set under CASE_INSENSITIVE|UNICODE_CASE. */
const SPECIAL_FOLDS = new Set([
  0xff, 0xb5, 0x49, 0x69, 0x53, 0x73, 0x4b, 0x6b, 0xc5, 0xe5,
]);

/** What Java's `TreeInfo` collects about a lookbehind body. */
interface TreeInfo {
  min: number;
  max: number;
  maxValid: boolean;
  deterministic: boolean;
}
const freshInfo = (): TreeInfo => ({
  min: 0,
  max: 0,
  maxValid: true,
  deterministic: true,
});
const resetInfo = (info: TreeInfo) => Object.assign(info, freshInfo());

/** A sequence with its plain groups and character runs spliced in. */
const flat = (node: JavaNode): JavaNode[] =>
  node.t === 'seq'
    ? node.items.flatMap(flat)
    : node.t === 'group'
      ? flat(node.body)
      : [node];

/**
 * The minimum and maximum length of a lookbehind body as Java 17 computes
 * them (`Node.study` of each node kind, in 32-bit int arithmetic), which
 * decides both whether Java accepts the lookbehind ("does not have an
 * obvious maximum length") and where it tries it. Java's rules have
 * quirks this reproduces on purpose: a greedy `x*` adds Integer.MAX_VALUE
 * and wraps without invalidating, `x*?` invalidates unless nothing precedes
 * it, an alternation restarts the count of what follows it, and a
 * non-deterministic quantified group invalidates and stops the count.
 * Returns `deterministic`, as Java's `study` does.
 */
function study(items: readonly JavaNode[], info: TreeInfo): boolean {
  for (let j = 0; j < items.length; j++) {
    const node = items[j] as JavaNode;
    const rest = items.slice(j + 1);
    switch (node.t) {
      case 'set':
        info.min = (info.min + 1) | 0;
        info.max = (info.max + 1) | 0;
        break;
      case 'backref':
        info.maxValid = false;
        break;
      case 'atomic':
        study(flat(node.body), info);
        break;
      case 'alt':
        if (node === LINEBREAK) {
          info.min = (info.min + 1) | 0;
          info.max = (info.max + 2) | 0;
          break;
        }
        return branch(node.alts.map(flat), rest, info);
      case 'repeat': {
        const { body, min, mode } = node;
        const max = node.max === Infinity ? MAX_REPS : node.max;
        const group = body.t === 'group';
        if (min === 0 && max === 1) {
          // `X?`: a group becomes a two-way branch, anything else a `Ques`.
          if (group && mode !== 'possessive') {
            return branch([flat(body), []], rest, info);
          }
          const saved = info.min;
          study(flat(body), info);
          info.min = saved;
          info.deterministic = false;
          break;
        }
        if (body.t === 'set' && mode === 'greedy' && node.max === Infinity) {
          info.min = (info.min + min) | 0;
          if (info.maxValid) info.max = (info.max + MAX_REPS) | 0;
          info.deterministic = false;
          break;
        }
        if (group && mode !== 'possessive' && !study(flat(body), freshInfo())) {
          // A `Loop`: Java stops studying here.
          info.maxValid = false;
          info.deterministic = false;
          return false;
        }
        const before = { ...info };
        resetInfo(info);
        study(flat(body), info);
        let temp = (Math.imul(info.min, min) + before.min) | 0;
        if (temp < before.min) temp = 0xfffffff;
        info.min = temp;
        if (before.maxValid && info.maxValid) {
          temp = (Math.imul(info.max, max) + before.max) | 0;
          info.max = temp;
          if (temp < before.max) info.maxValid = false;
        } else info.maxValid = false;
        info.deterministic =
          info.deterministic && min === max ? before.deterministic : false;
        break;
      }
      default:
        // Anchors and lookarounds: no length.
        break;
    }
  }
  return info.deterministic;
}

function branch(
  alts: readonly JavaNode[][],
  rest: readonly JavaNode[],
  info: TreeInfo,
): false {
  let min = info.min;
  let max = info.max;
  let maxValid = info.maxValid;
  let altMin = MAX_REPS;
  let altMax = -1;
  for (const alt of alts) {
    resetInfo(info);
    study(alt, info);
    altMin = Math.min(altMin, info.min);
    altMax = Math.max(altMax, info.max);
    maxValid = maxValid && info.maxValid;
  }
  min = (min + altMin) | 0;
  max = (max + altMax) | 0;
  resetInfo(info);
  study(rest, info);
  info.min = (info.min + min) | 0;
  info.max = (info.max + max) | 0;
  info.maxValid = info.maxValid && maxValid;
  info.deterministic = false;
  return false;
}

function category(name: string, ci: boolean): CharSet | undefined {
  if (POSIX[name] !== undefined) {
    if (ci && (name === 'Lower' || name === 'Upper')) return ALPHA;
    return POSIX[name];
  }
  if (name === 'LD') return jsProperty('\\p{L}\\p{Nd}');
  if (name in JAVA_CLASSES) {
    const expr = JAVA_CLASSES[name];
    if (expr === null || expr === undefined) {
      throw new UnsupportedPatternError(`the class \\p{${name}}`);
    }
    if (
      ci &&
      (name === 'javaLowerCase' ||
        name === 'javaUpperCase' ||
        name === 'javaTitleCase')
    ) {
      return jsProperty('\\p{Lowercase}\\p{Uppercase}\\p{Lt}');
    }
    return jsProperty(expr);
  }
  if (!CATEGORIES.has(name)) return undefined;
  if (ci && (name === 'Lu' || name === 'Ll' || name === 'Lt')) {
    return jsProperty('\\p{Lu}\\p{Ll}\\p{Lt}');
  }
  return jsProperty(`\\p{gc=${name}}`);
}

function binary(name: string, ci: boolean): CharSet | undefined {
  const expr = BINARY[name];
  if (expr === undefined) return undefined;
  if (ci && CASED_BINARY.has(name)) {
    return jsProperty('\\p{Lowercase}\\p{Uppercase}\\p{Lt}');
  }
  return jsProperty(expr);
}

/**
 * A Unicode script by any spelling Java accepts (`Latin`, `LATIN`, `Latn`,
 * `old_italic`), if Node's Unicode data knows it.
 */
function script(name: string): CharSet | undefined {
  const words = name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1).toLowerCase());
  for (const candidate of [name, words.join('_')]) {
    try {
      new RegExp(`\\p{Script=${candidate}}`, 'u');
      return jsProperty(`\\p{Script=${candidate}}`);
    } catch {
      // Not a script name in this spelling.
    }
  }
  return undefined;
}

/**
 * Java rewrites `\Q…\E` before parsing: every quoted character becomes
 * literal (ASCII non-letters escaped; digits right after `\Q` written as
 * `\x3N` so they cannot extend an escape before the quote).
 */
function removeQuoting(cps: number[]): number[] {
  let i = 0;
  while (i < cps.length - 1) {
    if (cps[i] !== 0x5c) i += 1;
    else if (cps[i + 1] !== 0x51) i += 2;
    else break;
  }
  if (i >= cps.length - 1) return cps;
  const out = cps.slice(0, i);
  i += 2;
  let inQuote = true;
  let beginQuote = true;
  while (i < cps.length) {
    const c = cps[i++] as number;
    if (c >= 0x80 || isAsciiAlpha(c)) out.push(c);
    else if (isDigit(c)) {
      if (beginQuote) out.push(0x5c, 0x78, 0x33);
      out.push(c);
    } else if (c !== 0x5c) {
      if (inQuote) out.push(0x5c);
      out.push(c);
    } else if (inQuote) {
      if (cps[i] === 0x45) {
        i++;
        inQuote = false;
      } else out.push(0x5c, 0x5c);
    } else if (cps[i] === 0x51) {
      i++;
      inQuote = true;
      beginQuote = true;
      continue;
    } else {
      out.push(c);
      if (i !== cps.length) out.push(cps[i++] as number);
    }
    beginQuote = false;
  }
  return out;
}

/**
 * Parse `source` as `Pattern.compile(source)` would. Throws
 * `JavaPatternSyntaxError` (Java refuses it) or `UnsupportedPatternError`
 * (Java accepts it; msk-cutover does not evaluate it).
 */
export function parseJavaPattern(source: string): ParsedPattern {
  const parser = new Parser(source);
  const root = parser.parse();
  return { root, groupCount: parser.groupCount };
}
