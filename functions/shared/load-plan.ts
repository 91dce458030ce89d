/**
 * Loads the pinned plan version and validates it again: every phase works on
 * a plan that passed the same checks as `validate-plan`, and the digest lets
 * the ledger notice a plan that changed under a migration.
 */
import { createHash } from 'node:crypto';
import type { PlanRef } from './contracts.ts';
import { ValidationError } from './domain/errors.ts';
import { type Plan, PlanSchema } from './domain/plan.ts';
import type { PlanStore } from './ports.ts';

/**
 * Reads `ref` from the store, parses and validates it.
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(
      `plan ${describe(ref)} is not JSON: ${(err as Error).message}`,
    );
  }
  const parsed = PlanSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(plan)'}: ${i.message}`)
      .join('; ');
    throw new ValidationError(`plan ${describe(ref)} is invalid: ${issues}`);
  }
  return { plan: parsed.data, digest };
}

function describe(ref: PlanRef): string {
  return `s3://${ref.bucket}/${ref.key}?versionId=${ref.versionId}`;
}
