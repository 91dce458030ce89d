/**
 * Loads the pinned plan version and validates it again: every phase works on
 * a plan that passed the same checks as `validate-plan`, and the digest lets
 * the ledger notice a plan that changed under a migration.
 */
import { createHash } from 'node:crypto';
import type { PlanRef } from './contracts.ts';
import { ValidationError } from './domain/errors.ts';
import type { Plan } from './domain/plan.ts';
import { formatIssue, parsePlanText } from './domain/validate.ts';
import type { PlanStore } from './ports.ts';

/**
 * Validated plans by store and pinned version. An S3 object version never
 * changes, so a warm container (and the rehearsal, which runs every phase in
 * one process) reads and validates each version once instead of on every
 * poll: a 1,000-application plan is about 380 KB of JSON to parse and check.
 * Callers treat the returned plan as read-only.
 */
const cache = new WeakMap<
  PlanStore,
  Map<string, Promise<{ plan: Plan; digest: string }>>
>();
/** Problems named in the error of an invalid stored plan. */
const MAX_ISSUES_IN_ERROR = 20;
/** Versions kept per store: a container serves one migration at a time. */
const MAX_CACHED_VERSIONS = 4;

/**
 * Reads `ref` from the store, parses and validates it with `validatePlan`.
 *
 * @returns the plan (defaults applied) and the SHA-256 of the stored text.
 * @throws ValidationError listing every issue with its JSON path.
 */
export function loadPlan(
  store: PlanStore,
  ref: PlanRef,
): Promise<{ plan: Plan; digest: string }> {
  let versions = cache.get(store);
  if (!versions) {
    versions = new Map();
    cache.set(store, versions);
  }
  const id = `${ref.bucket}\n${ref.key}\n${ref.versionId}`;
  const hit = versions.get(id);
  if (hit) return hit;
  const loading = readPlan(store, ref);
  versions.set(id, loading);
  if (versions.size > MAX_CACHED_VERSIONS) {
    const oldest = versions.keys().next().value;
    if (oldest !== undefined) versions.delete(oldest);
  }
  // A failed read (throttling, a missing version) is not remembered.
  loading.catch(() => versions.delete(id));
  return loading;
}

async function readPlan(
  store: PlanStore,
  ref: PlanRef,
): Promise<{ plan: Plan; digest: string }> {
  const text = await store.get(ref);
  const digest = createHash('sha256').update(text).digest('hex');
  const result = parsePlanText(text);
  if (!result.ok) {
    // The message becomes the failed state's cause: a plan with thousands
    // of problems names the first ones (`msk-cutover plan` lists them all).
    const shown = result.issues.slice(0, MAX_ISSUES_IN_ERROR);
    const more = result.issues.length - shown.length;
    throw new ValidationError(
      `plan s3://${ref.bucket}/${ref.key}?versionId=${ref.versionId} is invalid: ${shown.map(formatIssue).join('; ')}${more > 0 ? `; and ${more} more (msk-cutover plan lists them all)` : ''}`,
    );
  }
  return { plan: result.plan, digest };
}
