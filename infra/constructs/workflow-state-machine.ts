import {
  ArnFormat,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowStateMachineProps<K extends string> {
  /** Path of the ASL file (JSONPath, `${Name}` placeholders only). */
  readonly definitionFile: string;
  /** One value per placeholder of the file; the type makes it complete. */
  readonly substitutions: Record<K, string>;
  /**
   * Also the middle part of the vended log group name
   * (`/aws/vendedlogs/states/<name>-<stack creation id>`).
   */
  readonly stateMachineName: string;
  readonly logKey: IKey;
  /**
   * Longest single execution. Long loops continue as new executions, so this
   * bounds one execution, not a migration.
   * @default Duration.days(365)
   */
  readonly timeout?: Duration;
  /** @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
}

/**
 * A Standard state machine from a hand-written ASL file with the operational
 * defaults: every event logged (without execution data, so task tokens and
 * payloads stay out of the logs) to a KMS-encrypted vended log group, X-Ray
 * tracing, permission to continue itself as a new execution, and alarms on
 * failed, throttled and aborted executions.
 *
 * The file gives CDK no graph, so nothing is granted automatically: callers
 * grant every resource a placeholder names.
 */
export class WorkflowStateMachine<K extends string> extends Construct {
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;
  /** Known before the resource exists (no self-reference in its policy). */
  readonly stateMachineArn: string;
  /** `arn:…:execution:<name>:*` */
  readonly executionArnPattern: string;
  readonly failedAlarm: Alarm;
  readonly throttledAlarm: Alarm;
  readonly abortedAlarm: Alarm;

  constructor(
    scope: Construct,
    id: string,
    props: WorkflowStateMachineProps<K>,
  ) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stateMachineArn = stack.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.executionArnPattern = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${props.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    // The execution logs outlive the stack (RETAIN: they are the record of
    // what the workflow did), so their name must not: a retained group with
    // a fixed name makes the next deploy after `cdk destroy` fail with
    // "already exists". The name ends with the first block of the stack's
    // id (a UUID CloudFormation draws when it creates the stack): stable
    // across updates, new after destroy-and-redeploy. It keeps the
    // `/aws/vendedlogs/` prefix, which spares log delivery the CloudWatch
    // Logs resource policy and its size limit (Step Functions logging docs,
    // cw-logs: "Logs sent to CloudWatch Logs").
    const stackUuid = Fn.select(2, Fn.split('/', stack.stackId));
    const creation = Fn.select(0, Fn.split('-', stackUuid));
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}-${creation}`,
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(props.definitionFile),
      definitionSubstitutions: props.substitutions,
      timeout: props.timeout ?? Duration.days(365),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });

    // Continue-as-new: the execution starts a copy of its own state machine
    // (`startExecution.sync:2`), which needs the managed EventBridge rule Step
    // Functions uses to learn that the nested execution ended. The ARN is
    // built from the name: referencing the resource itself would be a cycle.
    this.grantNestedExecution(this.stateMachineArn, this.executionArnPattern);

    const alarm = (
      alarmId: string,
      metric: ReturnType<StateMachine['metricFailed']>,
      what: string,
    ) =>
      new Alarm(this, alarmId, {
        alarmDescription: `${props.stateMachineName}: ${what}`,
        metric: metric.with({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator:
          ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.failedAlarm = alarm(
      'ExecutionFailedAlarm',
      this.stateMachine.metricFailed(),
      'an execution failed (see the ledger and the failure notification)',
    );
    this.throttledAlarm = alarm(
      'ExecutionThrottledAlarm',
      this.stateMachine.metricThrottled(),
      'executions are being throttled',
    );
    this.abortedAlarm = alarm(
      'ExecutionAbortedAlarm',
      this.stateMachine.metricAborted(),
      'an execution was aborted (cleanup reacts to it)',
    );

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Vended log delivery (logs:*LogDelivery*, DescribeLogGroups) and X-Ray trace upload do not support resource-level permissions.',
    });
  }

  /**
   * Lets this state machine run `target` as a nested
   * `states:startExecution.sync:2` execution (itself or the child).
   */
  grantNestedExecution(
    stateMachineArn: string,
    executionArnPattern: string,
  ): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachineArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [executionArnPattern],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          stack.formatArn({
            service: 'events',
            resource: 'rule',
            resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule',
          }),
        ],
      }),
    );
  }
}
