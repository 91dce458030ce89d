/**
 * The msk-cutover orchestrator, told in the order a migration uses it.
 */
import { join } from 'node:path';
import {
  ArnFormat,
  Aws,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import {
  LEDGER_GSI1,
  LEDGER_KEYS,
} from '../functions/shared/aws/ledger-table.ts';
import { CUSTOM_NAMESPACE } from '../functions/shared/custom-metrics.ts';
import { REPLICATOR_NAME_PREFIX } from '../functions/shared/domain/replicator-config.ts';
import type { ExtendedEnvPhase, FunctionEnv } from '../functions/shared/env.ts';
import {
  type FunctionArnPlaceholder,
  functionArnPlaceholder,
  type MachineName,
  PHASES,
  type Phase,
  type PhaseOf,
  phaseSpec,
  phasesOf,
} from '../functions/shared/phases.ts';
import type {
  ChildSubstitution,
  ParentSubstitution,
} from '../functions/shared/substitutions.ts';
import { ApprovalApi } from './constructs/approval-api.ts';
import { OperationsDashboard } from './constructs/operations-dashboard.ts';
import {
  PhaseFunction,
  type PhaseFunctionNetwork,
} from './constructs/phase-function.ts';
import { ReplicatorRole } from './constructs/replicator-role.ts';
import { WorkflowStateMachine } from './constructs/workflow-state-machine.ts';
import { clusterResourceArns, type DeployContext } from './deploy-context.ts';

export interface CutoverStackProps extends StackProps {
  /** Deploy-time settings (see `readDeployContext`). */
  readonly deploy: DeployContext;
  /**
   * The directory holding `functions/`, `statemachines/` and
   * `package-lock.json`.
   * @default the repository root
   */
  readonly projectRoot?: string;
}

/**
 * The ledger operations each phase's code reaches (through the shared
 * DynamoLedger adapter, functions/shared/aws/ledger.ts).
 */
const LEDGER_ACCESS: Record<Phase, readonly string[]> = {
  'validate-plan': [
    'GetItem',
    'PutItem',
    'UpdateItem',
    'Query',
    'BatchWriteItem',
  ],
  preflight: ['PutItem', 'BatchWriteItem'],
  'probe-source': ['PutItem', 'UpdateItem', 'BatchWriteItem'],
  'measure-source-lag': ['GetItem', 'PutItem', 'BatchWriteItem'],
  'create-replicators': ['GetItem', 'PutItem'],
  'describe-replicators': ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  'poll-readiness': [
    'GetItem',
    'PutItem',
    'UpdateItem',
    'Query',
    'BatchWriteItem',
  ],
  'request-approval': ['GetItem', 'PutItem', 'UpdateItem'],
  // Query: the overview page lists the migration's apps, gates, replicators.
  'approval-api': ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  'approval-reminders': ['PutItem', 'UpdateItem', 'Query'],
  'verify-cutover': [
    'GetItem',
    'PutItem',
    'UpdateItem',
    'Query',
    'BatchWriteItem',
  ],
  teardown: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  'record-failure': ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
  cleanup: ['GetItem', 'PutItem', 'UpdateItem', 'Query'],
};

/** Phases that read the pinned plan from the plan bucket. */
const READS_PLAN = new Set<Phase>([
  'validate-plan',
  'preflight',
  'probe-source',
  'create-replicators',
  'measure-source-lag',
  'poll-readiness',
  'request-approval',
  'approval-api',
  'approval-reminders',
  'verify-cutover',
  'teardown',
]);

/** Phases that notify (the topic and the event bus). */
const PUBLISHES = new Set<Phase>([
  'describe-replicators',
  'poll-readiness',
  'request-approval',
  'approval-reminders',
  'teardown',
  'record-failure',
  'cleanup',
]);

export class CutoverStack extends Stack {
  readonly functions: { readonly [P in Phase]: PhaseFunction<P> };

  constructor(scope: Construct, id: string, props: CutoverStackProps) {
    super(scope, id, props);
    const root = props.projectRoot ?? join(import.meta.dirname, '..');
    const deploy = props.deploy;

    // 1. Keys. One customer managed key for the data at rest (ledger, plan
    //    bucket, topic, logs, signing secret) and a separate one for task
    //    tokens, so only request-approval can encrypt and only the approval
    //    functions can decrypt them.
    /** Requests CloudWatch makes for an alarm of this account and region. */
    const alarmSource = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: {
        'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
      },
    };
    const dataKey = new Key(this, 'DataKey', {
      description: 'msk-cutover: ledger, plans, notifications and logs',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    dataKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );
    // CloudWatch alarms of this account publish to the encrypted topic: the
    // key must let cloudwatch.amazonaws.com use it (SNS developer guide,
    // sns-key-management, "Enable compatibility between event sources from
    // AWS services and encrypted topics"), on behalf of this account's
    // alarms only (aws:SourceAccount / aws:SourceArn, the confused-deputy
    // conditions). No EventBridge rule targets the topic, so
    // events.amazonaws.com gets nothing.
    dataKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmSource,
      }),
    );
    const tokenKey = new Key(this, 'TaskTokenKey', {
      description:
        'msk-cutover: encrypts Step Functions task tokens in the ledger',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // 2. The plan arrives. `msk-cutover start` uploads it to a versioned,
    //    encrypted bucket; every phase reads the pinned object version.
    const accessLogs = new Bucket(this, 'AccessLogBucket', {
      // Server access logs can only be delivered to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the plan bucket; logging it into itself would loop.',
    });
    const planBucket = new Bucket(this, 'PlanBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: dataKey,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'plan-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // 3. The ledger: durable state of every migration (one item per app,
    //    gates, evidence, audit). Keys from the shared table design.
    const ledger = new Table(this, 'Ledger', {
      partitionKey: {
        name: LEDGER_KEYS.partitionKey,
        type: AttributeType.STRING,
      },
      sortKey: { name: LEDGER_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    ledger.addGlobalSecondaryIndex({
      indexName: LEDGER_GSI1.indexName,
      partitionKey: {
        name: LEDGER_GSI1.partitionKey,
        type: AttributeType.STRING,
      },
      sortKey: { name: LEDGER_GSI1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    // 4. People and integrations hear about it: an encrypted SNS topic
    //    (emails subscribed at start) and the `msk-cutover` event bus.
    const topic = new Topic(this, 'Notifications', {
      displayName: 'msk-cutover',
      masterKey: dataKey,
      enforceSSL: true,
    });
    // With enforceSSL the topic policy holds only the TLS deny, which
    // replaces SNS's default policy: the alarms' service principal needs an
    // Allow of its own (reference facts, discrepancy 9).
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: alarmSource,
      }),
    );
    const bus = new EventBus(this, 'Bus', { eventBusName: 'msk-cutover' });

    // 5. Approval links: an HMAC key (generated, never leaves Secrets
    //    Manager) signs them; the approval API serves the page.
    const signingSecret = new Secret(this, 'ApprovalSigningKey', {
      description: 'msk-cutover: HMAC key of approval links',
      encryptionKey: dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(signingSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link key would invalidate approval links already emailed; links expire on their own (linkTtlHours) and are single use.',
    });

    // 6. The replicators' own role, scoped to the secrets and clusters given
    //    at deploy time; preflight gets the same scope to reject a plan
    //    outside it before anything is created.
    const defaultSecretScope = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:msk-cutover/*`;
    const secretScope =
      deploy.replicatorSecretArnPrefixes.length > 0
        ? deploy.replicatorSecretArnPrefixes
        : [defaultSecretScope];
    const replicatorRole = new ReplicatorRole(this, 'ReplicatorRole', {
      secretArnPrefixes: secretScope,
      mskClusterArns: deploy.mskClusterArns,
    }).role;

    // 7. The phases: one function each, all with the same defaults.
    const common = {
      LEDGER_TABLE: ledger.tableName,
      TOPIC_ARN: topic.topicArn,
      EVENT_BUS_NAME: bus.eventBusName,
    };
    const approvalApi = new ApprovalApi(this, 'Approvals', { logKey: dataKey });
    const approvals = {
      TOKEN_KEY_ID: tokenKey.keyArn,
      SIGNING_SECRET_ARN: signingSecret.secretArn,
      APPROVAL_BASE_URL: approvalApi.baseUrl,
    };
    const names = {
      migration: `${this.stackName}-migration`,
      appCutover: `${this.stackName}-app-cutover`,
    };
    const network = this.sourceNetwork(deploy);
    // The variables of the phases that need more than the common ones
    // (functions/shared/env.ts types them, so none can be forgotten).
    const extendedEnv: { [P in ExtendedEnvPhase]: FunctionEnv<P> } = {
      preflight: {
        ...common,
        SERVICE_EXECUTION_ROLE_ARN: replicatorRole.roleArn,
        ALLOWED_SECRET_ARN_PREFIXES: secretScope.join(','),
        ALLOWED_CLUSTER_ARNS: deploy.mskClusterArns.join(','),
        // create-replicators' iam:PassRole scope besides the stack's role
        // (granted below): preflight refuses a plan role outside it.
        PASSABLE_ROLE_ARNS: deploy.replicatorRoleArns.join(','),
        // The log-delivery destinations create-replicators is granted
        // (below): preflight refuses a plan logging anywhere else.
        LOG_DELIVERY_BUCKETS: deploy.logDeliveryBuckets.join(','),
        LOG_DELIVERY_STREAMS: deploy.logDeliveryStreams.join(','),
      },
      'measure-source-lag': { ...common, METRICS_NAMESPACE: CUSTOM_NAMESPACE },
      'create-replicators': {
        ...common,
        SERVICE_EXECUTION_ROLE_ARN: replicatorRole.roleArn,
      },
      'request-approval': { ...common, ...approvals },
      'approval-api': { ...common, ...approvals },
      'approval-reminders': { ...common, ...approvals },
      cleanup: {
        ...common,
        STATE_MACHINE_ARN: this.stateMachineArnOf(names.migration),
      },
    };
    const environment = (phase: Phase): Record<string, string> =>
      (extendedEnv as Partial<Record<Phase, Record<string, string>>>)[phase] ??
      common;

    // One function per entry of the phase table, with its settings there.
    const functions: Partial<Record<Phase, PhaseFunction<Phase>>> = {};
    for (const phase of PHASES) {
      const spec = phaseSpec(phase);
      functions[phase] = new PhaseFunction(this, spec.name, {
        phase,
        description: spec.description,
        ...(spec.timeoutSeconds === undefined
          ? {}
          : { timeout: Duration.seconds(spec.timeoutSeconds) }),
        ...(spec.memoryMB === undefined ? {} : { memorySize: spec.memoryMB }),
        ...(spec.kafka && network !== undefined ? { network } : {}),
        environment: environment(phase) as FunctionEnv<Phase>,
        logKey: dataKey,
        projectRoot: root,
      });
    }
    this.functions = functions as CutoverStack['functions'];
    const f = this.functions;
    approvalApi.route(f['approval-api'].fn);

    // 8. What each phase may do, and nothing more: what its code calls
    //    (the rehearsal authorizes every call against these policies and
    //    reports any grant no scenario used; infra/iam-reviewed-grants.json
    //    holds the few kept for paths the rehearsal cannot run).
    // Explicit statements instead of the grant helpers: those add wildcard
    // actions (kms:GenerateDataKey*, s3:List*) and index/* resources.
    const planBucketNag = `<${this.getLogicalId(planBucket.node.defaultChild as CfnElement)}.Arn>/*`;
    for (const phase of PHASES) {
      const role = f[phase].role;
      const reads = LEDGER_ACCESS[phase];
      role.addToPolicy(
        new PolicyStatement({
          actions: reads.map((op) => `dynamodb:${op}`),
          resources: reads.includes('Query')
            ? [
                ledger.tableArn,
                `${ledger.tableArn}/index/${LEDGER_GSI1.indexName}`,
              ]
            : [ledger.tableArn],
        }),
      );
      // The ledger's key is used by DynamoDB itself (grants made when the
      // table is created); callers need no permission on it. What they do
      // need on the data key: Decrypt to read a plan (SSE-KMS objects),
      // Decrypt and GenerateDataKey to publish to the encrypted topic (SNS
      // developer guide, sns-key-management).
      const kms: string[] = [];
      if (READS_PLAN.has(phase)) {
        role.addToPolicy(
          new PolicyStatement({
            actions: ['s3:GetObjectVersion'],
            resources: [planBucket.arnForObjects('*')],
          }),
        );
        acknowledgeResource(
          role,
          planBucketNag,
          'Plans are objects with generated keys, one per migration and version; every phase reads the pinned version of its own plan.',
        );
        kms.push('kms:Decrypt');
      }
      if (PUBLISHES.has(phase)) {
        role.addToPolicy(
          new PolicyStatement({
            actions: ['sns:Publish'],
            resources: [topic.topicArn],
          }),
        );
        role.addToPolicy(
          new PolicyStatement({
            actions: ['events:PutEvents'],
            resources: [bus.eventBusArn],
          }),
        );
        kms.push('kms:Decrypt', 'kms:GenerateDataKey');
      }
      if (kms.length > 0) {
        role.addToPolicy(
          new PolicyStatement({
            actions: [...new Set(kms)],
            resources: [dataKey.keyArn],
          }),
        );
      }
    }
    // Wildcard resources are deliberate; each carries its reason, and every
    // role that receives one acknowledges that finding on itself only.
    const wildcards = new Map<string, { nag: string; reason: string }>();
    const wildcard = (value: string, nag: string, reason: string) => {
      wildcards.set(value, { nag, reason });
      return value;
    };
    const replicatorArns = wildcard(
      this.formatArn({
        service: 'kafka',
        resource: 'replicator',
        resourceName: `${REPLICATOR_NAME_PREFIX}*`,
      }),
      nagArn('kafka', `replicator/${REPLICATOR_NAME_PREFIX}*`),
      'Replicator ARNs end in a generated id; the name prefix limits them to the replicators this tool creates.',
    );
    for (const prefix of secretScope) {
      const nag =
        prefix === defaultSecretScope
          ? nagArn('secretsmanager', 'secret:msk-cutover/*')
          : prefix;
      const reason =
        'The deploy-time scope of source-cluster secrets (context replicatorSecretArnPrefixes); preflight rejects a plan outside it.';
      wildcard(prefix, nag, reason);
      if (prefix.includes('*')) {
        acknowledgeResource(replicatorRole, nag, reason);
      }
    }
    const noClusterScope =
      'No mskClusterArns context was given, so any MSK cluster of the account and region; give the context to narrow it.';
    const clusterArns =
      deploy.mskClusterArns.length > 0
        ? deploy.mskClusterArns
        : [
            wildcard(
              this.formatArn({
                service: 'kafka',
                resource: 'cluster',
                resourceName: '*',
              }),
              nagArn('kafka', 'cluster/*'),
              noClusterScope,
            ),
          ];
    const clusterContents =
      deploy.mskClusterArns.length > 0
        ? deploy.mskClusterArns
            .flatMap(clusterResourceArns)
            .map((arn) =>
              arn.endsWith('*')
                ? wildcard(
                    arn,
                    arn,
                    'Topics and consumer groups of the target cluster given at deploy time (context mskClusterArns).',
                  )
                : arn,
            )
        : (['cluster', 'topic', 'group'] as const).map((r) =>
            wildcard(
              this.formatArn({
                service: 'kafka',
                resource: r,
                resourceName: '*',
              }),
              nagArn('kafka', `${r}/*`),
              noClusterScope,
            ),
          );
    const serviceLinkedRole = wildcard(
      `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*`,
      'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/aws-service-role/kafka.amazonaws.com/AWSServiceRoleForKafka*',
      'The MSK service-linked role that CreateReplicator creates on first use; AWS sets its name.',
    );
    const allow = (
      phase: Phase,
      actions: string[],
      resources: string[],
      conditions?: Record<string, Record<string, string>>,
    ) => {
      const role = f[phase].role;
      role.addToPolicy(
        new PolicyStatement({
          actions,
          resources,
          ...(conditions === undefined ? {} : { conditions }),
        }),
      );
      for (const resource of resources) {
        const known = wildcards.get(resource);
        if (known) acknowledgeResource(role, known.nag, known.reason);
      }
    };
    const listReplicators = (phase: Phase) =>
      allow(phase, ['kafka:ListReplicators'], ['*']);
    const decryptSourceSecrets = (phase: Phase) =>
      allow(phase, ['kms:Decrypt'], ['*'], {
        StringEquals: {
          'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com`,
        },
      });
    const networkReads = [
      'ec2:DescribeSubnets',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeVpcs',
    ];
    // kafka:GetBootstrapBrokers has no resource type in the Service
    // Authorization Reference: it is granted on `*` or not at all.
    const bootstrapBrokers = (phase: Phase) =>
      allow(phase, ['kafka:GetBootstrapBrokers'], ['*']);

    // validate-plan subscribes the plan's approval emails to the topic.
    allow(
      'validate-plan',
      ['sns:ListSubscriptionsByTopic', 'sns:Subscribe'],
      [topic.topicArn],
    );
    // preflight: the target cluster, the secrets, the network, the quota.
    allow('preflight', ['kafka:DescribeClusterV2'], clusterArns);
    allow('preflight', ['kafka:DescribeReplicator'], [replicatorArns]);
    listReplicators('preflight');
    allow('preflight', ['secretsmanager:GetSecretValue'], secretScope);
    decryptSourceSecrets('preflight');
    allow(
      'preflight',
      ['ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'],
      ['*'],
    );
    allow(
      'preflight',
      [
        'servicequotas:GetServiceQuota',
        'servicequotas:GetAWSDefaultServiceQuota',
      ],
      ['*'],
    );
    // The plan's log-delivery destinations exist (names known only at run
    // time). DescribeLogGroups and ListAllMyBuckets take no resource
    // (service authorization reference); a delivery stream is one ARN.
    allow(
      'preflight',
      ['logs:DescribeLogGroups', 's3:ListAllMyBuckets'],
      ['*'],
    );
    allow(
      'preflight',
      ['firehose:DescribeDeliveryStream'],
      [
        wildcard(
          this.formatArn({
            service: 'firehose',
            resource: 'deliverystream',
            resourceName: '*',
          }),
          nagArn('firehose', 'deliverystream/*'),
          'The plan names the delivery stream the replicators log to; preflight only describes it to see that it exists.',
        ),
      ],
    );
    // probe-source: the source credentials.
    allow('probe-source', ['secretsmanager:GetSecretValue'], secretScope);
    decryptSourceSecrets('probe-source');
    // measure-source-lag: the source credentials, the target over IAM
    // auth, and the source-lag metrics it publishes.
    allow('measure-source-lag', ['secretsmanager:GetSecretValue'], secretScope);
    decryptSourceSecrets('measure-source-lag');
    bootstrapBrokers('measure-source-lag');
    allow(
      'measure-source-lag',
      [
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeCluster',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:DescribeGroup',
      ],
      clusterContents,
    );
    // Custom metrics: source lag (measure) and overdue gates (reminders).
    for (const phase of ['measure-source-lag', 'approval-reminders'] as const) {
      allow(phase, ['cloudwatch:PutMetricData'], ['*'], {
        StringEquals: { 'cloudwatch:namespace': CUSTOM_NAMESPACE },
      });
    }
    // create-replicators: what CreateReplicator requires of its caller.
    allow(
      'create-replicators',
      [
        'kafka:CreateReplicator',
        'kafka:DescribeReplicator',
        'kafka:TagResource',
      ],
      [replicatorArns],
    );
    listReplicators('create-replicators');
    allow('create-replicators', ['kafka:DescribeClusterV2'], clusterArns);
    bootstrapBrokers('create-replicators');
    allow('create-replicators', networkReads, ['*']);
    // CreateReplicator with LogDelivery to CloudWatch Logs: vended log
    // delivery on the caller (MSK developer guide,
    // msk-replicator-perms-log-delivery; these actions have no resource
    // type). S3 and Firehose destinations need grants on the bucket or
    // stream itself: only those of the context logDeliveryBuckets /
    // logDeliveryStreams (preflight refuses a plan logging elsewhere).
    allow(
      'create-replicators',
      [
        'logs:CreateLogDelivery',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
        'logs:ListLogDeliveries',
      ],
      ['*'],
    );
    if (deploy.logDeliveryBuckets.length > 0) {
      allow(
        'create-replicators',
        ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
        deploy.logDeliveryBuckets.map(
          (bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}`,
        ),
      );
    }
    if (deploy.logDeliveryStreams.length > 0) {
      allow(
        'create-replicators',
        ['firehose:TagDeliveryStream'],
        deploy.logDeliveryStreams.map(
          (stream) =>
            `arn:${Aws.PARTITION}:firehose:${Aws.REGION}:${Aws.ACCOUNT_ID}:deliverystream/${stream}`,
        ),
      );
    }
    allow(
      'create-replicators',
      ['iam:PassRole'],
      [replicatorRole.roleArn, ...deploy.replicatorRoleArns],
      { StringEquals: { 'iam:PassedToService': 'kafka.amazonaws.com' } },
    );
    allow(
      'create-replicators',
      ['iam:CreateServiceLinkedRole'],
      [serviceLinkedRole],
    );
    allow(
      'describe-replicators',
      ['kafka:DescribeReplicator'],
      [replicatorArns],
    );
    // poll-readiness reads the cluster aliases its metric dimensions use.
    allow('poll-readiness', ['kafka:DescribeReplicator'], [replicatorArns]);
    for (const phase of ['poll-readiness', 'verify-cutover'] as const) {
      allow(phase, ['cloudwatch:GetMetricData'], ['*']);
    }
    allow('teardown', ['kafka:DeleteReplicator'], [replicatorArns]);
    listReplicators('teardown');
    allow(
      'cleanup',
      ['kafka:DescribeReplicator', 'kafka:DeleteReplicator'],
      [replicatorArns],
    );
    listReplicators('cleanup');
    // Approvals: request-approval encrypts a task token, and
    // approval-reminders re-encrypts it for the request it re-issues; only
    // the approval functions decrypt one and answer the waiting Task.
    allow('request-approval', ['kms:Encrypt'], [tokenKey.keyArn]);
    // Gate messages and the page tell the owners the target's brokers.
    for (const phase of [
      'request-approval',
      'approval-api',
      'approval-reminders',
    ] as const) {
      bootstrapBrokers(phase);
    }
    allow('approval-api', ['kms:Decrypt'], [tokenKey.keyArn]);
    allow(
      'approval-reminders',
      ['kms:Decrypt', 'kms:Encrypt'],
      [tokenKey.keyArn],
    );
    for (const phase of [
      'request-approval',
      'approval-api',
      'approval-reminders',
    ] as const) {
      allow(
        phase,
        ['secretsmanager:GetSecretValue'],
        [signingSecret.secretArn],
      );
    }

    // 9. The workflow: the parent migration and one child execution per
    //    application, from the ASL files. The files give CDK no graph, so
    //    every placeholder is granted below.
    // Every function placeholder of a machine, from the phase table.
    const functionArns = <M extends MachineName>(machine: M) =>
      Object.fromEntries(
        phasesOf(machine).map((phase) => [
          functionArnPlaceholder(phase),
          f[phase].fn.functionArn,
        ]),
      ) as Record<FunctionArnPlaceholder<PhaseOf<M>>, string>;
    const appCutover = new WorkflowStateMachine<ChildSubstitution>(
      this,
      'AppCutover',
      {
        definitionFile: join(root, 'statemachines/app-cutover.asl.json'),
        stateMachineName: names.appCutover,
        logKey: dataKey,
        substitutions: functionArns('app-cutover'),
      },
    );
    const migration = new WorkflowStateMachine<ParentSubstitution>(
      this,
      'Migration',
      {
        definitionFile: join(root, 'statemachines/migration.asl.json'),
        stateMachineName: names.migration,
        logKey: dataKey,
        substitutions: {
          ...functionArns('migration'),
          AppCutoverStateMachineArn: appCutover.stateMachineArn,
          EventBusName: bus.eventBusName,
        },
      },
    );
    // Only the unqualified ARN the ASL names (grantInvoke adds `:*`).
    const invoke = (machine: WorkflowStateMachine<string>, phase: Phase) =>
      machine.stateMachine.addToRolePolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [f[phase].fn.functionArn],
        }),
      );
    for (const phase of phasesOf('migration')) invoke(migration, phase);
    for (const phase of phasesOf('app-cutover')) invoke(appCutover, phase);
    migration.grantNestedExecution(
      appCutover.stateMachineArn,
      appCutover.executionArnPattern,
    );
    bus.grantPutEventsTo(migration.stateMachine);
    // Only the approval API answers a waiting Task, and only with
    // SendTaskSuccess (a rejection is a decision too); nothing sends
    // SendTaskFailure or heartbeats.
    allow(
      'approval-api',
      ['states:SendTaskSuccess'],
      [migration.stateMachineArn, appCutover.stateMachineArn],
    );
    for (const [machine, name] of [
      [migration, names.migration],
      [appCutover, names.appCutover],
    ] as const) {
      acknowledgeResource(
        machine.stateMachine.role,
        nagArn('states', `execution:${name}:*`),
        'Continue-as-new and child executions have generated names; the pattern covers the executions of one state machine of this stack.',
      );
    }
    acknowledgeResource(
      migration.stateMachine.role,
      nagArn('states', `execution:${names.appCutover}:*`),
      'Child executions have generated names; the pattern covers the executions of the app-cutover state machine only.',
    );
    // 10. When things end: a failed, timed-out or aborted migration and a
    //     daily sweep trigger cleanup; open gates are swept every 15 minutes.
    new Rule(this, 'MigrationEndedRule', {
      description:
        'msk-cutover: clean up after a migration that did not succeed',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [migration.stateMachineArn],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      targets: [new LambdaFunction(f.cleanup.fn, { retryAttempts: 4 })],
    });
    new Rule(this, 'DailyCleanupRule', {
      description:
        'msk-cutover: daily sweep of replicators of ended migrations',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [new LambdaFunction(f.cleanup.fn, { retryAttempts: 2 })],
    });
    new Rule(this, 'ApprovalRemindersRule', {
      description: 'msk-cutover: remind owners of open gates',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [
        new LambdaFunction(f['approval-reminders'].fn, { retryAttempts: 2 }),
      ],
    });

    // 11. Watching it: alarms notify the topic; the dashboard shows the
    //     replicators, source lag, readiness and gates.
    const ops = new OperationsDashboard(this, 'Operations', {
      migration: migration.stateMachine,
      appCutover: appCutover.stateMachine,
      alarms: [migration.failedAlarm, appCutover.failedAlarm],
    });
    const notify = new SnsAction(topic);
    for (const alarm of [
      migration.failedAlarm,
      migration.throttledAlarm,
      migration.abortedAlarm,
      appCutover.failedAlarm,
      appCutover.throttledAlarm,
      appCutover.abortedAlarm,
      ops.replicatorFailureAlarm,
      ops.gatesOverdueAlarm,
    ]) {
      alarm.addAlarmAction(notify);
    }

    // 12. What `msk-cutover start` and `status` read.
    new CfnOutput(this, 'StateMachineArn', {
      value: migration.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, 'PlanBucketName', { value: planBucket.bucketName });
    new CfnOutput(this, 'ApprovalApiUrl', { value: approvalApi.baseUrl });
    new CfnOutput(this, 'LedgerTableName', { value: ledger.tableName });
    new CfnOutput(this, 'TopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'ReplicatorRoleArn', { value: replicatorRole.roleArn });
  }

  /** `arn:…:states:…` as the stack writes it, before deployment. */
  private stateMachineArnOf(name: string): string {
    return this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** The network of the Kafka-side function, from the deploy context. */
  private sourceNetwork(
    deploy: DeployContext,
  ): PhaseFunctionNetwork | undefined {
    const given = deploy.sourceNetwork;
    if (given === undefined) return undefined;
    // From attributes, not a lookup: synth stays offline and account-free.
    const vpc = Vpc.fromVpcAttributes(this, 'SourceVpc', {
      vpcId: given.vpcId,
      availabilityZones: this.availabilityZones,
    });
    return {
      vpc,
      subnets: given.subnetIds.map((id) =>
        Subnet.fromSubnetId(this, `SourceSubnet-${id}`, id),
      ),
      securityGroups: given.securityGroupIds.map((id) =>
        SecurityGroup.fromSecurityGroupId(this, `SourceSg-${id}`, id, {
          mutable: false,
        }),
      ),
    };
  }
}

/** An ARN in this account and region, as cdk-nag prints it. */
function nagArn(service: string, resource: string): string {
  return `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
}

/** Acknowledges one deliberate wildcard resource on one role. */
function acknowledgeResource(role: IConstruct, nag: string, reason: string) {
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nag}]`,
    reason,
  });
}
