/**
 * Everything `msk-cutover plan` shows and writes for a valid plan, built
 * once as data (`PlanReport`) and rendered three ways: a readable summary,
 * one JSON document (`--json`), and the files of `--out DIR`.
 */
import type { Forecast } from '../../functions/shared/domain/forecast.ts';
import { appGroups } from '../../functions/shared/domain/patterns.ts';
import type { Plan } from '../../functions/shared/domain/plan.ts';
import type { PlanIssue } from '../../functions/shared/domain/plan-rules.ts';
import {
  buildReplicatorRequests,
  DEFAULT_SHARD,
  type ReplicatorRequest,
  shardsOfApp,
} from '../../functions/shared/domain/replicator-config.ts';
import {
  type PolicyDocument,
  parseClusterArn,
  planTrustPolicy,
  REPLICATOR_MANAGED_POLICY,
  replicatorRolePolicy,
} from '../../functions/shared/domain/role-policy.ts';
import {
  kafkaAclsCommands,
  type RequiredAcl,
  requiredSourceAcls,
  sourceAclsScript,
} from '../../functions/shared/domain/source-acls.ts';
import {
  cutoverConcurrency,
  cutoverSequence,
} from '../../functions/shared/domain/waves.ts';
import { forecastLines } from './forecast-report.ts';
import { terminalText } from './terminal-text.ts';

export interface PlanReportOptions {
  /** Overrides `source.clusterId`. */
  sourceClusterId?: string;
  /** Overrides `serviceExecutionRoleArn`. */
  roleArn?: string;
  /** SCRAM user the replicators log in as (for the ACL commands). */
  scramUser: string;
}

export interface AppStep {
  order: number;
  name: string;
  /** The wave the application moves in, when the plan has `cutoverWaves`. */
  wave?: string;
  produces: string[];
  consumes: string[];
  consumerGroups: string[];
  shards: string[];
  owners: string[];
}

export interface PlanReport {
  migrationId: string;
  region: string;
  warnings: PlanIssue[];
  /** What the report had to assume (no cluster id, no role in the plan). */
  assumptions: string[];
  source: {
    name: string;
    clusterId: string;
    bootstrapBrokers: string[];
    saslMechanism: string;
  };
  target: { mskClusterArn: string };
  replicators: ReplicatorRequest[];
  cutover: AppStep[];
  gates: {
    cutover: string;
    keepOrRollback: string;
    teardown: string;
    notifyEmails: string[];
    linkTtlHours: number;
    gateTimeoutHours: number;
  };
  sourceAcls: { acls: RequiredAcl[]; commands: string[]; principal: string };
  rolePolicy: PolicyDocument;
  trustPolicy: ReturnType<typeof planTrustPolicy>;
  /** The migration window and its cost (docs/forecast.md). */
  forecast?: Forecast;
}

/** Placeholder used when neither the plan nor the options name the cluster id. */
export const CLUSTER_ID_PLACEHOLDER = 'SOURCE-CLUSTER-ID';

/** Build the report of a valid plan. */
export function planReport(
  plan: Plan,
  warnings: PlanIssue[],
  options: PlanReportOptions,
): PlanReport {
  const assumptions: string[] = [];
  let clusterId = options.sourceClusterId ?? plan.source.clusterId;
  if (clusterId === undefined) {
    clusterId = CLUSTER_ID_PLACEHOLDER;
    assumptions.push(
      `source.clusterId is not set: the requests say ${CLUSTER_ID_PLACEHOLDER}; run \`kafka-cluster.sh cluster-id --bootstrap-server ...\` and pass --source-cluster-id (the workflow's probe discovers it itself)`,
    );
  }
  let roleArn = options.roleArn ?? plan.serviceExecutionRoleArn;
  if (roleArn === undefined) {
    const { partition, account } = parseClusterArn(plan.target.mskClusterArn);
    roleArn = `arn:${partition}:iam::${account}:role/msk-cutover-replicator-${plan.migrationId}`;
    assumptions.push(
      `serviceExecutionRoleArn is not set: the requests use ${roleArn}, a role trusted by kafka.amazonaws.com with replicator-role-policy.json (pass --role-arn to use another; the deployed stack provides its own)`,
    );
  }
  const replicators = buildReplicatorRequests(plan, {
    sourceClusterId: clusterId,
    serviceExecutionRoleArn: roleArn,
  });
  const byName = new Map(plan.applications.map((a) => [a.name, a]));
  const order = cutoverSequence(plan);
  const waveOf = new Map(
    (plan.cutoverWaves ?? []).flatMap((w) =>
      w.applications.map((a) => [a, w.name] as const),
    ),
  );
  const cutover = order.flatMap((name, i) => {
    const wave = waveOf.get(name);
    const app = byName.get(name);
    if (app === undefined) return [];
    return [
      {
        order: i + 1,
        name,
        ...(wave !== undefined ? { wave } : {}),
        produces: app.produces,
        consumes: app.consumes,
        consumerGroups: appGroups(app),
        shards: shardsOfApp(plan, app),
        owners: app.owners,
      },
    ];
  });
  const acls = requiredSourceAcls(plan);
  const { approvals, teardown } = plan;
  return {
    migrationId: plan.migrationId,
    region: plan.region,
    warnings,
    assumptions,
    source: {
      name: plan.source.name,
      clusterId,
      bootstrapBrokers: plan.source.bootstrapBrokers,
      saslMechanism: plan.source.saslScram.mechanism,
    },
    target: { mskClusterArn: plan.target.mskClusterArn },
    replicators,
    cutover,
    gates: {
      cutover: `before each application moves (cutover | postpone | skip | abort); times out after ${approvals.gateTimeoutHours} h`,
      keepOrRollback: plan.replication.bidirectional
        ? 'after each verified cutover (keep | rollback)'
        : 'after each verified cutover (keep | rollback; rollback without offsets: bidirectional is false)',
      teardown: teardown.requireApproval
        ? `after a ${teardown.rollbackWindowHours} h rollback window, a person approves deleting the replicators`
        : `after a ${teardown.rollbackWindowHours} h rollback window, the replicators are deleted without asking`,
      notifyEmails: approvals.notifyEmails,
      linkTtlHours: approvals.linkTtlHours,
      gateTimeoutHours: approvals.gateTimeoutHours,
    },
    sourceAcls: {
      acls,
      principal: options.scramUser,
      commands: kafkaAclsCommands(acls, {
        principal: options.scramUser,
        bootstrap: plan.source.bootstrapBrokers.join(','),
      }),
    },
    rolePolicy: replicatorRolePolicy(plan),
    trustPolicy: planTrustPolicy(plan),
  };
}

/**
 * A JSON file. JSON.stringify escapes C0 controls but leaves C1 controls,
 * bidi controls and U+2028/2029 raw; they are escaped too (`\u009b`), which
 * JSON reads as the same string, so a file shown with `cat` cannot act on
 * the terminal.
 */
const json = (value: unknown) =>
  `${terminalText(JSON.stringify(value, null, 2))}\n`;

/**
 * The files of `--out DIR`, by relative path: per replicator
 * `create-replicator.json` (the whole request, for
 * `aws kafka create-replicator --cli-input-json`) and its parts in the AWS
 * CLI's format; `source-acls.sh`; `replicator-role-policy.json`.
 */
export function planFiles(plan: Plan, report: PlanReport): Map<string, string> {
  const files = new Map<string, string>();
  const sharded = plan.replication.shards !== undefined;
  for (const r of report.replicators) {
    const dir = sharded ? `${r.shard}/${r.direction}` : r.direction;
    files.set(`${dir}/create-replicator.json`, json(r.input));
    files.set(`${dir}/kafka-clusters.json`, json(r.input.KafkaClusters));
    files.set(
      `${dir}/replication-info.json`,
      json(r.input.ReplicationInfoList),
    );
    files.set(`${dir}/log-delivery.json`, json(r.input.LogDelivery));
  }
  files.set(
    'source-acls.sh',
    sourceAclsScript({
      migrationId: report.migrationId,
      sourceName: report.source.name,
      acls: report.sourceAcls.acls,
      principal: report.sourceAcls.principal,
      bootstrap: report.source.bootstrapBrokers.join(','),
    }),
  );
  files.set('replicator-role-policy.json', json(report.rolePolicy));
  files.set('replicator-role-trust-policy.json', json(report.trustPolicy));
  return files;
}

/** The report as one JSON-ready document (`--json`). */
export function planJson(report: PlanReport): unknown {
  const { trustPolicy, ...rest } = report;
  return {
    valid: true,
    ...rest,
    rolePolicy: {
      policy: report.rolePolicy,
      trustPolicy,
      note: `Attach this inline policy to the replicators' role; it replaces the managed ${REPLICATOR_MANAGED_POLICY}, which covers no secrets.`,
    },
  };
}

const MAX_APPS_SHOWN = 100;

/** The readable summary printed by `msk-cutover plan`. */
export function planSummary(plan: Plan, report: PlanReport): string {
  const out: string[] = [];
  const r = plan.replication;
  out.push(`Plan ${report.migrationId} is valid (${report.region}).`, '');
  out.push('Source');
  out.push(`  ${report.source.name}, cluster id ${report.source.clusterId}`);
  out.push(`  brokers ${report.source.bootstrapBrokers.join(', ')}`);
  out.push(
    `  SASL/SCRAM-${report.source.saslMechanism} over TLS, secret ${plan.source.saslScram.secretArn}`,
  );
  out.push('Target');
  out.push(`  ${report.target.mskClusterArn}`, '');
  out.push('Replication');
  out.push(
    `  consumer groups ${list(r.consumerGroups)}${r.consumerGroupsToExclude.length > 0 ? `, excluding ${list(r.consumerGroupsToExclude)}` : ''}`,
  );
  out.push(
    `  offsets synced ${r.bidirectional ? 'ENHANCED (both directions)' : 'LEGACY (forward only)'}, topic names IDENTICAL, compression ${r.targetCompression}`,
  );
  out.push(
    `  copy topic configs ${yes(r.copyTopicConfigurations)}, topic ACLs ${yes(r.copyAccessControlListsForTopics)}, new topics ${yes(r.detectAndCopyNewTopics)}, new groups ${yes(r.detectAndCopyNewConsumerGroups)}`,
  );
  out.push('', 'Replicators');
  for (const rep of report.replicators) {
    const info = rep.input.ReplicationInfoList?.[0];
    const topics = info?.TopicReplication?.TopicsToReplicate ?? [];
    const excluded = info?.TopicReplication?.TopicsToExclude ?? [];
    const shard = rep.shard === DEFAULT_SHARD ? '' : ` [shard ${rep.shard}]`;
    out.push(
      `  ${rep.name}${shard}: ${rep.direction}, starts at ${info?.TopicReplication?.StartingPosition?.Type}, offset sync ${info?.ConsumerGroupReplication?.ConsumerGroupOffsetSyncMode}`,
    );
    out.push(
      `    topics ${list(topics)}${excluded.length > 0 ? `, excluding ${list(excluded)}` : ''}`,
    );
  }
  out.push('', 'Cutover order');
  for (const step of report.cutover.slice(0, MAX_APPS_SHOWN)) {
    const parts = [
      step.produces.length > 0 ? `produces ${list(step.produces)}` : '',
      step.consumes.length > 0 ? `consumes ${list(step.consumes)}` : '',
      step.consumerGroups.length > 0
        ? `groups ${list(step.consumerGroups)}`
        : '',
    ].filter((p) => p !== '');
    const shards =
      plan.replication.shards !== undefined
        ? ` [shards ${step.shards.join(', ')}]`
        : '';
    const wave = step.wave !== undefined ? ` (wave ${step.wave})` : '';
    out.push(
      `  ${step.order}. ${step.name}${wave}: ${parts.join('; ')}${shards}`,
    );
  }
  if (report.cutover.length > MAX_APPS_SHOWN) {
    out.push(
      `  ... and ${report.cutover.length - MAX_APPS_SHOWN} more (see --json)`,
    );
  }
  out.push(
    plan.cutoverWaves === undefined
      ? `  ${cutoverConcurrency(plan)} application(s) at a time`
      : plan.cutoverConcurrency === undefined
        ? '  every application of a wave at once'
        : `  at most ${plan.cutoverConcurrency} application(s) of a wave at a time`,
    '',
    'Gates',
  );
  out.push(`  cutover: ${report.gates.cutover}`);
  out.push(`  keep or roll back: ${report.gates.keepOrRollback}`);
  out.push(`  teardown: ${report.gates.teardown}`);
  out.push(
    `  approval emails to ${report.gates.notifyEmails.length > 0 ? report.gates.notifyEmails.join(', ') : '(nobody: add approvals.notifyEmails)'}; links valid ${report.gates.linkTtlHours} h`,
  );
  out.push(
    '',
    `Source ACLs: ${report.sourceAcls.acls.length} (source-acls.sh)`,
  );
  out.push(
    `Replicator role: least-privilege inline policy (replicator-role-policy.json) instead of ${REPLICATOR_MANAGED_POLICY}`,
  );
  if (report.forecast !== undefined) {
    out.push('', ...forecastLines(report.forecast));
  }
  if (report.assumptions.length > 0) {
    out.push('', 'Assumed');
    for (const a of report.assumptions) out.push(`  ${a}`);
  }
  if (report.warnings.length > 0) {
    out.push('', 'Warnings');
    for (const w of report.warnings) out.push(`  ${w.path}: ${w.message}`);
  }
  return `${out.join('\n')}\n`;
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** A list for one line: the first few entries and a count. */
function list(items: readonly string[], max = 5): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} (+${items.length - max} more)` : shown;
}
