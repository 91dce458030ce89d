/**
 * Simulated AWS at the SDK-client boundary. A middleware on the shared SDK v3
 * clients (functions/shared/clients.ts) answers every command from the
 * rehearsal's model, so the real adapters and handlers run unchanged; only
 * the endpoint is simulated. DynamoDB is the exception: the ledger runs on a
 * local dynalite, and its calls are only counted.
 *
 * Errors are the SDK's own exception classes (ConflictException,
 * NotFoundException, TaskTimedOut, ...), so callers see what AWS would send.
 * Every call is counted by `Service.Command`.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import type { DescribeLogGroupsCommandInput } from '@aws-sdk/client-cloudwatch-logs';
import { ResourceNotFoundException as FirehoseResourceNotFound } from '@aws-sdk/client-firehose';
import {
  BadRequestException,
  ConflictException,
  type CreateReplicatorCommandInput,
  NotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-kafka';
import { InvalidCiphertextException } from '@aws-sdk/client-kms';
import { NoSuchKey } from '@aws-sdk/client-s3';
import { ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import {
  cloudwatchClient,
  dynamodbClient,
  ec2Client,
  eventbridgeClient,
  firehoseClient,
  kafkaClient,
  kmsClient,
  logsClient,
  quotasClient,
  s3Client,
  secretsClient,
  sfnClient,
  snsClient,
} from '../../functions/shared/clients.ts';
import type { SdkCall } from './iam.ts';
import { currentPrincipal } from './principal.ts';
import type { ClusterModel, SimReplicator } from './simulator.ts';

const MINUTE = 60_000;
const MIDDLEWARE = 'rehearsalSimulatedAws';
const COUNTER = 'rehearsalCallCounter';
const THROTTLER = 'rehearsalThrottledAnswer';
const REPLICATOR_NAME = /^[0-9A-Za-z][0-9A-Za-z-]{0,127}$/;
/** GetMetricData: metrics per request, and datapoints per page by default. */
const MAX_METRIC_QUERIES = 500;
const MAX_DATAPOINTS = 100_800;
/** The statistics the simulator computes (CloudWatch's basic five). */
const STATISTICS = new Set([
  'Sum',
  'Maximum',
  'Minimum',
  'SampleCount',
  'Average',
]);

/**
 * The exact dimension sets (sorted names, comma-joined) each metric of
 * namespace `AWS/Kafka` the migration reads is published with. Taken from
 * AWS, not from the code that builds the queries, so a query that drifts
 * from them finds no data here as on AWS:
 * - MSK Replicator metrics: "Metrics reference"
 *   (docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-metrics-ref.html),
 *   column Dimensions; ReplicationFailures from "Monitor replication from
 *   self-managed Kafka clusters" (msk-replicator-monitor-external.html).
 * - SumOffsetLag: consumer-lag metrics of the target cluster
 *   (consumer-lag.html lists "Consumer Group, Topic"; CloudWatch carries
 *   `Cluster Name` too, see the reference facts' CloudWatch section).
 */
const PUBLISHED_DIMENSIONS: Readonly<Record<string, readonly string[]>> = {
  ReplicationLatency: ['ReplicatorName', 'ReplicatorName,Topic'],
  MessageLag: ['ReplicatorName', 'ReplicatorName,Topic'],
  ReplicatorThroughput: ['ReplicatorName', 'ReplicatorName,Topic'],
  ReplicatorBytesInPerSec: ['ReplicatorName'],
  ReplicationFailures: ['ReplicatorName'],
  ReplicatorFailure: ['ReplicatorName'],
  ConsumerGroupCount: ['ReplicatorName'],
  ConsumerGroupOffsetSyncFailure: ['ReplicatorName'],
  AuthError: ['ClusterAlias,ReplicatorName'],
  ThrottleTime: ['ClusterAlias,ReplicatorName'],
  KafkaClusterPingSuccessCount: ['ClusterAlias,ReplicatorName'],
  SumOffsetLag: ['Cluster Name,Consumer Group,Topic'],
};

/** An email the rehearsal "sent" (SNS Publish). */
export interface SentEmail {
  at: Date;
  subject: string;
  body: string;
  attributes: Record<string, string>;
}

/** An EventBridge event the rehearsal "sent". */
export interface SentEvent {
  at: Date;
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** Call-level faults (model-level ones live in the model). */
export interface CallFaults {
  /**
   * Answer every `every`-th call of these commands (`Service.Command`) with
   * the service's throttling error, `times` times in a row, inside the SDK's
   * retry loop (so the SDK's standard retry mode handles it).
   */
  throttling?: {
    commands: string[];
    every: number;
    times: number;
    /** Stop throttling after this many throttled calls. @default no limit */
    limit?: number;
  };
  /**
   * The Lambda running create-replicators dies right after the Nth (from 1)
   * CreateReplicator reached AWS (the replicator exists, the response is
   * lost): the call throws `Lambda.ServiceException`, once.
   */
  interruptAfterCreate?: number;
}

export interface SimulatedAwsOptions {
  model: ClusterModel;
  now: () => Date;
  /** Secret ARN → SecretString. */
  secrets: Record<string, string>;
  /** Pre-stored S3 objects (`bucket/key` → body); each gets a VersionId. */
  objects?: Record<string, string>;
  faults?: CallFaults;
  /** SendTaskSuccess reached "Step Functions". */
  onTaskSuccess?: (taskToken: string, output: string) => Promise<void> | void;
  onTaskFailure?: (
    taskToken: string,
    error: string,
    cause: string,
  ) => Promise<void> | void;
  onEmail?: (email: SentEmail) => void;
  /**
   * How far back custom metrics (PutMetricData) are kept, in virtual
   * minutes. @default 1,560 (26 hours)
   */
  metricRetentionMinutes?: number;
  /**
   * What exists in the account besides the plan objects: CloudWatch Logs
   * log groups, S3 buckets and Firehose delivery streams (log delivery).
   */
  logDestinations?: {
    logGroups?: string[];
    buckets?: string[];
    deliveryStreams?: string[];
  };
  /**
   * Authorizes every call before it is answered (./iam.ts); a denied call
   * throws the service's access-denied error. @default no authorization
   */
  iam?: { authorizeCall(call: SdkCall): Promise<void> };
}

type Answer = Record<string, unknown>;
type Input = Record<string, unknown>;
type AnyClient = {
  middlewareStack: {
    add: (mw: unknown, opts: Record<string, unknown>) => void;
    remove: (name: string) => boolean;
  };
};

/** The simulated AWS account of one rehearsal. */
export class SimulatedAws {
  /** `Service.Command` → calls (each SDK attempt counts). */
  readonly calls = new Map<string, number>();
  /** The same, per calling principal (./principal.ts). */
  readonly callsByPrincipal = new Map<string, Map<string, number>>();
  readonly emails: SentEmail[] = [];
  readonly events: SentEvent[] = [];
  private readonly objects = new Map<
    string,
    { versionId: string; body: string }[]
  >();
  /** Custom metrics by key: timestamps (ascending) and values. */
  private readonly custom = new Map<
    string,
    { at: number[]; value: number[] }
  >();
  private readonly seen = new Map<string, number>();
  /** Metrics requested through GetMetricData (CloudWatch bills these). */
  metricsRequested = 0;
  /** Email addresses subscribed to the notification topic. */
  readonly subscriptions = new Set<string>();
  private createCount = 0;
  /** Calls answered with a throttling error so far. */
  throttled = 0;
  private interrupted = false;
  private installedOn: AnyClient[] = [];

  private readonly retentionMs: number;
  /** Log groups, buckets and delivery streams that exist. */
  readonly logGroups: Set<string>;
  readonly buckets: Set<string>;
  readonly deliveryStreams: Set<string>;

  constructor(private readonly opts: SimulatedAwsOptions) {
    this.retentionMs = (opts.metricRetentionMinutes ?? 26 * 60) * MINUTE;
    this.logGroups = new Set(opts.logDestinations?.logGroups ?? []);
    this.buckets = new Set(opts.logDestinations?.buckets ?? []);
    this.deliveryStreams = new Set(opts.logDestinations?.deliveryStreams ?? []);
    for (const [path, body] of Object.entries(opts.objects ?? {})) {
      const [bucket = '', ...rest] = path.split('/');
      this.putObject(bucket, rest.join('/'), body);
    }
  }

  /** Stores an object version, returns its VersionId. */
  putObject(bucket: string, key: string, body: string): string {
    this.buckets.add(bucket);
    const id = `${bucket}/${key}`;
    const versions = this.objects.get(id) ?? [];
    const versionId = `v${versions.length + 1}.${randomBytes(6).toString('hex')}`;
    versions.push({ versionId, body });
    this.objects.set(id, versions);
    return versionId;
  }

  /** Total calls. */
  totalCalls(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  /** Adds the simulating middleware to every shared client. */
  install(): void {
    const simulated = [
      kafkaClient(),
      cloudwatchClient(),
      sfnClient(),
      snsClient(),
      eventbridgeClient(),
      s3Client(),
      secretsClient(),
      ec2Client(),
      quotasClient(),
      kmsClient(),
      logsClient(),
      firehoseClient(),
    ] as unknown as AnyClient[];
    for (const client of simulated) this.installOn(client);
    const ddb = dynamodbClient() as unknown as AnyClient;
    ddb.middlewareStack.remove(COUNTER);
    ddb.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: Ctx) =>
        async (args: { input: Input }) => {
          this.count(service(context), command(context));
          await this.authorize(ddb, context, args.input);
          return next(args);
        },
      { step: 'initialize', priority: 'high', name: COUNTER },
    );
    this.installedOn.push(ddb);
  }

  /** Adds the simulating middleware to one client (tests use their own). */
  installOn(client: AnyClient): void {
    client.middlewareStack.remove(MIDDLEWARE);
    client.middlewareStack.remove(THROTTLER);
    client.middlewareStack.add(
      (next: (a: unknown) => Promise<unknown>, context: Ctx) =>
        async (args: { input: Input }) => {
          const svc = service(context);
          const cmd = command(context);
          try {
            // AWS authorizes before anything else (a denied call is not
            // throttled, and the SDK does not retry it).
            await this.authorize(client, context, args.input);
          } catch (err) {
            this.count(svc, cmd);
            throw err;
          }
          if (this.throttles(svc, cmd)) {
            // Let the request go through the SDK's own retry loop; the
            // answer (or the throttling error) comes from THROTTLER below.
            (
              context as Ctx & { rehearsalThrottle?: number }
            ).rehearsalThrottle = this.opts.faults?.throttling?.times ?? 1;
            return next(args);
          }
          this.count(svc, cmd);
          const output = await this.answer(svc, cmd, args.input);
          return { output: { $metadata: {}, ...output }, response: {} };
        },
      { step: 'initialize', priority: 'high', name: MIDDLEWARE },
    );
    client.middlewareStack.add(
      (_next: unknown, context: Ctx & { rehearsalThrottle?: number }) =>
        async (args: { input: Input }) => {
          const svc = service(context);
          const cmd = command(context);
          this.count(svc, cmd);
          if ((context.rehearsalThrottle ?? 0) > 0) {
            context.rehearsalThrottle = (context.rehearsalThrottle ?? 0) - 1;
            throw throttlingError(svc);
          }
          const output = await this.answer(svc, cmd, args.input);
          return { output: { $metadata: {}, ...output }, response: {} };
        },
      { step: 'finalizeRequest', priority: 'low', name: THROTTLER },
    );
    this.installedOn.push(client);
  }

  /** Removes the middleware again. */
  uninstall(): void {
    for (const c of this.installedOn) {
      c.middlewareStack.remove(MIDDLEWARE);
      c.middlewareStack.remove(THROTTLER);
      c.middlewareStack.remove(COUNTER);
    }
    this.installedOn = [];
  }

  private count(svc: string, cmd: string): void {
    const key = `${svc}.${cmd}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    const principal = currentPrincipal() ?? 'unknown';
    const mine = this.callsByPrincipal.get(principal) ?? new Map();
    mine.set(key, (mine.get(key) ?? 0) + 1);
    this.callsByPrincipal.set(principal, mine);
  }

  /** IAM: throws what AWS answers a call its caller may not make. */
  private async authorize(
    client: AnyClient,
    context: Ctx,
    input: Input,
  ): Promise<void> {
    if (!this.opts.iam) return;
    await this.opts.iam.authorizeCall({
      signingName: String(
        (client as { config?: { defaultSigningName?: string } }).config
          ?.defaultSigningName ?? '',
      ),
      service: service(context),
      operation: command(context),
      input,
    });
  }

  private throttles(svc: string, cmd: string): boolean {
    const t = this.opts.faults?.throttling;
    const key = `${svc}.${cmd}`;
    if (!t?.commands.includes(key)) return false;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    if (n % t.every !== 0) return false;
    if (t.limit !== undefined && this.throttled >= t.limit) return false;
    this.throttled += 1;
    return true;
  }

  private now(): Date {
    return this.opts.now();
  }

  /** Answers one command, as AWS would. */
  async answer(svc: string, cmd: string, input: Input): Promise<Answer> {
    const handler = (this.handlers as Record<string, (i: Input) => unknown>)[
      `${svc}.${cmd}`
    ];
    if (!handler) {
      throw new Error(
        `rehearsal: AWS ${svc}.${cmd} is not simulated (add it to cli/rehearsal/sim-aws.ts)`,
      );
    }
    return (await handler(input)) as Answer;
  }

  private get model(): ClusterModel {
    return this.opts.model;
  }

  private readonly handlers = {
    // ------------------------------------------------------------ MSK
    'Kafka.CreateReplicator': (input: Input) => {
      const req = input as unknown as CreateReplicatorCommandInput;
      if (!REPLICATOR_NAME.test(req.ReplicatorName ?? '')) {
        throw new BadRequestException({
          $metadata: { httpStatusCode: 400 },
          message: `Invalid replicator name: ${req.ReplicatorName}`,
        });
      }
      const result = this.model.createReplicator(req);
      if (!result.ok) {
        throw new ConflictException({
          $metadata: { httpStatusCode: 409 },
          message:
            'HTTP Status Code 409: Conflict. This replicator name already exists. Retry your request with another name.',
        });
      }
      this.createCount += 1;
      const limit = this.opts.faults?.interruptAfterCreate;
      if (
        limit !== undefined &&
        !this.interrupted &&
        this.createCount >= limit
      ) {
        this.interrupted = true;
        const err = new Error(
          'the function was interrupted after CreateReplicator reached AWS (rehearsal fault)',
        );
        err.name = 'Lambda.ServiceException';
        throw err;
      }
      return {
        ReplicatorArn: result.replicator.arn,
        ReplicatorName: result.replicator.name,
        ReplicatorState: 'CREATING',
      };
    },
    'Kafka.DescribeReplicator': (input: Input) => {
      const r = this.replicator(String(input.ReplicatorArn));
      const shape = this.model.describeShape(r);
      const state = this.model.stateOf(r);
      return {
        ReplicatorArn: r.arn,
        ReplicatorName: r.name,
        ReplicatorResourceArn: r.arn,
        ReplicatorState: state,
        CreationTime: new Date(r.createdAt),
        CurrentVersion: 'K1ABCDEF1GHIJK',
        IsReplicatorReference: false,
        ServiceExecutionRoleArn: r.input.ServiceExecutionRoleArn,
        ...(r.input.Description
          ? { ReplicatorDescription: r.input.Description }
          : {}),
        ...(state === 'FAILED' && r.stateInfo
          ? { StateInfo: r.stateInfo }
          : {}),
        ...(r.input.Tags ? { Tags: r.input.Tags } : {}),
        ...(r.input.LogDelivery ? { LogDelivery: r.input.LogDelivery } : {}),
        ...shape,
      };
    },
    'Kafka.ListReplicators': (input: Input) => {
      const prefix = String(input.ReplicatorNameFilter ?? '');
      const all = this.model.listReplicators(prefix);
      const start = Number(input.NextToken ?? 0);
      const size = Number(input.MaxResults ?? 100);
      const page = all.slice(start, start + size);
      return {
        Replicators: page.map((r) => this.summary(r)),
        ...(start + size < all.length
          ? { NextToken: String(start + size) }
          : {}),
      };
    },
    'Kafka.DeleteReplicator': (input: Input) => {
      const r = this.replicator(String(input.ReplicatorArn));
      this.model.deleteReplicator(r.arn);
      return { ReplicatorArn: r.arn, ReplicatorState: 'DELETING' };
    },
    'Kafka.DescribeClusterV2': (input: Input) => {
      if (input.ClusterArn !== this.model.targetClusterArn) {
        throw new NotFoundException({
          $metadata: { httpStatusCode: 404 },
          message: `Cluster ${String(input.ClusterArn)} does not exist`,
        });
      }
      return {
        ClusterInfo: {
          ClusterArn: this.model.targetClusterArn,
          ClusterName: this.model.targetClusterName,
          ClusterType: 'PROVISIONED',
          State: 'ACTIVE',
          CreationTime: new Date(this.model.startedAt - 30 * 86_400_000),
          CurrentVersion: 'K3AEGXETSR30VB',
          Provisioned: {
            NumberOfBrokerNodes: 3,
            BrokerNodeGroupInfo: {
              InstanceType: 'express.m7g.large',
              ClientSubnets: this.targetSubnets,
              SecurityGroups: this.targetGroups,
            },
            ClientAuthentication: {
              Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } },
              Unauthenticated: { Enabled: false },
            },
            CurrentBrokerSoftwareInfo: { KafkaVersion: '3.9.x' },
            EncryptionInfo: {
              EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
            },
          },
        },
      };
    },
    'Kafka.GetBootstrapBrokers': (input: Input) => {
      if (input.ClusterArn !== this.model.targetClusterArn) {
        throw new NotFoundException({
          $metadata: { httpStatusCode: 404 },
          message: `Cluster ${String(input.ClusterArn)} does not exist`,
        });
      }
      return { BootstrapBrokerStringSaslIam: this.targetBootstrap() };
    },
    // ------------------------------------------------------------ CloudWatch
    'CloudWatch.GetMetricData': (input: Input) => this.getMetricData(input),
    'CloudWatch.PutMetricData': (input: Input) => {
      const ns = String(input.Namespace);
      for (const d of (input.MetricData ?? []) as {
        MetricName: string;
        Dimensions?: { Name: string; Value: string }[];
        Value?: number;
        Timestamp?: Date;
      }[]) {
        const key = metricKey(ns, d.MetricName, dimsOf(d.Dimensions));
        const series = this.custom.get(key) ?? { at: [], value: [] };
        const at = (d.Timestamp ?? this.now()).getTime();
        // Kept in time order (a late datapoint is inserted in place).
        const i = upperBound(series.at, at);
        series.at.splice(i, 0, at);
        series.value.splice(i, 0, d.Value ?? 0);
        // Old datapoints go: a long rehearsal of a large plan puts thousands
        // per poll, and no phase reads further back than the retention.
        const keep = lowerBound(series.at, at - this.retentionMs);
        if (keep > 0) {
          series.at.splice(0, keep);
          series.value.splice(0, keep);
        }
        this.custom.set(key, series);
      }
      return {};
    },
    // ------------------------------------------------------------ SFN
    'SFN.SendTaskSuccess': async (input: Input) => {
      await this.opts.onTaskSuccess?.(
        String(input.taskToken),
        String(input.output),
      );
      return {};
    },
    'SFN.SendTaskFailure': async (input: Input) => {
      await this.opts.onTaskFailure?.(
        String(input.taskToken),
        String(input.error ?? ''),
        String(input.cause ?? ''),
      );
      return {};
    },
    'SFN.SendTaskHeartbeat': () => ({}),
    // ------------------------------------------------------------ SNS, events
    'SNS.Publish': (input: Input) => {
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(
        (input.MessageAttributes ?? {}) as Record<
          string,
          { StringValue?: string }
        >,
      )) {
        attributes[k] = v.StringValue ?? '';
      }
      const email: SentEmail = {
        at: this.now(),
        subject: String(input.Subject ?? ''),
        body: String(input.Message ?? ''),
        attributes,
      };
      this.emails.push(email);
      this.opts.onEmail?.(email);
      return { MessageId: `sim-${this.emails.length}` };
    },
    'SNS.ListSubscriptionsByTopic': (input: Input) => ({
      Subscriptions: [...this.subscriptions].map((endpoint, i) => ({
        TopicArn: input.TopicArn,
        Protocol: 'email',
        Endpoint: endpoint,
        SubscriptionArn: `${String(input.TopicArn)}:sim-${i + 1}`,
      })),
    }),
    'SNS.Subscribe': (input: Input) => {
      // The simulated people confirm at once.
      this.subscriptions.add(String(input.Endpoint));
      return {
        SubscriptionArn: `${String(input.TopicArn)}:sim-${this.subscriptions.size}`,
      };
    },
    'EventBridge.PutEvents': (input: Input) => {
      const entries = (input.Entries ?? []) as {
        Source?: string;
        DetailType?: string;
        Detail?: string;
      }[];
      for (const e of entries) {
        this.events.push({
          at: this.now(),
          source: e.Source ?? '',
          detailType: e.DetailType ?? '',
          detail: JSON.parse(e.Detail ?? '{}') as Record<string, unknown>,
        });
      }
      return {
        FailedEntryCount: 0,
        Entries: entries.map((_, i) => ({
          EventId: `sim-${this.events.length}-${i}`,
        })),
      };
    },
    // ------------------------------------------------------------ logs
    'CloudWatchLogs.DescribeLogGroups': (input: Input) => {
      // ASCII-sorted by name, `logGroupNamePrefix` a prefix, pages of
      // `limit` (default 50) behind `nextToken` (the SDK model's
      // DescribeLogGroupsRequest and the API reference).
      const req = input as DescribeLogGroupsCommandInput;
      if (req.logGroupNamePattern !== undefined || req.logGroupIdentifiers) {
        throw new Error(
          'rehearsal: DescribeLogGroups is simulated with logGroupNamePrefix only (add the other filters to cli/rehearsal/sim-aws.ts)',
        );
      }
      const prefix = req.logGroupNamePrefix ?? '';
      const all = [...this.logGroups]
        .filter((g) => g.startsWith(prefix))
        .sort();
      const start = Number(req.nextToken ?? 0);
      const size = req.limit ?? 50;
      return {
        logGroups: all.slice(start, start + size).map((logGroupName) => ({
          logGroupName,
          arn: `arn:aws:logs:${this.region}:${this.account}:log-group:${logGroupName}:*`,
        })),
        ...(start + size < all.length
          ? { nextToken: String(start + size) }
          : {}),
      };
    },
    'Firehose.DescribeDeliveryStream': (input: Input) => {
      const name = String(input.DeliveryStreamName);
      if (!this.deliveryStreams.has(name)) {
        // The model's only error of DescribeDeliveryStream.
        throw new FirehoseResourceNotFound({
          $metadata: { httpStatusCode: 400 },
          message: `Firehose ${name} under account ${this.account} not found.`,
        });
      }
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: name,
          DeliveryStreamARN: `arn:aws:firehose:${this.region}:${this.account}:deliverystream/${name}`,
          DeliveryStreamStatus: 'ACTIVE',
        },
      };
    },
    'S3.ListBuckets': (input: Input) => ({
      Buckets: [...this.buckets]
        .filter((b) => b.startsWith(String(input.Prefix ?? '')))
        .sort()
        .map((Name) => ({ Name })),
    }),
    // ------------------------------------------------------------ S3
    'S3.GetObject': (input: Input) => {
      const versions = this.objects.get(`${input.Bucket}/${input.Key}`);
      const found = input.VersionId
        ? versions?.find((v) => v.versionId === input.VersionId)
        : versions?.at(-1);
      if (!found) {
        throw new NoSuchKey({
          $metadata: { httpStatusCode: 404 },
          message: 'The specified key does not exist.',
        });
      }
      return {
        Body: streamOf(found.body),
        VersionId: found.versionId,
        ContentType: 'application/json',
        ContentLength: Buffer.byteLength(found.body),
      };
    },
    'S3.PutObject': (input: Input) => ({
      VersionId: this.putObject(
        String(input.Bucket),
        String(input.Key),
        String(input.Body ?? ''),
      ),
    }),
    // ------------------------------------------------------------ Secrets
    'SecretsManager.GetSecretValue': (input: Input) => {
      const id = String(input.SecretId);
      // Own keys only: a secret id is caller data.
      const value = Object.hasOwn(this.opts.secrets, id)
        ? this.opts.secrets[id]
        : undefined;
      if (value === undefined) {
        throw new ResourceNotFoundException({
          $metadata: { httpStatusCode: 400 },
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      return {
        ARN: id,
        Name: id.split(':').at(-1),
        SecretString: value,
        VersionId: 'v1',
      };
    },
    'SecretsManager.DescribeSecret': (input: Input) => {
      const id = String(input.SecretId);
      if (!Object.hasOwn(this.opts.secrets, id)) {
        throw new ResourceNotFoundException({
          $metadata: { httpStatusCode: 400 },
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      return { ARN: id, Name: id.split(':').at(-1) };
    },
    // ------------------------------------------------------------ EC2
    'EC2.DescribeSubnets': (input: Input) => ({
      Subnets: this.filterIds(input, 'subnet-id', 'SubnetIds').map((id, i) => ({
        SubnetId: id,
        VpcId: 'vpc-0a1b2c3d4e5f60001',
        AvailabilityZone: `${this.region}${'abc'[i % 3]}`,
        CidrBlock: `10.0.${i}.0/24`,
      })),
    }),
    'EC2.DescribeSecurityGroups': (input: Input) => ({
      SecurityGroups: this.filterIds(input, 'group-id', 'GroupIds').map(
        (id) => ({
          GroupId: id,
          GroupName: id,
          VpcId: 'vpc-0a1b2c3d4e5f60001',
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: 9092,
              ToPort: 9098,
              IpRanges: [{ CidrIp: '10.0.0.0/8' }],
            },
          ],
          IpPermissionsEgress: [
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          ],
        }),
      ),
    }),
    'EC2.DescribeVpcs': () => ({
      Vpcs: [{ VpcId: 'vpc-0a1b2c3d4e5f60001', CidrBlock: '10.0.0.0/16' }],
    }),
    // ------------------------------------------------------------ quotas
    'ServiceQuotas.GetServiceQuota': (input: Input) => ({
      Quota: {
        ServiceCode: input.ServiceCode,
        QuotaCode: input.QuotaCode,
        QuotaName: 'Replicators per account per Region',
        Value: 15,
        Adjustable: true,
      },
    }),
    'ServiceQuotas.GetAWSDefaultServiceQuota': (input: Input) => ({
      Quota: {
        ServiceCode: input.ServiceCode,
        QuotaCode: input.QuotaCode,
        Value: 15,
      },
    }),
    // ------------------------------------------------------------ KMS
    'KMS.Encrypt': (input: Input) => {
      // Reversible and context-bound, like KMS: the context must match.
      const envelope = JSON.stringify({
        k: input.KeyId,
        c: sortedContext(input.EncryptionContext),
        p: Buffer.from(input.Plaintext as Uint8Array).toString('base64'),
      });
      return {
        CiphertextBlob: new Uint8Array(
          Buffer.from(`simkms:${Buffer.from(envelope).toString('base64')}`),
        ),
        KeyId: input.KeyId,
      };
    },
    'KMS.Decrypt': (input: Input) => {
      const text = Buffer.from(input.CiphertextBlob as Uint8Array).toString();
      const fail = () =>
        new InvalidCiphertextException({
          $metadata: { httpStatusCode: 400 },
          message: 'The ciphertext or its encryption context is invalid.',
        });
      if (!text.startsWith('simkms:')) throw fail();
      let env: { k: string; c: string; p: string };
      try {
        env = JSON.parse(
          Buffer.from(text.slice(7), 'base64').toString(),
        ) as typeof env;
      } catch {
        throw fail();
      }
      if (env.c !== sortedContext(input.EncryptionContext)) throw fail();
      return {
        Plaintext: new Uint8Array(Buffer.from(env.p, 'base64')),
        KeyId: env.k,
      };
    },
  };

  private get account(): string {
    return this.model.targetClusterArn.split(':')[4] ?? '123456789012';
  }

  private get region(): string {
    return this.model.targetClusterArn.split(':')[3] ?? 'us-east-1';
  }

  private get targetSubnets(): string[] {
    return [
      'subnet-0a1b2c3d4e5f60011',
      'subnet-0a1b2c3d4e5f60012',
      'subnet-0a1b2c3d4e5f60013',
    ];
  }

  private get targetGroups(): string[] {
    return ['sg-0a1b2c3d4e5f60011'];
  }

  /** The simulated target's IAM bootstrap string. */
  targetBootstrap(): string {
    const name = this.model.targetClusterName;
    return [1, 2, 3]
      .map(
        (b) => `b-${b}.${name}.sim.c2.kafka.${this.region}.amazonaws.com:9098`,
      )
      .join(',');
  }

  private filterIds(input: Input, filter: string, field: string): string[] {
    const direct = (input[field] ?? []) as string[];
    const filters = (input.Filters ?? []) as {
      Name: string;
      Values: string[];
    }[];
    return [
      ...direct,
      ...filters.filter((f) => f.Name === filter).flatMap((f) => f.Values),
    ];
  }

  private replicator(arn: string): SimReplicator {
    const r = this.model.byArn(arn);
    if (!r) {
      throw new NotFoundException({
        $metadata: { httpStatusCode: 404 },
        message: `Replicator ${arn} does not exist`,
      });
    }
    return r;
  }

  private summary(r: SimReplicator): Answer {
    const shape = this.model.describeShape(r);
    return {
      ReplicatorArn: r.arn,
      ReplicatorName: r.name,
      ReplicatorResourceArn: r.arn,
      ReplicatorState: this.model.stateOf(r),
      CreationTime: new Date(r.createdAt),
      CurrentVersion: 'K1ABCDEF1GHIJK',
      IsReplicatorReference: false,
      KafkaClustersSummary: shape.KafkaClusters.map((c) => ({
        ...(c.AmazonMskCluster ? { AmazonMskCluster: c.AmazonMskCluster } : {}),
        KafkaClusterAlias: c.KafkaClusterAlias,
      })),
      ReplicationInfoSummaryList: shape.ReplicationInfoList.map((i) => ({
        SourceKafkaClusterAlias: i.SourceKafkaClusterAlias,
        TargetKafkaClusterAlias: i.TargetKafkaClusterAlias,
      })),
    };
  }

  // ------------------------------------------------------------ metrics

  private getMetricData(input: Input): Answer {
    const queries = (input.MetricDataQueries ?? []) as {
      Id: string;
      Expression?: string;
      ReturnData?: boolean;
      MetricStat?: {
        Metric: {
          Namespace: string;
          MetricName: string;
          Dimensions?: { Name: string; Value: string }[];
        };
        Period: number;
        Stat: string;
      };
    }[];
    // "A GetMetricData operation that does not include a query can retrieve
    // as many as 500 different metrics in a single request, with a total of
    // as many as 100,800 data points" (CloudWatch API Reference,
    // GetMetricData). More than 500 is a request validation error.
    if (queries.length > MAX_METRIC_QUERIES) {
      throw validationError(
        `The collection MetricDataQueries must not have a size greater than ${MAX_METRIC_QUERIES}.`,
      );
    }
    queries.forEach((q, i) => {
      const at = `MetricDataQueries.member.${i + 1}`;
      if (!q.MetricStat) {
        throw new Error(
          `rehearsal: metric math (${q.Id}) is not simulated; use MetricStat queries`,
        );
      }
      const { Period, Stat } = q.MetricStat;
      // "For metrics with regular resolution, a period can be as short as
      // one minute (60 seconds) and must be a multiple of 60" (MetricStat,
      // @aws-sdk/client-cloudwatch models): every metric read here is
      // regular resolution.
      if (!Number.isInteger(Period) || Period < 60 || Period % 60 !== 0) {
        throw validationError(
          `The value ${Period} for parameter ${at}.MetricStat.Period is not valid: regular-resolution metrics take a multiple of 60 seconds.`,
        );
      }
      if (!STATISTICS.has(Stat)) {
        throw validationError(
          `The value ${Stat} for parameter ${at}.MetricStat.Stat is not a statistic the rehearsal knows (${[...STATISTICS].join(', ')}).`,
        );
      }
    });
    this.metricsRequested += queries.length;
    // StartTime is inclusive, EndTime exclusive; both are rounded down to
    // the minute for data less than 15 days old (GetMetricData).
    const from =
      Math.floor(new Date(input.StartTime as Date).getTime() / MINUTE) * MINUTE;
    const to = Math.min(
      new Date(input.EndTime as Date).getTime(),
      this.now().getTime(),
    );
    // TimestampDescending is the default (GetMetricData `ScanBy`).
    const descending = input.ScanBy !== 'TimestampAscending';
    const maxPoints = Number(input.MaxDatapoints ?? MAX_DATAPOINTS);
    let skip = Number(input.NextToken ?? 0);
    let budget = maxPoints;
    let more = false;
    const results = [];
    for (const q of queries) {
      const { Metric, Period, Stat } = q.MetricStat as NonNullable<
        typeof q.MetricStat
      >;
      const dims = dimsOf(Metric.Dimensions);
      const value = this.metricSource(
        Metric.Namespace,
        Metric.MetricName,
        dims,
      );
      let points: { at: number; value: number }[] = [];
      // Datapoints stand for whole periods aligned to the start time.
      const periodMs = Period * 1000;
      for (let b = from; b < to; b += periodMs) {
        const vals = value(b, Math.min(b + periodMs, to));
        if (vals.length) points.push({ at: b, value: aggregate(Stat, vals) });
      }
      if (descending) points.reverse();
      // Pagination over the whole request: MaxDatapoints (default 100,800)
      // per page, the rest behind NextToken.
      const dropped = Math.min(skip, points.length);
      points = points.slice(dropped);
      skip -= dropped;
      if (points.length > budget) {
        points = points.slice(0, budget);
        more = true;
      }
      budget -= points.length;
      if (q.ReturnData === false) continue;
      results.push({
        Id: q.Id,
        Label: Metric.MetricName,
        StatusCode: more ? 'PartialData' : 'Complete',
        Timestamps: points.map((p) => new Date(p.at)),
        Values: points.map((p) => p.value),
      });
    }
    const served = Number(input.NextToken ?? 0) + maxPoints;
    return {
      MetricDataResults: results,
      Messages: [],
      ...(more ? { NextToken: String(served) } : {}),
    };
  }

  /**
   * Values of one metric with timestamps in [from, to). Like CloudWatch, a
   * metric is found only by its exact namespace, name and dimension set
   * (names and values): a missing, extra or misspelt dimension finds
   * nothing, with no error.
   */
  private metricSource(
    namespace: string,
    name: string,
    dims: Record<string, string>,
  ): (from: number, to: number) => number[] {
    const none = () => [];
    if (namespace === 'AWS/Kafka') {
      const published = PUBLISHED_DIMENSIONS[name];
      const set = Object.keys(dims).sort().join(',');
      if (!published?.includes(set)) return none;
      if (name === 'SumOffsetLag') {
        if (dims['Cluster Name'] !== this.model.targetClusterName) return none;
        const group = dims['Consumer Group'] ?? '';
        const topic = dims.Topic ?? '';
        return this.perMinute((end) =>
          this.model.targetSumOffsetLag(group, topic, end),
        );
      }
      const r = this.model
        .allReplicators()
        .filter((x) => x.name === dims.ReplicatorName)
        .at(-1);
      if (!r) return none;
      return this.perMinute((end) =>
        this.model.replicatorMetric(r, name, dims, end),
      );
    }
    const stored = this.custom.get(metricKey(namespace, name, dims));
    return (from, to) =>
      stored
        ? stored.value.slice(
            lowerBound(stored.at, from),
            lowerBound(stored.at, to),
          )
        : [];
  }

  /** One datapoint per whole virtual minute in the window (1-minute metrics). */
  private perMinute(
    at: (minuteEnd: number) => number | undefined,
  ): (from: number, to: number) => number[] {
    return (from, to) => {
      const out: number[] = [];
      const now = this.now().getTime();
      for (let m = Math.ceil(from / MINUTE) * MINUTE; m < to; m += MINUTE) {
        if (m + MINUTE > now) break;
        // The value at the end of the minute the datapoint stands for.
        const v = at(m + MINUTE - 1);
        if (v !== undefined) out.push(v);
      }
      return out;
    };
  }
}

type Ctx = { clientName?: string; commandName?: string };

function service(context: Ctx): string {
  return (context.clientName ?? 'Unknown').replace(/Client$/, '');
}

function command(context: Ctx): string {
  return (context.commandName ?? 'Unknown').replace(/Command$/, '');
}

/** A CloudWatch request validation error, as the SDK surfaces it. */
function validationError(message: string): Error {
  return new CloudWatchServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message,
  });
}

function throttlingError(svc: string): Error {
  if (svc === 'Kafka') {
    return new TooManyRequestsException({
      $metadata: { httpStatusCode: 429 },
      message: 'Too Many Requests',
    });
  }
  const err = new CloudWatchServiceException({
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
  return err;
}

function dimsOf(
  dims: { Name?: string; Value?: string }[] | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of dims ?? []) out[d.Name ?? ''] = d.Value ?? '';
  return out;
}

function metricKey(
  ns: string,
  name: string,
  dims: Record<string, string>,
): string {
  const d = Object.keys(dims)
    .sort()
    .map((k) => `${k}=${dims[k]}`)
    .join(',');
  return `${ns}|${name}|${d}`;
}

/** First index whose value is >= x (sorted ascending). */
function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x (sorted ascending). */
function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function aggregate(stat: string, values: number[]): number {
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'SampleCount':
      return values.length;
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    default:
      throw new Error(`rehearsal: statistic ${stat} is not simulated`);
  }
}

function sortedContext(ctx: unknown): string {
  const c = (ctx ?? {}) as Record<string, string>;
  return JSON.stringify(
    Object.keys(c)
      .sort()
      .map((k) => [k, c[k]]),
  );
}

/** An S3 Body: a Node stream with the SDK's transform helpers. */
function streamOf(body: string) {
  const buf = Buffer.from(body, 'utf-8');
  return Object.assign(Readable.from([buf]), {
    transformToString: async (encoding: BufferEncoding = 'utf-8') =>
      buf.toString(encoding),
    transformToByteArray: async () => new Uint8Array(buf),
    transformToWebStream: () =>
      Readable.toWeb(Readable.from([buf])) as unknown as ReadableStream,
  });
}
