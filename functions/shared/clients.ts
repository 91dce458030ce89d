/**
 * AWS SDK v3 clients, created once per Lambda container and
 * injected into the cores. Tests intercept them with aws-sdk-client-mock
 * (`mockClient(KafkaClient)` catches every instance); the rehearsal adds a
 * middleware to these same instances to simulate AWS.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';

/** Standard mode: throttling and 5xx retried with backoff and jitter. */
const config = { retryMode: 'standard', maxAttempts: 5 } as const;

/**
 * One lazily created, cached client per service. Separate functions (not one
 * object) so esbuild drops the clients a function never uses: each bundle
 * carries only its own SDK clients (size and cold start).
 */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
}

// `@__PURE__` lets esbuild drop the clients a bundle never calls: without it
// each `once(...)` call counts as a side effect and every client stays in.
export const kafkaClient = /* @__PURE__ */ once(() => new KafkaClient(config));
export const cloudwatchClient = /* @__PURE__ */ once(
  () => new CloudWatchClient(config),
);
export const logsClient = /* @__PURE__ */ once(
  () => new CloudWatchLogsClient(config),
);
export const dynamodbClient = /* @__PURE__ */ once(
  () => new DynamoDBClient(config),
);
export const ec2Client = /* @__PURE__ */ once(() => new EC2Client(config));
export const eventbridgeClient = /* @__PURE__ */ once(
  () => new EventBridgeClient(config),
);
export const firehoseClient = /* @__PURE__ */ once(
  () => new FirehoseClient(config),
);
export const kmsClient = /* @__PURE__ */ once(() => new KMSClient(config));
export const s3Client = /* @__PURE__ */ once(() => new S3Client(config));
export const secretsClient = /* @__PURE__ */ once(
  () => new SecretsManagerClient(config),
);
export const quotasClient = /* @__PURE__ */ once(
  () => new ServiceQuotasClient(config),
);
export const sfnClient = /* @__PURE__ */ once(() => new SFNClient(config));
export const snsClient = /* @__PURE__ */ once(() => new SNSClient(config));
