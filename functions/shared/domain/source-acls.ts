/**
 * The ACLs the replicators' SCRAM user needs on the source cluster, and the
 * `kafka-acls.sh` commands that grant them.
 *
 * The operation lists are the ones AWS publishes for a bidirectional
 * migration (the reverse replicator writes into the source, so it needs more
 * than Read/Describe). Resources are scoped as narrowly as Kafka ACLs allow:
 * a replication pattern that is a literal name becomes a LITERAL ACL, a plain
 * prefix (`orders\..*`, `orders.*`) a PREFIXED ACL, and anything else (`.*`,
 * alternations, classes) the wildcard `*`, because Kafka ACLs cannot express
 * a regular expression. Every ACL says why it is there.
 *
 * No AWS imports: the CLI (`plan --out` writes `source-acls.sh`), the
 * probe-source phase and the rehearsal share this module.
 */
import { literalOf, literalPrefixOf } from './patterns.ts';
import type { Plan } from './plan.ts';

export type AclResourceType = 'TOPIC' | 'GROUP' | 'CLUSTER';

export const TOPIC_OPERATIONS = [
  'Alter',
  'AlterConfigs',
  'Create',
  'Describe',
  'DescribeConfigs',
  'Read',
  'Write',
] as const;
export const GROUP_OPERATIONS = ['Read', 'Describe'] as const;
export const CLUSTER_OPERATIONS = [
  'Create',
  'ClusterAction',
  'Describe',
  'DescribeConfigs',
] as const;

export type AclOperation =
  | (typeof TOPIC_OPERATIONS)[number]
  | (typeof GROUP_OPERATIONS)[number]
  | (typeof CLUSTER_OPERATIONS)[number];

/** Kafka's fixed name of the cluster resource. */
export const CLUSTER_RESOURCE_NAME = 'kafka-cluster';

/**
 * Prefix of the internal topics ENHANCED offset sync keeps on each cluster
 * (`mskr-offset-syncs.*`); only needed when the plan is bidirectional.
 */
export const OFFSET_SYNC_TOPIC_PREFIX = 'mskr-offset-syncs';

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

/** Drops scopes another scope in the list already covers; keeps order. */
function narrowestCover(
  scopes: { scope: AclScope; source: string }[],
): { scope: AclScope; source: string }[] {
  const kept: { scope: AclScope; source: string }[] = [];
  scopes.forEach((entry, index) => {
    const redundant = scopes.some(
      (other, j) =>
        j !== index &&
        covers(other.scope, entry.scope) &&
        // Of two equal scopes keep the first.
        !(covers(entry.scope, other.scope) && j > index),
    );
    if (!redundant) kept.push(entry);
  });
  return kept;
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
 * to the plan's topic and consumer-group patterns.
 */
export function requiredSourceAcls(plan: Plan): RequiredAcl[] {
  const acls: RequiredAcl[] = [];
  const topicScopes = topicPatterns(plan).map((p) => ({
    scope: aclScopeOfPattern(p),
    source: `replication pattern "${p}"`,
  }));
  if (plan.replication.bidirectional) {
    topicScopes.push({
      scope: {
        resourceName: OFFSET_SYNC_TOPIC_PREFIX,
        patternType: 'PREFIXED',
      },
      source: 'the ENHANCED offset-sync internal topics',
    });
  }
  for (const { scope, source } of narrowestCover(topicScopes)) {
    for (const operation of TOPIC_OPERATIONS) {
      acls.push({
        resourceType: 'TOPIC',
        resourceName: scope.resourceName,
        patternType: scope.patternType,
        operation,
        reason: `replicated topics (${describeScope(scope, source)})`,
      });
    }
  }
  const groupScopes = plan.replication.consumerGroups.map((p) => ({
    scope: aclScopeOfPattern(p),
    source: `consumer-group pattern "${p}"`,
  }));
  for (const { scope, source } of narrowestCover(groupScopes)) {
    for (const operation of GROUP_OPERATIONS) {
      acls.push({
        resourceType: 'GROUP',
        resourceName: scope.resourceName,
        patternType: scope.patternType,
        operation,
        reason: `offset sync of consumer groups (${describeScope(scope, source)})`,
      });
    }
  }
  for (const operation of CLUSTER_OPERATIONS) {
    acls.push({
      resourceType: 'CLUSTER',
      resourceName: CLUSTER_RESOURCE_NAME,
      patternType: 'LITERAL',
      operation,
      reason:
        'cluster-level reads and topic creation by the reverse replicator',
    });
  }
  return acls;
}

/** Quotes a word for a POSIX shell only when it needs it. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_.,:/@=+-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'"'"'`)}'`;
}

/**
 * One `kafka-acls.sh --add` line per ACL. `bootstrap` is the comma-separated
 * broker list; `principal` the SCRAM user name (without `User:`).
 */
export function kafkaAclsCommands(
  acls: readonly RequiredAcl[],
  options: { principal: string; bootstrap: string },
): string[] {
  const head = [
    'kafka-acls.sh',
    '--bootstrap-server',
    shellWord(options.bootstrap),
    '--command-config',
    'admin.properties',
    '--add',
    '--allow-principal',
    shellWord(`User:${options.principal}`),
  ].join(' ');
  return acls.map((acl) => {
    const resource =
      acl.resourceType === 'CLUSTER'
        ? '--cluster'
        : `--${acl.resourceType === 'TOPIC' ? 'topic' : 'group'} ${shellWord(acl.resourceName)}`;
    const pattern =
      acl.patternType === 'PREFIXED' ? ' --resource-pattern-type prefixed' : '';
    return `${head} --operation ${acl.operation} ${resource}${pattern}`;
  });
}
