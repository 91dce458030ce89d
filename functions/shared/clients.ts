/**
 * AWS SDK v3 clients, created once per Lambda container (module scope) and
 * injected into the cores. Tests intercept them with aws-sdk-client-mock
 * (`mockClient(KafkaClient)` catches every instance); the rehearsal adds a
 * middleware to these same instances to simulate AWS.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';

/** Standard mode: throttling and 5xx retried with backoff and jitter. */
const config = { retryMode: 'standard', maxAttempts: 5 } as const;

export const clients = {
  kafka: new KafkaClient(config),
  cloudwatch: new CloudWatchClient(config),
  dynamodb: new DynamoDBClient(config),
  ec2: new EC2Client(config),
  eventbridge: new EventBridgeClient(config),
  kms: new KMSClient(config),
  s3: new S3Client(config),
  secrets: new SecretsManagerClient(config),
  quotas: new ServiceQuotasClient(config),
  sfn: new SFNClient(config),
  sns: new SNSClient(config),
};

export type Clients = typeof clients;
