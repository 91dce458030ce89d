/**
 * Topic and consumer-group name patterns, with MSK Replicator's semantics:
 * each entry of `TopicsToReplicate`, `TopicsToExclude`,
 * `ConsumerGroupsToReplicate` and `ConsumerGroupsToExclude` is a Java
 * regular expression (java.util.regex) that must match the WHOLE name
 * (`Matcher.matches`), so `orders` matches `orders` but not `orders-v2`
 * (msk-replicator-facts.md, "Topic/group patterns are Java regular
 * expressions"). Parsing and matching with Java's meaning live in
 * `java-regex.ts` and `java-regex-match.ts`.
 *
 * Plans with thousands of topics list most of them literally; a
 * `PatternSet` answers literal entries from a `Map` and compiles each real
 * regex once, so matching N names against M entries costs O(N) for literals
 * instead of O(N × M) regex runs.
 */

import {
  type CharSet,
  type JavaNode,
  JavaPatternSyntaxError,
  LINE_TERMINATORS,
  negate,
  parseJavaPattern,
  UnsupportedPatternError,
} from './java-regex.ts';
import {
  compileJavaPattern,
  type JavaMatcher,
  PatternTooComplexError,
} from './java-regex-match.ts';
import type { Application } from './plan.ts';

export { PatternTooComplexError, STEP_BUDGET } from './java-regex-match.ts';

/**
 * No Java metacharacter outside a class (`]` and `}` are literal there):
 * such a pattern is the one name it spells.
 */
const PLAIN_LITERAL = /^[^\\^$.|?*+()[{]+$/;

/** What is wrong with a pattern: Java refuses it, or msk-cutover does not evaluate it. */
export interface PatternProblem {
  kind: 'invalid' | 'unsupported';
  message: string;
}

type Compiled =
  | { ok: true; matcher: JavaMatcher; root: JavaNode }
  | { ok: false; problem: PatternProblem };

const compiled = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;
/**
 * Longer patterns are not parsed at all: the API takes at most 256
 * characters (plan validation says so), and a plan's strings can be huge.
 */
export const MAX_PARSED_PATTERN = 4096;
const TOO_LONG: Compiled = {
  ok: false,
  problem: {
    kind: 'unsupported',
    message: `not supported by msk-cutover: patterns longer than ${MAX_PARSED_PATTERN} characters`,
  },
};

function compile(pattern: string): Compiled {
  if (pattern.length > MAX_PARSED_PATTERN) return TOO_LONG;
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    try {
      const parsed = parseJavaPattern(pattern);
      entry = {
        ok: true,
        matcher: compileJavaPattern(pattern, parsed),
        root: parsed.root,
      };
    } catch (err) {
      if (err instanceof JavaPatternSyntaxError) {
        entry = {
          ok: false,
          problem: { kind: 'invalid', message: err.message },
        };
      } else if (err instanceof UnsupportedPatternError) {
        entry = {
          ok: false,
          problem: { kind: 'unsupported', message: err.message },
        };
      } else if (err instanceof RangeError) {
        // Nesting deeper than the call stack (patterns are at most 256
        // characters once the plan's length rules pass).
        entry = {
          ok: false,
          problem: {
            kind: 'unsupported',
            message: 'not supported by msk-cutover: groups nested too deeply',
          },
        };
      } else throw err;
    }
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry;
}

/**
 * Why `pattern` cannot be used, or `undefined`: `invalid` with Java's own
 * description and index (`Unclosed character class near index 1`) when
 * `Pattern.compile` refuses it, `unsupported` for the few constructs Java
 * accepts that msk-cutover does not evaluate.
 */
export function patternProblem(pattern: string): PatternProblem | undefined {
  const entry = compile(pattern);
  return entry.ok ? undefined : entry.problem;
}

/** The problem's message, or `undefined` for a usable pattern. */
export function regexError(pattern: string): string | undefined {
  return patternProblem(pattern)?.message;
}

/**
 * `pattern` compiled with Java's full-match meaning, cached so each compiles
 * once; `undefined` for a pattern with a problem (`patternProblem`).
 */
export function javaMatcher(pattern: string): JavaMatcher | undefined {
  const entry = compile(pattern);
  return entry.ok ? entry.matcher : undefined;
}

function singleChar(node: JavaNode): string | undefined {
  if (
    node.t !== 'set' ||
    node.set.length !== 2 ||
    node.set[0] !== node.set[1]
  ) {
    return undefined;
  }
  return String.fromCodePoint(node.set[0] as number);
}

function literalOfNodes(nodes: readonly JavaNode[]): string | undefined {
  let out = '';
  for (const node of nodes) {
    const c = singleChar(node);
    if (c === undefined) return undefined;
    out += c;
  }
  return out.length > 0 ? out : undefined;
}

/** The items of a sequence, nested sequences (runs of characters) flattened. */
const itemsOf = (node: JavaNode): JavaNode[] =>
  node.t === 'seq' ? node.items.flatMap(itemsOf) : [node];

/**
 * The one name `pattern` matches, if it matches exactly one: plain names
 * (`orders`), escaped metacharacters (`orders\.v1`), quoted text
 * (`\Qorders.v1\E`), one-character classes. `undefined` for real regular
 * expressions and for patterns with a problem.
 */
export function literalOf(pattern: string): string | undefined {
  if (PLAIN_LITERAL.test(pattern)) return pattern;
  const entry = compile(pattern);
  return entry.ok ? literalOfNodes(itemsOf(entry.root)) : undefined;
}

const sameSet = (a: CharSet, b: CharSet) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
const DOTS: CharSet[] = [
  negate(LINE_TERMINATORS),
  negate([0x0a, 0x0a]),
  negate([]),
];

/**
 * The literal prefix of a pattern of the form `<literal>.*` (e.g.
 * `orders\..*` → `orders.`), which Kafka ACLs can express as a PREFIXED
 * resource pattern; `undefined` for any other pattern.
 */
export function literalPrefixOf(pattern: string): string | undefined {
  const entry = compile(pattern);
  if (!entry.ok) return undefined;
  const items = itemsOf(entry.root);
  const last = items[items.length - 1];
  if (
    last?.t !== 'repeat' ||
    last.min !== 0 ||
    last.max !== Infinity ||
    last.body.t !== 'set'
  ) {
    return undefined;
  }
  const body = last.body.set;
  if (!DOTS.some((d) => sameSet(d, body))) return undefined;
  return literalOfNodes(items.slice(0, -1));
}

/**
 * A list of full-match patterns, compiled once. `path` (the list's JSON
 * path, e.g. `replication.topics`) goes into `PatternTooComplexError`.
 */
export class PatternSet {
  /** Literal name → the pattern entry that spells it. */
  private readonly literals = new Map<string, string>();
  private readonly regexes: {
    source: string;
    index: number;
    matcher: JavaMatcher;
  }[] = [];

  constructor(
    readonly patterns: readonly string[],
    readonly path?: string,
  ) {
    patterns.forEach((p, index) => {
      const literal = literalOf(p);
      if (literal !== undefined) {
        if (!this.literals.has(literal)) this.literals.set(literal, p);
        return;
      }
      const matcher = javaMatcher(p);
      if (matcher !== undefined) {
        this.regexes.push({ source: p, index, matcher });
      }
      // A pattern with a problem matches nothing; validation reports it.
    });
  }

  /** Whether any pattern matches the whole of `name`. */
  matches(name: string): boolean {
    return this.firstMatch(name) !== undefined;
  }

  /**
   * The first pattern that matches `name`, for messages. Throws
   * `PatternTooComplexError` (with the pattern's path) when a pattern cannot
   * be evaluated within the step budget.
   */
  firstMatch(name: string): string | undefined {
    const literal = this.literals.get(name);
    if (literal !== undefined) return literal;
    for (const { source, index, matcher } of this.regexes) {
      try {
        if (matcher.matches(name)) return source;
      } catch (err) {
        if (err instanceof PatternTooComplexError && this.path !== undefined) {
          throw new PatternTooComplexError(
            source,
            name,
            `${this.path}[${index}]`,
          );
        }
        throw err;
      }
    }
    return undefined;
  }
}

/**
 * Whether `name` is selected by MSK Replicator's include/exclude lists:
 * matched by at least one `include` pattern and by no `exclude` pattern.
 */
export function matchesPatterns(
  name: string,
  include: readonly string[],
  exclude: readonly string[],
): boolean {
  return new Selection(include, exclude).selects(name);
}

/** The JSON paths of the plan's consumer-group pattern lists. */
export const GROUP_PATTERN_PATHS = {
  include: 'replication.consumerGroups',
  exclude: 'replication.consumerGroupsToExclude',
} as const;

/** Include/exclude lists compiled once, for matching many names. */
export class Selection {
  readonly include: PatternSet;
  readonly exclude: PatternSet;

  /** `paths`: the JSON paths of both lists, for error messages. */
  constructor(
    include: readonly string[],
    exclude: readonly string[],
    paths?: { include: string; exclude: string },
  ) {
    this.include = new PatternSet(include, paths?.include);
    this.exclude = new PatternSet(exclude, paths?.exclude);
  }

  selects(name: string): boolean {
    return this.include.matches(name) && !this.exclude.matches(name);
  }
}

/** Every topic an application produces to or consumes from, once each. */
export function appTopics(
  app: Pick<Application, 'produces' | 'consumes'>,
): string[] {
  return [...new Set([...app.produces, ...app.consumes])];
}

/** The consumer groups an application uses, once each. */
export function appGroups(app: Pick<Application, 'consumerGroups'>): string[] {
  return [...new Set(app.consumerGroups)];
}
