/**
 * probe-source: the Kafka-side preflight, run from the
 * replicators' own subnets with the replicators' own credentials, so what
 * would make MSK Replicator fail 30 minutes into creation fails here in
 * seconds. Every check runs, then the phase decides; each check's reason is
 * written for a network or Kafka admin.
 */

import type { KafkaSideInventory } from '../shared/aws/secrets-and-brokers.ts';
import type {
  CheckResult,
  ProbeSourceEvent,
  ProbeSourceResult,
} from '../shared/contracts.ts';
import { aclGaps } from '../shared/domain/acl-eval.ts';
import { PreflightFailedError } from '../shared/domain/errors.ts';
import { checkKafkaVersion } from '../shared/domain/kafka-version.ts';
import { appTopics, Selection } from '../shared/domain/patterns.ts';
import type { Plan } from '../shared/domain/plan.ts';
import { shardTopicPaths } from '../shared/domain/replicator-config.ts';
import { commentText } from '../shared/domain/safe-text.ts';
import {
  kafkaAclsCommands,
  type RequiredAcl,
  requiredSourceAcls,
} from '../shared/domain/source-acls.ts';
import { sourceAccess } from '../shared/kafka/access.ts';
import { classifyKafkaError } from '../shared/kafka/classify.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  KafkaAcl,
  KafkaProbe,
  KafkaSession,
  KafkaTopic,
  Ledger,
  Log,
  PlanStore,
  TlsSettings,
} from '../shared/ports.ts';

/** MSK Replicator's limit of topics per replicator. */
export const MAX_TOPICS_PER_REPLICATOR = 750;
/** Kafka's default `max.message.bytes`; larger topics need the same on the target. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

export interface ProbeSourceDeps {
  plans: PlanStore;
  inventory: Pick<KafkaSideInventory, 'secretJson'>;
  ledger: Pick<Ledger, 'putChecks' | 'updateMigration'>;
  kafka: KafkaProbe;
  clock: Clock;
  log: Log;
  /** Per step of the DNS → TCP → TLS check. @default 3000 */
  transportTimeoutMs?: number;
}

const pass = (id: string, reason: string): CheckResult => ({
  id,
  ok: true,
  severity: 'error',
  reason,
});
const fail = (id: string, reason: string): CheckResult => ({
  id,
  ok: false,
  severity: 'error',
  reason,
});
const warn = (id: string, ok: boolean, reason: string): CheckResult => ({
  id,
  ok,
  severity: 'warning',
  reason,
});

const SASL_ADVICE: Record<string, string> = {
  'sasl-credentials':
    'the broker rejected the SCRAM credentials: wrong password, unknown user, or the user has no credential for this mechanism (kafka-configs.sh --describe --entity-type users)',
  'sasl-mechanism':
    'the listener does not enable this SCRAM mechanism: set source.saslScram.mechanism to one the listener enables (sasl.enabled.mechanisms)',
};

/** The topic selection of each replicator pair (one per shard). */
function selections(plan: Plan): { name: string; selection: Selection }[] {
  const r = plan.replication;
  if (r.shards && r.shards.length > 0) {
    return r.shards.map((s, i) => ({
      name: s.name,
      selection: new Selection(
        s.topics,
        s.topicsToExclude,
        shardTopicPaths(plan, i),
      ),
    }));
  }
  return [
    {
      name: 'main',
      selection: new Selection(
        r.topics ?? ['.*'],
        r.topicsToExclude ?? [],
        shardTopicPaths(plan, 0),
      ),
    },
  ];
}

function summarize(checks: CheckResult[]) {
  const failures = checks.filter((c) => !c.ok && c.severity === 'error');
  return {
    ok: failures.length === 0,
    passed: checks.filter((c) => c.ok).length,
    failed: failures.length,
    warnings: checks.filter((c) => !c.ok && c.severity === 'warning').length,
    failures: failures.slice(0, 20).map((c) => `${c.id}: ${c.reason}`),
  };
}

function describeDeny(acl: KafkaAcl): string {
  return `DENY ${acl.operation} on ${acl.resourceType} ${acl.patternType} "${acl.resourceName}" for ${acl.principal} from host ${acl.host}`;
}

/** Checks that need an authenticated session. */
async function sessionChecks(
  plan: Plan,
  session: KafkaSession,
  principal: string,
  username: string,
  checks: CheckResult[],
): Promise<{ clusterId: string | null; topicCount: number }> {
  const settle = async <T>(
    id: string,
    what: string,
    fn: () => Promise<T>,
  ): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      const f = classifyKafkaError(error);
      checks.push(fail(id, `could not read ${what}: ${f.message}`));
      return undefined;
    }
  };

  // Cluster id.
  let clusterId: string | null = null;
  const discovered = await settle('kafka.cluster-id', 'the cluster id', () =>
    session.clusterId(),
  );
  if (discovered !== undefined) {
    clusterId = discovered;
    const expected = plan.source.clusterId;
    if (expected && expected !== discovered) {
      checks.push(
        fail(
          'kafka.cluster-id',
          `the brokers report cluster id "${discovered}" but the plan says "${expected}": the bootstrap brokers point at a different cluster, or source.clusterId is wrong`,
        ),
      );
    } else {
      checks.push(
        pass(
          'kafka.cluster-id',
          expected
            ? `cluster id "${discovered}" matches the plan`
            : `cluster id "${discovered}" discovered (the plan names none)`,
        ),
      );
    }
  }

  // Kafka version from advertised APIs.
  const apis = await settle(
    'kafka.version',
    'the advertised API versions',
    () => session.apiVersions(),
  );
  if (apis) {
    const v = checkKafkaVersion(apis);
    checks.push(
      v.ok ? pass('kafka.version', v.reason) : fail('kafka.version', v.reason),
    );
  }

  // Topics.
  const topics = await settle('kafka.topics', 'the topic list', () =>
    session.listTopics(),
  );
  let selected: KafkaTopic[] = [];
  if (topics) {
    const byName = new Map(topics.map((t) => [t.name, t]));
    const perShard = selections(plan).map(({ name, selection }) => ({
      name,
      topics: topics.filter((t) => selection.selects(t.name)),
    }));
    selected = [
      ...new Map(
        perShard.flatMap((s) => s.topics.map((t) => [t.name, t])),
      ).values(),
    ];
    const partitions = selected.reduce((n, t) => n + t.partitions, 0);
    const over = perShard.filter(
      (s) => s.topics.length > MAX_TOPICS_PER_REPLICATOR,
    );
    if (selected.length === 0) {
      checks.push(
        fail(
          'kafka.topics',
          `no topic on the source matches the replication patterns (${topics.length} topics visible to ${principal})`,
        ),
      );
    } else if (over.length > 0) {
      checks.push(
        fail(
          'kafka.topics',
          over
            .map(
              (s) =>
                `replicator "${s.name}" would replicate ${s.topics.length} topics, over MSK Replicator's ${MAX_TOPICS_PER_REPLICATOR}; split the plan into shards`,
            )
            .join('; '),
        ),
      );
    } else {
      const sample = selected
        .slice(0, 10)
        .map((t) => `${t.name} (${t.partitions})`)
        .join(', ');
      checks.push(
        pass(
          'kafka.topics',
          `${selected.length} topics with ${partitions} partitions match the patterns: ${sample}${selected.length > 10 ? ', …' : ''}`,
        ),
      );
    }
    const missing = plan.applications.flatMap((app) =>
      appTopics(app)
        .filter((t) => !byName.has(t))
        .map((t) => `${t} (${app.name})`),
    );
    checks.push(
      missing.length > 0
        ? fail(
            'kafka.app-topics',
            `application topics missing on the source (or not visible to ${principal}): ${[...new Set(missing)].join(', ')}`,
          )
        : pass(
            'kafka.app-topics',
            'every application topic exists on the source',
          ),
    );
  }

  // ACLs.
  const bootstrap = plan.source.bootstrapBrokers.join(',');
  const acls = await session.acls(principal).catch((error: unknown) => {
    const f = classifyKafkaError(error);
    // Reading ACLs needs Describe on the cluster, which the replicators
    // need anyway: say so with the command that grants it.
    const hint =
      f.kind === 'authorization'
        ? `; grant Describe on the cluster:\n${kafkaAclsCommands(
            requiredSourceAcls(plan).filter(
              (a) => a.resourceType === 'CLUSTER' && a.operation === 'Describe',
            ),
            { principal: username, bootstrap },
          ).join('\n')}`
        : '';
    checks.push(
      fail(
        'kafka.acls',
        `could not read the ACLs of ${principal}: ${f.message}${hint}`,
      ),
    );
    return undefined;
  });
  if (acls) {
    const groups = await session
      .groups()
      .then((g) => g.map((x) => x.groupId))
      .catch(() => [] as string[]);
    const gaps = aclGaps(requiredSourceAcls(plan), acls, principal, {
      topics: selected.map((t) => t.name),
      groups,
    });
    if (gaps.length === 0) {
      checks.push(
        pass('kafka.acls', `${principal} holds every ACL the replicators need`),
      );
    } else {
      const missing: RequiredAcl[] = gaps
        .filter((g) => g.kind === 'missing')
        .map((g) => g.required);
      const denied = gaps.filter((g) => g.kind === 'denied');
      const lines = [
        ...kafkaAclsCommands(missing, { principal: username, bootstrap }),
        ...denied.map(
          (g) =>
            `# ${commentText(`${describeDeny(g.deny as KafkaAcl)} blocks ${g.required.operation} on ${g.affected.join(', ')}: remove it`)}`,
        ),
      ];
      checks.push(
        fail(
          'kafka.acls',
          `${principal} lacks ${missing.length} ACL(s)${denied.length ? ` and ${denied.length} operation(s) are denied` : ''}; run:\n${lines.join('\n')}`,
        ),
      );
    }
  }

  // Topic configs that break replication: warnings.
  if (selected.length > 0) {
    const configs = await session
      .topicConfigs(selected.map((t) => t.name))
      .catch((error: unknown) => {
        checks.push(
          warn(
            'kafka.topic-configs',
            false,
            `could not read topic configs: ${classifyKafkaError(error).message}`,
          ),
        );
        return null;
      });
    if (configs) {
      let flagged = 0;
      for (const [topic, c] of configs) {
        if (c.get('message.timestamp.type') === 'LogAppendTime') {
          flagged++;
          checks.push(
            warn(
              `kafka.topic-config.${topic}`,
              false,
              `${topic} uses message.timestamp.type=LogAppendTime: replicated records keep the source timestamps only if the target topic uses CreateTime`,
            ),
          );
        }
        const max = Number(c.get('max.message.bytes') ?? Number.NaN);
        if (max > DEFAULT_MAX_MESSAGE_BYTES) {
          flagged++;
          checks.push(
            warn(
              `kafka.topic-config.${topic}.max-message-bytes`,
              false,
              `${topic} allows messages of ${max} bytes (max.message.bytes), above the default ${DEFAULT_MAX_MESSAGE_BYTES}: the target topic must allow as much or replication of large records fails`,
            ),
          );
        }
      }
      if (flagged === 0) {
        checks.push(
          warn(
            'kafka.topic-configs',
            true,
            `no topic config among ${configs.size} topics would break replication`,
          ),
        );
      }
    }
  }

  return { clusterId, topicCount: selected.length };
}

/**
 * The brokers the cluster advertises, beyond the bootstrap list: clients
 * (and the replicators) connect to these after bootstrap, so a name that
 * resolves only on-premises or a port closed to the VPC breaks replication
 * even when every bootstrap broker is reachable.
 */
async function advertisedChecks(
  session: KafkaSession,
  plan: Plan,
  tls: TlsSettings,
  deps: ProbeSourceDeps,
  checks: CheckResult[],
): Promise<void> {
  if (!session.advertisedBrokers) return;
  let advertised: string[];
  try {
    advertised = await session.advertisedBrokers();
  } catch (error) {
    checks.push(
      fail(
        'kafka.advertised',
        `could not read the advertised brokers: ${classifyKafkaError(error).message}`,
      ),
    );
    return;
  }
  const bootstrap = new Set(plan.source.bootstrapBrokers);
  const results = await Promise.all(
    advertised
      .filter((b) => !bootstrap.has(b))
      .map((b) =>
        deps.kafka.checkTransport(b, tls, deps.transportTimeoutMs ?? 3000),
      ),
  );
  for (const r of results) {
    checks.push(
      r.ok
        ? pass(`kafka.advertised.${r.broker}`, `advertised broker: ${r.detail}`)
        : fail(
            `kafka.advertised.${r.broker}`,
            `the cluster advertises ${r.broker}, which clients and the replicators connect to after bootstrap: ${r.detail}`,
          ),
    );
  }
}

/**
 * Runs every Kafka-side check, records them in the ledger, records the
 * discovered cluster id, and fails the phase when any error check failed.
 *
 * @throws PreflightFailedError listing the failed checks' reasons.
 * @throws ValidationError when the plan or its secret cannot be used at all.
 */
export async function runProbe(
  event: ProbeSourceEvent,
  deps: ProbeSourceDeps,
): Promise<ProbeSourceResult> {
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const src = await sourceAccess(plan, deps.inventory);
  const timeout = deps.transportTimeoutMs ?? 3000;
  const checks: CheckResult[] = [];

  const transports = await Promise.all(
    plan.source.bootstrapBrokers.map((b) =>
      deps.kafka.checkTransport(b, src.access.tls, timeout),
    ),
  );
  for (const t of transports) {
    checks.push(
      t.ok
        ? pass(`kafka.transport.${t.broker}`, t.detail)
        : fail(`kafka.transport.${t.broker}`, t.detail),
    );
  }

  let clusterId: string | null = null;
  let topicCount = 0;
  const mechanism = src.access.credentials.mechanism;
  if (!transports.some((t) => t.ok)) {
    checks.push(
      fail(
        'kafka.sasl',
        'not attempted: no bootstrap broker is reachable over TLS (see the transport checks)',
      ),
    );
  } else {
    let session: KafkaSession | undefined;
    try {
      // Only brokers that passed DNS/TCP/TLS: the client would otherwise
      // try a stalled broker again on every bootstrap request.
      session = await deps.kafka.connect({
        ...src.access,
        bootstrapBrokers: transports.filter((t) => t.ok).map((t) => t.broker),
      });
      checks.push(
        pass(
          'kafka.sasl',
          `${mechanism} authentication as ${src.principal} succeeded`,
        ),
      );
    } catch (error) {
      const f = classifyKafkaError(error);
      checks.push(
        fail(
          'kafka.sasl',
          `${mechanism} as ${src.principal}: ${SASL_ADVICE[f.kind] ?? f.message}`,
        ),
      );
    }
    if (session) {
      try {
        await advertisedChecks(session, plan, src.access.tls, deps, checks);
        ({ clusterId, topicCount } = await sessionChecks(
          plan,
          session,
          src.principal,
          src.username,
          checks,
        ));
      } finally {
        await session.close().catch(() => {});
      }
    }
  }

  await deps.ledger.putChecks(event.migrationId, 'probe', checks);
  const idCheck = checks.find((c) => c.id === 'kafka.cluster-id');
  if (clusterId && idCheck?.ok) {
    await deps.ledger.updateMigration(event.migrationId, {
      sourceClusterId: clusterId,
      updatedAt: deps.clock.now().toISOString(),
    });
  }
  const summary = summarize(checks);
  deps.log.info('probe finished', {
    passed: summary.passed,
    failed: summary.failed,
    warnings: summary.warnings,
    clusterId,
  });
  if (!summary.ok) {
    throw new PreflightFailedError(
      `${summary.failed} Kafka-side check(s) failed: ${summary.failures.join(' | ')}`,
    );
  }
  return { ...summary, clusterId, topicCount };
}
