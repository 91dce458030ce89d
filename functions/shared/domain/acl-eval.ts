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

import type { RequiredAcl } from './source-acls.ts';
import type { KafkaAcl } from './types.ts';

/** `DescribeConfigs` → `DESCRIBE_CONFIGS` (the wire enum names). */
export function operationWireName(op: string): string {
  return op.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

const IMPLIES_DESCRIBE = new Set(['READ', 'WRITE', 'DELETE', 'ALTER']);

/** The ACL operations whose ALLOW grants `wanted` (wire names). */
function allowingOperations(wanted: string): string[] {
  if (wanted === 'DESCRIBE') return [wanted, 'ALL', ...IMPLIES_DESCRIBE];
  if (wanted === 'DESCRIBE_CONFIGS') return [wanted, 'ALL', 'ALTER_CONFIGS'];
  return [wanted, 'ALL'];
}

/**
 * The ACLs of one resource type, permission and operation, by pattern.
 * Entries are positions in the original list, in list order, so the first
 * entry of each list is the earliest ACL of that list.
 */
interface Bucket {
  /** LITERAL `*`. */
  wildcard: number[];
  literal: Map<string, number[]>;
  prefixed: Map<string, number[]>;
  /** Distinct prefix lengths, so a name needs one lookup per length. */
  prefixLengths: number[];
}

function push<K>(map: Map<K, number[]>, key: K, at: number): void {
  const list = map.get(key);
  if (list) list.push(at);
  else map.set(key, [at]);
}

/**
 * The ACLs that apply to one principal, indexed by resource type,
 * permission and operation so that a decision costs a few map lookups
 * instead of a scan of every ACL (a scan per topic made large plans
 * quadratic).
 */
class AclIndex {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly acls: readonly KafkaAcl[],
    principal: string,
  ) {
    acls.forEach((a, at) => {
      if (a.principal !== principal && a.principal !== 'User:*') return;
      // An ALLOW counts only for every host; a DENY for any host.
      if (a.permission === 'ALLOW' && a.host !== '*') return;
      const key = AclIndex.key(a.resourceType, a.permission, a.operation);
      let b = this.buckets.get(key);
      if (!b) {
        b = {
          wildcard: [],
          literal: new Map(),
          prefixed: new Map(),
          prefixLengths: [],
        };
        this.buckets.set(key, b);
      }
      if (a.patternType === 'PREFIXED') {
        if (!b.prefixed.has(a.resourceName)) {
          b.prefixLengths.push(a.resourceName.length);
        }
        push(b.prefixed, a.resourceName, at);
      } else if (a.resourceName === '*') {
        b.wildcard.push(at);
      } else {
        push(b.literal, a.resourceName, at);
      }
    });
    for (const b of this.buckets.values()) {
      b.prefixLengths = [...new Set(b.prefixLengths)];
    }
  }

  private static key(type: string, permission: string, op: string): string {
    return `${type}|${permission}|${op}`;
  }

  /** Earliest ACL position of `bucket` whose pattern matches `name`. */
  private static first(
    b: Bucket,
    name: string,
    patterns: { literal: boolean; prefixed: boolean },
  ): number | undefined {
    let best = b.wildcard[0];
    const consider = (at: number | undefined) => {
      if (at !== undefined && (best === undefined || at < best)) best = at;
    };
    if (patterns.literal) consider(b.literal.get(name)?.[0]);
    if (patterns.prefixed) {
      for (const len of b.prefixLengths) {
        if (len <= name.length) {
          consider(b.prefixed.get(name.slice(0, len))?.[0]);
        }
      }
    }
    return best;
  }

  /** The first matching DENY in list order, as a scan would find it. */
  deny(type: string, name: string, op: string): KafkaAcl | undefined {
    let best: number | undefined;
    for (const o of [op, 'ALL']) {
      const b = this.buckets.get(AclIndex.key(type, 'DENY', o));
      const at = b && AclIndex.first(b, name, ALL_PATTERNS);
      if (at !== undefined && (best === undefined || at < best)) best = at;
    }
    return best === undefined ? undefined : this.acls[best];
  }

  /** Whether an ALLOW grants `op` on `name` (prefixes match by prefix). */
  allows(
    type: string,
    name: string,
    op: string,
    patterns: { literal: boolean; prefixed: boolean } = ALL_PATTERNS,
  ): boolean {
    return allowingOperations(op).some((o) => {
      const b = this.buckets.get(AclIndex.key(type, 'ALLOW', o));
      return b !== undefined && AclIndex.first(b, name, patterns) !== undefined;
    });
  }

  decide(type: string, name: string, op: string): AclDecision {
    const by = this.deny(type, name, op);
    if (by) return { kind: 'denied', by };
    return this.allows(type, name, op)
      ? { kind: 'allowed' }
      : { kind: 'missing' };
  }
}

const ALL_PATTERNS = { literal: true, prefixed: true };

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
  return new AclIndex(acls, principal).decide(
    resourceType,
    name,
    operationWireName(operation),
  );
}

/** True when an ALLOW covers every name the required pattern covers. */
function patternCovered(index: AclIndex, required: RequiredAcl): boolean {
  const op = operationWireName(required.operation);
  const type = required.resourceType;
  if (required.patternType === 'PREFIXED') {
    // Only the wildcard or a shorter-or-equal prefix covers a prefix.
    return index.allows(type, required.resourceName, op, {
      literal: false,
      prefixed: true,
    });
  }
  if (required.resourceName === '*') {
    return index.allows(type, '*', op, { literal: false, prefixed: false });
  }
  return index.allows(type, required.resourceName, op);
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
  const index = new AclIndex(acls, principal);
  // Literal requirements look their name up instead of scanning the pool.
  const known = {
    TOPIC: new Set(existing.topics),
    GROUP: new Set(existing.groups),
  };
  const gaps: AclGap[] = [];
  for (const r of required) {
    const pool =
      r.resourceType === 'TOPIC'
        ? existing.topics
        : r.resourceType === 'GROUP'
          ? existing.groups
          : [r.resourceName];
    const names =
      r.resourceType === 'CLUSTER' || r.resourceName === '*'
        ? pool
        : r.patternType === 'PREFIXED'
          ? pool.filter((n) => n.startsWith(r.resourceName))
          : r.resourceType === 'TOPIC' || r.resourceType === 'GROUP'
            ? known[r.resourceType].has(r.resourceName)
              ? [r.resourceName]
              : []
            : pool.filter((n) => n === r.resourceName);
    const op = operationWireName(r.operation);
    const denied: { name: string; by: KafkaAcl }[] = [];
    const missing: string[] = [];
    for (const name of names) {
      const d = index.decide(r.resourceType, name, op);
      if (d.kind === 'denied') {
        if (denied.length < 5) denied.push({ name, by: d.by });
      } else if (d.kind === 'missing' && missing.length < 5) {
        missing.push(name);
      }
    }
    const first = denied[0];
    if (first) {
      gaps.push({
        required: r,
        kind: 'denied',
        affected: denied.map((d) => d.name),
        deny: first.by,
      });
    } else if (missing.length > 0 || !patternCovered(index, r)) {
      gaps.push({ required: r, kind: 'missing', affected: missing });
    }
  }
  return gaps;
}
