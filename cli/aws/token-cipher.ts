/**
 * Task tokens from the CLI. The stack's KmsTokenCipher names its key; the
 * CLI may not know the key's ARN (the stack does not output it), and a
 * symmetric KMS ciphertext names its key itself, so Decrypt is sent without
 * KeyId and Encrypt (re-issuing an expired request) uses the key Decrypt
 * reported. The encryption context binds every ciphertext to its approval.
 */
import {
  DecryptCommand,
  EncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { TokenCipher } from '../../functions/shared/ports.ts';

export class CliTokenCipher implements TokenCipher {
  private lastKeyId: string | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId?: string,
  ) {}

  async encrypt(
    plaintext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const keyId = this.keyId ?? this.lastKeyId;
    if (!keyId) {
      throw new Error('no task-token key known: decrypt a token first');
    }
    const out = await this.kms.send(
      new EncryptCommand({
        KeyId: keyId,
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
        ...(this.keyId ? { KeyId: this.keyId } : {}),
        CiphertextBlob: Buffer.from(ciphertext, 'base64'),
        EncryptionContext: context,
      }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned nothing');
    this.lastKeyId = out.KeyId ?? this.lastKeyId;
    return Buffer.from(out.Plaintext).toString('utf-8');
  }
}
