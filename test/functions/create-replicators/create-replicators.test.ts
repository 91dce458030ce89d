import { readFileSync } from 'node:fs';
import {
  ConflictException,
  CreateReplicatorCommand,
  type CreateReplicatorCommandInput,
  DescribeReplicatorCommand,
  type DescribeReplicatorResponse,
  KafkaClient,
  ListReplicatorsCommand,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type CreateReplicatorsDeps,
  runCreateReplicators,
} from '../../../functions/create-replicators/create-replicators.ts';
import { createHandler } from '../../../functions/create-replicators/handler.ts';
import { MskReplicators } from '../../../functions/shared/aws/replicators.ts';
import type { PlanRef } from '../../../functions/shared/contracts.ts';
import {
  ReplicatorConflictError,
  TransientError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import {
  lambdaContext,
  MemoryLedger,
  MemoryLog,
  MemoryPlanStore,
  TestClock,
} from '../../support/memory-ports.ts';

const ROLE = 'arn:aws:iam::123456789012:role/msk-cutover-replicator';
const FWD = 'msk-cutover-orders-platform-fwd';
const REV = 'msk-cutover-orders-platform-rev';

/**
 * MSK as the Kafka client sees it: names are unique (ConflictException),
 * ListReplicators filters by name prefix, DescribeReplicator echoes the
 * settings a replicator was created with.
 */
function fakeMsk() {
  const kafka = mockClient(KafkaClient);
  const store = new Map<
    string,
    { arn: string; input: CreateReplicatorCommandInput }
  >();
  let seq = 0;
  const describe = (
    arn: string,
    input: CreateReplicatorCommandInput,
  ): DescribeReplicatorResponse => ({
    ReplicatorArn: arn,
    ReplicatorName: input.ReplicatorName,
    ReplicatorState: 'CREATING',
    CurrentVersion: 'K1',
    ServiceExecutionRoleArn: input.ServiceExecutionRoleArn,
    KafkaClusters: (input.KafkaClusters ?? []).map((c, i) => ({
      ...structuredClone(c),
      KafkaClusterAlias: `alias-${i}`,
    })),
    ReplicationInfoList: (input.ReplicationInfoList ?? []).map((r) => ({
      SourceKafkaClusterAlias: 'alias-0',
      TargetKafkaClusterAlias: 'alias-1',
      TargetCompressionType: r.TargetCompressionType,
      TopicReplication: structuredClone(r.TopicReplication),
      ConsumerGroupReplication: structuredClone(r.ConsumerGroupReplication),
    })) as DescribeReplicatorResponse['ReplicationInfoList'],
    Tags: { ...input.Tags },
  });
  /** The next CreateReplicator of that name fails with this error. */
  const failNext = new Map<string, Error>();
  kafka.on(CreateReplicatorCommand).callsFake((input) => {
    const name = input.ReplicatorName as string;
    const failure = failNext.get(name);
    if (failure) {
      failNext.delete(name);
      throw failure;
    }
    if (store.has(name)) {
      throw new ConflictException({
        $metadata: {},
        message: `Replicator ${name} already exists`,
      });
    }
    const arn = `arn:aws:kafka:us-east-1:123456789012:replicator/${name}/${++seq}`;
    store.set(name, { arn, input: structuredClone(input) });
    return {
      ReplicatorArn: arn,
      ReplicatorName: name,
      ReplicatorState: 'CREATING',
    };
  });
  kafka.on(ListReplicatorsCommand).callsFake((input) => ({
    Replicators: [...store.entries()]
      .filter(([name]) => name.startsWith(input.ReplicatorNameFilter ?? ''))
      .map(([name, r]) => ({
        ReplicatorName: name,
        ReplicatorArn: r.arn,
        ReplicatorState: 'CREATING',
      })),
  }));
  kafka.on(DescribeReplicatorCommand).callsFake((input) => {
    const found = [...store.values()].find(
      (r) => r.arn === input.ReplicatorArn,
    );
    if (!found) throw new NotFoundException({ $metadata: {}, message: 'gone' });
    return describe(found.arn, found.input);
  });
  return { kafka, store, failNext };
}

describe('create-replicators', () => {
  let msk: ReturnType<typeof fakeMsk>;
  let deps: CreateReplicatorsDeps & { ledger: MemoryLedger };
  let ref: PlanRef;
  const event = () => ({ migrationId: 'orders-platform', planRef: ref });

  beforeEach(async () => {
    msk = fakeMsk();
    const clock = new TestClock();
    const plans = new MemoryPlanStore();
    // A plan that leaves the source cluster id to the probe.
    const plan = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    delete plan.source.clusterId;
    ref = await plans.put('plans', 'p.json', JSON.stringify(plan));
    deps = {
      plans,
      ledger: new MemoryLedger(clock),
      replicators: new MskReplicators(new KafkaClient({ region: 'us-east-1' })),
      serviceExecutionRoleArn: ROLE,
      clock,
      log: new MemoryLog(),
    };
    await deps.ledger.startMigration({
      migrationId: 'orders-platform',
      planDigest: 'd',
      planRef: ref,
      status: 'RUNNING',
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      sourceClusterId: 'AbCdEfGhIjKlMnOpQrStUv',
    });
  });

  afterEach(() => {
    msk.kafka.restore();
  });

  it('should create the forward then the reverse replicator and record both ARNs', async () => {
    const result = await runCreateReplicators(event(), deps);

    expect(result.created).toBe(2);
    expect(result.adopted).toBe(0);
    expect(result.replicators.map((r) => [r.name, r.direction])).toEqual([
      [FWD, 'forward'],
      [REV, 'reverse'],
    ]);
    expect(msk.kafka).toHaveReceivedNthCommandWith(CreateReplicatorCommand, 1, {
      ReplicatorName: FWD,
      ServiceExecutionRoleArn: ROLE,
    });
    expect(
      msk.store.get(FWD)?.input.KafkaClusters?.[0]?.ApacheKafkaCluster,
    ).toMatchObject({ ApacheKafkaClusterId: 'AbCdEfGhIjKlMnOpQrStUv' });
    expect(msk.kafka).toHaveReceivedNthCommandWith(CreateReplicatorCommand, 2, {
      ReplicatorName: REV,
    });
    const recorded = await deps.ledger.listReplicators('orders-platform');
    expect(recorded.map((r) => r.arn).sort()).toEqual(
      [...msk.store.values()].map((r) => r.arn).sort(),
    );
  });

  it('should never create a second replicator when Lambda retries after a partial create', async () => {
    // First attempt: forward created, then CreateReplicator is throttled.
    msk.failNext.set(
      REV,
      new TooManyRequestsException({ $metadata: {}, message: 'Rate exceeded' }),
    );
    // The adapter turns throttling into TransientError (retried by the ASL).
    await expect(runCreateReplicators(event(), deps)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect([...msk.store.keys()]).toEqual([FWD]);
    const firstArn = msk.store.get(FWD)?.arn;

    // The retry adopts the forward replicator and creates the reverse one.
    const result = await runCreateReplicators(event(), deps);

    expect([...msk.store.keys()].sort()).toEqual([FWD, REV]);
    expect(result).toMatchObject({ created: 1, adopted: 1 });
    expect(result.replicators[0]?.arn).toBe(firstArn);
    expect(msk.kafka).toHaveReceivedCommandWith(ListReplicatorsCommand, {
      ReplicatorNameFilter: FWD,
    });
  });

  it('should adopt on every replicator when the whole phase runs twice', async () => {
    const first = await runCreateReplicators(event(), deps);

    const second = await runCreateReplicators(event(), deps);

    expect(second).toEqual({ ...first, created: 0, adopted: 2 });
    expect(msk.store.size).toBe(2);
  });

  it('should fail with the differences when our name exists with other settings', async () => {
    msk.store.set(FWD, {
      arn: 'arn:aws:kafka:us-east-1:123456789012:replicator/x/1',
      input: {
        ReplicatorName: FWD,
        ServiceExecutionRoleArn: 'arn:aws:iam::123456789012:role/someone-else',
        KafkaClusters: [],
        ReplicationInfoList: [],
      },
    });

    const run = runCreateReplicators(event(), deps);

    await expect(run).rejects.toBeInstanceOf(ReplicatorConflictError);
    await expect(run).rejects.toThrow(
      /ServiceExecutionRoleArn: is .*someone-else/,
    );
    expect(await deps.ledger.listReplicators('orders-platform')).toEqual([]);
  });

  it('should adopt only the exact name, not a longer one with the same prefix', async () => {
    await runCreateReplicators(event(), deps);
    msk.store.set(`${FWD}-legacy`, {
      arn: 'arn:aws:kafka:us-east-1:123456789012:replicator/legacy/9',
      input: {
        ReplicatorName: `${FWD}-legacy`,
      } as CreateReplicatorCommandInput,
    });

    const result = await runCreateReplicators(event(), deps);

    expect(result.replicators[0]?.arn).toBe(msk.store.get(FWD)?.arn);
  });

  it.each([
    ['not listed yet', undefined, /not listed yet/],
    ['being deleted', 'DELETING', /being deleted/],
  ] as const)(
    'should retry a conflict whose replicator is %s',
    async (_, state, message) => {
      msk.store.set(FWD, {
        arn: 'arn:aws:kafka:us-east-1:123456789012:replicator/x/1',
        input: { ReplicatorName: FWD } as CreateReplicatorCommandInput,
      });
      msk.kafka.on(ListReplicatorsCommand).resolves({
        Replicators: state
          ? [
              {
                ReplicatorName: FWD,
                ReplicatorArn:
                  'arn:aws:kafka:us-east-1:123456789012:replicator/x/1',
                ReplicatorState: state,
              },
            ]
          : [],
      });

      const run = runCreateReplicators(event(), deps);

      await expect(run).rejects.toBeInstanceOf(TransientError);
      await expect(run).rejects.toThrow(message);
    },
  );

  it('should refuse to create anything while the source cluster id is unknown', async () => {
    await deps.ledger.updateMigration('orders-platform', {
      sourceClusterId: '',
    });

    await expect(runCreateReplicators(event(), deps)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(msk.kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  it('should create nothing when a request would not pass the API model', async () => {
    // A cluster id the probe read from a broker, which no request may carry.
    await deps.ledger.updateMigration('orders-platform', {
      sourceClusterId: 'id with spaces',
    });

    const run = runCreateReplicators(event(), deps);
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    await expect(run).rejects.toThrow(
      `${FWD}: KafkaClusters[0].ApacheKafkaCluster.ApacheKafkaClusterId: "id with spaces" is not a Kafka cluster id`,
    );
    expect(msk.kafka).not.toHaveReceivedCommand(CreateReplicatorCommand);
  });

  describe('handler', () => {
    beforeEach(() => {
      vi.stubEnv('LEDGER_TABLE', 'msk-cutover-ledger');
      vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:msk-cutover');
      vi.stubEnv('EVENT_BUS_NAME', 'default');
      vi.stubEnv('SERVICE_EXECUTION_ROLE_ARN', ROLE);
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('should create the replicators through the real Kafka adapter', async () => {
      const { replicators: _, ...rest } = deps;
      const handler = createHandler(rest);

      const result = await handler(event(), lambdaContext());

      expect(result.created).toBe(2);
    });

    it('should reject an event without migrationId', async () => {
      const handler = createHandler(deps);

      await expect(handler({ planRef: ref }, lambdaContext())).rejects.toThrow(
        /migrationId/,
      );
    });
  });
});
