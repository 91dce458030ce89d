/**
 * The stack, synthesized once with the real app (cdk-nag included) and once
 * with deploy-time context (bundling skipped: the first synth bundled the
 * same code). Slow by nature (13 esbuild bundles); keep stack tests here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LEDGER_GSI1,
  LEDGER_KEYS,
} from '../../functions/shared/aws/ledger-table.ts';
import {
  CHILD_SUBSTITUTIONS,
  PARENT_SUBSTITUTIONS,
} from '../../functions/shared/substitutions.ts';
import { buildApp } from '../../infra/app.ts';
import { PHASES } from '../../infra/bundling.ts';

const ROOT = join(import.meta.dirname, '../..');
const TEAM_ROLE = 'arn:aws:iam::123456789012:role/team-replicator';
const CLUSTER =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/target/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3';

let synthError: unknown;
let template: Template;
let scoped: Template;

beforeAll(() => {
  const { app, stack } = buildApp(new App({ outdir: tmpOut('plain') }), ROOT);
  try {
    app.synth();
  } catch (err) {
    synthError = err;
  }
  template = Template.fromStack(stack);

  const withContext = buildApp(
    new App({
      outdir: tmpOut('scoped'),
      context: {
        'aws:cdk:bundling-stacks': [],
        vpcId: 'vpc-0123456789abcdef0',
        sourceSubnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
        sourceSecurityGroupIds: 'sg-0123456789abcdef0',
        mskClusterArns: CLUSTER,
        replicatorSecretArnPrefixes:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/prod-*',
        replicatorRoleArns: TEAM_ROLE,
      },
    }),
    ROOT,
  );
  withContext.app.synth();
  scoped = Template.fromStack(withContext.stack);
}, 600_000);

function tmpOut(name: string): string {
  return join(ROOT, 'test-output', 'cdk', name);
}

/** The Lambda function of one phase (by its environment and description). */
function functionOf(t: Template, logicalPrefix: string) {
  const fns = t.findResources('AWS::Lambda::Function');
  const entry = Object.entries(fns).find(([id]) =>
    id.startsWith(`${logicalPrefix}Function`),
  );
  if (!entry) throw new Error(`no function ${logicalPrefix}`);
  return { id: entry[0], props: entry[1].Properties };
}

/** Every IAM statement of the default policy of one phase's role. */
function statementsOf(t: Template, logicalPrefix: string): unknown[] {
  const policies = t.findResources('AWS::IAM::Policy');
  const entry = Object.entries(policies).find(([id]) =>
    id.startsWith(`${logicalPrefix}RoleDefaultPolicy`),
  );
  if (!entry) throw new Error(`no policy for ${logicalPrefix}`);
  return entry[1].Properties.PolicyDocument.Statement;
}

function actionsOf(statements: unknown[]): string[] {
  return statements.flatMap((s) => {
    const a = (s as { Action: string | string[] }).Action;
    return Array.isArray(a) ? a : [a];
  });
}

describe('cdk-nag AwsSolutions', () => {
  it('should synthesize the real app with no unacknowledged finding', () => {
    expect(synthError).toBeUndefined();
  });
});

describe('phase functions', () => {
  it('should create exactly one function per phase', () => {
    template.resourceCountIs('AWS::Lambda::Function', PHASES.length);
  });

  it('should run every function on Node 24, ARM, JSON logs to its own group, traced, with source maps', () => {
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: {
          LogFormat: 'JSON',
          LogGroup: { Ref: Match.stringLikeRegexp('LogGroup') },
        },
        Environment: {
          Variables: Match.objectLike({
            NODE_OPTIONS: '--enable-source-maps',
            LEDGER_TABLE: { Ref: Match.stringLikeRegexp('^Ledger') },
            TOPIC_ARN: { Ref: Match.stringLikeRegexp('^Notifications') },
          }),
        },
      },
    });
    expect(Object.keys(fns)).toHaveLength(PHASES.length);
  });

  it('should keep every function log group encrypted and retained for a limited time', () => {
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DataKey'), 'Arn'] },
      RetentionInDays: Match.anyValue(),
    });
  });

  it('should give preflight the deploy-time scope and the replicator role', () => {
    const env = functionOf(template, 'Preflight').props.Environment.Variables;
    expect(env.SERVICE_EXECUTION_ROLE_ARN).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ReplicatorRole/), 'Arn'],
    });
    expect(JSON.stringify(env.ALLOWED_SECRET_ARN_PREFIXES)).toContain(
      ':secret:msk-cutover/*',
    );
    const scopedEnv = functionOf(scoped, 'Preflight').props.Environment
      .Variables;
    expect(scopedEnv.ALLOWED_CLUSTER_ARNS).toBe(CLUSTER);
    expect(scopedEnv.ALLOWED_SECRET_ARN_PREFIXES).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/prod-*',
    );
  });

  it('should give the approval functions the API URL, the token key and the signing secret', () => {
    for (const prefix of [
      'RequestApproval',
      'ApprovalApi',
      'ApprovalReminders',
    ]) {
      const env = functionOf(template, prefix).props.Environment.Variables;
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'APPROVAL_BASE_URL',
          'TOKEN_KEY_ID',
          'SIGNING_SECRET_ARN',
        ]),
      );
      expect(env.APPROVAL_BASE_URL).toEqual({
        'Fn::Join': [
          '',
          [
            {
              'Fn::GetAtt': [
                expect.stringMatching(/^ApprovalsApi/),
                'ApiEndpoint',
              ],
            },
            '/',
          ],
        ],
      });
    }
  });

  it('should put the Kafka-side functions in the source network only when the context gives one', () => {
    for (const prefix of ['ProbeSource', 'MeasureSourceLag']) {
      expect(functionOf(template, prefix).props.VpcConfig).toBeUndefined();
      expect(functionOf(scoped, prefix).props.VpcConfig).toEqual({
        SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        SecurityGroupIds: ['sg-0123456789abcdef0'],
      });
    }
    expect(functionOf(scoped, 'Preflight').props.VpcConfig).toBeUndefined();
  });
});

// Which calls each phase makes is not written down here: every rehearsal
// scenario authorizes each call against the synthesized policies, and
// test/cli/rehearsal/scenarios.test.ts fails on a grant no scenario uses
// (unless reviewed in infra/iam-reviewed-grants.json).
describe('least privilege', () => {
  it('should publish custom metrics only into the msk-cutover namespace', () => {
    for (const prefix of ['MeasureSourceLag', 'ApprovalReminders']) {
      expect(statementsOf(template, prefix)).toContainEqual(
        expect.objectContaining({
          Action: 'cloudwatch:PutMetricData',
          Condition: {
            StringEquals: { 'cloudwatch:namespace': 'msk-cutover' },
          },
        }),
      );
    }
  });

  it('should let probe-source, which only probes the source, reach neither the target nor metrics', () => {
    const actions = actionsOf(statementsOf(template, 'ProbeSource'));
    expect(actions).toContain('secretsmanager:GetSecretValue');
    for (const action of [
      'cloudwatch:PutMetricData',
      'kafka:GetBootstrapBrokers',
      'kafka-cluster:Connect',
      'dynamodb:GetItem',
    ]) {
      expect(actions).not.toContain(action);
    }
  });

  it('should let only teardown and cleanup delete replicators, by name prefix', () => {
    for (const phase of ['Teardown', 'Cleanup']) {
      const deletes = statementsOf(template, phase).filter((s) =>
        [(s as { Action: string | string[] }).Action]
          .flat()
          .includes('kafka:DeleteReplicator'),
      );
      expect(deletes).toContainEqual(
        expect.objectContaining({
          Resource: {
            'Fn::Join': [
              '',
              expect.arrayContaining([':replicator/msk-cutover-*']),
            ],
          },
        }),
      );
    }
    for (const prefix of [
      'ValidatePlan',
      'Preflight',
      'ProbeSource',
      'CreateReplicators',
      'DescribeReplicators',
      'MeasureSourceLag',
      'PollReadiness',
      'RequestApproval',
      'ApprovalApi',
      'ApprovalReminders',
      'VerifyCutover',
      'RecordFailure',
    ]) {
      expect(actionsOf(statementsOf(template, prefix))).not.toContain(
        'kafka:DeleteReplicator',
      );
    }
  });

  it('should let create-replicators pass the replicator role to MSK only', () => {
    expect(statementsOf(template, 'CreateReplicators')).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: {
        'Fn::GetAtt': [expect.stringMatching(/ReplicatorRole/), 'Arn'],
      },
      Condition: {
        StringEquals: { 'iam:PassedToService': 'kafka.amazonaws.com' },
      },
    });
  });

  it('should let create-replicators pass the roles of the context replicatorRoleArns too, and tell preflight', () => {
    expect(statementsOf(scoped, 'CreateReplicators')).toContainEqual({
      Action: 'iam:PassRole',
      Effect: 'Allow',
      Resource: [
        { 'Fn::GetAtt': [expect.stringMatching(/ReplicatorRole/), 'Arn'] },
        TEAM_ROLE,
      ],
      Condition: {
        StringEquals: { 'iam:PassedToService': 'kafka.amazonaws.com' },
      },
    });
    expect(
      functionOf(scoped, 'Preflight').props.Environment.Variables
        .PASSABLE_ROLE_ARNS,
    ).toBe(TEAM_ROLE);
  });

  it('should let only the functions that issue requests encrypt task tokens and only the approval functions decrypt them', () => {
    const tokenKeyArn = {
      'Fn::GetAtt': [expect.stringMatching(/^TaskTokenKey/), 'Arn'],
    };
    /** The actions a function may take on the task-token key. */
    const onTokenKey = (prefix: string) =>
      actionsOf(
        statementsOf(template, prefix).filter((s) =>
          JSON.stringify((s as { Resource: unknown }).Resource).includes(
            'TaskTokenKey',
          ),
        ),
      ).sort();
    expect(statementsOf(template, 'RequestApproval')).toContainEqual(
      expect.objectContaining({ Action: 'kms:Encrypt', Resource: tokenKeyArn }),
    );
    expect(onTokenKey('RequestApproval')).toEqual(['kms:Encrypt']);
    expect(onTokenKey('ApprovalApi')).toEqual(['kms:Decrypt']);
    // A reminder re-issues the request: the token is re-encrypted for it.
    expect(onTokenKey('ApprovalReminders')).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
    ]);
    for (const prefix of ['ValidatePlan', 'Teardown', 'ProbeSource']) {
      expect(JSON.stringify(statementsOf(template, prefix))).not.toMatch(
        /TaskTokenKey/,
      );
    }
  });

  it('should let the approval API, and nothing else, answer waiting gates, with SendTaskSuccess only', () => {
    expect(actionsOf(statementsOf(template, 'ApprovalApi'))).toContain(
      'states:SendTaskSuccess',
    );
    for (const prefix of [
      'ApprovalApi',
      'ApprovalReminders',
      'RequestApproval',
      'ValidatePlan',
      'Cleanup',
    ]) {
      const actions = actionsOf(statementsOf(template, prefix));
      expect(actions).not.toContain('states:SendTaskFailure');
      expect(actions).not.toContain('states:SendTaskHeartbeat');
      if (prefix !== 'ApprovalApi') {
        expect(actions).not.toContain('states:SendTaskSuccess');
      }
    }
  });

  it('should let CloudWatch alarms of this account, and nothing else of AWS, publish to the topic and use its key', () => {
    const alarmSource = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': Match.anyValue() },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: alarmSource,
          }),
        ]),
      },
    });
    const keys = template.findResources('AWS::KMS::Key');
    const dataKey = Object.entries(keys).find(([id]) =>
      id.startsWith('DataKey'),
    )?.[1];
    const statements = dataKey?.Properties.KeyPolicy.Statement as {
      Principal?: { Service?: string };
      Condition?: unknown;
    }[];
    const services = statements.filter((st) => st.Principal?.Service);
    // Every service grant of the data key carries a confused-deputy or
    // encryption-context condition; EventBridge gets none (nothing of it
    // publishes to the topic).
    for (const st of services) expect(st.Condition).toBeDefined();
    expect(JSON.stringify(services)).not.toContain('events.amazonaws.com');
    expect(services).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': expect.anything() },
        },
      }),
    );
  });

  it('should scope the replicator role to the deploy-time secrets and clusters', () => {
    // The role's policies come from role-policy.ts, the same function as
    // `plan` (test/infra/replicator-role.test.ts compares them whole).
    const roles = Object.entries(scoped.findResources('AWS::IAM::Role'));
    const role = roles.find(([id]) => id.startsWith('ReplicatorRole'))?.[1]
      .Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'kafka.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      }),
    ]);
    const statements = role.Policies[0].PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        Resource: [
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka/prod-*',
        ],
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'TargetCluster',
        Resource: [CLUSTER],
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'TargetClusterTopics',
        Resource: [`${CLUSTER.replace(':cluster/', ':topic/')}/*`],
      }),
    );
  });
});

describe('state machines', () => {
  const aslPlaceholders = (file: string) =>
    [
      ...new Set(
        [
          ...readFileSync(join(ROOT, 'statemachines', file), 'utf8').matchAll(
            /\$\{(\w+)\}/g,
          ),
        ].map((m) => m[1]),
      ),
    ].sort();

  const machine = (name: string) => {
    const all = template.findResources('AWS::StepFunctions::StateMachine', {
      Properties: { StateMachineName: `MskCutover-${name}` },
    });
    const props = Object.values(all)[0]?.Properties;
    if (!props) throw new Error(`no state machine ${name}`);
    return props;
  };

  it('should substitute exactly the placeholders of each ASL file', () => {
    const parent = Object.keys(
      machine('migration').DefinitionSubstitutions,
    ).sort();
    const child = Object.keys(
      machine('app-cutover').DefinitionSubstitutions,
    ).sort();
    expect(parent).toEqual(aslPlaceholders('migration.asl.json'));
    expect(parent).toEqual([...PARENT_SUBSTITUTIONS].sort());
    expect(child).toEqual(aslPlaceholders('app-cutover.asl.json'));
    expect(child).toEqual([...CHILD_SUBSTITUTIONS].sort());
  });

  it('should log every event without execution data to vended log groups, and trace', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: Match.anyValue(),
      },
    });
    for (const name of ['migration', 'app-cutover']) {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: {
          'Fn::Join': [
            '',
            [`/aws/vendedlogs/states/MskCutover-${name}-`, Match.anyValue()],
          ],
        },
      });
    }
  });

  it('should let every log group survive destroy-and-redeploy: no fixed name on a retained group', () => {
    // A retained log group with a literal name is still there after
    // `cdk destroy`, and the next deploy fails creating it ("already
    // exists"). Retained groups get a generated name, or one derived from
    // the stack's id, which CloudFormation draws anew for each stack.
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups).length).toBeGreaterThan(2);
    for (const [id, group] of Object.entries(groups)) {
      const name = group.Properties?.LogGroupName;
      if (group.DeletionPolicy !== 'Retain' || name === undefined) continue;
      expect(typeof name, id).not.toBe('string');
      expect(JSON.stringify(name), id).toContain('AWS::StackId');
    }
  });

  it('should let the parent run the child and itself as nested executions', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const parent = Object.entries(policies).find(([id]) =>
      id.startsWith('MigrationStateMachineRoleDefaultPolicy'),
    );
    const doc = JSON.stringify(parent?.[1].Properties.PolicyDocument);
    expect(doc).toContain(':stateMachine:MskCutover-migration');
    expect(doc).toContain(':stateMachine:MskCutover-app-cutover');
    expect(doc).toContain(
      ':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
    );
    expect(doc).toContain('events:PutEvents');
    for (const fn of ['ValidatePlanFunction', 'TeardownFunction']) {
      expect(doc).toMatch(new RegExp(fn));
    }
    expect(doc).not.toMatch(/VerifyCutoverFunction/);
  });

  it('should alarm on failed, throttled and aborted executions of both', () => {
    for (const metric of [
      'ExecutionsFailed',
      'ExecutionThrottled',
      'ExecutionsAborted',
    ]) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: metric, Namespace: 'AWS/States' },
      });
      expect(Object.keys(alarms)).toHaveLength(2);
    }
  });
});

describe('data, events and operations', () => {
  it('should keep the ledger on demand, with PITR and the customer key, keyed as the shared design says', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: Match.anyValue(),
      },
      KeySchema: [
        { AttributeName: LEDGER_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: LEDGER_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: LEDGER_GSI1.indexName,
          KeySchema: [
            { AttributeName: LEDGER_GSI1.partitionKey, KeyType: 'HASH' },
            { AttributeName: LEDGER_GSI1.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('should version and encrypt the plan bucket and log access to it', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: Match.objectLike({
              SSEAlgorithm: 'aws:kms',
            }),
          }),
        ],
      },
      LoggingConfiguration: Match.objectLike({
        DestinationBucketName: Match.anyValue(),
      }),
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('should send failed, timed-out and aborted migrations to cleanup', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: Match.anyValue(),
        },
      },
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^CleanupFunction'), 'Arn'],
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [Match.stringLikeRegexp('^CleanupFunction'), 'Arn'],
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({
          Arn: {
            'Fn::GetAtt': [
              Match.stringLikeRegexp('^ApprovalRemindersFunction'),
              'Arn',
            ],
          },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: 'msk-cutover',
    });
  });

  it('should throttle the approval API and keep query strings out of its access logs', () => {
    const stages = template.findResources('AWS::ApiGatewayV2::Stage');
    const stage = Object.values(stages)[0]?.Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings).toEqual(
      expect.objectContaining({
        ThrottlingRateLimit: 5,
        ThrottlingBurstLimit: 10,
      }),
    );
    const format: string = stage.AccessLogSettings.Format;
    expect(JSON.parse(format)).toEqual(
      expect.objectContaining({
        routeKey: '$context.routeKey',
        path: '$context.path',
      }),
    );
    expect(format).not.toMatch(/querystring|requestOverride|\$request/i);
    for (const method of ['GET', 'POST']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${method} /approvals/{approvalId}`,
      });
    }
  });

  it('should alarm on replicator failures and overdue gates, notifying the topic', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: [
        Match.objectLike({
          Expression: Match.stringLikeRegexp('MAX\\(ReplicatorFailure\\)'),
        }),
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'msk-cutover',
      MetricName: 'GatesOverdue',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Notifications') }],
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('should chart replicator metrics, both sides of consumer lag and the gates', () => {
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(Object.values(dashboards)[0]?.Properties);
    for (const metric of [
      'MessageLag',
      'ReplicationLatency',
      'ReplicatorFailure',
      'ConsumerGroupOffsetSyncFailure',
      'KafkaClusterPingSuccessCount',
      'AuthError',
      'ThrottleTime',
      'GroupMembers',
      'GatesOverdue',
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('{msk-cutover,MigrationId,ConsumerGroup,Cluster}');
    expect(body).toContain('{msk-cutover,MigrationId,Cluster}');
    expect(body).toContain('SumOffsetLag');
    expect(body).toContain('ExecutionsFailed');
  });

  it('should output what the CLI reads', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining([
        'StateMachineArn',
        'PlanBucketName',
        'ApprovalApiUrl',
        'LedgerTableName',
        'TopicArn',
      ]),
    );
  });
});

describe('template snapshot', () => {
  it('should match the snapshot, asset hashes normalized', () => {
    const json = JSON.stringify(template.toJSON(), null, 1).replace(
      /[0-9a-f]{64}/g,
      '<asset-hash>',
    );
    expect(JSON.parse(json)).toMatchSnapshot();
  });
});
