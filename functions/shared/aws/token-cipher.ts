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

/**
 * {@link TokenCipher} over KMS; ciphertext is base64. The functions know
 * their key (`TOKEN_KEY_ID`); the CLI may not (the stack does not output
 * it), and a symmetric KMS ciphertext names its own key, so without `keyId`
 * Decrypt is sent without KeyId and a later Encrypt (re-issuing an expired
 * request) uses the key Decrypt reported.
 */
export class KmsTokenCipher implements TokenCipher {
  private learnedKeyId: string | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId?: string,
  ) {}

  async encrypt(
    plaintext: string,
    context: Record<string, string>,
  ): Promise<string> {
    const keyId = this.keyId ?? this.learnedKeyId;
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
    this.learnedKeyId = out.KeyId ?? this.learnedKeyId;
    return Buffer.from(out.Plaintext).toString('utf-8');
  }
}
