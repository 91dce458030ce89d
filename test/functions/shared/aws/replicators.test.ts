import {
  BadRequestException,
  ConflictException,
  CreateReplicatorCommand,
  DeleteReplicatorCommand,
  DescribeReplicatorCommand,
  KafkaClient,
  ListReplicatorsCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MskReplicators } from '../../../../functions/shared/aws/replicators.ts';
import { TransientError } from '../../../../functions/shared/domain/errors.ts';

const kafka = mockClient(KafkaClient);
const arn =
  'arn:aws:kafka:us-east-1:111122223333:replicator/msk-cutover-m1-fwd/u-1';
const meta = { $metadata: {} };
// Tests run without SDK retries so a throttle surfaces at once.
const replicators = () =>
  new MskReplicators(new KafkaClient({ region: 'us-east-1', maxAttempts: 1 }));

beforeEach(() => kafka.reset());

describe('MskReplicators', () => {
  it('should return the ARN and state of a created replicator', async () => {
    kafka.on(CreateReplicatorCommand).resolves({
      ReplicatorArn: arn,
      ReplicatorState: 'CREATING',
    });
    await expect(
      replicators().create({
        ReplicatorName: 'msk-cutover-m1-fwd',
        KafkaClusters: [],
        ReplicationInfoList: [],
        ServiceExecutionRoleArn: 'arn:aws:iam::111122223333:role/r',
      }),
    ).resolves.toEqual({ kind: 'created', arn, state: 'CREATING' });
  });

  it('should report a name conflict instead of throwing', async () => {
    kafka
      .on(CreateReplicatorCommand)
      .rejects(new ConflictException({ message: 'exists', ...meta }));
    await expect(
      replicators().create({
        ReplicatorName: 'msk-cutover-m1-fwd',
        KafkaClusters: [],
        ReplicationInfoList: [],
        ServiceExecutionRoleArn: 'arn:aws:iam::111122223333:role/r',
      }),
    ).resolves.toEqual({ kind: 'conflict' });
  });

  it('should hand throttling to the state machine as TransientError', async () => {
    kafka
      .on(DescribeReplicatorCommand)
      .rejects(new TooManyRequestsException({ message: 'slow down', ...meta }))
      .on(ListReplicatorsCommand)
      .rejects(new TooManyRequestsException({ message: 'slow down', ...meta }));
    await expect(replicators().describe(arn)).rejects.toThrow(
      /^DescribeReplicator: TooManyRequestsException: slow down$/,
    );
    await expect(replicators().listByPrefix('x')).rejects.toBeInstanceOf(
      TransientError,
    );
  });

  it('should pass a permanent error through unchanged', async () => {
    kafka
      .on(CreateReplicatorCommand)
      .rejects(new BadRequestException({ message: 'bad', ...meta }));
    await expect(
      replicators().create({
        ReplicatorName: 'x',
        KafkaClusters: [],
        ReplicationInfoList: [],
        ServiceExecutionRoleArn: 'arn:aws:iam::111122223333:role/r',
      }),
    ).rejects.toBeInstanceOf(BadRequestException);
  });

  it('should describe without SDK metadata and read a missing one as null', async () => {
    kafka
      .on(DescribeReplicatorCommand, { ReplicatorArn: arn })
      .resolves({ ReplicatorArn: arn, ReplicatorState: 'RUNNING' })
      .on(DescribeReplicatorCommand, { ReplicatorArn: 'gone' })
      .rejects(new NotFoundException({ message: 'nope', ...meta }));
    await expect(replicators().describe(arn)).resolves.toEqual({
      ReplicatorArn: arn,
      ReplicatorState: 'RUNNING',
    });
    await expect(replicators().describe('gone')).resolves.toBeNull();
  });

  it('should list every page and keep only names with the prefix', async () => {
    kafka
      .on(ListReplicatorsCommand, { NextToken: undefined })
      .resolves({
        Replicators: [
          { ReplicatorName: 'msk-cutover-m1-fwd', ReplicatorArn: 'a1' },
          { ReplicatorName: 'other', ReplicatorArn: 'x' },
        ],
        NextToken: 'n2',
      })
      .on(ListReplicatorsCommand, { NextToken: 'n2' })
      .resolves({
        Replicators: [
          { ReplicatorName: 'msk-cutover-m1-rev', ReplicatorArn: 'a2' },
        ],
      });
    const list = await replicators().listByPrefix('msk-cutover-m1-');
    expect(list.map((r) => r.ReplicatorArn)).toEqual(['a1', 'a2']);
    expect(kafka).toReceiveCommandWith(ListReplicatorsCommand, {
      ReplicatorNameFilter: 'msk-cutover-m1-',
      MaxResults: 100,
    });
  });

  it('should list every replicator of the Region for an empty prefix', async () => {
    kafka.on(ListReplicatorsCommand).resolves({
      Replicators: [{ ReplicatorName: 'anything', ReplicatorArn: 'a' }],
    });
    await expect(replicators().listByPrefix('')).resolves.toHaveLength(1);
    const input = kafka.commandCalls(ListReplicatorsCommand)[0]?.args[0].input;
    expect(input).not.toHaveProperty('ReplicatorNameFilter');
  });

  it('should treat deleting a missing replicator as done', async () => {
    kafka
      .on(DeleteReplicatorCommand)
      .rejects(new NotFoundException({ message: 'gone', ...meta }));
    await expect(replicators().delete(arn)).resolves.toBeUndefined();
    kafka.reset();
    kafka.on(DeleteReplicatorCommand).resolves({ ReplicatorState: 'DELETING' });
    await replicators().delete(arn);
    expect(kafka).toReceiveCommandWith(DeleteReplicatorCommand, {
      ReplicatorArn: arn,
    });
  });
});
