/**
 * Evaluates the ACLs a principal holds against the ACLs the replicators
 * need, the way Kafka's StandardAuthorizer does:
 * - an ACL applies to the user's principal and to `User:*`;
 * - LITERAL matches the exact name or the `*` wildcard, PREFIXED any name
 *   that starts with the prefix;
 * - a DENY that matches wins over every ALLOW;
 * - ALL grants every operation; an ALLOW of Read, Write, Delete or Alter
 *   implies Describe, and AlterConfigs implies DescribeConfigs (implications
 *   apply to ALLOW only).
 *
 * The replicator's source address is not known in advance, so an ALLOW
 * counts only with host `*`, while a DENY counts for any host.
 */
import type { KafkaAcl } from '../ports.ts';
import type { RequiredAcl } from './source-acls.ts';

/** `DescribeConfigs` → `DESCRIBE_CONFIGS` (the wire enum names). */
export function operationWireName(op: string): string {
  return op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

const IMPLIES_DESCRIBE = new Set(['READ', 'WRITE', 'DELETE', 'ALTER']);

function resourceMatches(acl: KafkaAcl, type: string, name: string): boolean {
  if (acl.resourceType !== type) return false;
  if (acl.patternType === 'PREFIXED') return name.startsWith(acl.resourceName);
  return acl.resourceName === '*' || acl.resourceName === name;
}

function operationAllows(aclOp: string, wanted: string): boolean {
  if (aclOp === 'ALL' || aclOp === wanted) return true;
  if (wanted === 'DESCRIBE') return IMPLIES_DESCRIBE.has(aclOp);
  if (wanted === 'DESCRIBE_CONFIGS') return aclOp === 'ALTER_CONFIGS';
  return false;
}

export type AclDecision =
  | { kind: 'allowed' }
  | { kind: 'denied'; by: KafkaAcl }
  | { kind: 'missing' };

/** Kafka's decision for one operation on one named resource. */
export function authorize(
  acls: readonly KafkaAcl[],
  principal: string,
  resourceType: KafkaAcl['resourceType'],
  name: string,
  operation: string,
): AclDecision {
  const op = operationWireName(operation);
  const applicable = acls.filter(
    (a) =>
      (a.principal === principal || a.principal === 'User:*') &&
      resourceMatches(a, resourceType, name),
  );
  const deny = applicable.find(
    (a) =>
      a.permission === 'DENY' && (a.operation === 'ALL' || a.operation === op),
  );
  if (deny) return { kind: 'denied', by: deny };
  const allow = applicable.some(
    (a) =>
      a.permission === 'ALLOW' &&
      a.host === '*' &&
      operationAllows(a.operation, op),
  );
  return allow ? { kind: 'allowed' } : { kind: 'missing' };
}

/** True when an ALLOW covers every name the required pattern covers. */
function patternCovered(
  acls: readonly KafkaAcl[],
  principal: string,
  required: RequiredAcl,
): boolean {
  const op = operationWireName(required.operation);
  return acls.some((a) => {
    if (a.permission !== 'ALLOW' || a.host !== '*') return false;
    if (a.principal !== principal && a.principal !== 'User:*') return false;
    if (a.resourceType !== required.resourceType) return false;
    if (!operationAllows(a.operation, op)) return false;
    if (a.patternType === 'LITERAL' && a.resourceName === '*') return true;
    if (required.patternType === 'PREFIXED') {
      return (
        a.patternType === 'PREFIXED' &&
        required.resourceName.startsWith(a.resourceName)
      );
    }
    if (required.resourceName === '*') return false;
    return resourceMatches(a, required.resourceType, required.resourceName);
  });
}

export interface AclGap {
  required: RequiredAcl;
  kind: 'missing' | 'denied';
  /** Existing resources the gap affects (first few). */
  affected: string[];
  /** The DENY rule to remove, for `denied`. */
  deny?: KafkaAcl;
}

/**
 * Every required ACL the principal lacks. `existing` lists the topics and
 * groups that exist now: each is evaluated by name (so a DENY on one topic
 * is found), and the pattern itself must be covered too (the reverse
 * replicator creates topics that do not exist yet).
 */
export function aclGaps(
  required: readonly RequiredAcl[],
  acls: readonly KafkaAcl[],
  principal: string,
  existing: { topics: readonly string[]; groups: readonly string[] },
): AclGap[] {
  const gaps: AclGap[] = [];
  for (const r of required) {
    const pool =
      r.resourceType === 'TOPIC'
        ? existing.topics
        : r.resourceType === 'GROUP'
          ? existing.groups
          : [r.resourceName];
    const names = pool.filter((n) =>
      r.resourceType === 'CLUSTER' || r.resourceName === '*'
        ? true
        : r.patternType === 'PREFIXED'
          ? n.startsWith(r.resourceName)
          : n === r.resourceName,
    );
    let denied: { name: string; by: KafkaAcl }[] = [];
    let missing: string[] = [];
    for (const name of names) {
      const d = authorize(acls, principal, r.resourceType, name, r.operation);
      if (d.kind === 'denied') denied.push({ name, by: d.by });
      else if (d.kind === 'missing') missing.push(name);
    }
    denied = denied.slice(0, 5);
    missing = missing.slice(0, 5);
    const first = denied[0];
    if (first) {
      gaps.push({
        required: r,
        kind: 'denied',
        affected: denied.map((d) => d.name),
        deny: first.by,
      });
    } else if (missing.length > 0 || !patternCovered(acls, principal, r)) {
      gaps.push({ required: r, kind: 'missing', affected: missing });
    }
  }
  return gaps;
}
