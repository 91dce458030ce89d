/**
 * The least-privilege IAM policy of the replicators' service execution role,
 * derived from the plan: read only the plan's secrets, decrypt only through
 * Secrets Manager, and use only the target cluster's own cluster, topic and
 * group resources over IAM access control.
 */
import type { Plan } from './plan.ts';

/** AWS-managed alternative for the Kafka side (not the secrets). */
export const REPLICATOR_MANAGED_POLICY = 'AWSMSKReplicatorExecutionRole';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The parts of an MSK cluster ARN the IAM resource ARNs are built from. */
export function parseClusterArn(arn: string): {
  partition: string;
  region: string;
  account: string;
  clusterName: string;
  clusterUuid: string;
} {
  const match =
    /^arn:([^:]+):kafka:([^:]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/.exec(arn);
  if (match === null) throw new Error(`not an MSK cluster ARN: ${arn}`);
  const [
    ,
    partition = '',
    region = '',
    account = '',
    clusterName = '',
    clusterUuid = '',
  ] = match;
  return { partition, region, account, clusterName, clusterUuid };
}

/** Where the replicators' role may reach: the same shape for a plan and a stack. */
export interface ReplicatorRoleScope {
  partition: string;
  region: string;
  /** The account that owns the role (and the replicators). */
  account: string;
  /** Secret ARNs, or ARN prefixes ending in `*`, the replicators read. */
  secretArns: readonly string[];
  /** MSK cluster ARNs the replicators use (`cluster/*` for any). */
  clusterArns: readonly string[];
}

/**
 * Trust policy: only MSK (Replicator) may assume the role, and only on
 * behalf of this account (`aws:SourceAccount`, the confused-deputy guard
 * of the MSK Developer Guide's "Service execution role (SER)" page).
 */
export function replicatorTrustPolicy(account: string) {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'kafka.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': account } },
      },
    ],
  } as const;
}

/** The cluster's topic or group ARNs (`…:topic/<name>/<uuid>/*`). */
function clusterContents(clusterArn: string, type: 'topic' | 'group'): string {
  return `${clusterArn.replace(':cluster/', `:${type}/`)}/*`;
}

/**
 * The replicator role's permissions policy for a scope; `msk-cutover plan`
 * (`replicatorRolePolicy`) and the stack's replicator role
 * (infra/constructs/replicator-role.ts) both use it, so the policy a plan
 * prints is the policy the stack deploys for the same secrets and cluster:
 * - Secrets Manager read actions on the secrets (MSK Developer Guide,
 *   msk-replicator-ser-additional-perms);
 * - `kms:Decrypt` only via Secrets Manager in the Region (needed when the
 *   secrets use a customer managed key);
 * - `kafka-cluster:*` data-plane actions on the target cluster, and on its
 *   topics and groups (`/*`: replicators also own internal topics and pick
 *   up new topics). `WriteDataIdempotently` is a cluster action ("equivalent
 *   to Apache Kafka's IDEMPOTENT_WRITE CLUSTER ACL", IAM access control
 *   page), so it is granted on the cluster ARN, not on topics.
 * This replaces `AWSMSKReplicatorExecutionRole`, which grants the Kafka side
 * on every cluster and none of the secrets.
 */
export function replicatorRolePolicyDocument(
  scope: ReplicatorRoleScope,
): PolicyDocument {
  const { partition, region } = scope;
  const secretAccounts = [
    ...new Set(scope.secretArns.map((s) => s.split(':')[4] ?? scope.account)),
  ];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadSourceClusterSecrets',
        Effect: 'Allow',
        Action: [
          'secretsmanager:DescribeSecret',
          'secretsmanager:GetResourcePolicy',
          'secretsmanager:GetSecretValue',
          'secretsmanager:ListSecretVersionIds',
        ],
        Resource: [...scope.secretArns],
      },
      {
        Sid: 'DecryptSecretsThroughSecretsManager',
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: secretAccounts.map(
          (a) => `arn:${partition}:kms:${region}:${a}:key/*`,
        ),
        Condition: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${region}.amazonaws.com`,
          },
        },
      },
      {
        Sid: 'TargetCluster',
        Effect: 'Allow',
        Action: [
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeCluster',
          'kafka-cluster:AlterCluster',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
          'kafka-cluster:AlterClusterDynamicConfiguration',
          'kafka-cluster:WriteDataIdempotently',
        ],
        Resource: [...scope.clusterArns],
      },
      {
        Sid: 'TargetClusterTopics',
        Effect: 'Allow',
        Action: [
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:CreateTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
          'kafka-cluster:ReadData',
          'kafka-cluster:WriteData',
        ],
        Resource: scope.clusterArns.map((c) => clusterContents(c, 'topic')),
      },
      {
        Sid: 'TargetClusterGroups',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: scope.clusterArns.map((c) => clusterContents(c, 'group')),
      },
    ],
  };
}

/** The scope of a plan: its secrets and its target cluster. */
export function planRoleScope(plan: Plan): ReplicatorRoleScope {
  const { partition, region, account } = parseClusterArn(
    plan.target.mskClusterArn,
  );
  const secrets = [
    ...new Set(
      [plan.source.saslScram.secretArn, plan.source.tls.rootCaSecretArn].filter(
        (s) => s !== undefined,
      ),
    ),
  ];
  return {
    partition,
    region,
    account,
    secretArns: secrets,
    clusterArns: [plan.target.mskClusterArn],
  };
}

/** The replicator role's permissions policy for `plan`. */
export function replicatorRolePolicy(plan: Plan): PolicyDocument {
  return replicatorRolePolicyDocument(planRoleScope(plan));
}

/** The trust policy of the replicator role for `plan` (its cluster's account). */
export function planTrustPolicy(plan: Plan) {
  return replicatorTrustPolicy(planRoleScope(plan).account);
}
