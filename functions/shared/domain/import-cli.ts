/**
 * Turn the AWS CLI input files of the published MSK Replicator walkthrough
 * (`kafka-clusters.json`, `replication-info.json`) into a draft plan, and say
 * what could not be inferred (applications, cutover order, ...).
 *
 * Accepts the CLI's PascalCase (`ApacheKafkaCluster`) and the camelCase of
 * some documentation examples (`apacheKafkaCluster`). `Kind` where the API
 * says `Type` (the walkthrough's `StartingPosition.Kind`) is an error that
 * names the fix, because the AWS CLI itself rejects it.
 */

import type { PlanInput } from './plan.ts';
import type { PlanIssue } from './plan-rules.ts';
import { commentText } from './safe-text.ts';

export type ImportResult =
  | {
      ok: true;
      plan: PlanInput;
      /** Fields the files do not carry; the plan needs them before use. */
      notInferred: string[];
      /** Choices made while importing. */
      notes: string[];
    }
  | { ok: false; issues: PlanIssue[] };

type Json = Record<string, unknown>;

const KAFKA_CLUSTERS = 'kafka-clusters.json';
const REPLICATION_INFO = 'replication-info.json';

/**
 * A copy of `value` with every object key in PascalCase (`mTLS` → `MTLS`,
 * `saslScram` → `SaslScram`), so both spellings in the wild read the same.
 */
function pascal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascal);
  if (value === null || typeof value !== 'object') return value;
  // fromEntries defines each key as an own property: an assignment to
  // `out['__proto__']` would replace the prototype instead.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k === 'mTLS' ? 'MTLS' : k.charAt(0).toUpperCase() + k.slice(1),
      pascal(v),
    ]),
  );
}

const isObject = (v: unknown): v is Json =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every `Kind` key in `value`, as paths under `file`. */
function kindKeys(value: unknown, path: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => kindKeys(v, `${path}[${i}]`));
  }
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(k === 'Kind' || k === 'kind' ? [`${path}.${k}`] : []),
    ...kindKeys(v, `${path}.${k}`),
  ]);
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
const bool = (v: unknown): boolean | undefined =>
  typeof v === 'boolean' ? v : undefined;

/**
 * A draft plan from the two AWS CLI files (already parsed JSON). The draft
 * is not yet valid: it has no applications. Run `msk-cutover plan` on it
 * after filling in what `notInferred` lists.
 */
export function importCliFiles(
  kafkaClustersInput: unknown,
  replicationInfoInput: unknown,
): ImportResult {
  const issues: PlanIssue[] = [];
  for (const path of [
    ...kindKeys(kafkaClustersInput, KAFKA_CLUSTERS),
    ...kindKeys(replicationInfoInput, REPLICATION_INFO),
  ]) {
    issues.push({
      path,
      message:
        'the MSK Replicator API field is `Type`, not `Kind` (a typo in the published walkthrough that the AWS CLI rejects): rename it to `Type`',
    });
  }

  const clusters = pascal(kafkaClustersInput);
  const clusterList = Array.isArray(clusters)
    ? clusters
    : isObject(clusters) && Array.isArray(clusters.KafkaClusters)
      ? clusters.KafkaClusters
      : undefined;
  const infoRaw = pascal(replicationInfoInput);
  const infoList = Array.isArray(infoRaw)
    ? infoRaw
    : isObject(infoRaw) && Array.isArray(infoRaw.ReplicationInfoList)
      ? infoRaw.ReplicationInfoList
      : undefined;
  if (clusterList === undefined) {
    issues.push({
      path: KAFKA_CLUSTERS,
      message: 'must be a JSON array of KafkaCluster objects',
    });
  }
  if (infoList === undefined || infoList.length !== 1) {
    issues.push({
      path: REPLICATION_INFO,
      message: 'must be a JSON array with exactly one ReplicationInfo object',
    });
  }
  if (clusterList === undefined || infoList === undefined) {
    return { ok: false, issues };
  }

  const indexOf = (key: string) =>
    clusterList.findIndex((c) => isObject(c) && isObject(c[key]));
  const apacheAt = indexOf('ApacheKafkaCluster');
  const mskAt = indexOf('AmazonMskCluster');
  if (apacheAt < 0) {
    issues.push({
      path: KAFKA_CLUSTERS,
      message: 'has no ApacheKafkaCluster entry (the external source cluster)',
    });
  }
  if (mskAt < 0) {
    issues.push({
      path: KAFKA_CLUSTERS,
      message: 'has no AmazonMskCluster entry (the MSK Express target)',
    });
  }
  const info = infoList[0];
  if (!isObject(info)) {
    issues.push({
      path: `${REPLICATION_INFO}[0]`,
      message: 'must be an object',
    });
  }
  const apache = clusterList[apacheAt] as Json | undefined;
  const msk = clusterList[mskAt] as Json | undefined;
  if (issues.length > 0 || apache === undefined || msk === undefined) {
    return { ok: false, issues };
  }
  const infoObj = info as Json;

  const notInferred: string[] = [];
  const notes: string[] = [];
  const at = (i: number, field: string) => `${KAFKA_CLUSTERS}[${i}].${field}`;

  const external = apache.ApacheKafkaCluster as Json;
  const clusterId = str(external.ApacheKafkaClusterId);
  const brokers = str(external.BootstrapBrokerString)
    ?.split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers === undefined) {
    issues.push({
      path: at(apacheAt, 'ApacheKafkaCluster.BootstrapBrokerString'),
      message: 'is required (comma-separated host:port list)',
    });
  }
  const auth = isObject(apache.ClientAuthentication)
    ? apache.ClientAuthentication
    : {};
  const scram = isObject(auth.SaslScram) ? auth.SaslScram : undefined;
  if (scram === undefined) {
    issues.push({
      path: at(apacheAt, 'ClientAuthentication.SaslScram'),
      message:
        'is required: msk-cutover migrates sources that authenticate the replicator with SASL/SCRAM',
    });
  }
  const secretArn = str(scram?.SecretArn);
  const encryption = isObject(apache.EncryptionInTransit)
    ? apache.EncryptionInTransit
    : {};
  const rootCa = str(encryption.RootCaCertificate);

  const mskCluster = msk.AmazonMskCluster as Json;
  const mskArn = str(mskCluster.MskClusterArn);
  if (mskArn === undefined) {
    issues.push({
      path: at(mskAt, 'AmazonMskCluster.MskClusterArn'),
      message: 'is required',
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  const infoAt = (field: string) => `${REPLICATION_INFO}[0].${field}`;
  const infoSource = str(infoObj.SourceKafkaClusterId);
  const reverse =
    str(infoObj.SourceKafkaClusterArn) !== undefined &&
    infoSource === undefined;
  if (reverse) {
    notes.push(
      `${infoAt('SourceKafkaClusterArn')}: this is the reverse replicator's file; msk-cutover derives both directions from the forward settings, so the topic and group selection was taken from it and the starting position set as the reverse one`,
    );
  } else if (
    infoSource !== undefined &&
    clusterId !== undefined &&
    infoSource !== clusterId
  ) {
    return {
      ok: false,
      issues: [
        {
          path: infoAt('SourceKafkaClusterId'),
          message: `is ${commentText(String(infoSource))}, but ${at(apacheAt, 'ApacheKafkaCluster.ApacheKafkaClusterId')} is ${commentText(String(clusterId))}; both must name the same cluster`,
        },
      ],
    };
  }

  const vpc = (entry: Json, i: number, side: string) => {
    const v = isObject(entry.VpcConfig) ? entry.VpcConfig : undefined;
    const subnetIds = strings(v?.SubnetIds);
    if (subnetIds === undefined) {
      notInferred.push(
        `${side}.vpc: ${at(i, 'VpcConfig')} is missing; the replicator needs subnets and security groups that reach the ${side === 'source' ? 'brokers and Secrets Manager' : 'MSK cluster'}`,
      );
      return { subnetIds: [], securityGroupIds: [] };
    }
    return {
      subnetIds,
      securityGroupIds: strings(v?.SecurityGroupIds) ?? [],
    };
  };

  const [, , , region = '', , resource = ''] = (mskArn ?? '').split(':');
  const clusterName = resource.split('/')[1] ?? 'migration';
  const migrationId =
    clusterName
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+/, '')
      .slice(0, 40) || 'migration';
  notes.push(
    `migrationId "${migrationId}" comes from the target cluster's name; choose your own`,
  );
  notes.push(
    'source.name "external-kafka" is a placeholder; name your source cluster',
  );

  const topic = isObject(infoObj.TopicReplication)
    ? infoObj.TopicReplication
    : {};
  const groups = isObject(infoObj.ConsumerGroupReplication)
    ? infoObj.ConsumerGroupReplication
    : {};
  const startingType = isObject(topic.StartingPosition)
    ? str(topic.StartingPosition.Type)
    : undefined;
  const nameType = isObject(topic.TopicNameConfiguration)
    ? str(topic.TopicNameConfiguration.Type)
    : undefined;
  if (nameType !== undefined && nameType !== 'IDENTICAL') {
    notes.push(
      `${infoAt('TopicReplication.TopicNameConfiguration.Type')} is ${commentText(String(nameType))}; msk-cutover always uses IDENTICAL (ENHANCED offset sync and cutover by app need the same topic names)`,
    );
  }
  const syncMode = str(groups.ConsumerGroupOffsetSyncMode);
  const bidirectional = syncMode === 'ENHANCED';
  if (!bidirectional) {
    notes.push(
      `${infoAt('ConsumerGroupReplication.ConsumerGroupOffsetSyncMode')} is ${syncMode === undefined ? 'not set (LEGACY)' : commentText(String(syncMode))}: the draft sets bidirectional false (forward only, no offsets on rollback); set it true for ENHANCED sync with a reverse replicator`,
    );
  }
  if (bool(groups.SynchroniseConsumerGroupOffsets) === false) {
    notes.push(
      `${infoAt('ConsumerGroupReplication.SynchroniseConsumerGroupOffsets')} is false; msk-cutover always synchronises offsets`,
    );
  }

  const replication: NonNullable<PlanInput['replication']> = {
    topics: strings(topic.TopicsToReplicate) ?? ['.*'],
    topicsToExclude: strings(topic.TopicsToExclude) ?? [],
    consumerGroups: strings(groups.ConsumerGroupsToReplicate) ?? ['.*'],
    consumerGroupsToExclude: strings(groups.ConsumerGroupsToExclude) ?? [],
    bidirectional,
  };
  if (startingType === 'EARLIEST' || startingType === 'LATEST') {
    if (reverse) replication.reverseStartingPosition = startingType;
    else replication.startingPosition = startingType;
  }
  const compression = str(infoObj.TargetCompressionType);
  if (
    compression === 'NONE' ||
    compression === 'GZIP' ||
    compression === 'SNAPPY' ||
    compression === 'LZ4' ||
    compression === 'ZSTD'
  ) {
    replication.targetCompression = compression;
  }
  const flags = [
    ['CopyTopicConfigurations', 'copyTopicConfigurations', topic],
    [
      'CopyAccessControlListsForTopics',
      'copyAccessControlListsForTopics',
      topic,
    ],
    ['DetectAndCopyNewTopics', 'detectAndCopyNewTopics', topic],
    [
      'DetectAndCopyNewConsumerGroups',
      'detectAndCopyNewConsumerGroups',
      groups,
    ],
  ] as const;
  for (const [apiName, planName, from] of flags) {
    const value = bool(from[apiName]);
    if (value !== undefined) replication[planName] = value;
  }

  const tls: { rootCaSecretArn?: string } = {};
  if (rootCa !== undefined && rootCa !== secretArn) {
    tls.rootCaSecretArn = rootCa;
  }
  const plan: PlanInput = {
    migrationId,
    region,
    source: {
      name: 'external-kafka',
      ...(clusterId !== undefined ? { clusterId } : {}),
      bootstrapBrokers: brokers ?? [],
      saslScram: {
        // Kept as written so validation names an unsupported mechanism.
        mechanism: (str(scram?.Mechanism) ?? 'SHA512') as 'SHA256' | 'SHA512',
        secretArn: secretArn ?? '',
      },
      tls,
      vpc: vpc(apache, apacheAt, 'source'),
    },
    target: { mskClusterArn: mskArn ?? '', vpc: vpc(msk, mskAt, 'target') },
    replication,
    applications: [],
  };
  if (clusterId === undefined) {
    notInferred.push(
      'source.clusterId: the probe discovers it, or run kafka-cluster.sh cluster-id',
    );
  }
  notInferred.push(
    'applications: which application produces and consumes which topics, with which consumer groups',
    'cutoverOrder: the order in which applications move (optional; default is the order of applications)',
    'approvals.notifyEmails: who is asked at each gate',
  );
  return { ok: true, plan, notInferred, notes };
}
