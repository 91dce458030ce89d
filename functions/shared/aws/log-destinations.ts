/**
 * Whether a replicator's log-delivery destinations exist. CreateReplicator
 * with LogDelivery needs the log group (or bucket, or delivery stream) to
 * exist ("MSK Replicator logs" / log-delivery permissions page); preflight
 * checks them before anything is created.
 */
import {
  type CloudWatchLogsClient,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import { ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LogDestinations } from '../ports.ts';
import { rethrowAws } from './transient.ts';

/** DescribeLogGroups pages followed at most (50 groups each). */
const MAX_LOG_GROUP_PAGES = 20;

/** {@link LogDestinations} over CloudWatch Logs, S3 and Firehose. */
export class AwsLogDestinations implements LogDestinations {
  constructor(
    private readonly deps: {
      logs: CloudWatchLogsClient;
      s3: S3Client;
      firehose: FirehoseClient;
    },
  ) {}

  async logGroupExists(name: string): Promise<boolean> {
    // `logGroupNamePrefix` is a prefix match (the SDK model's
    // DescribeLogGroupsRequest: "The prefix to match"): compare the names
    // exactly. Not `logGroupIdentifiers` (an exact filter): the model says
    // it takes names only outside a cross-account monitoring account, and
    // ARNs in one.
    try {
      let pages = 0;
      for await (const page of paginateDescribeLogGroups(
        { client: this.deps.logs, pageSize: 50 },
        { logGroupNamePrefix: name },
      )) {
        if ((page.logGroups ?? []).some((g) => g.logGroupName === name)) {
          return true;
        }
        if (++pages >= MAX_LOG_GROUP_PAGES) break;
      }
      return false;
    } catch (err) {
      return rethrowAws(err, 'CloudWatchLogs.DescribeLogGroups');
    }
  }

  async deliveryStreamExists(name: string): Promise<boolean> {
    try {
      await this.deps.firehose.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }),
      );
      return true;
    } catch (err) {
      // The SDK model's DescribeDeliveryStream errors: ResourceNotFoundException
      // ("The specified resource could not be found") is the only one.
      if (err instanceof ResourceNotFoundException) return false;
      return rethrowAws(err, 'Firehose.DescribeDeliveryStream');
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
}
