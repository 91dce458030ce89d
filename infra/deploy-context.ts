/**
 * Deploy-time settings, read from CDK context (`cdk.json` or
 * `npx cdk deploy -c key=value`). Everything has an offline default so
 * `npx cdk synth` works with no AWS account and no context at all.
 */

/** Where the Kafka-side function runs: the network that reaches the source. */
export interface SourceNetworkContext {
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

export interface DeployContext {
  /** Absent: probe-source runs outside any VPC (a public source only). */
  readonly sourceNetwork?: SourceNetworkContext;
  /**
   * Secret ARN prefixes (each may end in `*`) the replicator role and the
   * probe may read; a plan naming another secret fails preflight.
   * Empty: `arn:<partition>:secretsmanager:<region>:<account>:secret:msk-cutover/*`.
   */
  readonly replicatorSecretArnPrefixes: string[];
  /** MSK cluster ARNs the replicators may target. Empty: any in the account. */
  readonly mskClusterArns: string[];
  /**
   * Service execution roles, besides the stack's own, that a plan may name
   * (`serviceExecutionRoleArn`): create-replicators may pass them to MSK.
   */
  readonly replicatorRoleArns: string[];
  /**
   * S3 buckets and Firehose delivery streams (names) the replicators may
   * deliver their logs to: CreateReplicator with such a destination needs
   * grants on it for the caller (MSK developer guide, log delivery
   * permissions), which the stack makes only for these.
   */
  readonly logDeliveryBuckets: string[];
  readonly logDeliveryStreams: string[];
}

/** The context keys, as documented in the README's Deploy section. */
export const CONTEXT_KEYS = {
  vpcId: 'vpcId',
  sourceSubnetIds: 'sourceSubnetIds',
  sourceSecurityGroupIds: 'sourceSecurityGroupIds',
  replicatorSecretArnPrefixes: 'replicatorSecretArnPrefixes',
  mskClusterArns: 'mskClusterArns',
  replicatorRoleArns: 'replicatorRoleArns',
  logDeliveryBuckets: 'logDeliveryBuckets',
  logDeliveryStreams: 'logDeliveryStreams',
} as const;

/**
 * A list given as a JSON array (cdk.json) or as a comma-separated string
 * (`-c key=a,b` on the command line).
 */
function list(key: string, value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value.map((s) => s.trim()).filter((s) => s.length > 0);
  }
  throw new Error(
    `context ${key}: expected a comma-separated string or an array of strings, got ${JSON.stringify(value)}`,
  );
}

function check(key: string, values: string[], pattern: RegExp, what: string) {
  const bad = values.filter((v) => !pattern.test(v));
  if (bad.length > 0) {
    throw new Error(`context ${key}: not ${what}: ${bad.join(', ')}`);
  }
}

/**
 * Reads and checks the deploy context; a wrong or half-given value throws an
 * error naming the context key.
 */
export function readDeployContext(
  get: (key: string) => unknown,
): DeployContext {
  const vpcIdRaw = get(CONTEXT_KEYS.vpcId);
  const vpcId = typeof vpcIdRaw === 'string' ? vpcIdRaw.trim() : '';
  if (vpcIdRaw !== undefined && typeof vpcIdRaw !== 'string') {
    throw new Error(`context vpcId: expected a string like vpc-0abc…`);
  }
  const subnetIds = list(
    CONTEXT_KEYS.sourceSubnetIds,
    get(CONTEXT_KEYS.sourceSubnetIds),
  );
  const securityGroupIds = list(
    CONTEXT_KEYS.sourceSecurityGroupIds,
    get(CONTEXT_KEYS.sourceSecurityGroupIds),
  );
  const given = [
    vpcId !== '',
    subnetIds.length > 0,
    securityGroupIds.length > 0,
  ];
  if (given.some(Boolean) && !given.every(Boolean)) {
    throw new Error(
      'context vpcId, sourceSubnetIds and sourceSecurityGroupIds go together: give all three (the network that reaches the source cluster) or none',
    );
  }
  if (vpcId !== '') {
    check(CONTEXT_KEYS.vpcId, [vpcId], /^vpc-[0-9a-f]+$/, 'a VPC id (vpc-…)');
  }
  check(
    CONTEXT_KEYS.sourceSubnetIds,
    subnetIds,
    /^subnet-[0-9a-f]+$/,
    'subnet ids (subnet-…)',
  );
  check(
    CONTEXT_KEYS.sourceSecurityGroupIds,
    securityGroupIds,
    /^sg-[0-9a-f]+$/,
    'security group ids (sg-…)',
  );

  const replicatorSecretArnPrefixes = list(
    CONTEXT_KEYS.replicatorSecretArnPrefixes,
    get(CONTEXT_KEYS.replicatorSecretArnPrefixes),
  );
  check(
    CONTEXT_KEYS.replicatorSecretArnPrefixes,
    replicatorSecretArnPrefixes,
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'Secrets Manager secret ARNs or ARN prefixes',
  );
  const mskClusterArns = list(
    CONTEXT_KEYS.mskClusterArns,
    get(CONTEXT_KEYS.mskClusterArns),
  );
  check(
    CONTEXT_KEYS.mskClusterArns,
    mskClusterArns,
    /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
    'MSK cluster ARNs (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)',
  );

  const replicatorRoleArns = list(
    CONTEXT_KEYS.replicatorRoleArns,
    get(CONTEXT_KEYS.replicatorRoleArns),
  );
  check(
    CONTEXT_KEYS.replicatorRoleArns,
    replicatorRoleArns,
    /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
    'IAM role ARNs (arn:aws:iam::<account>:role/<name>)',
  );

  const logDeliveryBuckets = list(
    CONTEXT_KEYS.logDeliveryBuckets,
    get(CONTEXT_KEYS.logDeliveryBuckets),
  );
  // S3 bucket naming rules (S3 user guide, "General purpose bucket naming
  // rules"): 3-63 lower-case letters, digits, dots and hyphens.
  check(
    CONTEXT_KEYS.logDeliveryBuckets,
    logDeliveryBuckets,
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'S3 bucket names',
  );
  const logDeliveryStreams = list(
    CONTEXT_KEYS.logDeliveryStreams,
    get(CONTEXT_KEYS.logDeliveryStreams),
  );
  // Firehose DeliveryStreamName: [a-zA-Z0-9_.-]+, 1-64 (Firehose API
  // reference, CreateDeliveryStream).
  check(
    CONTEXT_KEYS.logDeliveryStreams,
    logDeliveryStreams,
    /^[a-zA-Z0-9_.-]{1,64}$/,
    'Firehose delivery stream names',
  );

  return {
    ...(vpcId === ''
      ? {}
      : { sourceNetwork: { vpcId, subnetIds, securityGroupIds } }),
    replicatorSecretArnPrefixes,
    mskClusterArns,
    replicatorRoleArns,
    logDeliveryBuckets,
    logDeliveryStreams,
  };
}

/**
 * IAM resources inside one MSK cluster: the cluster ARN
 * `arn:aws:kafka:r:a:cluster/<name>/<uuid>` and its topics and groups
 * (`…:topic/<name>/<uuid>/*`, `…:group/<name>/<uuid>/*`).
 */
export function clusterResourceArns(clusterArn: string): string[] {
  return [
    clusterArn,
    `${clusterArn.replace(':cluster/', ':topic/')}/*`,
    `${clusterArn.replace(':cluster/', ':group/')}/*`,
  ];
}
