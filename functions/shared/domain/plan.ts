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
import { unsafeCharacter, unsafeMessage } from './safe-text.ts';
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
/**
 * IAM role ARN: `role/` then an optional path (`/` or `/seg/.../`, at most
 * 512 characters) and the role name (`[\w+=,.@-]`, 1 to 64 characters)
 * (IAM API reference, CreateRole: RoleName and Path).
 */
export const IAM_ROLE_ARN_PATTERN = new RegExp(
  `^arn:${PARTITION}:iam::\\d{12}:role/(?:[\\x21-\\x7E]{0,510}/)?[A-Za-z0-9_+=,.@-]{1,64}$`,
);
export const SUBNET_ID_PATTERN = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SECURITY_GROUP_ID_PATTERN = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** `host:port` where host is a DNS name, IPv4 or bracketed IPv6. */
export const HOST_PORT_PATTERN =
  /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*):([1-9]\d{0,4})$/;

/**
 * Names and ids that reach AWS or Kafka, with the limits of the field each
 * ends up in (sources in the comments; docs/plan-validation.md lists them).
 */
/** CloudWatch Logs CreateLogGroup `logGroupName`: 1-512 of `[.\-_/#A-Za-z0-9]`. */
export const LOG_GROUP_PATTERN = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** Firehose CreateDeliveryStream `DeliveryStreamName`: 1-64 of `[a-zA-Z0-9_.-]`. */
export const DELIVERY_STREAM_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;
/**
 * Kafka cluster id (`kafka-cluster.sh cluster-id`): Kafka prints a
 * URL-safe base64 UUID (22 characters); hosted services print their own
 * ids (`lkc-abc123`). The API model gives no pattern, so this is the
 * alphabet both use, bounded.
 */
export const SOURCE_CLUSTER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SOURCE_CLUSTER_ID_MESSAGE =
  'is not a Kafka cluster id (1 to 64 of letters, digits, "_" and "-", as `kafka-cluster.sh cluster-id` prints it)';

/** S3 general purpose bucket naming rules (Amazon S3 User Guide). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) {
    return 'must be 3 to 63 characters long';
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may hold only lower-case letters, digits, "." and "-"';
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) {
    return 'must begin and end with a letter or digit';
  }
  if (name.includes('..')) return 'must not hold two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
    return 'must not be formatted as an IP address';
  }
  for (const prefix of ['xn--', 'sthree-', 'amzn-s3-demo-']) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}"`;
  }
  for (const suffix of [
    '-s3alias',
    '--ol-s3',
    '.mrap',
    '--x-s3',
    '--table-s3',
  ]) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}"`;
  }
  return undefined;
}

/**
 * Why CloudWatch would never report SumOffsetLag for this consumer group,
 * if it would not: the consumer-lag metrics are not emitted for a group
 * whose name contains `:`, and CloudWatch drops non-ASCII dimension values
 * (MSK Developer Guide, consumer-lag; reference/msk-replicator-facts.md).
 */
export function unmeasurableGroupProblem(name: string): string | undefined {
  if (name.includes(':')) {
    return 'contains ":": MSK publishes no SumOffsetLag for such a group, so readiness would wait for data that never comes; rename the group (or leave it out of the plan and move it yourself)';
  }
  if (!/^[\x20-\x7E]*$/.test(name)) {
    return 'contains non-ASCII characters: CloudWatch drops such dimension values, so SumOffsetLag never arrives and readiness would wait forever; rename the group (or leave it out of the plan and move it yourself)';
  }
  return undefined;
}

/**
 * The same checks as the plan's `serviceExecutionRoleArn` and
 * `source.clusterId`, for values given outside a plan (CLI options):
 * a message, or undefined when the value is fine.
 */
export function roleArnProblem(value: string): string | undefined {
  const bad = unsafeCharacter(value);
  if (bad !== undefined) return unsafeMessage(bad);
  return value.length <= PLAN_LIMITS.arn && IAM_ROLE_ARN_PATTERN.test(value)
    ? undefined
    : `${JSON.stringify(value)} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`;
}

export function sourceClusterIdProblem(value: string): string | undefined {
  const bad = unsafeCharacter(value);
  if (bad !== undefined) return unsafeMessage(bad);
  return SOURCE_CLUSTER_ID_PATTERN.test(value)
    ? undefined
    : `${JSON.stringify(value)} ${SOURCE_CLUSTER_ID_MESSAGE}`;
}

/** Bounds on every string and list of a plan. */
export const PLAN_LIMITS = {
  /** No plan string is longer (a bound for fields without a tighter one). */
  anyString: 4096,
  /** Labels for people (`source.name`); the Description rule is tighter. */
  label: 1024,
  /**
   * Topic and group patterns, bounded here; plan-rules applies the API's
   * tighter limits (249 and 256) with their own message.
   */
  pattern: 1024,
  /** Kafka topic names. */
  topic: 249,
  /** Consumer group names: as long as a group pattern may be. */
  group: 256,
  /** RFC 5321 path limit. */
  email: 254,
  /** Secrets Manager SecretId (an ARN) is at most 2,048 characters. */
  arn: 2048,
  /** Patterns per list (the 750-topic rule applies per replicator). */
  patterns: 10_000,
  applications: 5_000,
  /** Topics or groups one application names. */
  appNames: 5_000,
  owners: 50,
  emails: 100,
  brokers: 100,
  /** Subnets or security groups of one VPC configuration. */
  vpcIds: 16,
  shards: 100,
  /** Nested arrays and objects in a plan document. */
  depth: 32,
} as const;

/**
 * A plan string: at most `max` characters, none of the characters
 * `unsafeCharacter` refuses (controls, newlines, bidi overrides, invisible
 * formatting), so it prints, quotes and travels safely.
 */
export const safeString = (max: number = PLAN_LIMITS.anyString) =>
  z.string().check(
    z.maxLength(max),
    z.superRefine((value, ctx) => {
      const bad = unsafeCharacter(value);
      if (bad !== undefined) {
        ctx.issues.push({
          code: 'custom',
          message: unsafeMessage(bad),
          input: value,
        });
      }
    }),
  );

const regex = safeString(PLAN_LIMITS.pattern).check(
  z.minLength(1, 'must not be empty'),
);
/** A list of patterns, bounded. */
const patterns = () => z.array(regex).check(z.maxLength(PLAN_LIMITS.patterns));

const vpc = z.strictObject({
  subnetIds: z
    .array(
      safeString(64).check(
        z.regex(SUBNET_ID_PATTERN, 'is not a subnet id (subnet-…)'),
      ),
    )
    .check(
      z.minLength(1, 'needs at least one subnet'),
      z.maxLength(PLAN_LIMITS.vpcIds),
    ),
  securityGroupIds: z
    .array(
      safeString(64).check(
        z.regex(SECURITY_GROUP_ID_PATTERN, 'is not a security group id (sg-…)'),
      ),
    )
    .check(
      z.minLength(1, 'needs at least one security group'),
      z.maxLength(PLAN_LIMITS.vpcIds),
    ),
});

const secretArn = safeString(PLAN_LIMITS.arn).check(
  z.regex(SECRET_ARN_PATTERN, 'is not a Secrets Manager secret ARN'),
);

const startingPosition = z.enum(['EARLIEST', 'LATEST']);

const logDelivery = z.strictObject({
  cloudWatchLogGroup: z.optional(
    safeString(512).check(
      z.regex(
        LOG_GROUP_PATTERN,
        'is not a CloudWatch Logs log group name (1 to 512 of letters, digits, ".", "-", "_", "/", "#")',
      ),
    ),
  ),
  firehoseDeliveryStream: z.optional(
    safeString(64).check(
      z.regex(
        DELIVERY_STREAM_PATTERN,
        'is not a Firehose delivery stream name (1 to 64 of letters, digits, ".", "_", "-")',
      ),
    ),
  ),
  s3: z.optional(
    z.strictObject({
      bucket: safeString(63).check(
        z.superRefine((value, ctx) => {
          const problem = bucketNameProblem(value);
          if (problem !== undefined) {
            ctx.issues.push({
              code: 'custom',
              message: `${JSON.stringify(value)} is not an S3 bucket name: it ${problem}`,
              input: value,
            });
          }
        }),
      ),
      /** An S3 key prefix; keys are at most 1,024 bytes. */
      prefix: z.optional(safeString(512)),
    }),
  ),
});

/** A positive integer with a default, at most `max`. */
const positiveInt = (fallback: number, max: number) =>
  z._default(z.number().check(z.int(), z.positive(), z.lte(max)), fallback);

export const ShardSchema = z.strictObject({
  name: safeString(64).check(
    z.regex(
      /^[a-z0-9][a-z0-9-]{0,19}$/,
      'must be lower-case letters, digits and dashes (at most 20)',
    ),
  ),
  topics: patterns().check(z.minLength(1, 'needs at least one topic pattern')),
  topicsToExclude: z._default(patterns(), []),
});

export const ReplicationSchema = z.strictObject({
  topics: z.optional(patterns()),
  topicsToExclude: z.optional(patterns()),
  consumerGroups: z._default(patterns(), ['.*']),
  consumerGroupsToExclude: z._default(patterns(), []),
  shards: z.optional(
    z.array(ShardSchema).check(z.maxLength(PLAN_LIMITS.shards)),
  ),
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
  maxMessageLag: positiveInt(1000, 1e12),
  /** ReplicationLatency (ms) must stay below this (at most a day). Blog: < 90 s. */
  maxReplicationLatencyMs: positiveInt(90_000, 86_400_000),
  /** SumOffsetLag per consumer group, on both clusters. */
  maxSumOffsetLag: positiveInt(1000, 1e12),
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
  /**
   * Give up (fail, notify, clean up) if not ready after this long. At
   * least an hour: replicators take about 30 minutes to reach RUNNING, and
   * readiness must then hold for `sustainedMinutes`.
   */
  maxWaitHours: z._default(
    z
      .number()
      .check(
        z.gte(
          1,
          'must be at least 1 hour: replicators alone take about 30 minutes to start',
        ),
        z.lte(8760),
      ),
    168,
  ),
  /**
   * Send one "Readiness Stalled" notice once the forecast has said "never"
   * (or later than `maxWaitHours`) on every poll for this many minutes.
   */
  stallMinutes: z._default(
    z.number().check(z.int(), z.gte(5), z.lte(10_080)),
    60,
  ),
  /** End the wait with `ReadinessStalledError` when it stalls. */
  failWhenStalled: z._default(z.boolean(), false),
  /** After a cutover or rollback decision, how long verification may fail before a person decides (verify-timeout gate). */
  verifyTimeoutMinutes: z._default(
    z.number().check(z.int(), z.gte(5), z.lte(10_080)),
    60,
  ),
});

/** A list of non-empty names, empty by default. */
const names = (max: number, count: number = PLAN_LIMITS.appNames) =>
  z._default(
    z.array(safeString(max).check(z.minLength(1))).check(z.maxLength(count)),
    [],
  );

/** Consumer group names of an application: ones CloudWatch can report. */
const groupNames = () =>
  z._default(
    z
      .array(
        safeString(PLAN_LIMITS.group).check(
          z.minLength(1),
          z.superRefine((value, ctx) => {
            const problem = unmeasurableGroupProblem(value);
            if (problem !== undefined) {
              ctx.issues.push({
                code: 'custom',
                message: problem,
                input: value,
              });
            }
          }),
        ),
      )
      .check(z.maxLength(PLAN_LIMITS.appNames)),
    [],
  );

/**
 * Application and wave names: they reach ledger keys, execution names,
 * emails, pages and terminals, so only letters, digits, ".", "_" and "-".
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_MESSAGE = 'must be letters, digits, ".", "_" or "-" (at most 64)';

export const ApplicationSchema = z.strictObject({
  name: safeString(64).check(z.regex(NAME_PATTERN, NAME_MESSAGE)),
  produces: names(PLAN_LIMITS.topic),
  consumes: names(PLAN_LIMITS.topic),
  consumerGroups: groupNames(),
  owners: names(PLAN_LIMITS.email, PLAN_LIMITS.owners),
});

/** The shortest approval link lifetime: 5 minutes. */
export const MIN_LINK_TTL_HOURS = 5 / 60;

export const ApprovalsSchema = z.strictObject({
  notifyEmails: z._default(
    z
      .array(
        z
          .email('is not an email address')
          .check(z.maxLength(PLAN_LIMITS.email)),
      )
      .check(z.maxLength(PLAN_LIMITS.emails)),
    [],
  ),
  /**
   * How long an approval link stays valid: at least 5 minutes, so a link
   * survives email delivery and the time to open it (a shorter one is dead
   * on arrival); at most a week.
   */
  linkTtlHours: z._default(
    z
      .number()
      .check(
        z.gte(
          MIN_LINK_TTL_HOURS,
          'must be at least 5 minutes (0.0833 hours): a shorter approval link expires before anyone can open the email',
        ),
        z.lte(168),
      ),
    24,
  ),
  /**
   * How long a gate waits for a decision before the state machine times
   * out: at least an hour, the least a person needs to see the email and
   * decide; at most 30 days.
   */
  gateTimeoutHours: z._default(
    z
      .number()
      .check(
        z.gte(
          1,
          'must be at least 1 hour: a gate needs time for a person to read the email and decide',
        ),
        z.lte(720),
      ),
    72,
  ),
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
  backlogRecords: z._default(
    z.number().check(z.int(), z.gte(0), z.lte(1e12)),
    200_000,
  ),
  /** Records per second each application produces. */
  produceRatePerSecond: z._default(z.number().check(z.gte(0), z.lte(1e7)), 50),
  /**
   * Average record size in bytes (default 1 KiB). Replicator capacity is in
   * bytes (see `capacity.ts`); at most 10,485,760, the largest record a
   * replicator copies by default (msk-replicator-facts.md §3, [D-LIM]).
   */
  recordSizeBytes: z._default(
    z.number().check(z.int(), z.positive(), z.lte(10_485_760)),
    1024,
  ),
  /** Partitions of every topic (the documented sizing is per partition). */
  partitionsPerTopic: z._default(
    z.number().check(z.int(), z.positive(), z.lte(100_000)),
    6,
  ),
  /**
   * Bytes per second a Kafka quota lets the replicators' principal move,
   * shared by every replicator of one direction (they share the principal).
   * No quota when absent.
   */
  replicatorQuotaBytesPerSecond: z.optional(
    z.number().check(z.positive(), z.lte(1e12)),
  ),
  /**
   * Deprecated: an extra cap in records per second on each replicator, on
   * top of the documented limits. No cap when absent.
   */
  replicatorThroughputPerSecond: z.optional(
    z.number().check(z.positive(), z.lte(1e9)),
  ),
  /** Minutes a replicator spends CREATING before RUNNING. */
  creatingMinutes: z._default(z.number().check(z.gte(0), z.lte(1440)), 30),
  /**
   * Minutes between a cutover decision and the application running on the
   * new cluster; at most a year (525,600), the longest a Step Functions
   * execution runs: a move that never happens within the migration.
   */
  appMoveMinutes: z._default(z.number().check(z.gte(0), z.lte(525_600)), 5),
});

export const PlanSchema = z.strictObject({
  migrationId: safeString(64).check(
    z.regex(
      MIGRATION_ID_PATTERN,
      'must be lower-case letters, digits and dashes, start with a letter or digit, at most 40',
    ),
  ),
  region: safeString(64).check(z.regex(REGION_PATTERN, 'is not an AWS region')),
  source: z.strictObject({
    name: safeString(PLAN_LIMITS.label).check(z.minLength(1)),
    clusterId: z.optional(
      safeString(64).check(
        z.regex(SOURCE_CLUSTER_ID_PATTERN, SOURCE_CLUSTER_ID_MESSAGE),
      ),
    ),
    bootstrapBrokers: z
      .array(
        safeString(261).check(z.regex(HOST_PORT_PATTERN, 'is not host:port')),
      )
      .check(
        z.minLength(1, 'needs at least one broker'),
        z.maxLength(PLAN_LIMITS.brokers),
      ),
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
    mskClusterArn: safeString(PLAN_LIMITS.arn).check(
      z.regex(MSK_CLUSTER_ARN_PATTERN, 'is not an MSK cluster ARN'),
    ),
    vpc,
  }),
  serviceExecutionRoleArn: z.optional(
    safeString(PLAN_LIMITS.arn).check(
      z.regex(IAM_ROLE_ARN_PATTERN, 'is not an IAM role ARN'),
    ),
  ),
  replication: ReplicationSchema,
  readiness: z._default(ReadinessSchema, ReadinessSchema.parse({})),
  applications: z
    .array(ApplicationSchema)
    .check(
      z.minLength(1, 'needs at least one application'),
      z.maxLength(PLAN_LIMITS.applications),
    ),
  cutoverOrder: z.optional(
    z.array(safeString(64)).check(z.maxLength(PLAN_LIMITS.applications)),
  ),
  /**
   * Waves: applications that move together, wave after wave. The
   * alternative to `cutoverOrder` (plan-rules refuses both; `waves.ts`
   * gives every plan its waves).
   */
  cutoverWaves: z.optional(
    z
      .array(
        z.strictObject({
          name: safeString(64).check(z.regex(NAME_PATTERN, NAME_MESSAGE)),
          applications: z
            .array(safeString(64))
            .check(
              z.minLength(1, 'a wave needs at least one application'),
              z.maxLength(PLAN_LIMITS.applications),
            ),
        }),
      )
      .check(
        z.minLength(1, 'needs at least one wave (or leave cutoverWaves out)'),
        z.maxLength(PLAN_LIMITS.applications),
      ),
  ),
  /**
   * How many applications may be in cutover at the same time. Left out, a
   * plan without waves moves one at a time and a wave moves all its
   * applications at once (./waves.ts).
   */
  cutoverConcurrency: z.optional(
    z.number().check(z.int(), z.gte(1), z.lte(40)),
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
export type WaveInput = NonNullable<Plan['cutoverWaves']>[number];
export type Shard = z.output<typeof ShardSchema>;
export type Replication = Plan['replication'];
export type Readiness = Plan['readiness'];
