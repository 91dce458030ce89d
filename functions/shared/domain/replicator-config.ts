/**
 * The exact CreateReplicator requests a plan implies: one forward/reverse pair
 * of MSK Replicators per shard (one pair when the plan has no shards).
 *
 * Every field follows the MSK Replicator API for an external
 * `ApacheKafkaCluster` source (see docs/plan.md):
 * - forward: `SourceKafkaClusterId` (the external cluster) →
 *   `TargetKafkaClusterArn` (MSK); reverse: `SourceKafkaClusterArn` →
 *   `TargetKafkaClusterId`;
 * - both replicators register both clusters the same way (same
 *   `KafkaClusters` list), which ENHANCED offset sync needs to prevent
 *   replication loops;
 * - topic names are IDENTICAL on both (ENHANCED requires it);
 * - every boolean is explicit, because the API's defaults for omitted
 *   booleans are not documented.
 *
 * Pure functions: no AWS calls, only the SDK's types.
 */
import type {
  CreateReplicatorCommandInput,
  DeleteReplicatorCommandInput,
  DescribeReplicatorResponse,
  KafkaCluster,
  LogDelivery,
  ReplicationInfo,
} from '@aws-sdk/client-kafka';
import { literalOf, Selection } from './patterns.ts';
import type { Application, Plan } from './plan.ts';

/** The shard name reported for plans without `replication.shards`. */
export const DEFAULT_SHARD = 'default';
/** Every replicator this tool creates starts with this (IAM scopes on it). */
export const REPLICATOR_NAME_PREFIX = 'msk-cutover-';
/**
 * `ReplicatorName`: 1 to 128 characters, `^[0-9A-Za-z][0-9A-Za-z-]{0,}$`
 * (botocore kafka service-2.json; the SDK's doc string: "Alpha-numeric
 * characters with '-' are allowed").
 */
export const REPLICATOR_NAME_PATTERN = /^[0-9A-Za-z][0-9A-Za-z-]{0,}$/;
export const REPLICATOR_NAME_MAX_LENGTH = 128;
/** CreateReplicator `Description`: at most 1,024 characters (API, CloudFormation). */
export const REPLICATOR_DESCRIPTION_MAX_LENGTH = 1024;
/** Topics one replicator can copy ("in sorted order"; more need a new one). */
export const MAX_TOPICS_PER_REPLICATOR = 750;
/** Default Service Quotas limit of replicators per account and Region. */
export const DEFAULT_REPLICATOR_QUOTA = 15;
export const REPLICATOR_QUOTA_CODE = 'L-8F940D28';

export const TAG_MIGRATION_ID = 'msk-cutover:migration-id';
export const TAG_SHARD = 'msk-cutover:shard';
export const TAG_DIRECTION = 'msk-cutover:direction';

export type Direction = 'forward' | 'reverse';

/** The parts of a plan the replicator configuration depends on. */
type PlanForNames = Pick<Plan, 'migrationId'> & {
  replication: Pick<Plan['replication'], 'shards' | 'bidirectional'>;
};

/** A shard's topic selection; plans without shards have one, `default`. */
export interface ShardTopics {
  name: string;
  topics: string[];
  topicsToExclude: string[];
}

/**
 * The plan's shards in order; a plan without `replication.shards` has one
 * shard named `default` carrying `replication.topics`/`topicsToExclude`.
 */
export function planShards(plan: Pick<Plan, 'replication'>): ShardTopics[] {
  const { shards, topics, topicsToExclude } = plan.replication;
  if (shards !== undefined && shards.length > 0) {
    return shards.map((s) => ({
      name: s.name,
      topics: s.topics,
      topicsToExclude: s.topicsToExclude,
    }));
  }
  return [
    {
      name: DEFAULT_SHARD,
      topics: topics ?? [],
      topicsToExclude: topicsToExclude ?? [],
    },
  ];
}

/**
 * The JSON paths of shard `index`'s topic lists (`replication.topics` for
 * plans without shards), for messages about their patterns.
 */
export function shardTopicPaths(
  plan: Pick<Plan, 'replication'>,
  index: number,
): { include: string; exclude: string } {
  const sharded = (plan.replication.shards?.length ?? 0) > 0;
  const at = sharded ? `replication.shards[${index}]` : 'replication';
  return { include: `${at}.topics`, exclude: `${at}.topicsToExclude` };
}

/** The replicator name for one shard and direction. */
export function replicatorName(
  plan: PlanForNames,
  shard: string,
  direction: Direction,
): string {
  const suffix = direction === 'forward' ? 'fwd' : 'rev';
  const sharded = (plan.replication.shards?.length ?? 0) > 0;
  return sharded
    ? `${REPLICATOR_NAME_PREFIX}${plan.migrationId}-${shard}-${suffix}`
    : `${REPLICATOR_NAME_PREFIX}${plan.migrationId}-${suffix}`;
}

/** Shard, direction and name of every replicator, forward then reverse per shard. */
export function replicatorSpecs(
  plan: PlanForNames,
): { shard: string; direction: Direction; name: string }[] {
  const shardNames =
    plan.replication.shards !== undefined && plan.replication.shards.length > 0
      ? plan.replication.shards.map((s) => s.name)
      : [DEFAULT_SHARD];
  const directions: Direction[] = plan.replication.bidirectional
    ? ['forward', 'reverse']
    : ['forward'];
  return shardNames.flatMap((shard) =>
    directions.map((direction) => ({
      shard,
      direction,
      name: replicatorName(plan, shard, direction),
    })),
  );
}

/**
 * Every replicator name the plan implies, forward then reverse per shard
 * (`msk-cutover-<migrationId>[-<shard>]-fwd|rev`); forward only when
 * `bidirectional` is false.
 */
export function replicatorNames(plan: PlanForNames): string[] {
  return replicatorSpecs(plan).map((s) => s.name);
}

/** Options that do not come from the plan. */
export interface ReplicatorRequestOptions {
  /**
   * The external cluster's id (`kafka-cluster.sh cluster-id`), from the plan
   * or discovered by the probe.
   */
  sourceClusterId: string;
  /** Use `plan.serviceExecutionRoleArn ?? <the stack's role>`. */
  serviceExecutionRoleArn: string;
}

export interface ReplicatorRequest {
  shard: string;
  direction: Direction;
  name: string;
  input: CreateReplicatorCommandInput;
}

/** The two cluster registrations, identical in both directions. */
export function kafkaClusters(
  plan: Plan,
  sourceClusterId: string,
): KafkaCluster[] {
  const { source, target } = plan;
  return [
    {
      ApacheKafkaCluster: {
        ApacheKafkaClusterId: sourceClusterId,
        BootstrapBrokerString: source.bootstrapBrokers.join(','),
      },
      VpcConfig: {
        SubnetIds: [...source.vpc.subnetIds],
        SecurityGroupIds: [...source.vpc.securityGroupIds],
      },
      ClientAuthentication: {
        SaslScram: {
          Mechanism: source.saslScram.mechanism,
          SecretArn: source.saslScram.secretArn,
        },
      },
      EncryptionInTransit: {
        EncryptionType: 'TLS',
        // Without a separate CA secret, the SCRAM secret's `certificate` key
        // holds the CA chain (the layout AWS's own examples use).
        RootCaCertificate:
          source.tls.rootCaSecretArn ?? source.saslScram.secretArn,
      },
    },
    {
      AmazonMskCluster: { MskClusterArn: target.mskClusterArn },
      VpcConfig: {
        SubnetIds: [...target.vpc.subnetIds],
        SecurityGroupIds: [...target.vpc.securityGroupIds],
      },
    },
  ];
}

/** The replication settings of one replicator of one shard. */
export function replicationInfo(
  plan: Plan,
  shard: ShardTopics,
  direction: Direction,
  sourceClusterId: string,
): ReplicationInfo {
  const r = plan.replication;
  const ends =
    direction === 'forward'
      ? {
          SourceKafkaClusterId: sourceClusterId,
          TargetKafkaClusterArn: plan.target.mskClusterArn,
        }
      : {
          SourceKafkaClusterArn: plan.target.mskClusterArn,
          TargetKafkaClusterId: sourceClusterId,
        };
  return {
    ...ends,
    TargetCompressionType: r.targetCompression,
    TopicReplication: {
      TopicsToReplicate: [...shard.topics],
      TopicsToExclude: [...shard.topicsToExclude],
      CopyAccessControlListsForTopics: r.copyAccessControlListsForTopics,
      CopyTopicConfigurations: r.copyTopicConfigurations,
      DetectAndCopyNewTopics: r.detectAndCopyNewTopics,
      StartingPosition: {
        Type:
          direction === 'forward'
            ? r.startingPosition
            : r.reverseStartingPosition,
      },
      // ENHANCED offset sync requires identical names on both replicators.
      TopicNameConfiguration: { Type: 'IDENTICAL' },
    },
    ConsumerGroupReplication: {
      ConsumerGroupsToReplicate: [...r.consumerGroups],
      ConsumerGroupsToExclude: [...r.consumerGroupsToExclude],
      DetectAndCopyNewConsumerGroups: r.detectAndCopyNewConsumerGroups,
      SynchroniseConsumerGroupOffsets: true,
      // ENHANCED needs the opposite replicator; without it only LEGACY works.
      ConsumerGroupOffsetSyncMode: r.bidirectional ? 'ENHANCED' : 'LEGACY',
    },
  };
}

/** The plan's log delivery, every destination's `Enabled` explicit. */
export function logDelivery(plan: Plan): LogDelivery {
  const d = plan.replication.logDelivery;
  return {
    ReplicatorLogDelivery: {
      CloudWatchLogs:
        d?.cloudWatchLogGroup !== undefined
          ? { Enabled: true, LogGroup: d.cloudWatchLogGroup }
          : { Enabled: false },
      Firehose:
        d?.firehoseDeliveryStream !== undefined
          ? { Enabled: true, DeliveryStream: d.firehoseDeliveryStream }
          : { Enabled: false },
      S3:
        d?.s3 !== undefined
          ? {
              Enabled: true,
              Bucket: d.s3.bucket,
              ...(d.s3.prefix !== undefined ? { Prefix: d.s3.prefix } : {}),
            }
          : { Enabled: false },
    },
  };
}

/** The `Description` of one replicator, as CreateReplicator receives it. */
export function replicatorDescription(
  plan: Pick<Plan, 'migrationId'> & { source: Pick<Plan['source'], 'name'> },
  shard: string,
  direction: Direction,
): string {
  const arrow =
    direction === 'forward'
      ? `${plan.source.name} to MSK`
      : `MSK back to ${plan.source.name}`;
  const scope = shard === DEFAULT_SHARD ? '' : ` (shard ${shard})`;
  return `msk-cutover ${plan.migrationId}: ${direction} replication from ${arrow}${scope}`;
}

/**
 * The CreateReplicator request of every replicator the plan implies: forward
 * then reverse for each shard (forward only when `bidirectional` is false).
 * `input` is exactly what the API receives, usable as
 * `aws kafka create-replicator --cli-input-json`.
 */
export function buildReplicatorRequests(
  plan: Plan,
  options: ReplicatorRequestOptions,
): ReplicatorRequest[] {
  const shards = new Map(planShards(plan).map((s) => [s.name, s]));
  const clusters = kafkaClusters(plan, options.sourceClusterId);
  const delivery = logDelivery(plan);
  return replicatorSpecs(plan).map(({ shard, direction, name }) => {
    const topics = shards.get(shard);
    if (topics === undefined) throw new Error(`unknown shard ${shard}`);
    return {
      shard,
      direction,
      name,
      input: {
        ReplicatorName: name,
        Description: replicatorDescription(plan, shard, direction),
        KafkaClusters: structuredClone(clusters),
        ReplicationInfoList: [
          replicationInfo(plan, topics, direction, options.sourceClusterId),
        ],
        ServiceExecutionRoleArn: options.serviceExecutionRoleArn,
        LogDelivery: structuredClone(delivery),
        Tags: {
          [TAG_MIGRATION_ID]: plan.migrationId,
          [TAG_SHARD]: shard,
          [TAG_DIRECTION]: direction,
        },
      },
    };
  });
}

/**
 * The DeleteReplicator request for one replicator: no `CurrentVersion`, so
 * a delete does not fail on a version that moved (an update in flight).
 */
export function deleteReplicatorInput(
  replicatorArn: string,
): DeleteReplicatorCommandInput {
  return { ReplicatorArn: replicatorArn };
}

/**
 * Each shard's topic selection, compiled once per plan. Plans are read-only
 * once validated (`loadPlan` hands every phase the same object for a pinned
 * version), so a poll of a 1,000-application plan does not recompile seven
 * 700-entry pattern lists for every application it looks at.
 */
const shardSelections = new WeakMap<
  Plan['replication'],
  { name: string; selection: Selection }[]
>();

function selectionsOf(
  plan: Pick<Plan, 'replication'>,
): { name: string; selection: Selection }[] {
  let list = shardSelections.get(plan.replication);
  if (list === undefined) {
    list = planShards(plan).map((s, i) => ({
      name: s.name,
      selection: new Selection(
        s.topics,
        s.topicsToExclude,
        shardTopicPaths(plan, i),
      ),
    }));
    shardSelections.set(plan.replication, list);
  }
  return list;
}

/**
 * The shard that replicates `topic` (the first whose selection covers it;
 * validation keeps every application topic in exactly one), or undefined
 * when no shard does.
 */
export function shardOfTopic(
  plan: Pick<Plan, 'replication'>,
  topic: string,
): string | undefined {
  return selectionsOf(plan).find((s) => s.selection.selects(topic))?.name;
}

/**
 * The shards whose topic selection covers any topic `app` produces or
 * consumes (`default` for plans without shards), in plan order.
 */
export function shardsOfApp(
  plan: Pick<Plan, 'replication' | 'applications'>,
  app: Application | string,
): string[] {
  const application =
    typeof app === 'string'
      ? plan.applications.find((a) => a.name === app)
      : app;
  if (application === undefined) return [];
  const topics = [...application.produces, ...application.consumes];
  return selectionsOf(plan)
    .filter((s) => topics.some((t) => s.selection.selects(t)))
    .map((s) => s.name);
}

/** How many literal topic names a topic list holds (the 750 rule). */
export function literalTopicCount(topics: readonly string[]): number {
  return topics.filter((t) => literalOf(t) !== undefined).length;
}

/**
 * Whether an existing replicator (DescribeReplicator) has the settings of
 * `input`, so it can be adopted after CreateReplicator's ConflictException.
 * Compares what DescribeReplicator returns: name, role, clusters, topic and
 * group selection (order-insensitive), every flag, starting position, name
 * configuration, offset sync mode, compression and the migration tag. Fields
 * absent from the description are not compared.
 */
export function sameReplicatorSettings(
  existing: DescribeReplicatorResponse,
  input: CreateReplicatorCommandInput,
): { same: boolean; differences: string[] } {
  const differences: string[] = [];
  const check = (field: string, actual: unknown, expected: unknown) => {
    if (actual === undefined) return;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      differences.push(
        `${field}: is ${JSON.stringify(actual)}, plan wants ${JSON.stringify(expected)}`,
      );
    }
  };
  const sorted = (xs: readonly string[] | undefined) =>
    xs === undefined ? undefined : [...xs].sort();

  check('ReplicatorName', existing.ReplicatorName, input.ReplicatorName);
  check(
    'ServiceExecutionRoleArn',
    existing.ServiceExecutionRoleArn,
    input.ServiceExecutionRoleArn,
  );

  const wantedClusters = input.KafkaClusters ?? [];
  const existingClusters = existing.KafkaClusters ?? [];
  const mskArns = (cs: { AmazonMskCluster?: { MskClusterArn?: string } }[]) =>
    cs
      .map((c) => c.AmazonMskCluster?.MskClusterArn)
      .filter((a) => a !== undefined)
      .sort();
  const apacheIds = (
    cs: { ApacheKafkaCluster?: { ApacheKafkaClusterId?: string } }[],
  ) =>
    cs
      .map((c) => c.ApacheKafkaCluster?.ApacheKafkaClusterId)
      .filter((a) => a !== undefined)
      .sort();
  if (existing.KafkaClusters !== undefined) {
    check(
      'KafkaClusters.AmazonMskCluster.MskClusterArn',
      mskArns(existingClusters),
      mskArns(wantedClusters),
    );
    check(
      'KafkaClusters.ApacheKafkaCluster.ApacheKafkaClusterId',
      apacheIds(existingClusters),
      apacheIds(wantedClusters),
    );
  }

  const have = existing.ReplicationInfoList?.[0];
  const want = input.ReplicationInfoList?.[0];
  if (have !== undefined && want !== undefined) {
    const ht = have.TopicReplication;
    const wt = want.TopicReplication;
    check(
      'TargetCompressionType',
      have.TargetCompressionType,
      want.TargetCompressionType,
    );
    check(
      'TopicReplication.TopicsToReplicate',
      sorted(ht?.TopicsToReplicate),
      sorted(wt?.TopicsToReplicate),
    );
    check(
      'TopicReplication.TopicsToExclude',
      sorted(ht?.TopicsToExclude),
      sorted(wt?.TopicsToExclude ?? []),
    );
    for (const flag of [
      'CopyAccessControlListsForTopics',
      'CopyTopicConfigurations',
      'DetectAndCopyNewTopics',
    ] as const) {
      check(`TopicReplication.${flag}`, ht?.[flag], wt?.[flag]);
    }
    check(
      'TopicReplication.StartingPosition.Type',
      ht?.StartingPosition?.Type,
      wt?.StartingPosition?.Type,
    );
    check(
      'TopicReplication.TopicNameConfiguration.Type',
      ht?.TopicNameConfiguration?.Type,
      wt?.TopicNameConfiguration?.Type,
    );
    const hg = have.ConsumerGroupReplication;
    const wg = want.ConsumerGroupReplication;
    check(
      'ConsumerGroupReplication.ConsumerGroupsToReplicate',
      sorted(hg?.ConsumerGroupsToReplicate),
      sorted(wg?.ConsumerGroupsToReplicate),
    );
    check(
      'ConsumerGroupReplication.ConsumerGroupsToExclude',
      sorted(hg?.ConsumerGroupsToExclude),
      sorted(wg?.ConsumerGroupsToExclude ?? []),
    );
    for (const flag of [
      'DetectAndCopyNewConsumerGroups',
      'SynchroniseConsumerGroupOffsets',
      'ConsumerGroupOffsetSyncMode',
    ] as const) {
      check(`ConsumerGroupReplication.${flag}`, hg?.[flag], wg?.[flag]);
    }
  } else if (have === undefined && existing.ReplicationInfoList !== undefined) {
    differences.push('ReplicationInfoList: is empty');
  }

  check(
    `Tags.${TAG_MIGRATION_ID}`,
    existing.Tags?.[TAG_MIGRATION_ID] ??
      (existing.Tags === undefined ? undefined : null),
    input.Tags?.[TAG_MIGRATION_ID],
  );
  return { same: differences.length === 0, differences };
}
