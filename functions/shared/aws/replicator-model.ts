/**
 * Replicator requests checked against AWS's own model before they are sent:
 * the @aws-sdk/client-kafka package ships the Smithy schema of every request
 * (`CreateReplicatorRequest$`, ...; the static-schema tuples of
 * @smithy/types `StaticStructureSchema`: `[3, namespace, name, traits,
 * memberNames, memberSchemas, requiredCount]`, the first `requiredCount`
 * members being the required ones), and its enums (`TargetCompressionType`,
 * ...). The SDK itself does not validate input against them, and Smithy's
 * `NormalizedSchema` does not expose which members are required, so this
 * walks the tuples directly: required members present, no unknown member,
 * every value of the member's type, every enum value one the model lists.
 *
 * The model carries no length or pattern constraints, so the documented
 * limits are checked on top (`documentedLimits`): ReplicatorName 1-128 of
 * `^[0-9A-Za-z][0-9A-Za-z-]{0,}$`, Description at most 1,024 characters,
 * topic patterns at most 249 and group patterns at most 256 characters
 * (reference/msk-replicator-facts.md, CreateReplicatorRequest), tags as AWS
 * tagging allows (keys 1-128, values at most 256), and the ARNs and cluster
 * id as the plan schema checks them.
 *
 * It sits with the AWS adapters, not in the domain: it imports the SDK's
 * schema and enum values (no client), and the domain imports SDK types only.
 */
import {
  ConsumerGroupOffsetSyncMode,
  CreateReplicatorRequest$,
  DeleteReplicatorRequest$,
  JwtSigningAlgorithm,
  KafkaClusterEncryptionInTransitType,
  KafkaClusterSaslScramMechanism,
  ReplicationStartingPositionType,
  ReplicationTopicNameConfigurationType,
  TargetCompressionType,
  TokenEndpointAuthenticationMethod,
  UpdateReplicationInfoRequest$,
} from '@aws-sdk/client-kafka';
import {
  IAM_ROLE_ARN_PATTERN,
  MSK_CLUSTER_ARN_PATTERN,
  SECRET_ARN_PATTERN,
  SOURCE_CLUSTER_ID_PATTERN,
} from '../domain/plan.ts';
import {
  REPLICATOR_DESCRIPTION_MAX_LENGTH,
  REPLICATOR_NAME_MAX_LENGTH,
  REPLICATOR_NAME_PATTERN,
} from '../domain/replicator-config.ts';

/** One problem with a request: where (`KafkaClusters[0].VpcConfig`) and what. */
export interface ModelIssue {
  path: string;
  message: string;
}

/**
 * Which enum of the model each enum-typed member takes, by
 * `Shape.Member`. The schema tuples type enums as plain strings; the SDK's
 * declarations (models_0.d.ts) name the enum, and a test checks this table
 * against them for every shape these requests reach.
 */
export const MEMBER_ENUMS: Readonly<Record<string, Record<string, string>>> = {
  'KafkaClusterSaslScramAuthentication.Mechanism':
    KafkaClusterSaslScramMechanism,
  'KafkaClusterOAuthIamJwtBearer.SigningAlgorithm': JwtSigningAlgorithm,
  'KafkaClusterOAuthClientCredentialsAssertion.SigningAlgorithm':
    JwtSigningAlgorithm,
  'KafkaClusterSaslOAuthBearerAuthentication.TokenEndpointAuthenticationMethod':
    TokenEndpointAuthenticationMethod,
  'KafkaClusterEncryptionInTransit.EncryptionType':
    KafkaClusterEncryptionInTransitType,
  'ConsumerGroupReplication.ConsumerGroupOffsetSyncMode':
    ConsumerGroupOffsetSyncMode,
  'ReplicationInfo.TargetCompressionType': TargetCompressionType,
  'ReplicationStartingPosition.Type': ReplicationStartingPositionType,
  'ReplicationTopicNameConfiguration.Type':
    ReplicationTopicNameConfigurationType,
};

/** A schema reference as the SDK's static schemas hold them. */
type SchemaRef = number | (() => SchemaRef) | readonly unknown[];

const LIST = 0b0100_0000;
const MAP = 0b1000_0000;

/** A schema reference resolved: lazy references called, member wrappers
 * (`[schema, traits]`) unwrapped. */
function deref(ref: unknown): unknown {
  if (typeof ref === 'function') return deref((ref as () => unknown)());
  if (Array.isArray(ref) && ref.length === 2) return deref(ref[0]);
  return ref;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Every way `value` departs from the model schema `schema`; `member` names
 * the enclosing `Shape.Member`, for enums.
 */
export function modelIssues(
  schema: SchemaRef,
  value: unknown,
  path = '',
  member?: string,
): ModelIssue[] {
  const s = deref(schema);
  const issues: ModelIssue[] = [];
  const expect = (ok: boolean, what: string) => {
    if (!ok) {
      issues.push({
        path,
        message: `must be ${what} (found ${typeName(value)})`,
      });
    }
    return ok;
  };
  if (typeof s === 'number') {
    if (s & LIST) {
      if (!expect(Array.isArray(value), 'a list')) return issues;
      (value as unknown[]).forEach((v, i) => {
        issues.push(...modelIssues(s & ~LIST, v, at(path, i), member));
      });
      return issues;
    }
    if (s & MAP) {
      if (!expect(isRecord(value), 'a map')) return issues;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        issues.push(...modelIssues(s & ~MAP, v, at(path, k), member));
      }
      return issues;
    }
    switch (s) {
      case 0: {
        if (!expect(typeof value === 'string', 'a string')) return issues;
        const allowed = member === undefined ? undefined : MEMBER_ENUMS[member];
        if (
          allowed !== undefined &&
          !Object.values(allowed).includes(value as string)
        ) {
          issues.push({
            path,
            message: `must be one of ${Object.values(allowed).join(', ')} (found ${JSON.stringify(value)})`,
          });
        }
        return issues;
      }
      case 1:
        expect(typeof value === 'number', 'a number');
        return issues;
      case 2:
        expect(typeof value === 'boolean', 'a boolean');
        return issues;
      default:
        // Blobs, timestamps and documents appear in no replicator request.
        issues.push({ path, message: `has a type this check does not know` });
        return issues;
    }
  }
  if (!Array.isArray(s)) {
    return [{ path, message: 'has no schema in the model' }];
  }
  const [kind] = s as [number];
  if (kind === 0) return modelIssues(s[4] as SchemaRef, value, path, member);
  if (kind === 1) {
    if (!expect(Array.isArray(value), 'a list')) return issues;
    (value as unknown[]).forEach((v, i) => {
      issues.push(...modelIssues(s[4] as SchemaRef, v, at(path, i), member));
    });
    return issues;
  }
  if (kind === 2) {
    if (!expect(isRecord(value), 'a map')) return issues;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      issues.push(...modelIssues(s[5] as SchemaRef, v, at(path, k), member));
    }
    return issues;
  }
  if (kind !== 3) {
    return [
      { path, message: `has a schema kind (${kind}) this check does not know` },
    ];
  }
  const shape = s[2] as string;
  const names = s[4] as string[];
  const members = s[5] as [SchemaRef, unknown][];
  const required = (s[6] as number | undefined) ?? 0;
  if (!expect(isRecord(value), `an object (${shape})`)) return issues;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!names.includes(key)) {
      issues.push({
        path: at(path, key),
        message: `is not a member of ${shape} (members: ${names.join(', ')})`,
      });
    }
  }
  names.forEach((name, i) => {
    const v = record[name];
    if (v === undefined) {
      if (i < required) {
        issues.push({
          path: at(path, name),
          message: `is required by ${shape}`,
        });
      }
      return;
    }
    const memberSchema = members[i];
    if (memberSchema === undefined) return;
    issues.push(
      ...modelIssues(memberSchema[0], v, at(path, name), `${shape}.${name}`),
    );
  });
  return issues;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Lengths and patterns the documentation gives and the model does not. */
function documentedLimits(input: Record<string, unknown>): ModelIssue[] {
  const issues: ModelIssue[] = [];
  const text = (
    path: string,
    value: unknown,
    check: (s: string) => string | undefined,
  ) => {
    if (typeof value !== 'string') return;
    const problem = check(value);
    if (problem !== undefined) issues.push({ path, message: problem });
  };
  const pattern = (re: RegExp, what: string) => (s: string) =>
    re.test(s) ? undefined : `${JSON.stringify(s.slice(0, 80))} is not ${what}`;
  const maxLength = (max: number) => (s: string) =>
    s.length <= max
      ? undefined
      : `is ${s.length} characters; the API allows at most ${max}`;

  text('ReplicatorName', input.ReplicatorName, (s) =>
    s.length < 1 || s.length > REPLICATOR_NAME_MAX_LENGTH
      ? `must be 1 to ${REPLICATOR_NAME_MAX_LENGTH} characters (found ${s.length})`
      : pattern(
          REPLICATOR_NAME_PATTERN,
          'a replicator name (letters, digits and "-", starting with a letter or digit)',
        )(s),
  );
  text(
    'Description',
    input.Description,
    maxLength(REPLICATOR_DESCRIPTION_MAX_LENGTH),
  );
  text(
    'ServiceExecutionRoleArn',
    input.ServiceExecutionRoleArn,
    pattern(IAM_ROLE_ARN_PATTERN, 'an IAM role ARN'),
  );
  if (isRecord(input.Tags)) {
    for (const [k, v] of Object.entries(input.Tags)) {
      if (k.length < 1 || k.length > 128) {
        issues.push({
          path: `Tags.${k}`,
          message: 'tag keys are 1 to 128 characters',
        });
      }
      text(`Tags.${k}`, v, maxLength(256));
    }
  }
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  list(input.KafkaClusters).forEach((c, i) => {
    if (!isRecord(c)) return;
    const base = `KafkaClusters[${i}]`;
    const apache = c.ApacheKafkaCluster;
    if (isRecord(apache)) {
      text(
        `${base}.ApacheKafkaCluster.ApacheKafkaClusterId`,
        apache.ApacheKafkaClusterId,
        pattern(SOURCE_CLUSTER_ID_PATTERN, 'a Kafka cluster id'),
      );
    }
    const msk = c.AmazonMskCluster;
    if (isRecord(msk)) {
      text(
        `${base}.AmazonMskCluster.MskClusterArn`,
        msk.MskClusterArn,
        pattern(MSK_CLUSTER_ARN_PATTERN, 'an MSK cluster ARN'),
      );
    }
    const auth = c.ClientAuthentication;
    if (isRecord(auth) && isRecord(auth.SaslScram)) {
      text(
        `${base}.ClientAuthentication.SaslScram.SecretArn`,
        auth.SaslScram.SecretArn,
        pattern(SECRET_ARN_PATTERN, 'a Secrets Manager secret ARN'),
      );
    }
  });
  const replication = [
    ...list(input.ReplicationInfoList).map((r, i) => ({
      r,
      base: `ReplicationInfoList[${i}]`,
    })),
    { r: input, base: '' },
  ];
  for (const { r, base } of replication) {
    if (!isRecord(r)) continue;
    const lists: [string, string, number][] = [
      ['TopicReplication', 'TopicsToReplicate', 249],
      ['TopicReplication', 'TopicsToExclude', 249],
      ['ConsumerGroupReplication', 'ConsumerGroupsToReplicate', 256],
      ['ConsumerGroupReplication', 'ConsumerGroupsToExclude', 256],
    ];
    for (const [group, field, max] of lists) {
      const holder = r[group];
      if (!isRecord(holder)) continue;
      list(holder[field]).forEach((p, j) => {
        text(at(at(at(base, group), field), j), p, maxLength(max));
      });
    }
  }
  return issues;
}

/** Every problem of a CreateReplicator request; empty when AWS would take it. */
export function createReplicatorRequestIssues(input: unknown): ModelIssue[] {
  const issues = modelIssues(CreateReplicatorRequest$ as SchemaRef, input);
  return isRecord(input) ? [...issues, ...documentedLimits(input)] : issues;
}

/** Every problem of an UpdateReplicationInfo request. */
export function updateReplicationInfoRequestIssues(
  input: unknown,
): ModelIssue[] {
  const issues = modelIssues(UpdateReplicationInfoRequest$ as SchemaRef, input);
  return isRecord(input) ? [...issues, ...documentedLimits(input)] : issues;
}

/** Every problem of a DeleteReplicator request. */
export function deleteReplicatorRequestIssues(input: unknown): ModelIssue[] {
  return modelIssues(DeleteReplicatorRequest$ as SchemaRef, input);
}

/** `path: message` lines, for an error. */
export function formatModelIssues(issues: readonly ModelIssue[]): string {
  return issues.map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ');
}
