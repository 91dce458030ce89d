import {
  GetBootstrapBrokersCommand,
  KafkaClient,
  NotFoundException,
  UnauthorizedException,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MskBootstrapBrokers } from '../../../../functions/shared/aws/bootstrap-brokers.ts';

const kafka = mockClient(KafkaClient);
const meta = { $metadata: {} };
const brokers = () => new MskBootstrapBrokers(new KafkaClient({}));

beforeEach(() => kafka.reset());

describe('MskBootstrapBrokers', () => {
  it('should return the SASL/IAM bootstrap string of the cluster', async () => {
    kafka.on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:c' }).resolves({
      BootstrapBrokerStringSaslIam: 'b-1:9098,b-2:9098',
      BootstrapBrokerStringTls: 'b-1:9094',
    });
    await expect(brokers().bootstrapBrokers('arn:c')).resolves.toBe(
      'b-1:9098,b-2:9098',
    );
  });

  it('should return null for a cluster without IAM or one that is gone', async () => {
    kafka
      .on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:tls-only' })
      .resolves({ BootstrapBrokerStringTls: 'b-1:9094' })
      .on(GetBootstrapBrokersCommand, { ClusterArn: 'arn:gone' })
      .rejects(new NotFoundException({ message: 'no', ...meta }));
    await expect(brokers().bootstrapBrokers('arn:tls-only')).resolves.toBe(
      null,
    );
    await expect(brokers().bootstrapBrokers('arn:gone')).resolves.toBe(null);
  });

  it('should pass on any other error', async () => {
    kafka
      .on(GetBootstrapBrokersCommand)
      .rejects(new UnauthorizedException({ message: 'denied', ...meta }));
    await expect(brokers().bootstrapBrokers('arn:c')).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
  });
});
