import { Stack, Validations } from 'aws-cdk-lib';
import { type CfnRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  replicatorRolePolicyDocument,
  replicatorTrustPolicy,
} from '../../functions/shared/domain/role-policy.ts';

export interface ReplicatorRoleProps {
  /** Secret ARNs or prefixes ending in `*` the replicators may read. */
  readonly secretArnPrefixes: readonly string[];
  /** MSK clusters the replicators may use; empty: any in the account and Region. */
  readonly mskClusterArns: readonly string[];
}

/** Name of the role's inline policy. */
export const REPLICATOR_POLICY_NAME = 'ReplicatorAccess';

/**
 * The service execution role MSK Replicator assumes. Its trust and
 * permissions policies come from the same functions as the files
 * `msk-cutover plan` writes (functions/shared/domain/role-policy.ts),
 * written into the template as they are, so what `plan` prints for a
 * plan's secrets and cluster is what this role holds for the same scope.
 */
export class ReplicatorRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ReplicatorRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('kafka.amazonaws.com'),
      description:
        'msk-cutover: service execution role of the forward and reverse MSK replicators',
    });
    const clusterArns =
      props.mskClusterArns.length > 0
        ? props.mskClusterArns
        : [
            stack.formatArn({
              service: 'kafka',
              resource: 'cluster',
              resourceName: '*',
            }),
          ];
    // Raw documents, not CDK PolicyStatements: CDK would reshape them
    // (single-item lists to strings, merged statements), and the point is
    // that the template holds exactly what `plan` prints.
    const cfn = this.role.node.defaultChild as CfnRole;
    cfn.assumeRolePolicyDocument = replicatorTrustPolicy(stack.account);
    const document = replicatorRolePolicyDocument({
      partition: stack.partition,
      region: stack.region,
      account: stack.account,
      secretArns: props.secretArnPrefixes,
      clusterArns,
    });
    cfn.policies = [
      { policyName: REPLICATOR_POLICY_NAME, policyDocument: document },
    ];

    // Every wildcard resource of the document, acknowledged with its reason
    // in cdk-nag's notation (pseudo parameters as `<AWS::Region>`).
    const reasons: Record<string, string> = {
      DecryptSecretsThroughSecretsManager:
        'kms:Decrypt of the source secrets, whose keys belong to the user: limited to calls made through Secrets Manager in this region (kms:ViaService).',
      ReadSourceClusterSecrets:
        'The deploy-time scope of source-cluster secrets (context replicatorSecretArnPrefixes); preflight rejects a plan outside it.',
      TargetCluster:
        'No mskClusterArns context was given, so any MSK cluster of the account and region; give the context to narrow it.',
      TargetClusterTopics:
        'Topics of the target cluster: the replicators create and own topics (internal and newly detected ones) whose names are not known at deploy time.',
      TargetClusterGroups:
        'Consumer groups of the target cluster: every group the replicators sync, including ones detected after creation.',
    };
    for (const statement of document.Statement) {
      for (const resource of statement.Resource) {
        if (!resource.includes('*')) continue;
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagForm(stack, resource)}]`,
          reason: reasons[statement.Sid] ?? 'See the statement id.',
        });
      }
    }
  }
}

/** A resource as cdk-nag names it: `arn:<AWS::Partition>:kms:...`. */
function nagForm(stack: Stack, value: string): string {
  const resolved: unknown = stack.resolve(value);
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const ref = (p as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return `<${ref}>`;
    throw new Error(`cannot name ${JSON.stringify(p)} for cdk-nag`);
  };
  if (typeof resolved === 'string') return resolved;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join === undefined) return part(resolved);
  return join[1].map(part).join(join[0]);
}
