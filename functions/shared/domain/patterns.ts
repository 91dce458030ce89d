/**
 * Topic and consumer-group name patterns, with MSK Replicator's semantics:
 * each entry of `TopicsToReplicate`, `TopicsToExclude`,
 * `ConsumerGroupsToReplicate` and `ConsumerGroupsToExclude` is a regular
 * expression that must match the WHOLE name (Java `Pattern.matches`), so
 * `orders` matches `orders` but not `orders-v2`.
 *
 * Plans with thousands of topics list most of them literally; a
 * `PatternSet` answers literal entries from a `Set` and compiles each real
 * regex once, so matching N names against M entries costs O(N) for literals
 * instead of O(N × M) regex runs.
 */
import type { Application } from './plan.ts';

/** Characters that make a pattern a regular expression rather than a name. */
const REGEX_META = new Set([...'\\^$.|?*+()[]{}']);

const compiled = new Map<string, RegExp>();

/**
 * The error message if `pattern` is not a valid regular expression, else
 * `undefined`. Patterns are checked with JavaScript's engine, which accepts
 * the common subset of Java's syntax that replication patterns use.
 */
export function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** `pattern` compiled for a full match, cached so each compiles once. */
export function fullMatchRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * The one name `pattern` matches, if it matches exactly one: plain names
 * (`orders`) and names with escaped metacharacters (`orders\.v1`). `undefined`
 * for real regular expressions.
 */
export function literalOf(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      // `\d`, `\w`, … are classes; only an escaped metacharacter is literal.
      if (!REGEX_META.has(next)) return undefined;
      out += next;
      i++;
    } else if (REGEX_META.has(c)) {
      return undefined;
    } else {
      out += c;
    }
  }
  return out.length > 0 ? out : undefined;
}

/**
 * The literal prefix of a pattern of the form `<literal>.*` (e.g.
 * `orders\..*` → `orders.`), which Kafka ACLs can express as a PREFIXED
 * resource pattern; `undefined` for any other pattern.
 */
export function literalPrefixOf(pattern: string): string | undefined {
  if (!pattern.endsWith('.*') || pattern.endsWith('\\.*')) return undefined;
  return literalOf(pattern.slice(0, -2));
}

/** A list of full-match patterns, compiled once. */
export class PatternSet {
  /** Literal name → the pattern entry that spells it. */
  private readonly literals = new Map<string, string>();
  private readonly regexes: { source: string; re: RegExp }[] = [];

  constructor(readonly patterns: readonly string[]) {
    for (const p of patterns) {
      const literal = literalOf(p);
      if (literal !== undefined) {
        if (!this.literals.has(literal)) this.literals.set(literal, p);
      } else if (regexError(p) === undefined) {
        this.regexes.push({ source: p, re: fullMatchRegex(p) });
      }
      // A pattern that does not compile matches nothing; validation reports it.
    }
  }

  /** Whether any pattern matches the whole of `name`. */
  matches(name: string): boolean {
    return this.firstMatch(name) !== undefined;
  }

  /** The first pattern that matches `name`, for messages. */
  firstMatch(name: string): string | undefined {
    const literal = this.literals.get(name);
    if (literal !== undefined) return literal;
    for (const { source, re } of this.regexes) {
      if (re.test(name)) return source;
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

/** Include/exclude lists compiled once, for matching many names. */
export class Selection {
  readonly include: PatternSet;
  readonly exclude: PatternSet;

  constructor(include: readonly string[], exclude: readonly string[]) {
    this.include = new PatternSet(include);
    this.exclude = new PatternSet(exclude);
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
