/**
 * GetBootstrapBrokers alone, for the functions that only need the target's
 * SASL/IAM bootstrap string (the approval functions print it in the cutover
 * instructions). Kept apart from `AwsInventoryAdapter` so those bundles do
 * not carry the EC2 client it needs for subnets and security groups.
 */
import {
  GetBootstrapBrokersCommand,
  type KafkaClient,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import type { AwsInventory } from '../ports.ts';

/** The one {@link AwsInventory} read the approval functions make. */
export type BootstrapBrokers = Pick<AwsInventory, 'bootstrapBrokers'>;

/** {@link BootstrapBrokers} over the MSK API. */
export class MskBootstrapBrokers implements BootstrapBrokers {
  constructor(private readonly kafka: KafkaClient) {}

  /** `BootstrapBrokerStringSaslIam`; null when missing or without IAM. */
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
