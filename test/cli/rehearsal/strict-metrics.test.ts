/**
 * The rehearsal holds the readiness queries to CloudWatch's contract: a
 * metric is found only by its exact dimension set. A query with a misspelt
 * dimension gets no datapoints (and no error), so readiness reports the
 * missing data and never passes, as it would stall on AWS.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import {
  type PhaseInvocation,
  rehearse,
} from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';
import { QuerySet } from '../../../functions/shared/domain/metric-queries.ts';

const plan = JSON.parse(readFileSync('events/start-migration.json', 'utf8'));

describe('rehearsal with exact CloudWatch dimensions', {
  timeout: 120_000,
}, () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await stopLocalLedger();
  });

  it.each([
    {
      // A replicator metric asked with "ReplicatorNAme".
      metric: 'ReplicationFailures',
      from: 'ReplicatorName',
      to: 'ReplicatorNAme',
      reason:
        'ReplicationFailures: no data for msk-cutover-orders-platform-fwd',
    },
    {
      // The consumer-lag dimension is "Cluster Name", with a space.
      metric: 'SumOffsetLag',
      from: 'Cluster Name',
      to: 'ClusterName',
      reason:
        'SumOffsetLag on the target: no data for group order-status on orders (offsets not synced yet, or the group is rebalancing)',
    },
  ])(
    'should report missing data and never pass readiness when $metric is asked with "$to"',
    async ({ metric, from, to, reason }) => {
      const add = QuerySet.prototype.add;
      vi.spyOn(QuerySet.prototype, 'add').mockImplementation(function (
        this: QuerySet,
        subject,
        dimensions,
      ) {
        if (subject.metric !== metric)
          return add.call(this, subject, dimensions);
        const { [from]: value, ...rest } = dimensions;
        return add.call(this, subject, { ...rest, [to]: value ?? '' });
      });
      const polls: PhaseInvocation[] = [];
      const r = await rehearse({
        plan: { ...plan, readiness: { ...plan.readiness, maxWaitHours: 3 } },
        scenario: loadScenario('happy-path'),
        observe: (i) => {
          if (i.phase === 'poll-readiness') polls.push(i);
        },
      });
      expect(r.outcome).toBe('FAILED');
      expect(r.error).toBe('ReadinessTimeoutError');
      expect(r.gates).toEqual([]);
      const results = polls.map(
        (p) => p.result as { ready: boolean; reasons: string[] },
      );
      expect(results.length).toBeGreaterThan(0);
      expect(results.every((x) => !x.ready)).toBe(true);
      expect(results.flatMap((x) => x.reasons)).toContain(reason);
    },
  );

  it('should pass readiness with the documented dimensions (control)', async () => {
    const polls: { ready: boolean }[] = [];
    const r = await rehearse({
      plan,
      scenario: loadScenario('happy-path'),
      observe: (i) => {
        if (i.phase === 'poll-readiness') {
          polls.push(i.result as { ready: boolean });
        }
      },
    });
    expect(r.outcome).toBe('SUCCEEDED');
    expect(polls.some((p) => p.ready)).toBe(true);
  });
});
