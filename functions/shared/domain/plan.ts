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
import * as z from './zod.ts';

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

const regex = z.string().check(z.minLength(1, 'must not be empty'));

const vpc = z.strictObject({
  subnetIds: z
    .array(
      z
        .string()
        .check(z.regex(SUBNET_ID_PATTERN, 'is not a subnet id (subnet-…)')),
    )
    .check(z.minLength(1, 'needs at least one subnet')),
  securityGroupIds: z
    .array(
      z
        .string()
        .check(
          z.regex(
            SECURITY_GROUP_ID_PATTERN,
            'is not a security group id (sg-…)',
          ),
        ),
    )
    .check(z.minLength(1, 'needs at least one security group')),
});

const secretArn = z
  .string()
  .check(z.regex(SECRET_ARN_PATTERN, 'is not a Secrets Manager secret ARN'));

const startingPosition = z.enum(['EARLIEST', 'LATEST']);

const logDelivery = z.strictObject({
  cloudWatchLogGroup: z.optional(z.string().check(z.minLength(1))),
  firehoseDeliveryStream: z.optional(z.string().check(z.minLength(1))),
  s3: z.optional(
    z.strictObject({
      bucket: z.string().check(z.minLength(3)),
      prefix: z.optional(z.string()),
    }),
  ),
});

/** A positive integer with a default. */
const positiveInt = (fallback: number) =>
  z._default(z.number().check(z.int(), z.positive()), fallback);

export const ShardSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(
        /^[a-z0-9][a-z0-9-]{0,19}$/,
        'must be lower-case letters, digits and dashes (at most 20)',
      ),
    ),
  topics: z
    .array(regex)
    .check(z.minLength(1, 'needs at least one topic pattern')),
  topicsToExclude: z._default(z.array(regex), []),
});

export const ReplicationSchema = z.strictObject({
  topics: z.optional(z.array(regex)),
  topicsToExclude: z.optional(z.array(regex)),
  consumerGroups: z._default(z.array(regex), ['.*']),
  consumerGroupsToExclude: z._default(z.array(regex), []),
  shards: z.optional(z.array(ShardSchema)),
  startingPosition: z._default(startingPosition, 'EARLIEST'),
  reverseStartingPosition: z._default(startingPosition, 'LATEST'),
  targetCompression: z._default(
    z.enum(['NONE', 'GZIP', 'SNAPPY', 'LZ4', 'ZSTD']),
    'NONE',
  ),
  copyTopicConfigurations: z._default(z.boolean(), true),
  copyAccessControlListsForTopics: z._default(z.boolean(), true),
  detectAndCopyNewTopics: z._default(z.boolean(), true),
  detectAndCopyNewConsumerGroups: z._default(z.boolean(), true),
  bidirectional: z._default(z.boolean(), true),
  logDelivery: z.optional(logDelivery),
});

export const ReadinessSchema = z.strictObject({
  /** MessageLag (replicator vs source) must stay below this. Blog: < 1,000. */
  maxMessageLag: positiveInt(1000),
  /** ReplicationLatency (ms) must stay below this. Blog: < 90 s. */
  maxReplicationLatencyMs: positiveInt(90_000),
  /** SumOffsetLag per consumer group, on both clusters. */
  maxSumOffsetLag: positiveInt(1000),
  /** How long every rule must hold before the migration is "ready". */
  sustainedMinutes: z._default(
    z.number().check(z.int(), z.positive(), z.lte(1440)),
    15,
  ),
  /** Wait between polls; 60 s or more (CloudWatch publishes per minute). */
  pollIntervalSeconds: z._default(
    z.number().check(z.int(), z.gte(60), z.lte(3600)),
    300,
  ),
  /** Give up (fail, notify, clean up) if not ready after this long. */
  maxWaitHours: z._default(z.number().check(z.positive(), z.lte(8760)), 168),
  /** After a cutover or rollback decision, how long verification may fail before a person decides (verify-timeout gate). */
  verifyTimeoutMinutes: z._default(
    z.number().check(z.int(), z.gte(5), z.lte(10_080)),
    60,
  ),
});

/** A list of non-empty names, empty by default. */
const names = () => z._default(z.array(z.string().check(z.minLength(1))), []);

export const ApplicationSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'must be letters, digits, ".", "_" or "-" (at most 64)',
      ),
    ),
  produces: names(),
  consumes: names(),
  consumerGroups: names(),
  owners: names(),
});

export const ApprovalsSchema = z.strictObject({
  notifyEmails: z._default(z.array(z.email('is not an email address')), []),
  /** How long an approval link stays valid. */
  linkTtlHours: z._default(z.number().check(z.positive(), z.lte(168)), 24),
  /** How long a gate waits for a decision before the state machine times out. */
  gateTimeoutHours: z._default(z.number().check(z.positive(), z.lte(720)), 72),
});

export const TeardownSchema = z.strictObject({
  /** After the last cutover is kept, how long rollback stays possible. */
  rollbackWindowHours: z._default(z.number().check(z.gte(0), z.lte(720)), 24),
  /** Ask a person before the replicators are deleted. */
  requireApproval: z._default(z.boolean(), true),
});

/**
 * Parameters of the rehearsal's simulated clusters. Ignored on AWS.
 * Documented in docs/rehearsal.md.
 */
export const RehearsalSchema = z.strictObject({
  /** Records already on the source when the forward replicator starts. */
  backlogRecords: z._default(z.number().check(z.int(), z.gte(0)), 200_000),
  /** Records per second each application produces. */
  produceRatePerSecond: z._default(z.number().check(z.gte(0)), 50),
  /** Records per second the forward replicator copies while draining. */
  replicatorThroughputPerSecond: z._default(
    z.number().check(z.positive()),
    2_000,
  ),
  /** Minutes a replicator spends CREATING before RUNNING. */
  creatingMinutes: z._default(z.number().check(z.gte(0)), 30),
  /** Minutes between a cutover decision and the application running on the new cluster. */
  appMoveMinutes: z._default(z.number().check(z.gte(0)), 5),
});

export const PlanSchema = z.strictObject({
  migrationId: z
    .string()
    .check(
      z.regex(
        MIGRATION_ID_PATTERN,
        'must be lower-case letters, digits and dashes, start with a letter or digit, at most 40',
      ),
    ),
  region: z.string().check(z.regex(REGION_PATTERN, 'is not an AWS region')),
  source: z.strictObject({
    name: z.string().check(z.minLength(1)),
    clusterId: z.optional(z.string().check(z.minLength(1))),
    bootstrapBrokers: z
      .array(z.string().check(z.regex(HOST_PORT_PATTERN, 'is not host:port')))
      .check(z.minLength(1, 'needs at least one broker')),
    saslScram: z.strictObject({
      mechanism: z.enum(['SHA256', 'SHA512']),
      secretArn,
    }),
    tls: z._default(
      z.strictObject({ rootCaSecretArn: z.optional(secretArn) }),
      {},
    ),
    vpc,
  }),
  target: z.strictObject({
    mskClusterArn: z
      .string()
      .check(z.regex(MSK_CLUSTER_ARN_PATTERN, 'is not an MSK cluster ARN')),
    vpc,
  }),
  serviceExecutionRoleArn: z.optional(
    z.string().check(z.regex(IAM_ROLE_ARN_PATTERN, 'is not an IAM role ARN')),
  ),
  replication: ReplicationSchema,
  readiness: z._default(ReadinessSchema, ReadinessSchema.parse({})),
  applications: z
    .array(ApplicationSchema)
    .check(z.minLength(1, 'needs at least one application')),
  cutoverOrder: z.optional(z.array(z.string())),
  /** How many applications may be in cutover at the same time. */
  cutoverConcurrency: z._default(
    z.number().check(z.int(), z.gte(1), z.lte(40)),
    1,
  ),
  approvals: z._default(ApprovalsSchema, ApprovalsSchema.parse({})),
  teardown: z._default(TeardownSchema, TeardownSchema.parse({})),
  rehearsal: z.optional(RehearsalSchema),
});

/** A plan as written (defaults not yet applied). */
export type PlanInput = z.input<typeof PlanSchema>;
/** A parsed plan with every default applied. */
export type Plan = z.output<typeof PlanSchema>;
export type Application = Plan['applications'][number];
export type Shard = z.output<typeof ShardSchema>;
export type Replication = Plan['replication'];
export type Readiness = Plan['readiness'];
