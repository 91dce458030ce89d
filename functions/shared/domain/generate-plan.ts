/**
 * Large, valid, deterministic plans for the rehearsal's scale scenario, the
 * benchmarks and tests: the same inputs always give the same plan.
 */
import type { PlanInput } from './plan.ts';
import { MAX_TOPICS_PER_REPLICATOR } from './replicator-config.ts';

export interface GeneratePlanOptions {
  /** Number of applications. */
  apps: number;
  /** Number of topics, spread over the applications in contiguous blocks. */
  topics: number;
  /** Number of consumer groups, spread over the applications likewise. */
  groups: number;
  /** Number of shards (replicator pairs); 0 or 1 for an unsharded plan. */
  shards: number;
  /** @default 'scale-test' */
  migrationId?: string;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A plan with `apps` applications owning `topics` topics and `groups`
 * consumer groups. Topic `k` belongs to application `floor(k·apps/topics)`,
 * which produces it; every application also consumes the first topic of the
 * next application, so cross-application flows exist. Shards list their
 * topics literally (contiguous ranges), so each must stay within 750.
 *
 * @throws RangeError when the numbers cannot give a valid plan (an
 * application without topics, or a shard above 750 topics).
 */
export function generatePlan(options: GeneratePlanOptions): PlanInput {
  const { apps, topics, groups } = options;
  const shardCount = Math.max(1, options.shards);
  if (!Number.isInteger(apps) || apps < 1) {
    throw new RangeError(`apps must be a positive integer (got ${apps})`);
  }
  if (topics < apps) {
    throw new RangeError(
      `topics (${topics}) must be at least apps (${apps}) so every application owns one`,
    );
  }
  if (Math.ceil(topics / shardCount) > MAX_TOPICS_PER_REPLICATOR) {
    throw new RangeError(
      `${topics} topics over ${shardCount} shard(s) exceeds ${MAX_TOPICS_PER_REPLICATOR} topics per replicator`,
    );
  }
  const appName = (i: number) => `app-${pad(i, 4)}`;
  const ownerOf = (k: number, total: number) => Math.floor((k * apps) / total);

  const produced: string[][] = Array.from({ length: apps }, () => []);
  const topicNames: string[] = [];
  for (let k = 0; k < topics; k++) {
    const owner = ownerOf(k, topics);
    const name = `${appName(owner)}-t${pad(k, 5)}`;
    produced[owner]?.push(name);
    topicNames.push(name);
  }
  const groupsOf: string[][] = Array.from({ length: apps }, () => []);
  for (let g = 0; g < groups; g++) {
    const owner = ownerOf(g, groups);
    groupsOf[owner]?.push(`${appName(owner)}-g${pad(g, 5)}`);
  }

  const applications = produced.map((own, i) => {
    const next = produced[(i + 1) % apps]?.[0];
    return {
      name: appName(i),
      produces: own,
      consumes: apps > 1 && next !== undefined ? [next] : [],
      consumerGroups: groupsOf[i] ?? [],
      owners: [`team-${pad(i % 50, 2)}@example.com`],
    };
  });

  const perShard = Math.ceil(topics / shardCount);
  const shards = Array.from({ length: shardCount }, (_, s) => ({
    name: `s${s + 1}`,
    topics: topicNames.slice(s * perShard, (s + 1) * perShard),
    topicsToExclude: [],
  })).filter((s) => s.topics.length > 0);

  const migrationId = options.migrationId ?? 'scale-test';
  return {
    migrationId,
    region: 'us-east-1',
    source: {
      name: 'onprem-kafka',
      clusterId: 'lkc-scale1',
      bootstrapBrokers: [
        'kafka-1.onprem.example.com:9096',
        'kafka-2.onprem.example.com:9096',
        'kafka-3.onprem.example.com:9096',
      ],
      saslScram: {
        mechanism: 'SHA512',
        secretArn:
          'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/onprem-replicator-AbCdEf',
      },
      tls: {},
      vpc: {
        subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
        securityGroupIds: ['sg-0a1b2c3d4e5f60001'],
      },
    },
    target: {
      mskClusterArn:
        'arn:aws:kafka:us-east-1:123456789012:cluster/scale-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2',
      vpc: {
        subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
        securityGroupIds: ['sg-0a1b2c3d4e5f60011'],
      },
    },
    replication:
      shardCount > 1
        ? { consumerGroups: ['app-[0-9]{4}-g[0-9]{5}'], shards }
        : {
            topics: topicNames,
            topicsToExclude: [],
            consumerGroups: ['app-[0-9]{4}-g[0-9]{5}'],
          },
    applications,
    approvals: { notifyEmails: ['kafka-migration@example.com'] },
  };
}
