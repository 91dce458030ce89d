/**
 * Log delivery in the rehearsal: the simulated account holds the plan's log
 * group, bucket and delivery stream unless the scenario says otherwise, and
 * preflight asks for them (CloudWatch Logs DescribeLogGroups, S3
 * ListBuckets, Firehose DescribeDeliveryStream, through the shared SDK
 * clients) before anything is created.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';

const plan = JSON.parse(readFileSync('events/start-migration.json', 'utf8'));
/** The plan delivering its replicators' logs to all three destinations. */
const everywhere = structuredClone(plan);
everywhere.replication.logDelivery = {
  ...plan.replication.logDelivery,
  s3: { bucket: 'replicator-logs-bucket' },
  firehoseDeliveryStream: 'replicator-logs',
};

describe('rehearsal log delivery', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should fail preflight and create nothing when the destinations do not exist', async () => {
    const scenario = loadScenario('happy-path');
    const r = await rehearse({
      plan: everywhere,
      scenario: {
        ...scenario,
        faults: { ...scenario.faults, missingLogDestinations: true },
      },
    });
    expect(r.outcome).toBe('FAILED');
    expect(r.error).toBe('PreflightFailedError');
    expect(r.cause).toContain(
      `logDelivery.cloudWatchLogs: CloudWatch Logs log group ${plan.replication.logDelivery.cloudWatchLogGroup} does not exist`,
    );
    expect(r.cause).toContain(
      'logDelivery.s3: S3 bucket replicator-logs-bucket does not exist',
    );
    // The cause is cut at its end; the stream's failure is the last one.
    expect(r.cause).toContain(
      'logDelivery.firehose: Firehose delivery stream replicator-logs do',
    );
    expect(r.replicators.created).toEqual([]);
    expect(r.accounting.awsCalls['Kafka.CreateReplicator']).toBeUndefined();
    expect(r.accounting.awsCalls['CloudWatchLogs.DescribeLogGroups']).toBe(1);
    expect(r.accounting.awsCalls['S3.ListBuckets']).toBe(1);
    expect(r.accounting.awsCalls['Firehose.DescribeDeliveryStream']).toBe(1);
  });

  it('should find the log group that exists and go on', async () => {
    const r = await rehearse({
      plan,
      scenario: loadScenario('happy-path'),
    });
    expect(r.outcome).toBe('SUCCEEDED');
    expect(r.accounting.awsCalls['CloudWatchLogs.DescribeLogGroups']).toBe(1);
  });

  it('should refuse in preflight S3 and Firehose log delivery the stack is not granted', async () => {
    // The destinations exist, but CreateReplicator with LogDelivery to S3 or
    // Firehose needs grants on the bucket or stream for the caller (MSK
    // developer guide, log delivery permissions), which the stack makes only
    // for those of its deploy context: preflight says so before anything is
    // created, instead of an AccessDenied at CreateReplicator.
    const r = await rehearse({
      plan: everywhere,
      scenario: loadScenario('happy-path'),
    });
    expect(r.outcome).toBe('FAILED');
    expect(r.error).toBe('PreflightFailedError');
    expect(r.cause).toContain(
      'npx cdk deploy -c logDeliveryBuckets=replicator-logs-bucket',
    );
    expect(r.cause).toContain(
      'npx cdk deploy -c logDeliveryStreams=replicator-logs',
    );
    expect(r.accounting.awsCalls['Kafka.CreateReplicator']).toBeUndefined();
    expect(r.iam.denied).toEqual([]);
  });
});
