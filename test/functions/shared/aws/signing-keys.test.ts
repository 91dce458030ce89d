import {
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsSigningKeys } from '../../../../functions/shared/aws/signing-keys.ts';

const secrets = mockClient(SecretsManagerClient);

beforeEach(() => secrets.reset());

describe('SecretsSigningKeys', () => {
  it('should cache the key for five minutes', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolves({ SecretString: 'k'.repeat(64) });
    let now = new Date('2026-03-01T10:00:00Z');
    const keys = new SecretsSigningKeys(new SecretsManagerClient({}), 'arn:s', {
      now: () => now,
    });
    expect((await keys.current()).toString()).toBe('k'.repeat(64));
    await keys.current();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now = new Date(now.getTime() + 5 * 60_000);
    await keys.current();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('should refuse a short key without showing it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short-key' });
    const err = await new SecretsSigningKeys(
      new SecretsManagerClient({}),
      'arn:s',
    )
      .current()
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/shorter than 32 bytes/);
    expect(String(err)).not.toContain('short-key');
  });
});
