/**
 * The migration plan: one JSON document that says what to migrate and how.
 *
 * This file holds the *shape* of the plan (fields, types, defaults, per-field
 * formats). The cross-field rules (coverage of application topics by the
 * replication patterns, shard overlap, quota, replicator names, ...) live in
 * `plan-rules.ts`, and `validatePlan` in `validate.ts` runs both and turns
 * every problem into a `PlanIssue` with a dotted JSON path.
 *
 * No AWS imports here: the domain is shared by the Lambda handlers, the CLI
 * and the rehearsal.
 */
// A namespace import lets esbuild drop what is unused; the named `z` export
// keeps all of zod, locales included (about 370 KB more per Lambda bundle).
import * as z from 'zod';

export const MIGRATION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const PARTITION = 'aws(-cn|-us-gov|-iso[a-z]?)?';
export const SECRET_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:secretsmanager:([a-z0-9-]+):(\\d{12}):secret:[A-Za-z0-9/_+=.@-]+$`,
);
export const MSK_CLUSTER_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:kafka:([a-z0-9-]+):(\\d{12}):cluster/[A-Za-z0-9-]{1,64}/[0-9a-f-]{36}(-\\d+)?$`,
);
export const IAM_ROLE_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$`,
);
export const SUBNET_ID_PATTERN = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID_PATTERN = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `host:port` where host is a DNS name, IPv4 or bracketed IPv6. */
export const HOST_PORT_PATTERN =
  /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*):([1-9]\d{0,4})$/;

const regex = z.string().min(1, 'must not be empty');

const vpc = z.strictObject({
  subnetIds: z
    .array(z.string().regex(SUBNET_ID_PATTERN, 'is not a subnet id (subnet-…)'))
    .min(1, 'needs at least one subnet'),
  securityGroupIds: z
    .array(
      z
        .string()
        .regex(SECURITY_GROUP_ID_PATTERN, 'is not a security group id (sg-…)'),
    )
    .min(1, 'needs at least one security group'),
});

const secretArn = z
  .string()
  .regex(SECRET_ARN_PATTERN, 'is not a Secrets Manager secret ARN');

const startingPosition = z.enum(['EARLIEST', 'LATEST']);

const logDelivery = z.strictObject({
  cloudWatchLogGroup: z.string().min(1).optional(),
  firehoseDeliveryStream: z.string().min(1).optional(),
  s3: z
    .strictObject({
      bucket: z.string().min(3),
      prefix: z.string().optional(),
    })
    .optional(),
});

export const ShardSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,19}$/,
      'must be lower-case letters, digits and dashes (at most 20)',
    ),
  topics: z.array(regex).min(1, 'needs at least one topic pattern'),
  topicsToExclude: z.array(regex).default([]),
});

export const ReplicationSchema = z.strictObject({
  topics: z.array(regex).optional(),
  topicsToExclude: z.array(regex).optional(),
  consumerGroups: z.array(regex).default(['.*']),
  consumerGroupsToExclude: z.array(regex).default([]),
  shards: z.array(ShardSchema).optional(),
  startingPosition: startingPosition.default('EARLIEST'),
  reverseStartingPosition: startingPosition.default('LATEST'),
  targetCompression: z
    .enum(['NONE', 'GZIP', 'SNAPPY', 'LZ4', 'ZSTD'])
    .default('NONE'),
  copyTopicConfigurations: z.boolean().default(true),
  copyAccessControlListsForTopics: z.boolean().default(true),
  detectAndCopyNewTopics: z.boolean().default(true),
  detectAndCopyNewConsumerGroups: z.boolean().default(true),
  bidirectional: z.boolean().default(true),
  logDelivery: logDelivery.optional(),
});

export const ReadinessSchema = z.strictObject({
  /** MessageLag (replicator vs source) must stay below this. Blog: < 1,000. */
  maxMessageLag: z.number().int().positive().default(1000),
  /** ReplicationLatency (ms) must stay below this. Blog: < 90 s. */
  maxReplicationLatencyMs: z.number().int().positive().default(90_000),
  /** SumOffsetLag per consumer group, on both clusters. */
  maxSumOffsetLag: z.number().int().positive().default(1000),
  /** How long every rule must hold before the migration is "ready". */
  sustainedMinutes: z.number().int().positive().max(1440).default(15),
  /** Wait between polls; 60 s or more (CloudWatch publishes per minute). */
  pollIntervalSeconds: z.number().int().min(60).max(3600).default(300),
  /** Give up (fail, notify, clean up) if not ready after this long. */
  maxWaitHours: z.number().positive().max(8760).default(168),
});

export const ApplicationSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
      'must be letters, digits, ".", "_" or "-" (at most 64)',
    ),
  produces: z.array(z.string().min(1)).default([]),
  consumes: z.array(z.string().min(1)).default([]),
  consumerGroups: z.array(z.string().min(1)).default([]),
  owners: z.array(z.string().min(1)).default([]),
});

export const ApprovalsSchema = z.strictObject({
  notifyEmails: z.array(z.email('is not an email address')).default([]),
  /** How long an approval link stays valid. */
  linkTtlHours: z.number().positive().max(168).default(24),
  /** How long a gate waits for a decision before the state machine times out. */
  gateTimeoutHours: z.number().positive().max(720).default(72),
});

export const TeardownSchema = z.strictObject({
  /** After the last cutover is kept, how long rollback stays possible. */
  rollbackWindowHours: z.number().min(0).max(720).default(24),
  /** Ask a person before the replicators are deleted. */
  requireApproval: z.boolean().default(true),
});

/**
 * Parameters of the rehearsal's simulated clusters. Ignored on AWS.
 * Documented in the README ("Rehearsal").
 */
export const RehearsalSchema = z.strictObject({
  /** Records already on the source when the forward replicator starts. */
  backlogRecords: z.number().int().min(0).default(200_000),
  /** Records per second each application produces. */
  produceRatePerSecond: z.number().min(0).default(50),
  /** Records per second the forward replicator copies while draining. */
  replicatorThroughputPerSecond: z.number().positive().default(2_000),
  /** Minutes a replicator spends CREATING before RUNNING. */
  creatingMinutes: z.number().min(0).default(30),
  /** Minutes between a cutover decision and the application running on the new cluster. */
  appMoveMinutes: z.number().min(0).default(5),
});

export const PlanSchema = z.strictObject({
  migrationId: z
    .string()
    .regex(
      MIGRATION_ID_PATTERN,
      'must be lower-case letters, digits and dashes, start with a letter or digit, at most 40',
    ),
  region: z.string().regex(REGION_PATTERN, 'is not an AWS region'),
  source: z.strictObject({
    name: z.string().min(1),
    clusterId: z.string().min(1).optional(),
    bootstrapBrokers: z
      .array(z.string().regex(HOST_PORT_PATTERN, 'is not host:port'))
      .min(1, 'needs at least one broker'),
    saslScram: z.strictObject({
      mechanism: z.enum(['SHA256', 'SHA512']),
      secretArn,
    }),
    tls: z.strictObject({ rootCaSecretArn: secretArn.optional() }).default({}),
    vpc,
  }),
  target: z.strictObject({
    mskClusterArn: z
      .string()
      .regex(MSK_CLUSTER_ARN_PATTERN, 'is not an MSK cluster ARN'),
    vpc,
  }),
  serviceExecutionRoleArn: z
    .string()
    .regex(IAM_ROLE_ARN_PATTERN, 'is not an IAM role ARN')
    .optional(),
  replication: ReplicationSchema,
  readiness: ReadinessSchema.default(ReadinessSchema.parse({})),
  applications: z
    .array(ApplicationSchema)
    .min(1, 'needs at least one application'),
  cutoverOrder: z.array(z.string()).optional(),
  /** How many applications may be in cutover at the same time. */
  cutoverConcurrency: z.number().int().min(1).max(40).default(1),
  approvals: ApprovalsSchema.default(ApprovalsSchema.parse({})),
  teardown: TeardownSchema.default(TeardownSchema.parse({})),
  rehearsal: RehearsalSchema.optional(),
});

/** A plan as written (defaults not yet applied). */
export type PlanInput = z.input<typeof PlanSchema>;
/** A parsed plan with every default applied. */
export type Plan = z.output<typeof PlanSchema>;
export type Application = Plan['applications'][number];
export type Shard = z.output<typeof ShardSchema>;
export type Replication = Plan['replication'];
export type Readiness = Plan['readiness'];
