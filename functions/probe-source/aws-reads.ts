/**
 * The two AWS reads probe-source needs: the SCRAM secret and the target's
 * IAM bootstrap brokers, over only Secrets Manager and MSK. The shared
 * `AwsInventoryAdapter` does the same two plus EC2 and Service Quotas
 * lookups; importing it would put the EC2 and Service Quotas clients
 * (about 35 KiB minified, once `infra/tree-shake.ts` has dropped the EC2
 * schemas esbuild keeps, 550 KiB without it) into this function's bundle,
 * which already carries the Kafka client.
 */
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { MskBootstrapBrokers } from '../shared/aws/bootstrap-brokers.ts';
import { readSecretJson } from '../shared/aws/secret-json.ts';
import type { AwsInventory } from '../shared/ports.ts';

export type ProbeInventory = Pick<
  AwsInventory,
  'secretJson' | 'bootstrapBrokers'
>;

/** {@link ProbeInventory} over Secrets Manager and MSK. */
export class SecretsAndBrokers implements ProbeInventory {
  private readonly brokers: MskBootstrapBrokers;

  constructor(
    private readonly secrets: SecretsManagerClient,
    kafka: KafkaClient,
  ) {
    this.brokers = new MskBootstrapBrokers(kafka);
  }

  secretJson(arn: string): Promise<Record<string, unknown> | null> {
    return readSecretJson(this.secrets, arn);
  }

  bootstrapBrokers(clusterArn: string): Promise<string | null> {
    return this.brokers.bootstrapBrokers(clusterArn);
  }
}
