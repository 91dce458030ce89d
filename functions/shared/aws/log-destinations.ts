/**
 * Whether a replicator's log-delivery destinations exist. CreateReplicator
 * with LogDelivery needs the log group (or bucket, or delivery stream) to
 * exist ("MSK Replicator logs" / log-delivery permissions page); preflight
 * checks them before anything is created.
 */
import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LogDestinations } from '../ports.ts';
import type { AwsJsonCall } from './aws-json.ts';
import { rethrowAws } from './transient.ts';

/** DescribeLogGroups pages followed at most (50 groups each). */
const MAX_LOG_GROUP_PAGES = 20;

/** {@link LogDestinations} over CloudWatch Logs, S3 and Firehose. */
export class AwsLogDestinations implements LogDestinations {
  constructor(private readonly deps: { s3: S3Client; json: AwsJsonCall }) {}

  async logGroupExists(name: string): Promise<boolean> {
    // `logGroupNamePrefix` is a prefix match: compare the names exactly.
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LOG_GROUP_PAGES; page++) {
      const out = await this.call('CloudWatchLogs', 'DescribeLogGroups', {
        logGroupNamePrefix: name,
        limit: 50,
        ...(nextToken ? { nextToken } : {}),
      });
      const groups = (out.logGroups ?? []) as { logGroupName?: string }[];
      if (groups.some((g) => g.logGroupName === name)) return true;
      nextToken = typeof out.nextToken === 'string' ? out.nextToken : undefined;
      if (!nextToken) return false;
    }
    return false;
  }

  async deliveryStreamExists(name: string): Promise<boolean> {
    try {
      await this.call('Firehose', 'DescribeDeliveryStream', {
        DeliveryStreamName: name,
      });
      return true;
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') return false;
      throw err;
    }
  }

  async bucketExists(name: string): Promise<boolean> {
    // ListBuckets (s3:ListAllMyBuckets) names the account's buckets without
    // granting a read of any of them, as HeadBucket (s3:ListBucket) would.
    try {
      let token: string | undefined;
      do {
        const out = await this.deps.s3.send(
          new ListBucketsCommand({
            Prefix: name,
            MaxBuckets: 1000,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        if ((out.Buckets ?? []).some((b) => b.Name === name)) return true;
        token = out.ContinuationToken;
      } while (token);
      return false;
    } catch (err) {
      return rethrowAws(err, 'ListBuckets');
    }
  }

  private async call(
    ...args: Parameters<AwsJsonCall>
  ): Promise<Record<string, unknown>> {
    try {
      return await this.deps.json(...args);
    } catch (err) {
      if ((err as Error).name === 'ResourceNotFoundException') throw err;
      return rethrowAws(err, `${args[0]}.${args[1]}`);
    }
  }
}
