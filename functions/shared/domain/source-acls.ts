/**
 * The ACLs the replicators' SCRAM user needs on the source cluster, and the
 * `kafka-acls.sh` commands that grant them.
 *
 * The lists follow the MSK Developer Guide's permission pages for a non-MSK
 * cluster (reference/msk-replicator-facts.md, "External cluster side"):
 * - "Topic replication permissions" (msk-replicator-perms-topic-replication,
 *   Kafka ACLs for non-MSK clusters): on the cluster (LITERAL
 *   `kafka-cluster`) Create, Describe, IdempotentWrite and DescribeConfigs;
 *   on the heartbeat topics (PREFIXED `__amazon_msk_replicator_`) Create,
 *   Read, Write, Describe, DescribeConfigs, Alter and AlterConfigs, with the
 *   external cluster as source and as target; with it as target (the
 *   reverse replicator) the same on the replicated heartbeat topics,
 *   PREFIXED with the first 28 characters of the MSK cluster's name;
 * - "ACL replication permissions" (msk-replicator-perms-acl-replication):
 *   Describe on the cluster to read ACLs as source, and Alter on the cluster
 *   when ACLs are copied into it as target;
 * - the data topics: Read, Describe and DescribeConfigs to copy them out
 *   (and their configurations), and, as target of the reverse replicator,
 *   Create, Write, Alter and AlterConfigs to create and fill them; groups:
 *   Read and Describe for offset sync.
 * No docs page lists `ClusterAction` (only the migration blog does) or ACLs
 * on `mskr-offset-syncs` topics (the replicator keeps its internal topics on
 * the MSK cluster), so neither is asked for.
 *
 * Resources are scoped as narrowly as Kafka ACLs allow: a replication
 * pattern that is a literal name becomes a LITERAL ACL, a plain prefix
 * (`orders\..*`, `orders.*`) a PREFIXED ACL, and anything else (`.*`,
 * alternations, classes) the wildcard `*`, because Kafka ACLs cannot express
 * a regular expression. Every ACL says why it is there.
 *
 * No AWS imports: the CLI (`plan --out` writes `source-acls.sh`), the
 * probe-source phase and the rehearsal share this module.
 */
import { literalOf, literalPrefixOf } from './patterns.ts';
import type { Plan } from './plan.ts';
import { parseClusterArn } from './role-policy.ts';
import { commentText, shellQuote } from './safe-text.ts';

export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER';

/** Data topics, with the external cluster as source. */
export const SOURCE_TOPIC_OPERATIONS = [
  'Read',
  'Describe',
  'DescribeConfigs',
] as const;
/** Data topics, added when the external cluster is also a target. */
export const TARGET_TOPIC_OPERATIONS = [
  'Create',
  'Write',
  'Alter',
  'AlterConfigs',
] as const;
/** Heartbeat topics (and replicated heartbeat topics). */
export const HEARTBEAT_TOPIC_OPERATIONS = [
  'Create',
  'Read',
  'Write',
  'Describe',
  'DescribeConfigs',
  'Alter',
  'AlterConfigs',
] as const;
export const GROUP_OPERATIONS = ['Read', 'Describe'] as const;
export const CLUSTER_OPERATIONS = [
  'Create',
  'Describe',
  'IdempotentWrite',
  'DescribeConfigs',
] as const;
/** On the cluster when ACLs are copied into the external cluster. */
export const CLUSTER_ACL_COPY_OPERATION = 'Alter' as const;

export type AclOperation =
  | (typeof SOURCE_TOPIC_OPERATIONS)[number]
  | (typeof TARGET_TOPIC_OPERATIONS)[number]
  | (typeof HEARTBEAT_TOPIC_OPERATIONS)[number]
  | (typeof GROUP_OPERATIONS)[number]
  | (typeof CLUSTER_OPERATIONS)[number]
  | typeof CLUSTER_ACL_COPY_OPERATION;

/** Kafka's fixed name of the cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/** Prefix of MSK Replicator's heartbeat topics on an external cluster. */
export const HEARTBEAT_TOPIC_PREFIX = '__amazon_msk_replicator_';
/** Replicated heartbeat topics start with this much of the MSK cluster's name. */
export const REPLICATED_HEARTBEAT_PREFIX_LENGTH = 28;

export interface RequiredAcl {
  resourceType: AclResourceType;
  /** Literal name, prefix, `*` (wildcard) or `kafka-cluster`. */
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operation: AclOperation;
  /** Why this ACL is needed and why it has this scope. */
  reason: string;
}

/** How one replication regex maps to a Kafka ACL resource pattern. */
export interface AclScope {
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  /** Set when the pattern could not be expressed and became `*`. */
  widened?: string;
}

/**
 * Maps a full-match replication regex (MSK Replicator semantics) to the
 * narrowest Kafka ACL resource pattern that covers every name it matches:
 * a literal (`orders`, `orders\.created`) stays LITERAL, `<literal>.*`
 * becomes PREFIXED, `.*` the wildcard, and any other regex the wildcard
 * with the reason. A bare `.` matches any character, so `orders.created` is
 * a regex here (the grant must cover `orders-created` too); the reason then
 * says how to write the literal.
 */
export function aclScopeOfPattern(pattern: string): AclScope {
  let body = pattern;
  // Full-match semantics make explicit anchors redundant.
  if (body.startsWith('^')) body = body.slice(1);
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  if (body === '.*' || body === '') {
    return { resourceName: '*', patternType: 'LITERAL' };
  }
  const literal = literalOf(body);
  if (literal !== undefined) {
    return { resourceName: literal, patternType: 'LITERAL' };
  }
  const prefix = literalPrefixOf(body);
  if (prefix !== undefined) {
    return { resourceName: prefix, patternType: 'PREFIXED' };
  }
  // Would the pattern be a literal or a prefix with its bare dots escaped?
  const escaped = body.replace(/(?<!\\)\.(?!\*$)/g, '\\.');
  const hint =
    escaped !== body &&
    (literalOf(escaped) !== undefined || literalPrefixOf(escaped) !== undefined)
      ? ` ("." matches any character: write "${escaped}" for a literal dot)`
      : '';
  return {
    resourceName: '*',
    patternType: 'LITERAL',
    widened: `pattern "${pattern}" is neither a literal name nor a plain prefix, and Kafka ACLs cannot express a regular expression${hint}`,
  };
}

/** True when ACL scope `a` already covers every name scope `b` covers. */
function covers(a: AclScope, b: AclScope): boolean {
  if (a.resourceName === '*' && a.patternType === 'LITERAL') return true;
  if (a.patternType === 'PREFIXED') {
    return b.resourceName !== '*' && b.resourceName.startsWith(a.resourceName);
  }
  return (
    b.patternType === 'LITERAL' &&
    b.resourceName !== '*' &&
    a.resourceName === b.resourceName
  );
}

interface ScopedNeed {
  scope: AclScope;
  source: string;
  operations: readonly AclOperation[];
  reason: (scope: AclScope, source: string) => string;
}

/**
 * Drops, per operation, the scopes another scope with that operation
 * already covers; keeps order (of two equal scopes, the first).
 */
function narrowestCover(
  resourceType: AclResourceType,
  needs: readonly ScopedNeed[],
): RequiredAcl[] {
  const acls: RequiredAcl[] = [];
  needs.forEach((need, index) => {
    for (const operation of need.operations) {
      const redundant = needs.some(
        (other, j) =>
          j !== index &&
          other.operations.includes(operation) &&
          covers(other.scope, need.scope) &&
          !(covers(need.scope, other.scope) && j > index),
      );
      if (redundant) continue;
      acls.push({
        resourceType,
        resourceName: need.scope.resourceName,
        patternType: need.scope.patternType,
        operation,
        reason: need.reason(need.scope, need.source),
      });
    }
  });
  return acls;
}

function describeScope(s: AclScope, source: string): string {
  if (s.widened) return `wildcard: ${s.widened}`;
  if (s.resourceName === '*') return `wildcard: ${source} matches every name`;
  return s.patternType === 'PREFIXED'
    ? `prefixed "${s.resourceName}" from ${source}`
    : `literal from ${source}`;
}

function topicPatterns(plan: Plan): string[] {
  const r = plan.replication;
  const fromShards = (r.shards ?? []).flatMap((s) => s.topics);
  const patterns = [...(r.topics ?? []), ...fromShards];
  return patterns.length > 0 ? patterns : ['.*'];
}

/**
 * Every ACL the replicators' SCRAM user needs on the source cluster, scoped
 * to the plan's topic and consumer-group patterns, in the order of the
 * docs' tables: data topics, heartbeat topics, groups, cluster.
 */
export function requiredSourceAcls(plan: Plan): RequiredAcl[] {
  const target = plan.replication.bidirectional;
  const topicOperations: AclOperation[] = target
    ? [...SOURCE_TOPIC_OPERATIONS, ...TARGET_TOPIC_OPERATIONS]
    : [...SOURCE_TOPIC_OPERATIONS];
  const topicNeeds: ScopedNeed[] = topicPatterns(plan).map((p) => ({
    scope: aclScopeOfPattern(p),
    source: `replication pattern "${p}"`,
    operations: topicOperations,
    reason: (scope, source) =>
      `replicated topics (${describeScope(scope, source)})`,
  }));
  topicNeeds.push({
    scope: { resourceName: HEARTBEAT_TOPIC_PREFIX, patternType: 'PREFIXED' },
    source: 'the heartbeat topics',
    operations: HEARTBEAT_TOPIC_OPERATIONS,
    reason: () =>
      `MSK Replicator's heartbeat topics (prefixed "${HEARTBEAT_TOPIC_PREFIX}")`,
  });
  if (target) {
    const prefix = parseClusterArn(plan.target.mskClusterArn).clusterName.slice(
      0,
      REPLICATED_HEARTBEAT_PREFIX_LENGTH,
    );
    topicNeeds.push({
      scope: { resourceName: prefix, patternType: 'PREFIXED' },
      source: 'the replicated heartbeat topics',
      operations: HEARTBEAT_TOPIC_OPERATIONS,
      reason: () =>
        `heartbeat topics the reverse replicator writes into this cluster (prefixed with the first ${REPLICATED_HEARTBEAT_PREFIX_LENGTH} characters of the MSK cluster's name, "${prefix}")`,
    });
  }
  const groupNeeds: ScopedNeed[] = plan.replication.consumerGroups.map((p) => ({
    scope: aclScopeOfPattern(p),
    source: `consumer-group pattern "${p}"`,
    operations: GROUP_OPERATIONS,
    reason: (scope, source) =>
      `offset sync of consumer groups (${describeScope(scope, source)})`,
  }));
  const cluster: RequiredAcl[] = CLUSTER_OPERATIONS.map((operation) => ({
    resourceType: 'CLUSTER',
    resourceName: CLUSTER_RESOURCE_NAME,
    patternType: 'LITERAL',
    operation,
    reason:
      'the cluster: topic creation, idempotent writes and reading configurations and ACLs',
  }));
  if (target && plan.replication.copyAccessControlListsForTopics) {
    cluster.push({
      resourceType: 'CLUSTER',
      resourceName: CLUSTER_RESOURCE_NAME,
      patternType: 'LITERAL',
      operation: CLUSTER_ACL_COPY_OPERATION,
      reason:
        'the cluster: the reverse replicator copies topic ACLs into it (copyAccessControlListsForTopics)',
    });
  }
  return [
    ...narrowestCover('TOPIC', topicNeeds),
    ...narrowestCover('GROUP', groupNeeds),
    ...cluster,
  ];
}

/** One resource and every operation needed on it, in first-seen order. */
export interface AclGrant {
  resourceType: AclResourceType;
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  operations: AclOperation[];
  reasons: string[];
}

/** The ACLs grouped by resource: one `kafka-acls.sh` call each. */
export function aclGrants(acls: readonly RequiredAcl[]): AclGrant[] {
  const grants = new Map<string, AclGrant>();
  for (const acl of acls) {
    const key = `${acl.resourceType}\u0000${acl.patternType}\u0000${acl.resourceName}`;
    let grant = grants.get(key);
    if (grant === undefined) {
      grant = {
        resourceType: acl.resourceType,
        resourceName: acl.resourceName,
        patternType: acl.patternType,
        operations: [],
        reasons: [],
      };
      grants.set(key, grant);
    }
    if (!grant.operations.includes(acl.operation)) {
      grant.operations.push(acl.operation);
    }
    if (!grant.reasons.includes(acl.reason)) grant.reasons.push(acl.reason);
  }
  return [...grants.values()];
}

/**
 * One `kafka-acls.sh --add` line per resource, with every operation the
 * resource needs (`--operation A --operation B`). `bootstrap` is the
 * comma-separated broker list; `principal` the SCRAM user name (without
 * `User:`). Every argument from the plan is quoted for the shell.
 */
export function kafkaAclsCommands(
  acls: readonly RequiredAcl[],
  options: { principal: string; bootstrap: string },
): string[] {
  return aclGrants(acls).map((grant) => kafkaAclsCommand(grant, options));
}

function kafkaAclsCommand(
  grant: AclGrant,
  options: { principal: string; bootstrap: string },
): string {
  const head = [
    'kafka-acls.sh',
    '--bootstrap-server',
    shellQuote(options.bootstrap),
    '--command-config',
    'admin.properties',
    '--add',
    '--allow-principal',
    shellQuote(`User:${options.principal}`),
  ].join(' ');
  const operations = grant.operations
    .map((op) => `--operation ${op}`)
    .join(' ');
  const resource =
    grant.resourceType === 'CLUSTER'
      ? '--cluster'
      : `--${grant.resourceType === 'TOPIC' ? 'topic' : 'group'} ${shellQuote(grant.resourceName)}`;
  const pattern =
    grant.patternType === 'PREFIXED' ? ' --resource-pattern-type prefixed' : '';
  return `${head} ${operations} ${resource}${pattern}`;
}

/**
 * `source-acls.sh`: the commands, each after a `#` comment saying why.
 * Plan strings in comments go through `commentText` (no newline can end a
 * comment early) and in commands through `shellQuote`, on top of the plan
 * validation that refuses such characters in the first place.
 */
export function sourceAclsScript(options: {
  migrationId: string;
  sourceName: string;
  acls: readonly RequiredAcl[];
  principal: string;
  bootstrap: string;
}): string {
  const lines = [
    '#!/bin/sh',
    "# Kafka ACLs the source cluster's admin grants the MSK Replicator user of",
    `# migration ${commentText(options.migrationId)} (${commentText(options.sourceName)}).`,
    '# admin.properties holds the admin client settings (SASL_SSL, SCRAM',
    '# credentials of an admin user, trust store). The principal is the SCRAM',
    '# user stored in the replicator secret.',
    'set -eu',
    '',
  ];
  for (const grant of aclGrants(options.acls)) {
    for (const reason of grant.reasons) lines.push(`# ${commentText(reason)}`);
    lines.push(kafkaAclsCommand(grant, options));
  }
  return `${lines.join('\n')}\n`;
}
