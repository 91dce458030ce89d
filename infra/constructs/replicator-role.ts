import { Aws, Validations } from 'aws-cdk-lib';
import {
  Effect,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { clusterResourceArns } from '../deploy-context.ts';

export interface ReplicatorRoleProps {
  /** Secret ARNs or prefixes ending in `*` the replicators may read. */
  readonly secretArnPrefixes: readonly string[];
  /** MSK clusters the replicators may use; empty: not narrowed. */
  readonly mskClusterArns: readonly string[];
}

/**
 * The service execution role MSK Replicator assumes: the AWS managed
 * AWSMSKReplicatorExecutionRole policy (MSK side, IAM auth), plus what it
 * lacks: reading the source cluster's SCRAM/CA secrets within the
 * deploy-time scope, and decrypting them through Secrets Manager only.
 */
export class ReplicatorRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ReplicatorRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('kafka.amazonaws.com'),
      description:
        'msk-cutover: service execution role of the forward and reverse MSK replicators',
      managedPolicies: [
        ManagedPolicy.fromAwsManagedPolicyName(
          'service-role/AWSMSKReplicatorExecutionRole',
        ),
      ],
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: [
          'secretsmanager:GetResourcePolicy',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DescribeSecret',
          'secretsmanager:ListSecretVersionIds',
        ],
        resources: [...props.secretArnPrefixes],
      }),
    );
    // The secrets' keys are the user's, unknown at deploy time; the
    // condition limits Decrypt to calls Secrets Manager makes for the role.
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com`,
          },
        },
      }),
    );
    if (props.mskClusterArns.length > 0) {
      // The managed policy allows every cluster of the account; the deny
      // narrows the role to the clusters of this deployment.
      this.role.addToPolicy(
        new PolicyStatement({
          effect: Effect.DENY,
          actions: ['kafka-cluster:*'],
          notResources: props.mskClusterArns.flatMap(clusterResourceArns),
        }),
      );
    }

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSMSKReplicatorExecutionRole]',
      reason:
        'The AWS maintained policy MSK Replicator documents for its service execution role; it tracks the actions the service needs, and the deploy-time cluster scope narrows it with a deny.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'kms:Decrypt of the source secrets, whose keys belong to the user: limited to calls made through Secrets Manager in this region (kms:ViaService).',
    });
  }
}
