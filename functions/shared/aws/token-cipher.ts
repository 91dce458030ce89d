/**
 * Task tokens at rest: KMS Encrypt with an encryption context (the approval's
 * ids), so a ciphertext copied to another approval does not decrypt.
 */
import {
  DecryptCommand,
  EncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { TokenCipher } from '../ports.ts';

/** {@link TokenCipher} over KMS; ciphertext is base64. */
export class KmsTokenCipher implements TokenCipher {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async encrypt(
    plaintext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const out = await this.kms.send(
      new EncryptCommand({
        KeyId: this.keyId,
        Plaintext: Buffer.from(plaintext, 'utf-8'),
        EncryptionContext: context,
      }),
    );
    if (!out.CiphertextBlob) throw new Error('KMS Encrypt returned nothing');
    return Buffer.from(out.CiphertextBlob).toString('base64');
  }

  async decrypt(
    ciphertext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const out = await this.kms.send(
      new DecryptCommand({
        KeyId: this.keyId,
        CiphertextBlob: Buffer.from(ciphertext, 'base64'),
        EncryptionContext: context,
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned nothing');
    return Buffer.from(out.Plaintext).toString('utf-8');
  }
}
