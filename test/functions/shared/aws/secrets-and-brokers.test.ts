import {
  GetBootstrapBrokersCommand,
  KafkaClient,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsAndBrokers } from '../../../../functions/shared/aws/secrets-and-brokers.ts';
import { ValidationError } from '../../../../functions/shared/domain/errors.ts';

const secrets = mockClient(SecretsManagerClient);
const kafka = mockClient(KafkaClient);
const reads = new SecretsAndBrokers(
  new SecretsManagerClient({ region: 'us-east-1' }),
  new KafkaClient({ region: 'us-east-1' }),
);
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf';
const CLUSTER =
  'arn:aws:kafka:us-east-1:123456789012:cluster/c/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2';

beforeEach(() => {
  secrets.reset();
  kafka.reset();
});

describe('SecretsAndBrokers', () => {
  it('parses a string or binary JSON secret', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: '{"username":"u"}' });
    await expect(reads.secretJson(ARN)).resolves.toEqual({ username: 'u' });
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretBinary: Buffer.from('{"a":1}') });
    await expect(reads.secretJson(ARN)).resolves.toEqual({ a: 1 });
    expect(secrets).toReceiveCommandWith(GetSecretValueCommand, {
      SecretId: ARN,
    });
  });

  it('returns null for a missing secret and rethrows other errors', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
    await expect(reads.secretJson(ARN)).resolves.toBeNull();
    secrets.on(GetSecretValueCommand).rejects(new Error('throttled'));
    await expect(reads.secretJson(ARN)).rejects.toThrow('throttled');
  });

  it('refuses a secret that is not a JSON object without quoting it', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: 'hunter2-plain' });
    const error = await reads.secretJson(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('reads the IAM bootstrap string; null when the cluster or the listener is missing', async () => {
    kafka
      .on(GetBootstrapBrokersCommand)
      .resolves({ BootstrapBrokerStringSaslIam: 'b-1:9098,b-2:9098' });
    await expect(reads.bootstrapBrokers(CLUSTER)).resolves.toBe(
      'b-1:9098,b-2:9098',
    );
    expect(kafka).toReceiveCommandWith(GetBootstrapBrokersCommand, {
      ClusterArn: CLUSTER,
    });
    kafka.on(GetBootstrapBrokersCommand).resolves({});
    await expect(reads.bootstrapBrokers(CLUSTER)).resolves.toBeNull();
    kafka
      .on(GetBootstrapBrokersCommand)
      .rejects(new NotFoundException({ message: 'no', $metadata: {} }));
    await expect(reads.bootstrapBrokers(CLUSTER)).resolves.toBeNull();
  });
});
