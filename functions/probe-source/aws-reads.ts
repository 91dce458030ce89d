/**
 * The two AWS reads probe-source needs: the SCRAM secret and the target's
 * IAM bootstrap brokers. The shared `AwsInventoryAdapter` does the same two
 * plus EC2 and Service Quotas lookups; importing it would put the EC2 client
 * (over 500 KiB minified) into this function's bundle, which already
 * carries the Kafka client, so this narrow adapter keeps the same semantics
 * (missing → null, a secret that is not a JSON object → ValidationError
 * without quoting it) over only Secrets Manager and MSK.
 */
import {
  GetBootstrapBrokersCommand,
  type KafkaClient,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ValidationError } from '../shared/domain/errors.ts';
import type { AwsInventory } from '../shared/ports.ts';

export type ProbeInventory = Pick<
  AwsInventory,
  'secretJson' | 'bootstrapBrokers'
>;

/** {@link ProbeInventory} over Secrets Manager and MSK. */
export class SecretsAndBrokers implements ProbeInventory {
  constructor(
    private readonly secrets: SecretsManagerClient,
    private readonly kafka: KafkaClient,
  ) {}

  async secretJson(arn: string): Promise<Record<string, unknown> | null> {
    let text: string | undefined;
    try {
      const out = await this.secrets.send(
        new GetSecretValueCommand({ SecretId: arn }),
      );
      text =
        out.SecretString ??
        (out.SecretBinary
          ? Buffer.from(out.SecretBinary).toString('utf-8')
          : undefined);
    } catch (err) {
      if (err instanceof ResourceNotFoundException) return null;
      throw err;
    }
    // A parse error message could quote the secret: never pass it on.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? '');
    } catch {
      parsed = null;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ValidationError(
        `secret ${arn} is not a JSON object (store it as key/value pairs)`,
      );
    }
    return parsed as Record<string, unknown>;
  }

  async bootstrapBrokers(clusterArn: string): Promise<string | null> {
    try {
      const out = await this.kafka.send(
        new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }),
      );
      return out.BootstrapBrokerStringSaslIam ?? null;
    } catch (err) {
      if (err instanceof NotFoundException) return null;
      throw err;
    }
  }
}
