/**
 * SDK v3 clients of the CLI, created on first use with the caller's own
 * credentials (the default provider chain: env, profile, SSO, …). The
 * region comes from `--region`, else the SDK's usual sources.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';

export interface CliClients {
  cloudformation(): CloudFormationClient;
  dynamodb(): DynamoDBClient;
  kms(): KMSClient;
  s3(): S3Client;
  sfn(): SFNClient;
  sts(): STSClient;
}

/** Lazily created clients for one region (undefined: the SDK's default). */
export function cliClients(region?: string): CliClients {
  const config = {
    retryMode: 'standard',
    maxAttempts: 5,
    ...(region ? { region } : {}),
  } as const;
  const cache = new Map<string, unknown>();
  const once =
    <T>(name: string, make: () => T) =>
    (): T => {
      if (!cache.has(name)) cache.set(name, make());
      return cache.get(name) as T;
    };
  return {
    cloudformation: once('cfn', () => new CloudFormationClient(config)),
    dynamodb: once('ddb', () => new DynamoDBClient(config)),
    kms: once('kms', () => new KMSClient(config)),
    s3: once('s3', () => new S3Client(config)),
    sfn: once('sfn', () => new SFNClient(config)),
    sts: once('sts', () => new STSClient(config)),
  };
}
