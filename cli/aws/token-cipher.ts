/**
 * Decrypting a task token from the CLI. The stack's KmsTokenCipher names
 * its key; the CLI may not know the key's ARN (older stacks do not output
 * it), and a symmetric KMS ciphertext names its key itself, so Decrypt is
 * sent without KeyId here. The encryption context still binds it to the
 * approval. The CLI never encrypts.
 */
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { TokenCipher } from '../../functions/shared/ports.ts';

export class CliTokenCipher implements TokenCipher {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId?: string,
  ) {}

  async encrypt(): Promise<string> {
    throw new Error('the CLI does not encrypt task tokens');
  }

  async decrypt(
    ciphertext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const out = await this.kms.send(
      new DecryptCommand({
        ...(this.keyId ? { KeyId: this.keyId } : {}),
        CiphertextBlob: Buffer.from(ciphertext, 'base64'),
        EncryptionContext: context,
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned nothing');
    return Buffer.from(out.Plaintext).toString('utf-8');
  }
}
