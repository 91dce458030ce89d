/**
 * Every replicator request the code builds, checked against the SDK's own
 * model (@aws-sdk/client-kafka schemas and enums) and the documented
 * limits; requests with unknown or missing members are refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createReplicatorRequestIssues,
  deleteReplicatorRequestIssues,
  MEMBER_ENUMS,
  updateReplicationInfoRequestIssues,
} from '../../../../functions/shared/aws/replicator-model.ts';
import { generatePlan } from '../../../../functions/shared/domain/generate-plan.ts';
import {
  buildReplicatorRequests,
  deleteReplicatorInput,
} from '../../../../functions/shared/domain/replicator-config.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';

const ROOT = join(import.meta.dirname, '../../../..');
const sample = () =>
  JSON.parse(readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'));
const OPTIONS = {
  sourceClusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
  serviceExecutionRoleArn:
    'arn:aws:iam::123456789012:role/service-role/msk-cutover-replicator',
};

function requestsOf(input: unknown) {
  const result = validatePlan(input);
  if (!result.ok) throw new Error(JSON.stringify(result.issues.slice(0, 3)));
  return buildReplicatorRequests(result.plan, OPTIONS);
}

/** A valid sample request to break in one place. */
function sampleRequest(): ReturnType<typeof JSON.parse> {
  const [first] = requestsOf(sample());
  return structuredClone(first?.input) as ReturnType<typeof JSON.parse>;
}

describe('requests the code builds pass the model', () => {
  const edge = () => {
    const plan = sample();
    plan.migrationId = 'a'.repeat(40);
    plan.source.name = 'n'.repeat(900);
    plan.source.tls = {
      rootCaSecretArn:
        'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/ca-XyZ123',
    };
    plan.replication.logDelivery = {
      cloudWatchLogGroup: '/msk/replicators',
      firehoseDeliveryStream: 'replicator-logs',
      s3: { bucket: 'replicator-logs-1', prefix: 'orders/' },
    };
    plan.replication.targetCompression = 'ZSTD';
    plan.replication.topics = [
      'orders',
      'order_status',
      `${'t'.repeat(240)}.*`,
    ];
    return plan;
  };
  const oneWay = () => {
    const plan = sample();
    plan.replication.bidirectional = false;
    plan.replication.startingPosition = 'LATEST';
    delete plan.replication.logDelivery;
    return plan;
  };
  const sharded = () => {
    const plan = generatePlan({
      apps: 30,
      topics: 120,
      groups: 40,
      shards: 3,
      migrationId: 'sharded',
    }) as ReturnType<typeof JSON.parse>;
    plan.replication.shards[0].name = 's'.repeat(20);
    return plan;
  };

  it.each([
    ['the sample plan', sample, 2],
    ['a sharded plan', sharded, 6],
    ['a one-way plan without log delivery', oneWay, 1],
    ['the longest names, every log destination, a CA secret', edge, 2],
  ])('%s', (_, plan, count) => {
    const requests = requestsOf(plan());
    expect(requests).toHaveLength(count);
    for (const r of requests) {
      expect(createReplicatorRequestIssues(r.input), r.name).toEqual([]);
      expect(
        deleteReplicatorRequestIssues(
          deleteReplicatorInput(
            `arn:aws:kafka:us-east-1:123456789012:replicator/${r.name}/abc-1`,
          ),
        ),
      ).toEqual([]);
    }
  });
});

describe('requests AWS would refuse are refused', () => {
  it('refuses an unknown member, naming the shape and its members', () => {
    const request = sampleRequest();
    request.ReplicationInfoList[0].TopicReplication.StartingPosition = {
      Kind: 'EARLIEST',
    };
    expect(createReplicatorRequestIssues(request)).toEqual([
      {
        path: 'ReplicationInfoList[0].TopicReplication.StartingPosition.Kind',
        message:
          'is not a member of ReplicationStartingPosition (members: Type)',
      },
    ]);
  });

  it("refuses the docs' camelCase keys", () => {
    const request = sampleRequest();
    const { ApacheKafkaCluster, ...rest } = request.KafkaClusters[0];
    request.KafkaClusters[0] = {
      ...rest,
      apacheKafkaCluster: ApacheKafkaCluster,
    };
    expect(createReplicatorRequestIssues(request).map((i) => i.path)).toEqual([
      'KafkaClusters[0].apacheKafkaCluster',
    ]);
  });

  it('refuses a missing required member', () => {
    const request = sampleRequest();
    delete request.ReplicatorName;
    delete request.KafkaClusters[0].ApacheKafkaCluster.BootstrapBrokerString;
    expect(createReplicatorRequestIssues(request)).toEqual([
      {
        path: 'KafkaClusters[0].ApacheKafkaCluster.BootstrapBrokerString',
        message: 'is required by ApacheKafkaCluster',
      },
      {
        path: 'ReplicatorName',
        message: 'is required by CreateReplicatorRequest',
      },
    ]);
  });

  it('refuses a value outside an enum and a value of the wrong type', () => {
    const request = sampleRequest();
    request.ReplicationInfoList[0].TargetCompressionType = 'BROTLI';
    request.ReplicationInfoList[0].ConsumerGroupReplication.SynchroniseConsumerGroupOffsets =
      'yes';
    expect(createReplicatorRequestIssues(request)).toEqual([
      {
        path: 'ReplicationInfoList[0].ConsumerGroupReplication.SynchroniseConsumerGroupOffsets',
        message: 'must be a boolean (found a string)',
      },
      {
        path: 'ReplicationInfoList[0].TargetCompressionType',
        message:
          'must be one of GZIP, LZ4, NONE, SNAPPY, ZSTD (found "BROTLI")',
      },
    ]);
  });

  it('refuses what the documentation limits and the model does not', () => {
    const request = sampleRequest();
    request.Description = 'd'.repeat(1025);
    request.ReplicatorName = 'msk_cutover';
    request.ReplicationInfoList[0].TopicReplication.TopicsToReplicate = [
      't'.repeat(250),
    ];
    expect(createReplicatorRequestIssues(request).map((i) => i.path)).toEqual([
      'ReplicatorName',
      'Description',
      'ReplicationInfoList[0].TopicReplication.TopicsToReplicate[0]',
    ]);
  });

  it('checks DeleteReplicator and UpdateReplicationInfo requests the same way', () => {
    expect(deleteReplicatorRequestIssues({})).toEqual([
      {
        path: 'ReplicatorArn',
        message: 'is required by DeleteReplicatorRequest',
      },
    ]);
    expect(
      deleteReplicatorRequestIssues({ ReplicatorArn: 'arn', Force: true }),
    ).toEqual([
      {
        path: 'Force',
        message:
          'is not a member of DeleteReplicatorRequest (members: ReplicatorArn, CurrentVersion)',
      },
    ]);
    const info = sampleRequest().ReplicationInfoList[0];
    const update = {
      ReplicatorArn: 'arn:aws:kafka:us-east-1:123456789012:replicator/x/1',
      SourceKafkaClusterId: info.SourceKafkaClusterId,
      TargetKafkaClusterArn: info.TargetKafkaClusterArn,
      TopicReplication: {
        TopicsToReplicate: ['orders'],
        TopicsToExclude: [],
        CopyTopicConfigurations: true,
        DetectAndCopyNewTopics: true,
        CopyAccessControlListsForTopics: true,
      },
    };
    expect(updateReplicationInfoRequestIssues(update)).toEqual([
      {
        path: 'CurrentVersion',
        message: 'is required by UpdateReplicationInfoRequest',
      },
    ]);
    // StartingPosition is immutable: the update shape has no such member.
    const moved = {
      ...update,
      CurrentVersion: 'K1',
      TopicReplication: {
        ...update.TopicReplication,
        StartingPosition: { Type: 'LATEST' },
      },
    };
    expect(
      updateReplicationInfoRequestIssues(moved).map((i) => i.path),
    ).toEqual(['TopicReplication.StartingPosition']);
  });
});

describe('the enum table', () => {
  it("matches the enum-typed members the SDK's declarations name, for every shape the requests reach", () => {
    const dir = join(
      ROOT,
      'node_modules/@aws-sdk/client-kafka/dist-types/models',
    );
    const enums = new Set(
      [
        ...readFileSync(join(dir, 'enums.d.ts'), 'utf8').matchAll(
          /export type (\w+) =/g,
        ),
      ].map((m) => m[1]),
    );
    const text = readFileSync(join(dir, 'models_0.d.ts'), 'utf8');
    const shapes = new Map<string, [string, string][]>();
    for (const m of text.matchAll(/export interface (\w+) \{([\s\S]*?)\n\}/g)) {
      shapes.set(
        m[1] as string,
        [...(m[2] as string).matchAll(/^ {4}(\w+)\??: ([^;]+);/gm)].map((p) => [
          p[1] as string,
          p[2] as string,
        ]),
      );
    }
    const found: Record<string, string> = {};
    const seen = new Set<string>();
    const visit = (shape: string) => {
      if (seen.has(shape)) return;
      seen.add(shape);
      for (const [member, type] of shapes.get(shape) ?? []) {
        for (const ref of type.match(/\b[A-Z]\w+\b/g) ?? []) {
          if (enums.has(ref)) found[`${shape}.${member}`] = ref;
          else if (shapes.has(ref)) visit(ref);
        }
      }
    };
    for (const r of [
      'CreateReplicatorRequest',
      'UpdateReplicationInfoRequest',
      'DeleteReplicatorRequest',
    ]) {
      visit(r);
    }
    expect(Object.keys(MEMBER_ENUMS).sort()).toEqual(Object.keys(found).sort());
    // Each entry holds that enum's values.
    const values = (name: string) =>
      [
        ...(
          readFileSync(join(dir, 'enums.d.ts'), 'utf8').match(
            new RegExp(`export declare const ${name}: \\{([^}]*)\\}`),
          )?.[1] ?? ''
        ).matchAll(/: "([^"]+)"/g),
      ].map((m) => m[1]);
    for (const [member, enumName] of Object.entries(found)) {
      expect(Object.values(MEMBER_ENUMS[member] ?? {}).sort(), member).toEqual(
        values(enumName).sort(),
      );
    }
  });
});
