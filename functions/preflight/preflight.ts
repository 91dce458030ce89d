/**
 * preflight (AWS side): everything that can be checked before a replicator
 * exists, so a plan that cannot work fails before anything is created.
 *
 * Every check runs, each reports pass/fail with a sentence an AWS or Kafka
 * admin can act on, the full list goes to the ledger, and only then does the
 * phase fail (PreflightFailedError) if any error-level check failed. Nothing
 * is created or changed. Secret values are read to check their shape and
 * never appear in a reason, a log line or an error.
 */
import { X509Certificate } from 'node:crypto';
import type { DescribeReplicatorResponse } from '@aws-sdk/client-kafka';
import { isTransientAwsError } from '../shared/aws/transient.ts';
import type {
  CheckResult,
  ChecksResult,
  PreflightEvent,
} from '../shared/contracts.ts';
import {
  PreflightFailedError,
  TransientError,
} from '../shared/domain/errors.ts';
import type { Plan } from '../shared/domain/plan.ts';
import {
  buildReplicatorRequests,
  REPLICATOR_NAME_PREFIX,
  replicatorSpecs,
  sameReplicatorSettings,
} from '../shared/domain/replicator-config.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  AwsInventory,
  Clock,
  Ledger,
  Log,
  LogDestinations,
  MskClusterInfo,
  PlanStore,
  Replicators,
} from '../shared/ports.ts';

/** The deploy-time scope and defaults (env of the function). */
export interface PreflightConfig {
  /** The stack's replicator role, used when the plan names none. */
  serviceExecutionRoleArn: string;
  /** Secret ARN prefixes the role may read (each may end in `*`). */
  allowedSecretArnPrefixes: string[];
  /** MSK clusters the role may use; empty = any in the account. */
  allowedClusterArns: string[];
  /**
   * The roles create-replicators may pass to MSK (its iam:PassRole scope):
   * the stack's replicator role and those of the CDK context
   * `replicatorRoleArns`.
   */
  passableRoleArns: string[];
  /**
   * The S3 buckets and Firehose delivery streams create-replicators may set
   * up log delivery to (CDK context `logDeliveryBuckets` /
   * `logDeliveryStreams`); CloudWatch Logs needs no such scope.
   */
  logDeliveryBuckets: string[];
  logDeliveryStreams: string[];
}

export interface PreflightDeps {
  plans: PlanStore;
  inventory: AwsInventory;
  replicators: Replicators;
  logDestinations: LogDestinations;
  ledger: Ledger;
  config: PreflightConfig;
  clock: Clock;
  log: Log;
}

/** CDK context keys named in failures (see infra/deploy-context.ts). */
const CONTEXT_SECRETS = 'replicatorSecretArnPrefixes';
const CONTEXT_CLUSTERS = 'mskClusterArns';
const CONTEXT_ROLES = 'replicatorRoleArns';
const CONTEXT_BUCKETS = 'logDeliveryBuckets';
const CONTEXT_STREAMS = 'logDeliveryStreams';
/** Certificates expiring sooner than this fail the check. */
export const CERT_MIN_VALIDITY_DAYS = 30;
/** The port the replicator uses to reach MSK with IAM authentication. */
export const MSK_IAM_PORT = 9098;
const MAX_RESULT_FAILURES = 20;

/** Collects check results. */
class Checks {
  readonly list: CheckResult[] = [];
  pass(id: string, reason: string) {
    this.list.push({ id, ok: true, severity: 'error', reason });
  }
  fail(
    id: string,
    reason: string,
    severity: CheckResult['severity'] = 'error',
  ) {
    this.list.push({ id, ok: false, severity, reason });
  }
  check(id: string, ok: boolean, passReason: string, failReason: string) {
    if (ok) this.pass(id, passReason);
    else this.fail(id, failReason);
  }
}

/**
 * Runs every AWS-side check of the plan.
 *
 * @throws PreflightFailedError when any error-level check failed (after the
 *   full list is in the ledger)
 * @throws TransientError when AWS throttles or fails (the phase is retried)
 */
export async function runPreflight(
  event: PreflightEvent,
  deps: PreflightDeps,
): Promise<ChecksResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const now = deps.clock.now();
  const checks = new Checks();

  checkScope(plan, deps.config, checks);
  const cluster = await guarded(checks, 'msk.cluster.exists', () =>
    deps.inventory.mskCluster(plan.target.mskClusterArn),
  );
  if (cluster !== undefined) checkCluster(plan, cluster, checks);
  await checkSecrets(plan, deps.inventory, now, checks);
  await checkNetwork(plan, deps.inventory, checks);
  await checkLogDelivery(plan, deps.logDestinations, deps.config, checks);
  await checkReplicators(plan, deps, checks);

  const list = checks.list;
  await deps.ledger.putChecks(event.migrationId, 'preflight', list);
  const failed = list.filter((c) => !c.ok && c.severity === 'error');
  const warnings = list.filter((c) => !c.ok && c.severity === 'warning');
  const result: ChecksResult = {
    ok: failed.length === 0,
    passed: list.filter((c) => c.ok).length,
    failed: failed.length,
    warnings: warnings.length,
    failures: [...failed, ...warnings]
      .slice(0, MAX_RESULT_FAILURES)
      .map((c) => `${c.id}: ${c.reason}`),
  };
  deps.log.info('preflight checked', {
    passed: result.passed,
    failed: result.failed,
    warnings: result.warnings,
  });
  if (failed.length > 0) {
    throw new PreflightFailedError(
      `${failed.length} of ${list.length} preflight checks failed: ${failed
        .slice(0, 10)
        .map((c) => `${c.id}: ${c.reason}`)
        .join('; ')}`,
    );
  }
  return result;
}

/**
 * Runs an AWS read for a check: a transient error is retried by the state
 * machine; any other error fails the check `id` with the AWS error (never a
 * secret value: AWS error messages do not carry them).
 */
async function guarded<T>(
  checks: Checks,
  id: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    // Adapters that classify AWS errors themselves (`rethrowAws`) hand a
    // retryable one over already wrapped.
    if (err instanceof TransientError) throw err;
    if (isTransientAwsError(err)) {
      throw new TransientError(`preflight ${id}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const e = err as Error;
    checks.fail(id, `could not be checked: ${e.name}: ${e.message}`);
    return undefined;
  }
}

// ---------------------------------------------------------------- scope

function matchesPrefix(arn: string, prefixes: string[]): boolean {
  return prefixes.some((p) => arn.startsWith(p.replace(/\*+$/, '')));
}

function checkScope(plan: Plan, config: PreflightConfig, checks: Checks) {
  const arn = plan.target.mskClusterArn;
  if (config.allowedClusterArns.length === 0) {
    checks.pass(
      'scope.cluster',
      'the stack allows any MSK cluster in the account',
    );
  } else {
    checks.check(
      'scope.cluster',
      config.allowedClusterArns.includes(arn),
      `target cluster is in the deployed scope`,
      `target cluster ${arn} is outside the deployed scope: add it to the CDK context "${CONTEXT_CLUSTERS}" and redeploy (npx cdk deploy -c ${CONTEXT_CLUSTERS}=...)`,
    );
  }
  // create-replicators may pass only these roles to MSK: any other one
  // fails CreateReplicator with AccessDenied on iam:PassRole.
  const role = plan.serviceExecutionRoleArn ?? config.serviceExecutionRoleArn;
  checks.check(
    'scope.serviceExecutionRole',
    config.passableRoleArns.includes(role),
    `service execution role ${role} is in the deployed iam:PassRole scope`,
    `service execution role ${role} is outside the deployed iam:PassRole scope (${config.passableRoleArns.join(', ')}): add it to the CDK context "${CONTEXT_ROLES}" and redeploy (npx cdk deploy -c ${CONTEXT_ROLES}=${role}), or leave serviceExecutionRoleArn out of the plan to use the stack's role`,
  );
  for (const secret of planSecrets(plan)) {
    const id = `scope.secret.${secret.role}`;
    if (config.allowedSecretArnPrefixes.length === 0) {
      checks.fail(
        id,
        `the stack declares no secret scope; the replicator role may not read ${secret.arn}: set the CDK context "${CONTEXT_SECRETS}"`,
        'warning',
      );
      continue;
    }
    checks.check(
      id,
      matchesPrefix(secret.arn, config.allowedSecretArnPrefixes),
      `secret ${secret.arn} is in the deployed scope`,
      `secret ${secret.arn} is outside the deployed scope (${config.allowedSecretArnPrefixes.join(', ')}): add its ARN or a prefix to the CDK context "${CONTEXT_SECRETS}" and redeploy`,
    );
  }
}

// ---------------------------------------------------------------- cluster

function checkCluster(
  plan: Plan,
  cluster: MskClusterInfo | null,
  checks: Checks,
) {
  const arn = plan.target.mskClusterArn;
  if (cluster === null) {
    checks.fail(
      'msk.cluster.exists',
      `MSK cluster ${arn} does not exist in ${plan.region}`,
    );
    for (const id of [
      'msk.cluster.active',
      'msk.cluster.express',
      'msk.cluster.iam',
    ]) {
      checks.fail(id, 'cannot be checked: the target cluster does not exist');
    }
    return;
  }
  checks.pass('msk.cluster.exists', `MSK cluster ${cluster.name} exists`);
  checks.check(
    'msk.cluster.active',
    cluster.state === 'ACTIVE',
    `cluster ${cluster.name} is ACTIVE`,
    `cluster ${cluster.name} is ${cluster.state}, not ACTIVE: wait for it or fix it before migrating`,
  );
  checks.check(
    'msk.cluster.express',
    cluster.instanceType?.startsWith('express.') === true,
    `cluster ${cluster.name} has Express brokers (${cluster.instanceType})`,
    `cluster ${cluster.name} is not an MSK Express cluster (type ${cluster.clusterType}, instances ${cluster.instanceType ?? 'none'}): the target must use express.* brokers`,
  );
  checks.check(
    'msk.cluster.iam',
    cluster.iamAuthEnabled,
    `cluster ${cluster.name} has IAM access control on`,
    `cluster ${cluster.name} has IAM access control off: MSK Replicator connects with IAM (port ${MSK_IAM_PORT}); enable SASL/IAM on the cluster`,
  );
}

// ---------------------------------------------------------------- secrets

function planSecrets(plan: Plan): { role: 'scram' | 'ca'; arn: string }[] {
  const out: { role: 'scram' | 'ca'; arn: string }[] = [
    { role: 'scram', arn: plan.source.saslScram.secretArn },
  ];
  if (plan.source.tls.rootCaSecretArn) {
    out.push({ role: 'ca', arn: plan.source.tls.rootCaSecretArn });
  }
  return out;
}

async function checkSecrets(
  plan: Plan,
  inventory: AwsInventory,
  now: Date,
  checks: Checks,
) {
  const caArn = plan.source.tls.rootCaSecretArn;
  let pem: unknown;
  let pemFrom = '';
  for (const { role, arn } of planSecrets(plan)) {
    const id = `secret.${role}`;
    const json = await guarded(checks, id, () => inventory.secretJson(arn));
    if (json === undefined) continue;
    if (json === null) {
      checks.fail(id, `secret ${arn} does not exist (or is not readable here)`);
      continue;
    }
    const required =
      role === 'scram'
        ? ['username', 'password', ...(caArn ? [] : ['certificate'])]
        : ['certificate'];
    // Only key names are reported, never values.
    const missing = required.filter(
      (k) => typeof json[k] !== 'string' || (json[k] as string).trim() === '',
    );
    checks.check(
      id,
      missing.length === 0,
      `secret ${arn} has the keys ${required.join(', ')}`,
      `secret ${arn} lacks the JSON key(s) ${missing.join(', ')} (expected ${required.join(', ')})`,
    );
    if ((role === 'ca' || !caArn) && typeof json.certificate === 'string') {
      pem = json.certificate;
      pemFrom = arn;
    }
  }
  if (typeof pem === 'string') checkCertificates(pem, pemFrom, now, checks);
}

/** Parses a PEM chain and checks every certificate's validity window. */
function checkCertificates(
  pem: string,
  from: string,
  now: Date,
  checks: Checks,
) {
  const blocks =
    pem.match(
      /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
    ) ?? [];
  if (blocks.length === 0) {
    checks.fail(
      'tls.chain.parse',
      `the certificate key of ${from} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
    return;
  }
  const certs: X509Certificate[] = [];
  blocks.forEach((block, i) => {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      checks.fail(
        'tls.chain.parse',
        `certificate ${i + 1} of ${blocks.length} in ${from} does not parse as X.509`,
      );
    }
  });
  if (certs.length < blocks.length) return;
  checks.pass(
    'tls.chain.parse',
    `${certs.length} certificate(s) in ${from} parse`,
  );
  const limit = now.getTime() + CERT_MIN_VALIDITY_DAYS * 86_400_000;
  const dates = certs.map((c) => ({
    subject: c.subject.replace(/\n/g, ', '),
    notBefore: new Date(c.validFrom),
    notAfter: new Date(c.validTo),
  }));
  const day = (d: Date) => d.toISOString().slice(0, 10);
  // Not yet valid is only a warning: the replicator connects later, and a
  // clock ahead of ours (or a certificate issued minutes ago) is harmless.
  const early = dates.filter((d) => d.notBefore.getTime() > now.getTime());
  if (early.length > 0) {
    checks.fail(
      'tls.chain.notBefore',
      early
        .map(
          (d) =>
            `${d.subject} is not valid before ${d.notBefore.toISOString()}`,
        )
        .join('; '),
      'warning',
    );
  }
  const bad = dates.filter((d) => d.notAfter.getTime() < limit);
  if (bad.length === 0) {
    const earliest = dates.reduce((a, b) => (a.notAfter < b.notAfter ? a : b));
    checks.pass(
      'tls.chain.expiry',
      `every certificate is valid for at least ${CERT_MIN_VALIDITY_DAYS} days; the first to expire is ${earliest.subject} on ${day(earliest.notAfter)}`,
    );
    return;
  }
  checks.fail(
    'tls.chain.expiry',
    bad
      .map((d) =>
        d.notAfter.getTime() < now.getTime()
          ? `${d.subject} expired on ${day(d.notAfter)}`
          : `${d.subject} expires on ${day(d.notAfter)}, within ${CERT_MIN_VALIDITY_DAYS} days`,
      )
      .join('; '),
  );
}

// ---------------------------------------------------------------- network

type SecurityGroup = Awaited<
  ReturnType<AwsInventory['securityGroups']>
>[number];

function allowsTcpEgress(groups: SecurityGroup[], port: number): boolean {
  return groups.some((g) =>
    g.egress.some(
      (r) =>
        (r.protocol === '-1' || r.protocol === 'tcp' || r.protocol === '6') &&
        (r.fromPort === undefined ||
          r.fromPort === -1 ||
          (r.fromPort <= port && port <= (r.toPort ?? r.fromPort))) &&
        (r.cidrs.length > 0 || r.groups.length > 0),
    ),
  );
}

async function checkNetwork(
  plan: Plan,
  inventory: AwsInventory,
  checks: Checks,
) {
  const sourcePorts = [
    ...new Set(
      plan.source.bootstrapBrokers.map((b) =>
        Number(b.slice(b.lastIndexOf(':') + 1)),
      ),
    ),
  ];
  const sides = [
    {
      name: 'source',
      vpc: plan.source.vpc,
      ports: sourcePorts,
      what: 'the source brokers',
    },
    {
      name: 'target',
      vpc: plan.target.vpc,
      ports: [MSK_IAM_PORT],
      what: 'MSK with IAM',
    },
  ] as const;
  for (const side of sides) {
    const subnets = await guarded(checks, `vpc.${side.name}.subnets`, () =>
      inventory.subnets(side.vpc.subnetIds),
    );
    let vpcs = new Set<string>();
    if (subnets !== undefined) {
      const found = new Set(subnets.map((s) => s.id));
      const missing = side.vpc.subnetIds.filter((id) => !found.has(id));
      vpcs = new Set(subnets.map((s) => s.vpcId));
      checks.check(
        `vpc.${side.name}.subnets`,
        missing.length === 0 && vpcs.size === 1,
        `${side.name} subnets exist in ${[...vpcs].join(', ')} (${new Set(subnets.map((s) => s.az)).size} AZs)`,
        missing.length > 0
          ? `${side.name} subnet(s) ${missing.join(', ')} do not exist in ${plan.region}`
          : `${side.name} subnets span several VPCs (${[...vpcs].join(', ')}): one replicator cluster config takes subnets of one VPC`,
      );
    }
    const groups = await guarded(
      checks,
      `vpc.${side.name}.securityGroups`,
      () => inventory.securityGroups(side.vpc.securityGroupIds),
    );
    if (groups === undefined) continue;
    const found = new Set(groups.map((g) => g.id));
    const missing = side.vpc.securityGroupIds.filter((id) => !found.has(id));
    const foreign = groups.filter((g) => vpcs.size > 0 && !vpcs.has(g.vpcId));
    checks.check(
      `vpc.${side.name}.securityGroups`,
      missing.length === 0 && foreign.length === 0,
      `${side.name} security groups exist in the subnets' VPC`,
      missing.length > 0
        ? `${side.name} security group(s) ${missing.join(', ')} do not exist in ${plan.region}`
        : `${side.name} security group(s) ${foreign.map((g) => `${g.id} (${g.vpcId})`).join(', ')} are not in the subnets' VPC`,
    );
    for (const port of side.ports) {
      checks.check(
        `vpc.${side.name}.egress.${port}`,
        allowsTcpEgress(groups, port),
        `${side.name} security groups allow outbound TCP ${port}`,
        `no ${side.name} security group (${side.vpc.securityGroupIds.join(', ')}) allows outbound TCP ${port} to ${side.what}: add an egress rule`,
      );
    }
  }
}

// ---------------------------------------------------------------- log delivery

/**
 * The plan's log-delivery destinations must exist before CreateReplicator
 * (log-delivery permissions page: "the log group must exist"; likewise the
 * bucket and the delivery stream).
 */
async function checkLogDelivery(
  plan: Plan,
  destinations: LogDestinations,
  config: PreflightConfig,
  checks: Checks,
) {
  const d = plan.replication.logDelivery;
  if (!d) return;
  // CreateReplicator sets up delivery to a bucket or stream with the
  // caller's own grants on it (s3:PutBucketPolicy, firehose:
  // TagDeliveryStream: MSK developer guide, log delivery permissions); the
  // stack grants only the destinations of its deploy context.
  const scoped = [
    d.s3 !== undefined && {
      id: 'scope.logDelivery.s3',
      name: d.s3.bucket,
      allowed: config.logDeliveryBuckets,
      key: CONTEXT_BUCKETS,
      what: `S3 bucket ${d.s3.bucket}`,
    },
    d.firehoseDeliveryStream !== undefined && {
      id: 'scope.logDelivery.firehose',
      name: d.firehoseDeliveryStream,
      allowed: config.logDeliveryStreams,
      key: CONTEXT_STREAMS,
      what: `Firehose delivery stream ${d.firehoseDeliveryStream}`,
    },
  ];
  for (const sc of scoped) {
    if (!sc) continue;
    checks.check(
      sc.id,
      sc.allowed.includes(sc.name),
      `${sc.what} is in the deployed log-delivery scope`,
      `${sc.what} is outside the deployed log-delivery scope: add it to the CDK context "${sc.key}" and redeploy (npx cdk deploy -c ${sc.key}=${sc.name}), or change replication.logDelivery`,
    );
  }
  const wanted = [
    d.cloudWatchLogGroup !== undefined && {
      id: 'logDelivery.cloudWatchLogs',
      what: `CloudWatch Logs log group ${d.cloudWatchLogGroup}`,
      exists: () => destinations.logGroupExists(d.cloudWatchLogGroup ?? ''),
    },
    d.s3 !== undefined && {
      id: 'logDelivery.s3',
      what: `S3 bucket ${d.s3.bucket}`,
      exists: () => destinations.bucketExists(d.s3?.bucket ?? ''),
    },
    d.firehoseDeliveryStream !== undefined && {
      id: 'logDelivery.firehose',
      what: `Firehose delivery stream ${d.firehoseDeliveryStream}`,
      exists: () =>
        destinations.deliveryStreamExists(d.firehoseDeliveryStream ?? ''),
    },
  ];
  for (const w of wanted) {
    if (!w) continue;
    const found = await guarded(checks, w.id, w.exists);
    if (found === undefined) continue;
    checks.check(
      w.id,
      found,
      `${w.what} exists in ${plan.region}`,
      `${w.what} does not exist in ${plan.region}: create it (the replicators deliver their logs there) or change replication.logDelivery`,
    );
  }
}

// ---------------------------------------------------------------- replicators

async function checkReplicators(
  plan: Plan,
  deps: Pick<PreflightDeps, 'inventory' | 'replicators' | 'config'>,
  checks: Checks,
) {
  const [quota, existing] = await Promise.all([
    guarded(checks, 'quota.replicators', () =>
      deps.inventory.replicatorQuota(),
    ),
    guarded(checks, 'quota.replicators', () =>
      deps.replicators.listByPrefix(''),
    ),
  ]);
  if (existing === undefined) return;
  const byName = new Map(existing.map((r) => [r.ReplicatorName ?? '', r]));
  const specs = replicatorSpecs(plan);
  const ours = specs.filter((s) => byName.has(s.name));
  const needed = specs.length - ours.length;
  if (quota !== undefined) {
    checks.check(
      'quota.replicators',
      existing.length + needed <= quota,
      `${existing.length} replicator(s) exist in ${plan.region}, the plan needs ${needed} more, quota ${quota}`,
      `${existing.length} replicator(s) exist in ${plan.region} and the plan needs ${needed} more: over the quota of ${quota} (Service Quotas L-8F940D28; ask for an increase or delete unused replicators)`,
    );
  }
  for (const spec of ours) {
    const arn = byName.get(spec.name)?.ReplicatorArn ?? '';
    const id = `replicator.${spec.name}`;
    const described = await guarded(checks, id, () =>
      deps.replicators.describe(arn),
    );
    if (described === undefined) continue;
    if (described === null) {
      checks.pass(
        id,
        `${spec.name} was listed but is gone; it will be created`,
      );
      continue;
    }
    compareExisting(plan, spec, described, deps.config, checks);
  }
  const strangers = existing.filter(
    (r) =>
      r.ReplicatorName?.startsWith(
        `${REPLICATOR_NAME_PREFIX}${plan.migrationId}-`,
      ) && !specs.some((s) => s.name === r.ReplicatorName),
  );
  for (const r of strangers) {
    checks.fail(
      `replicator.${r.ReplicatorName}`,
      `${r.ReplicatorName} carries this migration's name but the plan does not imply it (shards changed?): teardown will not delete it`,
      'warning',
    );
  }
}

function compareExisting(
  plan: Plan,
  spec: { shard: string; direction: string; name: string },
  described: DescribeReplicatorResponse,
  config: PreflightConfig,
  checks: Checks,
) {
  const id = `replicator.${spec.name}`;
  // Before probe-source the source cluster id may be unknown: compare with
  // the existing replicator's own id then (create-replicators compares
  // again with the discovered id before adopting).
  const existingId = described.KafkaClusters?.find((c) => c.ApacheKafkaCluster)
    ?.ApacheKafkaCluster?.ApacheKafkaClusterId;
  const request = buildReplicatorRequests(plan, {
    sourceClusterId: plan.source.clusterId ?? existingId ?? 'unknown',
    serviceExecutionRoleArn:
      plan.serviceExecutionRoleArn ?? config.serviceExecutionRoleArn,
  }).find((r) => r.name === spec.name);
  if (!request) return;
  const { same, differences } = sameReplicatorSettings(
    described,
    request.input,
  );
  const state = described.ReplicatorState ?? 'unknown';
  if (!same) {
    checks.fail(
      id,
      `${spec.name} already exists with other settings: ${differences.slice(0, 5).join('; ')}${differences.length > 5 ? ` (+${differences.length - 5} more)` : ''}; delete it or change the migrationId`,
    );
  } else if (state === 'FAILED' || state === 'DELETING') {
    checks.fail(
      id,
      `${spec.name} already exists with the plan's settings but is ${state}: delete it and start again`,
    );
  } else {
    checks.pass(
      id,
      `${spec.name} already exists (${state}) with the plan's settings: it will be adopted, not created`,
    );
  }
}
