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

/** Trust policy: only MSK (Replicator) may assume the role. */
export const REPLICATOR_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'kafka.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
} as const;

/**
 * The replicator role's permissions policy for `plan`:
 * - Secrets Manager read actions on the SCRAM secret (and the CA secret);
 * - `kms:Decrypt` only via Secrets Manager in the plan's Region (needed when
 *   the secrets use a customer managed key);
 * - `kafka-cluster:*` data-plane actions the replicators use, on the target
 *   cluster and on its topics and groups (`/*` because replicators also own
 *   internal topics such as `mskr-offset-syncs.*` and pick up new topics).
 * This replaces `AWSMSKReplicatorExecutionRole`, which grants the Kafka side
 * on every cluster and none of the secrets.
 */
export function replicatorRolePolicy(plan: Plan): PolicyDocument {
  const { partition, region, account, clusterName, clusterUuid } =
    parseClusterArn(plan.target.mskClusterArn);
  const secrets = [
    ...new Set(
      [plan.source.saslScram.secretArn, plan.source.tls.rootCaSecretArn].filter(
        (s) => s !== undefined,
      ),
    ),
  ];
  const secretAccounts = [
    ...new Set(secrets.map((s) => s.split(':')[4] ?? account)),
  ];
  const kafka = (type: string, suffix: string) =>
    `arn:${partition}:kafka:${region}:${account}:${type}/${clusterName}/${clusterUuid}${suffix}`;
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
        Resource: secrets,
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
        ],
        Resource: [plan.target.mskClusterArn],
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
          'kafka-cluster:WriteDataIdempotently',
        ],
        Resource: [kafka('topic', '/*')],
      },
      {
        Sid: 'TargetClusterGroups',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [kafka('group', '/*')],
      },
    ],
  };
}
