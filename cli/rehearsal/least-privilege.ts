/**
 * Least privilege of the stack, as the rehearsal sees it: every action a
 * role is granted must be used by some scenario, or be kept on purpose with
 * a reason in infra/iam-reviewed-grants.json (paths the rehearsal cannot
 * run). Wildcard actions are expanded with @cloud-copilot/iam-expand.
 */
import { readFileSync } from 'node:fs';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import type { PolicyDocument } from './iam-policies.ts';

/** Principal (or `*` for every role) → action → why it is kept. */
export type ReviewedGrants = Record<string, Record<string, string>>;

export function readReviewedGrants(
  path = 'infra/iam-reviewed-grants.json',
): ReviewedGrants {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const { $comment: _comment, ...grants } = raw;
  return grants as ReviewedGrants;
}

/** The actions some Allow statement of `policies` grants, expanded. */
export async function grantedActions(
  policies: PolicyDocument[],
): Promise<string[]> {
  const patterns = policies.flatMap((policy) =>
    (policy.Statement as { Effect: string; Action?: string | string[] }[])
      .filter((st) => st.Effect === 'Allow' && st.Action !== undefined)
      .flatMap((st) => [st.Action as string | string[]].flat()),
  );
  return [...new Set(await expandIamActions(patterns))].sort();
}

export interface GrantReview {
  /** `principal: action` granted, never used, not reviewed. */
  unexercised: string[];
  /** `principal: action` reviewed but no longer granted. */
  stale: string[];
}

/** Compares what each role is granted with what the scenarios used. */
export async function reviewGrants(
  roles: {
    principals(): string[];
    identityPolicies(p: string): PolicyDocument[];
  },
  exercised: ReadonlyMap<string, ReadonlySet<string>>,
  reviewed: ReviewedGrants,
): Promise<GrantReview> {
  const unexercised: string[] = [];
  const stale: string[] = [];
  for (const principal of roles.principals()) {
    const grants = await grantedActions(roles.identityPolicies(principal));
    const used = exercised.get(principal) ?? new Set<string>();
    const kept = { ...reviewed['*'], ...reviewed[principal] };
    for (const action of grants) {
      if (!used.has(action) && kept[action] === undefined) {
        unexercised.push(`${principal}: ${action}`);
      }
    }
    for (const action of Object.keys(reviewed[principal] ?? {})) {
      if (!grants.includes(action)) stale.push(`${principal}: ${action}`);
    }
  }
  return { unexercised, stale };
}
