/**
 * The one place the CLI reads a plan file (`plan`, `rehearse`, `start`):
 * bounded read, UTF-8 check, a leading byte-order mark accepted, JSON parse,
 * a nesting limit, then `validatePlan`. Every problem is reported the same
 * way by every command, before any work starts.
 */
import { open } from 'node:fs/promises';
import {
  formatPath,
  type PlanIssue,
  type PlanValidation,
  validatePlan,
} from '../functions/shared/domain/validate.ts';
import { fileProblem } from './paths.ts';

/**
 * Largest plan file read. A 1,000-application plan is about 380 KB; the
 * limit only stops a wrong file (a log, `/dev/zero`) from filling memory.
 */
export const MAX_PLAN_BYTES = 32 * 1024 * 1024;

/**
 * Deepest nesting accepted. A plan is at most 5 levels deep
 * (`replication.shards[0].topics[0]`); the schema and the cross-field rules
 * recurse into what they are given, so a pathological document (thousands
 * of levels) is refused here, with the path where it goes too deep.
 */
export const MAX_PLAN_DEPTH = 32;

const BOM = '\uFEFF';

export type PlanText =
  | { ok: true; text: string }
  /** One line: the file cannot be read (missing, permission, too large). */
  | { ok: false; message: string };

export type ParsedPlanFile =
  | { ok: true; text: string; input: unknown }
  | { ok: false; message: string }
  | { ok: false; issues: PlanIssue[] };

export type LoadedPlanFile =
  | {
      ok: true;
      /** The text as read, without a leading byte-order mark. */
      text: string;
      input: unknown;
      validation: PlanValidation;
    }
  | { ok: false; message: string }
  | { ok: false; issues: PlanIssue[] };

/**
 * Reads a plan file as UTF-8 text, at most MAX_PLAN_BYTES, without a
 * leading byte-order mark (editors on Windows add one; it is not part of
 * the JSON).
 */
export async function readPlanText(
  file: string,
  maxBytes = MAX_PLAN_BYTES,
): Promise<PlanText> {
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, maxBytes);
  } catch (err) {
    if (err instanceof TooLargeError) {
      return {
        ok: false,
        message: `${file}: is larger than ${maxBytes / 1024 / 1024} MB; a plan is far smaller (is this the right file?)`,
      };
    }
    return { ok: false, message: fileProblem(file, err, 'cannot read') };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return {
      ok: false,
      message: `${file}: is not UTF-8 text (save the plan as UTF-8)`,
    };
  }
  // The decoder drops a leading byte-order mark (its default,
  // `ignoreBOM: false`): editors on Windows add one; it is not JSON.
  return { ok: true, text };
}

class TooLargeError extends Error {
  constructor() {
    super('file too large');
    this.name = 'TooLargeError';
  }
}

/**
 * Reads up to `maxBytes` (+1 to notice more). Works for pipes and process
 * substitution (`<(…)`), and stops on endless devices.
 */
async function readBounded(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - size));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      chunks.push(chunk.subarray(0, bytesRead));
      if (size > maxBytes) throw new TooLargeError();
    }
    return Buffer.concat(chunks, size);
  } finally {
    await handle.close();
  }
}

/**
 * Parses plan text: a syntax error, a document nested deeper than
 * MAX_PLAN_DEPTH or a value that is not an object becomes an issue with its
 * path, like every other plan problem.
 */
export function parsePlanJson(
  text: string,
): { ok: true; input: unknown } | { ok: false; issues: PlanIssue[] } {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      issues: [{ path: '', message: `is not valid JSON: ${message}` }],
    };
  }
  const deep = tooDeep(input, MAX_PLAN_DEPTH);
  if (deep !== null) {
    return {
      ok: false,
      issues: [
        {
          path: formatPath(deep),
          message: `is nested more than ${MAX_PLAN_DEPTH} levels deep; a plan needs at most 5`,
        },
      ],
    };
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    // The schema's own message ("must be an object (found null)").
    const result = validatePlan(input);
    return { ok: false, issues: result.ok ? [] : result.issues };
  }
  return { ok: true, input };
}

/**
 * The path of the first value nested deeper than `max` levels, or null.
 * Iterative on purpose: recursion is what fails on such a document.
 */
export function tooDeep(value: unknown, max: number): PropertyKey[] | null {
  const stack: { value: unknown; path: PropertyKey[] }[] = [
    { value, path: [] },
  ];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop() as (typeof stack)[number];
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= max) return path;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ value: v[i], path: [...path, i] });
      }
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i] as string;
        stack.push({
          value: (v as Record<string, unknown>)[k],
          path: [...path, k],
        });
      }
    }
  }
  return null;
}

/** Read, parse and validate a plan file (nothing else happens before). */
export async function loadPlanFile(file: string): Promise<LoadedPlanFile> {
  const read = await readPlanText(file);
  if (!read.ok) return read;
  const parsed = parsePlanJson(read.text);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    text: read.text,
    input: parsed.input,
    validation: validatePlan(parsed.input),
  };
}

/** Read and parse a plan file, without validating it (the rehearsal merges a scenario first). */
export async function readPlanFile(file: string): Promise<ParsedPlanFile> {
  const read = await readPlanText(file);
  if (!read.ok) return read;
  const parsed = parsePlanJson(read.text);
  if (!parsed.ok) return parsed;
  return { ok: true, text: read.text, input: parsed.input };
}
