/**
 * Log delivery in the rehearsal: the simulated account holds the plan's log
 * group unless the scenario says otherwise, and preflight asks for it
 * (CloudWatch Logs DescribeLogGroups) before anything is created.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';

const plan = JSON.parse(readFileSync('events/start-migration.json', 'utf8'));

describe('rehearsal log delivery', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should fail preflight and create nothing when the log group does not exist', async () => {
    const scenario = loadScenario('happy-path');
    const r = await rehearse({
      plan,
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
    expect(r.replicators.created).toEqual([]);
    expect(r.accounting.awsCalls['Kafka.CreateReplicator']).toBeUndefined();
    expect(r.accounting.awsCalls['CloudWatchLogs.DescribeLogGroups']).toBe(1);
  });

  it('should find the log group that exists and go on', async () => {
    const r = await rehearse({ plan, scenario: loadScenario('happy-path') });
    expect(r.outcome).toBe('SUCCEEDED');
    expect(r.accounting.awsCalls['CloudWatchLogs.DescribeLogGroups']).toBe(1);
  });
});
