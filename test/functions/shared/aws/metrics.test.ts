import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  LimitExceededException,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetrics } from '../../../../functions/shared/aws/metrics.ts';
import { TransientError } from '../../../../functions/shared/domain/errors.ts';
import type { MetricQuery } from '../../../../functions/shared/ports.ts';

const cw = mockClient(CloudWatchClient);
const from = new Date('2026-03-01T10:00:00Z');
const to = new Date('2026-03-01T10:15:00Z');

function queries(n: number): MetricQuery[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    namespace: 'AWS/Kafka',
    metricName: 'MessageLag',
    dimensions: { ReplicatorName: `r${i}` },
    stat: 'Maximum',
    periodSeconds: 60,
  }));
}

beforeEach(() => {
  cw.reset();
});

describe('CloudWatchMetrics.query', () => {
  it('should make exactly 3 GetMetricData calls for 1,200 queries', async () => {
    cw.on(GetMetricDataCommand).callsFake(
      (input: GetMetricDataCommandInput) => ({
        MetricDataResults: (input.MetricDataQueries ?? []).map((q) => ({
          Id: q.Id,
          Timestamps: [to],
          Values: [1],
        })),
      }),
    );
    const series = await new CloudWatchMetrics(new CloudWatchClient()).query(
      queries(1200),
      from,
      to,
    );
    const calls = cw.commandCalls(GetMetricDataCommand);
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.args[0].input.MetricDataQueries?.length)).toEqual(
      [500, 500, 200],
    );
    expect(series).toHaveLength(1200);
    expect(series[1199]).toEqual({
      id: 'q1199',
      points: [{ at: to, value: 1 }],
    });
  });

  it('should follow NextToken and merge pages oldest first', async () => {
    const t1 = new Date('2026-03-01T10:01:00Z');
    const t2 = new Date('2026-03-01T10:02:00Z');
    cw.on(GetMetricDataCommand, { NextToken: undefined })
      .resolves({
        MetricDataResults: [{ Id: 'q0', Timestamps: [t2], Values: [7] }],
        NextToken: 'page2',
      })
      .on(GetMetricDataCommand, { NextToken: 'page2' })
      .resolves({
        MetricDataResults: [
          { Id: 'q0', Timestamps: [t1], Values: [5] },
          { Id: 'q1', Timestamps: [], Values: [] },
        ],
      });
    const series = await new CloudWatchMetrics(new CloudWatchClient()).query(
      queries(2),
      from,
      to,
    );
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(series).toEqual([
      {
        id: 'q0',
        points: [
          { at: t1, value: 5 },
          { at: t2, value: 7 },
        ],
      },
      // No datapoint stays empty: missing, never zero.
      { id: 'q1', points: [] },
    ]);
  });

  it('should send the metric, dimensions, stat and period of each query', async () => {
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    await new CloudWatchMetrics(new CloudWatchClient()).query(
      [
        {
          id: 'lag',
          namespace: 'AWS/Kafka',
          metricName: 'SumOffsetLag',
          dimensions: {
            'Cluster Name': 'orders-express',
            'Consumer Group': 'g',
            Topic: 't',
          },
          stat: 'Maximum',
          periodSeconds: 60,
        },
      ],
      from,
      to,
    );
    expect(cw).toReceiveCommandWith(GetMetricDataCommand, {
      StartTime: from,
      EndTime: to,
      MetricDataQueries: [
        {
          Id: 'lag',
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Kafka',
              MetricName: 'SumOffsetLag',
              Dimensions: [
                { Name: 'Cluster Name', Value: 'orders-express' },
                { Name: 'Consumer Group', Value: 'g' },
                { Name: 'Topic', Value: 't' },
              ],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
  });

  it('should refuse duplicate query ids before calling AWS', async () => {
    const q = queries(1);
    await expect(
      new CloudWatchMetrics(new CloudWatchClient()).query(
        [...q, ...q],
        from,
        to,
      ),
    ).rejects.toThrow(/duplicate metric query id q0/);
    expect(cw.calls()).toHaveLength(0);
  });

  it('should hand throttling to the state machine as TransientError', async () => {
    cw.on(GetMetricDataCommand).rejects(
      new LimitExceededException({
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 429 },
      }),
    );
    await expect(
      new CloudWatchMetrics(new CloudWatchClient({ maxAttempts: 1 })).query(
        queries(1),
        from,
        to,
      ),
    ).rejects.toBeInstanceOf(TransientError);
  });

  it('should make no call for no queries', async () => {
    const out = await new CloudWatchMetrics(new CloudWatchClient()).query(
      [],
      from,
      to,
    );
    expect(out).toEqual([]);
    expect(cw.calls()).toHaveLength(0);
  });
});

describe('CloudWatchMetrics.put', () => {
  it('should put 1,500 datums in two calls into its namespace', async () => {
    cw.on(PutMetricDataCommand).resolves({});
    const data = Array.from({ length: 1500 }, (_, i) => ({
      metricName: 'SourceSumOffsetLag',
      dimensions: { Migration: 'm1', 'Consumer Group': `g${i}` },
      value: i,
      at: from,
    }));
    await new CloudWatchMetrics(new CloudWatchClient(), 'custom').put(data);
    const calls = cw.commandCalls(PutMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.MetricData?.length)).toEqual([
      1000, 500,
    ]);
    expect(calls[0]?.args[0].input.Namespace).toBe('custom');
    expect(calls[0]?.args[0].input.MetricData?.[0]).toEqual({
      MetricName: 'SourceSumOffsetLag',
      Dimensions: [
        { Name: 'Migration', Value: 'm1' },
        { Name: 'Consumer Group', Value: 'g0' },
      ],
      Value: 0,
      Timestamp: from,
      Unit: 'Count',
    });
  });
});
