import {
  DescribeReplicatorCommand,
  KafkaClient,
  NotFoundException,
  type ReplicatorState,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type DescribeReplicatorsDeps,
  runDescribeReplicators,
} from '../../../functions/describe-replicators/describe-replicators.ts';
import { createHandler } from '../../../functions/describe-replicators/handler.ts';
import { MskReplicators } from '../../../functions/shared/aws/replicators.ts';
import { LOOP_ITERATIONS_PER_EXECUTION } from '../../../functions/shared/contracts.ts';
import {
  ReplicatorFailedError,
  ReplicatorStuckError,
} from '../../../functions/shared/domain/errors.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  TestClock,
} from '../../support/memory-ports.ts';

const ID = 'orders-platform';
const arn = (name: string) =>
  `arn:aws:kafka:us-east-1:123456789012:replicator/${name}/1`;
const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };

describe('describe-replicators', () => {
  const kafka = mockClient(KafkaClient);
  let states: Record<string, ReplicatorState | 'GONE'>;
  let clock: TestClock;
  let deps: DescribeReplicatorsDeps & {
    ledger: MemoryLedger;
    notifier: MemoryNotifier;
  };
  const poll = (iteration = 0) =>
    runDescribeReplicators({ migrationId: ID, planRef, iteration }, deps);

  beforeEach(async () => {
    kafka.reset();
    states = { fwd: 'CREATING', rev: 'CREATING' };
    kafka.on(DescribeReplicatorCommand).callsFake((input) => {
      const name = String(input.ReplicatorArn).split('/')[1] as string;
      const state = states[name];
      if (state === 'GONE' || state === undefined) {
        throw new NotFoundException({ $metadata: {}, message: 'not found' });
      }
      return {
        ReplicatorArn: input.ReplicatorArn,
        ReplicatorName: name,
        ReplicatorState: state,
        ...(state === 'FAILED'
          ? {
              StateInfo: {
                Code: 'ClusterConnectivityError',
                Message: 'Unable to reach kafka-1.onprem.example.com:9096',
              },
            }
          : {}),
      };
    });
    clock = new TestClock();
    deps = {
      ledger: new MemoryLedger(clock),
      replicators: new MskReplicators(new KafkaClient({ region: 'us-east-1' })),
      notifier: new MemoryNotifier(),
      clock,
      log: new MemoryLog(),
    };
    await deps.ledger.startMigration({
      migrationId: ID,
      planDigest: 'd',
      planRef,
      status: 'RUNNING',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
    });
    for (const [name, direction] of [
      ['fwd', 'forward'],
      ['rev', 'reverse'],
    ] as const) {
      await deps.ledger.putReplicator(ID, {
        name,
        arn: arn(name),
        shard: 'default',
        direction,
      });
    }
  });

  it('should keep polling while replicators are CREATING', async () => {
    const result = await poll(4);

    expect(result).toEqual({
      allRunning: false,
      states: { fwd: 'CREATING', rev: 'CREATING' },
      iteration: 5,
      continueAsNew: false,
    });
    expect((await deps.ledger.getMigration(ID))?.creatingSince).toBe(
      '2026-03-01T00:00:00.000Z',
    );
  });

  it('should end the loop and tell people when every replicator is RUNNING', async () => {
    states = { fwd: 'RUNNING', rev: 'RUNNING' };

    const result = await poll();

    expect(result.allRunning).toBe(true);
    expect(deps.notifier.ofType('Phase Changed')[0]?.subject).toMatch(
      /replicators RUNNING/,
    );
  });

  it('should hand the loop to a new execution after the per-execution poll budget', async () => {
    const result = await poll(LOOP_ITERATIONS_PER_EXECUTION - 1);

    expect(result).toMatchObject({
      iteration: LOOP_ITERATIONS_PER_EXECUTION,
      continueAsNew: true,
    });
  });

  it('should fail with MSK StateInfo when a replicator is FAILED', async () => {
    states.rev = 'FAILED';

    const run = poll();

    await expect(run).rejects.toBeInstanceOf(ReplicatorFailedError);
    await expect(run).rejects.toThrow(
      'rev is FAILED: ClusterConnectivityError: Unable to reach kafka-1.onprem.example.com:9096',
    );
  });

  it('should fail when a replicator vanished', async () => {
    states.fwd = 'GONE';

    await expect(poll()).rejects.toThrow(/fwd no longer exists/);
  });

  it('should warn once after 45 minutes of CREATING and fail as stuck after 180', async () => {
    await poll();
    clock.advance(44 * 60);
    await poll();
    expect(deps.notifier.ofType('Replicators Slow')).toHaveLength(0);

    clock.advance(2 * 60);
    await poll();
    clock.advance(60);
    await poll();
    expect(deps.notifier.ofType('Replicators Slow')).toHaveLength(1);
    expect(deps.notifier.ofType('Replicators Slow')[0]?.body).toMatch(
      /fwd \(CREATING\), rev \(CREATING\)/,
    );

    clock.advance(134 * 60);
    await expect(poll()).rejects.toBeInstanceOf(ReplicatorStuckError);
  });

  it('should fail when nothing was recorded', async () => {
    deps.ledger.replicators.clear();

    await expect(poll()).rejects.toThrow(/no replicators recorded/);
  });

  describe('handler', () => {
    beforeEach(() => {
      vi.stubEnv('LEDGER_TABLE', 'msk-cutover-ledger');
      vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:msk-cutover');
      vi.stubEnv('EVENT_BUS_NAME', 'default');
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('should poll through the real Kafka adapter', async () => {
      const { replicators: _, ...rest } = deps;
      const handler = createHandler(rest);

      const result = await handler(
        { migrationId: ID, planRef, iteration: 0 },
        lambdaContext(),
      );

      expect(result.states).toEqual({ fwd: 'CREATING', rev: 'CREATING' });
    });

    it('should reject a negative iteration', async () => {
      const handler = createHandler(deps);

      await expect(
        handler({ migrationId: ID, planRef, iteration: -1 }, lambdaContext()),
      ).rejects.toThrow(/iteration/);
    });
  });
});
