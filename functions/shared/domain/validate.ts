/**
 * `validatePlan`: the one gate every plan passes (CLI, validate-plan phase,
 * rehearsal). It reports every problem at once, each with the dotted JSON
 * path of the field to fix (`applications[1].consumerGroups[0]`) and a
 * message a Kafka admin understands; an invalid plan creates nothing.
 */

import { PLAN_LIMITS, type Plan, PlanSchema } from './plan.ts';
import { checkPlanRules, type PlanIssue } from './plan-rules.ts';
import { commentText, unsafeCharacter, unsafeMessage } from './safe-text.ts';
import { didYouMean } from './suggest.ts';
import type * as z from './zod.ts';

export type { PlanIssue } from './plan-rules.ts';

export type PlanValidation =
  | { ok: true; plan: Plan; warnings: PlanIssue[] }
  | { ok: false; issues: PlanIssue[] };

type PathKey = PropertyKey;

/** `['applications', 1, 'consumerGroups', 0]` → `applications[1].consumerGroups[0]`. */
export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else {
      const name = String(key);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) {
        out += out === '' ? name : `.${name}`;
      } else out += `[${JSON.stringify(name)}]`;
    }
  }
  return out;
}

/**
 * Validate a plan (already parsed from JSON): the schema of `plan.ts`, then,
 * if the shape is right, the cross-field rules of `plan-rules.ts`. On success
 * the plan has every default applied, and `warnings` lists what is allowed
 * but risky.
 */
export function validatePlan(input: unknown): PlanValidation {
  const shape = documentIssues(input);
  if (shape.length > 0) return { ok: false, issues: shape };
  const parsed = PlanSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) =>
      toPlanIssues(issue, input),
    );
    return {
      ok: false,
      issues: [
        ...sortIssues(dedupe(issues)),
        ...rulesWithoutUnknownFields(input, parsed.error.issues),
      ],
    };
  }
  const { errors, warnings } = checkPlanRules(parsed.data);
  if (errors.length > 0) return { ok: false, issues: errors };
  return { ok: true, plan: parsed.data, warnings };
}

/**
 * What no schema check can report safely, found before the schema runs:
 * nesting deeper than any plan has (a 5,000-deep document would overflow
 * the stack of every recursive step after this one), field names with
 * characters a message cannot echo, and strings longer than any plan field
 * allows. Iterative, so its own depth is bounded by the heap, not the stack.
 */
function documentIssues(input: unknown): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const stack: { value: unknown; path: PathKey[] }[] = [
    { value: input, path: [] },
  ];
  while (stack.length > 0 && issues.length < 20) {
    const { value, path } = stack.pop() as { value: unknown; path: PathKey[] };
    if (typeof value === 'string') {
      if (value.length > PLAN_LIMITS.anyString) {
        issues.push({
          path: formatPath(path),
          message: `is ${value.length} characters long; no plan field allows more than ${PLAN_LIMITS.anyString}`,
        });
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= PLAN_LIMITS.depth) {
      issues.push({
        path: formatPath(path),
        message: `is nested more than ${PLAN_LIMITS.depth} levels deep; no plan field is`,
      });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        stack.push({ value: value[i], path: [...path, i] });
      }
      continue;
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      const bad = unsafeCharacter(key);
      if (bad !== undefined || key.length > 256) {
        issues.push({
          path: formatPath(path),
          message: `has a field name that ${bad !== undefined ? unsafeMessage(bad) : `is ${key.length} characters long`}: ${show(key)}`,
        });
        continue;
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return issues;
}

/**
 * When the only schema problems are unknown fields (typos in optional
 * fields, mostly), the cross-field rules can still run on the plan without
 * them, so one run reports those problems too.
 */
function rulesWithoutUnknownFields(
  input: unknown,
  issues: readonly Issue[],
): PlanIssue[] {
  if (!issues.every((i) => i.code === 'unrecognized_keys')) return [];
  const copy: unknown = structuredClone(input);
  for (const issue of issues) {
    const parent = valueAt(copy, issue.path) as Record<string, unknown>;
    for (const key of issue.code === 'unrecognized_keys' ? issue.keys : []) {
      delete parent[key];
    }
  }
  const parsed = PlanSchema.safeParse(copy);
  return parsed.success ? checkPlanRules(parsed.data).errors : [];
}

/** Parse JSON text, then `validatePlan`. Syntax errors become one issue. */
export function parsePlanText(text: string): PlanValidation {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      issues: [{ path: '', message: `is not valid JSON: ${message}` }],
    };
  }
  return validatePlan(input);
}

/** One line per issue: `path: message`. */
export function formatIssue(issue: PlanIssue): string {
  return issue.path === ''
    ? `(plan) ${issue.message}`
    : `${issue.path}: ${issue.message}`;
}

type Issue = z.core.$ZodIssue;

function toPlanIssues(issue: Issue, root: unknown): PlanIssue[] {
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(issue.path);
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: unknownKeyMessage(key, known),
    }));
  }
  const value = 'input' in issue ? issue.input : valueAt(root, issue.path);
  const kind =
    issue.code === 'invalid_value' || issue.code === 'invalid_type'
      ? kindMessage(issue.path, value)
      : undefined;
  if (kind !== undefined) return [{ path, message: kind }];
  return [{ path, message: describe(issue, value) }];
}

function unknownKeyMessage(key: string, known: string[]): string {
  if (key === 'Kind') {
    return 'is not a field: the MSK Replicator API says `Type`, not `Kind` (the published walkthrough has this typo)';
  }
  const hint = didYouMean(key, known);
  const list =
    hint === '' && known.length > 0 && known.length <= 12
      ? `; known fields: ${known.join(', ')}`
      : '';
  return `is not a known field${hint}${list}`;
}

/**
 * `startingPosition: {Kind: 'EARLIEST'}` (the API's `StartingPosition.Type`
 * misspelt as in the published walkthrough) or `{Type: 'EARLIEST'}` (the
 * API's shape) where the plan wants the plain value.
 */
function kindMessage(
  path: readonly PathKey[],
  value: unknown,
): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return undefined;
  }
  const record = value as Record<string, unknown>;
  const field = String(path[path.length - 1] ?? 'startingPosition');
  if ('Kind' in record) {
    return `uses \`Kind\`, but the MSK Replicator API field is \`Type\` (StartingPosition.Type); in a plan write the value itself: "${field}": ${JSON.stringify(record.Kind ?? 'EARLIEST')}`;
  }
  if ('Type' in record) {
    return `is an object; in a plan write the value itself: "${field}": ${JSON.stringify(record.Type)}`;
  }
  return undefined;
}

function describe(issue: Issue, value: unknown): string {
  const custom = !/^(Invalid|Too (small|big)|Expected)/.test(issue.message);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      return `must be ${article(issue.expected === 'int' ? 'integer' : issue.expected)} (found ${typeName(value)})`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (found ${show(value)})`;
    case 'invalid_format':
      return custom
        ? `${show(value)} ${issue.message}`
        : `${show(value)} is not a valid ${issue.format}`;
    case 'too_small':
    case 'too_big': {
      if (custom) return issue.message;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const inclusive = issue.inclusive !== false;
      const word = issue.code === 'too_small' ? 'least' : 'most';
      if (issue.origin === 'array')
        return `must have at ${word} ${bound} item(s)`;
      if (issue.origin === 'string') {
        return bound === 1 && word === 'least'
          ? 'must not be empty'
          : `must be at ${word} ${bound} character(s) long`;
      }
      const op =
        issue.code === 'too_small'
          ? inclusive
            ? '>='
            : '>'
          : inclusive
            ? '<='
            : '<';
      return `must be ${op} ${bound} (found ${show(value)})`;
    }
    default:
      return custom ? issue.message : `${issue.message} (found ${show(value)})`;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${show(value)}`;
}

/**
 * A value for a message, cut short (plans can hold long lists), with every
 * character a terminal or page would interpret written as an escape.
 */
function show(value: unknown): string {
  const text = commentText(JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  in?: { _zod: { def: SchemaDef } };
}

/** The field names the schema allows at `path`, for "did you mean". */
function knownKeys(path: readonly PathKey[]): string[] {
  let def: SchemaDef | undefined = (
    PlanSchema as unknown as { _zod: { def: SchemaDef } }
  )._zod.def;
  const unwrap = (d: SchemaDef | undefined): SchemaDef | undefined => {
    let current = d;
    while (current !== undefined) {
      const inner = current.innerType ?? current.in;
      if (inner === undefined) return current;
      current = inner._zod.def;
    }
    return current;
  };
  for (const key of path) {
    def = unwrap(def);
    if (def === undefined) return [];
    if (typeof key === 'number') def = def.element?._zod.def;
    else def = def.shape?.[String(key)]?._zod.def;
  }
  def = unwrap(def);
  return Object.keys(def?.shape ?? {});
}

function dedupe(issues: PlanIssue[]): PlanIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Keep the document's order, but put unknown fields first: they explain the rest. */
function sortIssues(issues: PlanIssue[]): PlanIssue[] {
  const unknown = issues.filter((i) => i.message.startsWith('is not a known'));
  const rest = issues.filter((i) => !i.message.startsWith('is not a known'));
  return [...unknown, ...rest];
}
