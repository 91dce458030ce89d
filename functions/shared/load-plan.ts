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
 * Reads `ref` from the store, parses and validates it with `validatePlan`.
 *
 * @returns the plan (defaults applied) and the SHA-256 of the stored text.
 * @throws ValidationError listing every issue with its JSON path.
 */
export async function loadPlan(
  store: PlanStore,
  ref: PlanRef,
): Promise<{ plan: Plan; digest: string }> {
  const text = await store.get(ref);
  const digest = createHash('sha256').update(text).digest('hex');
  const result = parsePlanText(text);
  if (!result.ok) {
    throw new ValidationError(
      `plan s3://${ref.bucket}/${ref.key}?versionId=${ref.versionId} is invalid: ${result.issues.map(formatIssue).join('; ')}`,
    );
  }
  return { plan: result.plan, digest };
}
