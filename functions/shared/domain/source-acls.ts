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

const NAME_CHAR = /[A-Za-z0-9_-]/;

/**
 * Maps a full-match replication regex (MSK Replicator semantics) to the
 * narrowest Kafka ACL resource pattern that covers every name it matches.
 *
 * Hand-written rather than a regex-AST library: only three shapes matter
 * (literal, literal + `.*`, everything else) and the parse is a single pass.
 * A bare `.` inside a name is read as the literal dot that topic names use
 * (`orders.created`); the probe later checks the ACLs against the topics that
 * really exist, so that reading cannot hide a missing grant.
 */
export function aclScopeOfPattern(pattern: string): AclScope {
  let body = pattern;
  if (body.startsWith('^')) body = body.slice(1);
  if (body.endsWith('$') && !body.endsWith('\\$')) body = body.slice(0, -1);
  if (body === '.*' || body === '.+' || body === '') {
    return { resourceName: '*', patternType: 'LITERAL' };
  }
  let literal = '';
  let i = 0;
  while (i < body.length) {
    const c = body[i] as string;
    const next = body[i + 1];
    if (c === '\\' && next !== undefined && /[.\-_]/.test(next)) {
      literal += next;
      i += 2;
      continue;
    }
    if (c === '.' && next === '*' && i + 2 === body.length) {
      return literal === ''
        ? { resourceName: '*', patternType: 'LITERAL' }
        : { resourceName: literal, patternType: 'PREFIXED' };
    }
    if (c === '.' || NAME_CHAR.test(c)) {
      literal += c;
      i += 1;
      continue;
    }
    return {
      resourceName: '*',
      patternType: 'LITERAL',
      widened: `pattern "${pattern}" is neither a literal name nor a plain prefix, and Kafka ACLs cannot express a regular expression`,
    };
  }
  return { resourceName: literal, patternType: 'LITERAL' };
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
