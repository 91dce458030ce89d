/**
 * CloudWatch metrics. Reads are batched: one GetMetricData call carries up to
 * 500 queries (the API limit), and every page of a call is followed with
 * NextToken, so a poll costs ceil(queries / 500) calls whatever the number of
 * replicators, topics or groups. Nothing is ever fetched per metric.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { QUERIES_PER_REQUEST } from '../domain/metric-queries.ts';
import type { MetricQuery, MetricSeries, Metrics } from '../ports.ts';
import { rethrowAws } from './transient.ts';

/** GetMetricData accepts at most this many queries per request. */
export const MAX_QUERIES_PER_CALL = QUERIES_PER_REQUEST;
/** PutMetricData accepts at most this many datums per request. */
export const MAX_DATUMS_PER_PUT = 1000;

/** {@link Metrics} over CloudWatch. */
export class CloudWatchMetrics implements Metrics {
  constructor(
    private readonly cw: CloudWatchClient,
    private readonly namespace = 'msk-cutover',
  ) {}

  async query(
    queries: MetricQuery[],
    from: Date,
    to: Date,
  ): Promise<MetricSeries[]> {
    const ids = new Set<string>();
    for (const q of queries) {
      if (ids.has(q.id)) throw new Error(`duplicate metric query id ${q.id}`);
      ids.add(q.id);
    }
    const points = new Map<string, { at: Date; value: number }[]>(
      queries.map((q) => [q.id, []]),
    );
    for (let i = 0; i < queries.length; i += MAX_QUERIES_PER_CALL) {
      const batch = queries.slice(i, i + MAX_QUERIES_PER_CALL).map(toQuery);
      let nextToken: string | undefined;
      do {
        const out = await this.getMetricData(
          new GetMetricDataCommand({
            MetricDataQueries: batch,
            StartTime: from,
            EndTime: to,
            ScanBy: 'TimestampAscending',
            NextToken: nextToken,
          }),
        );
        for (const r of out.MetricDataResults ?? []) {
          const list = r.Id ? points.get(r.Id) : undefined;
          if (!list) continue;
          const stamps = r.Timestamps ?? [];
          const values = r.Values ?? [];
          for (let k = 0; k < stamps.length && k < values.length; k++) {
            const at = stamps[k];
            const value = values[k];
            if (at !== undefined && value !== undefined) {
              list.push({ at: new Date(at), value });
            }
          }
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return queries.map((q) => ({
      id: q.id,
      points: (points.get(q.id) ?? []).sort(
        (a, b) => a.at.getTime() - b.at.getTime(),
      ),
    }));
  }

  private async getMetricData(command: GetMetricDataCommand) {
    try {
      return await this.cw.send(command);
    } catch (err) {
      return rethrowAws(err, 'GetMetricData');
    }
  }

  async put(
    data: {
      metricName: string;
      dimensions: Record<string, string>;
      value: number;
      at: Date;
    }[],
  ): Promise<void> {
    for (let i = 0; i < data.length; i += MAX_DATUMS_PER_PUT) {
      await this.cw.send(
        new PutMetricDataCommand({
          Namespace: this.namespace,
          MetricData: data.slice(i, i + MAX_DATUMS_PER_PUT).map((d) => ({
            MetricName: d.metricName,
            Dimensions: Object.entries(d.dimensions).map(([Name, Value]) => ({
              Name,
              Value,
            })),
            Value: d.value,
            Timestamp: d.at,
            Unit: 'Count',
          })),
        }),
      );
    }
  }
}

function toQuery(q: MetricQuery): MetricDataQuery {
  return {
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({
          Name,
          Value,
        })),
      },
      Period: q.periodSeconds,
      Stat: q.stat,
    },
  };
}
