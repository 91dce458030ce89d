import { DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsTokenCipher } from '../../../../functions/shared/aws/token-cipher.ts';

const kms = mockClient(KMSClient);

beforeEach(() => kms.reset());

describe('KmsTokenCipher', () => {
  it('should encrypt with the context and decrypt back', async () => {
    kms
      .on(EncryptCommand)
      .resolves({ CiphertextBlob: Buffer.from('CIPHER') })
      .on(DecryptCommand)
      .resolves({ Plaintext: Buffer.from('token-1') });
    const cipher = new KmsTokenCipher(new KMSClient({}), 'alias/k');
    const ctx = { approvalId: 'a1', migrationId: 'm1' };
    const ct = await cipher.encrypt('token-1', ctx);
    expect(ct).toBe(Buffer.from('CIPHER').toString('base64'));
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      KeyId: 'alias/k',
      EncryptionContext: ctx,
    });
    await expect(cipher.decrypt(ct, ctx)).resolves.toBe('token-1');
    expect(kms).toReceiveCommandWith(DecryptCommand, {
      EncryptionContext: ctx,
    });
  });

  it('should fail loudly when KMS returns nothing', async () => {
    kms.on(EncryptCommand).resolves({}).on(DecryptCommand).resolves({});
    const cipher = new KmsTokenCipher(new KMSClient({}), 'alias/k');
    await expect(cipher.encrypt('t', {})).rejects.toThrow(
      /Encrypt returned nothing/,
    );
    await expect(cipher.decrypt('eA==', {})).rejects.toThrow(
      /Decrypt returned nothing/,
    );
  });

  it('should, without a key id, decrypt by the ciphertext and encrypt with the key KMS reported', async () => {
    const keyArn = 'arn:aws:kms:us-east-1:123456789012:key/tokens';
    kms
      .on(DecryptCommand)
      .resolves({ Plaintext: Buffer.from('token-1'), KeyId: keyArn })
      .on(EncryptCommand)
      .resolves({ CiphertextBlob: Buffer.from('CIPHER') });
    const cipher = new KmsTokenCipher(new KMSClient({}));
    await expect(cipher.encrypt('t', {})).rejects.toThrow(/no task-token key/);
    await cipher.decrypt('eA==', { approvalId: 'a1' });
    const decrypt = kms.commandCalls(DecryptCommand)[0]?.args[0].input;
    expect(decrypt?.KeyId).toBeUndefined();
    await cipher.encrypt('token-2', { approvalId: 'a2' });
    expect(kms).toReceiveCommandWith(EncryptCommand, { KeyId: keyArn });
  });
});
