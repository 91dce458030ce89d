import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  CUSTOM_NAMESPACE,
  GATES_OVERDUE_METRIC,
} from '../../functions/shared/custom-metrics.ts';

export interface OperationsDashboardProps {
  readonly migration: StateMachine;
  readonly appCutover: StateMachine;
  /** Alarms shown at the top of the dashboard. */
  readonly alarms: readonly Alarm[];
}

const PERIOD = Duration.minutes(5);

/**
 * One replicator metric of every msk-cutover replicator, found by name
 * (replicators come and go with migrations, so no fixed dimension values).
 */
function replicatorSearch(
  metricName: string,
  statistic: string,
  dimensions = 'ReplicatorName',
): IMetric {
  return new MathExpression({
    expression: `SEARCH('{AWS/Kafka,${dimensions}} MetricName="${metricName}" msk-cutover', '${statistic}', 300)`,
    label: metricName,
    period: PERIOD,
    usingMetrics: {},
  });
}

/**
 * What the Kafka-side probe publishes: per migration and cluster
 * (`MigrationId,Cluster`, the migration-wide totals: a metric set per group
 * of a large estate would be thousands of billed custom metrics), and per
 * group while its application moves (`MigrationId,ConsumerGroup,Cluster`).
 */
function probeSearch(
  dimensions: 'MigrationId,Cluster' | 'MigrationId,ConsumerGroup,Cluster',
  metricName: string,
  label: string,
): IMetric {
  return new MathExpression({
    expression: `SEARCH('{${CUSTOM_NAMESPACE},${dimensions}} MetricName="${metricName}"', 'Maximum', 300)`,
    label,
    period: PERIOD,
    usingMetrics: {},
  });
}

/**
 * The CloudWatch dashboard and the alarms that need more than one state
 * machine: replicator failure and gates waiting past their timeout.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: Dashboard;
  readonly replicatorFailureAlarm: Alarm;
  readonly gatesOverdueAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);

    // Alarms cannot use SEARCH; a Metrics Insights query can cover every
    // replicator of the region in one series.
    this.replicatorFailureAlarm = new Alarm(this, 'ReplicatorFailureAlarm', {
      alarmDescription:
        'An MSK replicator in this region reports ReplicatorFailure (message size, timestamps, batches): see its StateInfo and logs.',
      metric: new MathExpression({
        expression:
          'SELECT MAX(ReplicatorFailure) FROM SCHEMA("AWS/Kafka", ReplicatorName)',
        label: 'ReplicatorFailure (max over replicators)',
        period: PERIOD,
        usingMetrics: {},
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.gatesOverdueAlarm = new Alarm(this, 'GatesOverdueAlarm', {
      alarmDescription:
        'An approval gate has waited longer than its gate timeout: the owners did not decide in time.',
      metric: new Metric({
        namespace: CUSTOM_NAMESPACE,
        metricName: GATES_OVERDUE_METRIC,
        statistic: 'Maximum',
        period: Duration.minutes(15),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(6),
    });
    const alarms = [
      ...props.alarms,
      this.replicatorFailureAlarm,
      this.gatesOverdueAlarm,
    ];
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: [
          '### msk-cutover',
          'Readiness is judged from the graphs below on every poll: ReplicatorFailure and ConsumerGroupOffsetSyncFailure 0, both clusters reachable, MessageLag, ReplicationLatency and SumOffsetLag (both sides) under the plan thresholds for the sustained window, missing data never read as zero.',
          "Each poll's verdict and reasons, every gate and decision: `msk-cutover status <migrationId>`.",
        ].join('\n\n'),
        width: 24,
        height: 4,
      }),
    );
    this.dashboard.addWidgets(
      ...alarms.map((alarm) => new AlarmWidget({ alarm, width: 6, height: 4 })),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Replicator lag (MessageLag, max)',
        left: [replicatorSearch('MessageLag', 'Maximum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Replication latency (ms, max)',
        left: [replicatorSearch('ReplicationLatency', 'Maximum')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Replicator failures',
        left: [
          replicatorSearch('ReplicatorFailure', 'Sum'),
          replicatorSearch('ConsumerGroupOffsetSyncFailure', 'Sum'),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Cluster reachability and auth (per cluster alias)',
        left: [
          replicatorSearch(
            'KafkaClusterPingSuccessCount',
            'Minimum',
            'ReplicatorName,ClusterAlias',
          ),
        ],
        right: [
          replicatorSearch('AuthError', 'Sum', 'ReplicatorName,ClusterAlias'),
          replicatorSearch(
            'ThrottleTime',
            'Maximum',
            'ReplicatorName,ClusterAlias',
          ),
        ],
        width: 12,
      }),
      new GraphWidget({
        title:
          'Consumer lag: all groups and the moving groups (probe), target per group (MSK)',
        left: [
          probeSearch(
            'MigrationId,Cluster',
            'SumOffsetLag',
            'Kafka probe SumOffsetLag, all groups',
          ),
          probeSearch(
            'MigrationId,ConsumerGroup,Cluster',
            'SumOffsetLag',
            'Kafka probe SumOffsetLag',
          ),
          new MathExpression({
            expression: `SEARCH('{AWS/Kafka,"Cluster Name","Consumer Group",Topic} MetricName="SumOffsetLag"', 'Maximum', 300)`,
            label: 'MSK SumOffsetLag',
            period: PERIOD,
            usingMetrics: {},
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Consumers on each cluster (moves show here)',
        left: [
          probeSearch(
            'MigrationId,Cluster',
            'GroupMembers',
            'members, all groups',
          ),
          probeSearch(
            'MigrationId,ConsumerGroup,Cluster',
            'GroupMembers',
            'members of the moving groups',
          ),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Gates and executions',
        left: [
          new Metric({
            namespace: CUSTOM_NAMESPACE,
            metricName: GATES_OVERDUE_METRIC,
            statistic: 'Maximum',
            period: PERIOD,
            label: 'Gates overdue',
          }),
          props.appCutover.metricStarted({ label: 'App cutovers started' }),
          props.appCutover.metricSucceeded({
            label: 'App cutovers succeeded',
          }),
        ],
        right: [
          props.migration.metricFailed({ label: 'Migrations failed' }),
          props.appCutover.metricFailed({ label: 'App cutovers failed' }),
        ],
        width: 12,
      }),
    );
  }
}
