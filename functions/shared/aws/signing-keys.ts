/**
 * The HMAC key of approval links, from Secrets Manager. Cached for a few
 * minutes per container: every page view needs it, and a rotated key is
 * picked up soon enough (links outlive the cache by hours anyway).
 */
import {
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { systemClock } from '../clock.ts';
import type { Clock, SigningKeys } from '../ports.ts';

const CACHE_MS = 5 * 60_000;

/** {@link SigningKeys} over one Secrets Manager secret (string or binary). */
export class SecretsSigningKeys implements SigningKeys {
  private cached: { key: Buffer; at: number } | undefined;

  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly secretArn: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async current(): Promise<Buffer> {
    const t = this.clock.now().getTime();
    if (this.cached && t - this.cached.at < CACHE_MS) return this.cached.key;
    const out = await this.secrets.send(
      new GetSecretValueCommand({ SecretId: this.secretArn }),
    );
    const key = out.SecretBinary
      ? Buffer.from(out.SecretBinary)
      : Buffer.from(out.SecretString ?? '', 'utf-8');
    // A short key makes forgeable links; never name its content.
    if (key.length < 32) {
      throw new Error(
        `signing secret ${this.secretArn} is shorter than 32 bytes`,
      );
    }
    this.cached = { key, at: t };
    return key;
  }
}
