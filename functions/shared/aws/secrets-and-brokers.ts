/**
 * The two AWS reads of the Kafka-side phases (probe-source,
 * measure-source-lag): the SCRAM secret and the target's IAM bootstrap
 * brokers, over only Secrets Manager and MSK. The shared
 * `AwsInventoryAdapter` does the same two plus EC2 and Service Quotas
 * lookups; importing it would put the EC2 and Service Quotas clients
 * (about 35 KiB minified, once `infra/tree-shake.ts` has dropped the EC2
 * schemas esbuild keeps, 550 KiB without it) into their bundles,
 * which already carry the Kafka client.
 */
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsInventory } from '../ports.ts';
import { MskBootstrapBrokers } from './bootstrap-brokers.ts';
import { readSecretJson } from './secret-json.ts';

export type KafkaSideInventory = Pick<
  AwsInventory,
  'secretJson' | 'bootstrapBrokers'
>;

/** {@link KafkaSideInventory} over Secrets Manager and MSK. */
export class SecretsAndBrokers implements KafkaSideInventory {
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
