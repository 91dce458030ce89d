/**
 * Cross-field rules of a migration plan: what the schema in `plan.ts` cannot
 * say field by field (DESIGN section 3). Each rule reports every problem it
 * finds, with the dotted JSON path of the field to fix.
 *
 * Cost: a 1,000-application plan has thousands of topics and thousands of
 * literal patterns; patterns are compiled once per list (`Selection`), so
 * each topic costs a set lookup plus the list's real regexes.
 */
import {
  GROUP_PATTERN_PATHS,
  literalOf,
  PatternTooComplexError,
  patternProblem,
  Selection,
} from './patterns.ts';
import type { Plan } from './plan.ts';
import {
  DEFAULT_REPLICATOR_QUOTA,
  literalTopicCount,
  MAX_TOPICS_PER_REPLICATOR,
  planShards,
  REPLICATOR_DESCRIPTION_MAX_LENGTH,
  REPLICATOR_NAME_MAX_LENGTH,
  REPLICATOR_NAME_PATTERN,
  REPLICATOR_QUOTA_CODE,
  replicatorDescription,
  replicatorSpecs,
  shardTopicPaths,
} from './replicator-config.ts';
import { didYouMean } from './suggest.ts';
import { planWaves, waveIndex } from './waves.ts';

/** One problem in a plan: where (dotted JSON path) and what. */
export interface PlanIssue {
  /** e.g. `applications[1].consumerGroups[0]`; empty for the whole plan. */
  path: string;
  message: string;
}

export interface RuleResult {
  errors: PlanIssue[];
  warnings: PlanIssue[];
}

/**
 * Kafka's legal topic name: at most 249 of `[a-zA-Z0-9._-]`, and never `.`
 * or `..` (Kafka's `Topic.validate`).
 */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
export function topicNameProblem(topic: string): string | undefined {
  if (topic === '.' || topic === '..') {
    return `\`${topic}\` is not a Kafka topic name: Kafka refuses "." and ".."`;
  }
  if (!TOPIC_NAME.test(topic)) {
    return `\`${topic}\` is not a Kafka topic name (letters, digits, ".", "_", "-", at most 249)`;
  }
  return undefined;
}
/** API limits on pattern length. */
const MAX_TOPIC_PATTERN = 249;
const MAX_GROUP_PATTERN = 256;

/**
 * Every cross-field problem of a schema-valid plan (errors), and what is
 * allowed but risky (warnings).
 */
export function checkPlanRules(plan: Plan): RuleResult {
  const errors: PlanIssue[] = [];
  const warnings: PlanIssue[] = [];
  const r = plan.replication;
  const hasShards = r.shards !== undefined;

  // Patterns compile as Java regular expressions (MSK Replicator reads them
  // with java.util.regex) and fit the API's length limits.
  const checkPatterns = (
    path: string,
    patterns: readonly string[] | undefined,
    max: number,
  ) => {
    patterns?.forEach((p, i) => {
      // Too long for the API (reported below): not worth parsing.
      const problem = p.length > max ? undefined : patternProblem(p);
      if (problem !== undefined) {
        errors.push({
          path: `${path}[${i}]`,
          message:
            problem.kind === 'invalid'
              ? `\`${p}\` is not a valid regular expression (MSK Replicator reads patterns as Java's java.util.regex): ${problem.message}`
              : `\`${p}\` is ${problem.message}`,
        });
      }
      if (p.length > max) {
        errors.push({
          path: `${path}[${i}]`,
          message: `is ${p.length} characters; the API allows at most ${max}`,
        });
      }
    });
  };
  checkPatterns('replication.topics', r.topics, MAX_TOPIC_PATTERN);
  checkPatterns(
    'replication.topicsToExclude',
    r.topicsToExclude,
    MAX_TOPIC_PATTERN,
  );
  checkPatterns(
    'replication.consumerGroups',
    r.consumerGroups,
    MAX_GROUP_PATTERN,
  );
  checkPatterns(
    'replication.consumerGroupsToExclude',
    r.consumerGroupsToExclude,
    MAX_GROUP_PATTERN,
  );
  r.shards?.forEach((s, i) => {
    checkPatterns(
      `replication.shards[${i}].topics`,
      s.topics,
      MAX_TOPIC_PATTERN,
    );
    checkPatterns(
      `replication.shards[${i}].topicsToExclude`,
      s.topicsToExclude,
      MAX_TOPIC_PATTERN,
    );
  });

  // Shards replace the top-level topic lists.
  if (r.shards !== undefined) {
    if (r.shards.length === 0) {
      errors.push({
        path: 'replication.shards',
        message:
          'needs at least one shard; omit `shards` for a single replicator pair',
      });
    }
    for (const field of ['topics', 'topicsToExclude'] as const) {
      if (r[field] !== undefined) {
        errors.push({
          path: `replication.${field}`,
          message: `must be absent when \`replication.shards\` is set: put the topic patterns in each shard`,
        });
      }
    }
    const seen = new Map<string, number>();
    r.shards.forEach((s, i) => {
      const first = seen.get(s.name);
      if (first !== undefined) {
        errors.push({
          path: `replication.shards[${i}].name`,
          message: `shard \`${s.name}\` is already defined at replication.shards[${first}]`,
        });
      } else seen.set(s.name, i);
    });
  } else if (r.topics === undefined) {
    errors.push({
      path: 'replication.topics',
      message:
        'is required (topic patterns to replicate), unless `replication.shards` lists them',
    });
  }

  // Per-replicator topic limit (literal entries; the probe counts matches).
  const shards = planShards(plan);
  shards.forEach((s, i) => {
    const n = literalTopicCount(s.topics);
    if (n > MAX_TOPICS_PER_REPLICATOR) {
      errors.push({
        path: hasShards
          ? `replication.shards[${i}].topics`
          : 'replication.topics',
        message: `lists ${n} topics; one replicator copies at most ${MAX_TOPICS_PER_REPLICATOR}: split them into more shards`,
      });
    }
  });

  // Replicator names and the replicator quota.
  const specs = replicatorSpecs(plan);
  let longest: { name: string; length: number } | undefined;
  for (const { name, shard, direction } of specs) {
    if (
      name.length > REPLICATOR_NAME_MAX_LENGTH ||
      !REPLICATOR_NAME_PATTERN.test(name)
    ) {
      errors.push({
        path: 'migrationId',
        message: `gives the replicator name \`${name}\`, which MSK Replicator rejects (letters, digits and dashes, at most ${REPLICATOR_NAME_MAX_LENGTH})`,
      });
    }
    const length = replicatorDescription(plan, shard, direction).length;
    if (longest === undefined || length > longest.length) {
      longest = { name, length };
    }
  }
  // The Description the requests carry names the source.
  if (
    longest !== undefined &&
    longest.length > REPLICATOR_DESCRIPTION_MAX_LENGTH
  ) {
    const room =
      plan.source.name.length -
      (longest.length - REPLICATOR_DESCRIPTION_MAX_LENGTH);
    errors.push({
      path: 'source.name',
      message: `makes the Description of replicator \`${longest.name}\` ${longest.length} characters; CreateReplicator allows at most ${REPLICATOR_DESCRIPTION_MAX_LENGTH}: shorten source.name to at most ${Math.max(room, 1)} characters`,
    });
  }
  if (specs.length > DEFAULT_REPLICATOR_QUOTA) {
    warnings.push({
      path: 'replication.shards',
      message: `needs ${specs.length} replicators; the default quota is ${DEFAULT_REPLICATOR_QUOTA} per account and Region: request an increase of Service Quotas code ${REPLICATOR_QUOTA_CODE} (preflight checks the real quota)`,
    });
  }

  // ARNs in the plan's Region.
  const arns: [string, string | undefined][] = [
    ['source.saslScram.secretArn', plan.source.saslScram.secretArn],
    ['source.tls.rootCaSecretArn', plan.source.tls.rootCaSecretArn],
    ['target.mskClusterArn', plan.target.mskClusterArn],
  ];
  for (const [path, arn] of arns) {
    const region = arn?.split(':')[3];
    if (region !== undefined && region !== plan.region) {
      errors.push({
        path,
        message: `is in Region ${region}, but the plan's region is ${plan.region}; MSK Replicator runs in the target's Region and reads its secrets there`,
      });
    }
  }

  // Applications: unique names, topics and groups covered, groups owned once.
  const shardSelections = shards.map((s, i) => ({
    name: s.name,
    selection: new Selection(
      s.topics,
      s.topicsToExclude,
      shardTopicPaths(plan, i),
    ),
  }));
  const groups = new Selection(
    r.consumerGroups,
    r.consumerGroupsToExclude,
    GROUP_PATTERN_PATHS,
  );
  // A pattern too complex to evaluate is reported once, at its own path;
  // the names it could not decide are then not reported again.
  const tooComplex = new Set<string>();
  const bounded = <T>(at: string, evaluate: () => T): T | undefined => {
    try {
      return evaluate();
    } catch (err) {
      if (!(err instanceof PatternTooComplexError)) throw err;
      const path = err.path ?? at;
      if (!tooComplex.has(path)) {
        tooComplex.add(path);
        // The issue carries the path; the message need not repeat it.
        const { message } = new PatternTooComplexError(
          err.pattern,
          err.subject,
        );
        errors.push({ path, message });
      }
      return undefined;
    }
  };
  const appIndex = new Map<string, number>();
  const groupOwner = new Map<string, { app: string; path: string }>();
  plan.applications.forEach((app, i) => {
    const at = `applications[${i}]`;
    const first = appIndex.get(app.name);
    if (first !== undefined) {
      errors.push({
        path: `${at}.name`,
        message: `application \`${app.name}\` is already defined at applications[${first}]`,
      });
    } else appIndex.set(app.name, i);

    for (const field of ['produces', 'consumes'] as const) {
      app[field].forEach((topic, j) => {
        const path = `${at}.${field}[${j}]`;
        const problem = topicNameProblem(topic);
        if (problem !== undefined) {
          errors.push({ path, message: problem });
          return;
        }
        // Without any topic list there is nothing to cover; reported above.
        if (!hasShards && r.topics === undefined) return;
        const owners = bounded(path, () =>
          shardSelections.filter((s) => s.selection.selects(topic)),
        );
        if (owners === undefined) return;
        if (owners.length === 0) {
          errors.push({
            path,
            message: uncoveredTopic(topic, shardSelections, hasShards),
          });
        } else if (owners.length > 1) {
          errors.push({
            path,
            message: `topic \`${topic}\` is selected by shards ${owners.map((o) => `\`${o.name}\``).join(', ')}; each topic must belong to exactly one shard`,
          });
        }
      });
    }
    app.consumerGroups.forEach((group, j) => {
      const path = `${at}.consumerGroups[${j}]`;
      const included = bounded(path, () => groups.include.matches(group));
      if (included === false) {
        errors.push({
          path,
          message: `group \`${group}\` is not replicated: no pattern in replication.consumerGroups matches it`,
        });
      } else if (included) {
        const excludedBy = bounded(path, () =>
          groups.exclude.firstMatch(group),
        );
        if (excludedBy !== undefined) {
          errors.push({
            path,
            message: `group \`${group}\` is excluded by replication.consumerGroupsToExclude (\`${excludedBy}\`), so its offsets would not move`,
          });
        }
      }
      const owner = groupOwner.get(group);
      if (owner !== undefined && owner.app !== app.name) {
        errors.push({
          path,
          message: `group \`${group}\` already belongs to application \`${owner.app}\` (${owner.path}); a group moves with exactly one application`,
        });
      } else if (owner === undefined)
        groupOwner.set(group, { app: app.name, path });
    });
    if (
      app.produces.length === 0 &&
      app.consumes.length === 0 &&
      app.consumerGroups.length === 0
    ) {
      warnings.push({
        path: at,
        message: `application \`${app.name}\` names no topics and no groups, so its cutover cannot be verified`,
      });
    }
  });

  // Shards must not overlap: a literal topic of one shard selected by another.
  if (hasShards && shards.length > 1) {
    shards.forEach((s, i) => {
      s.topics.forEach((p, j) => {
        const literal = literalOf(p);
        if (literal === undefined) return;
        const path = `replication.shards[${i}].topics[${j}]`;
        const others = bounded(path, () =>
          shardSelections.filter(
            (o, k) => k !== i && o.selection.selects(literal),
          ),
        );
        const other = others?.[0];
        if (other !== undefined) {
          errors.push({
            path,
            message: `topic \`${literal}\` is also selected by shard \`${other.name}\`; shards must not overlap`,
          });
        }
      });
    });
  }

  // cutoverOrder is a permutation of the applications.
  if (plan.cutoverOrder !== undefined) {
    const listed = new Map<string, number>();
    plan.cutoverOrder.forEach((name, i) => {
      const path = `cutoverOrder[${i}]`;
      if (!appIndex.has(name)) {
        errors.push({
          path,
          message: `\`${name}\` is not an application${didYouMean(name, appIndex.keys())}`,
        });
      } else if (listed.has(name)) {
        errors.push({
          path,
          message: `\`${name}\` is already listed at cutoverOrder[${listed.get(name)}]`,
        });
      } else listed.set(name, i);
    });
    const missing = [...appIndex.keys()].filter((n) => !listed.has(n));
    if (missing.length > 0) {
      const shown = missing.slice(0, 10).map((n) => `\`${n}\``);
      const more =
        missing.length > 10 ? ` and ${missing.length - 10} more` : '';
      errors.push({
        path: 'cutoverOrder',
        message: `must list every application once; missing ${shown.join(', ')}${more}`,
      });
    }
  }

  checkWaves(plan, appIndex, errors);

  // Allowed but risky.
  if (!r.bidirectional) {
    warnings.push({
      path: 'replication.bidirectional',
      message:
        'is false: only a forward replicator with LEGACY offset sync; a rollback will not carry consumer offsets back to the source',
    });
    const early = producersBeforeConsumers(plan);
    if (early !== undefined) {
      const field =
        plan.cutoverWaves !== undefined ? 'cutoverWaves' : 'cutoverOrder';
      warnings.push({
        path: field,
        message: `moves ${early.producer} (produces ${early.topic}) before ${early.consumer} (consumes it): without a reverse replicator nothing it writes on MSK reaches ${early.consumer} on the source, whose readiness then never passes; move consumers first (an earlier wave, or the same wave)`,
      });
    }
  }
  if (plan.source.clusterId === undefined) {
    warnings.push({
      path: 'source.clusterId',
      message:
        'is not set: the Kafka probe discovers it (kafka-cluster.sh cluster-id) before the replicators are created',
    });
  }
  return { errors, warnings };
}

function uncoveredTopic(
  topic: string,
  shards: readonly { name: string; selection: Selection }[],
  hasShards: boolean,
): string {
  // Every pattern of these lists was just evaluated against `topic`.
  for (const { name, selection } of shards) {
    if (selection.include.matches(topic)) {
      const by = selection.exclude.firstMatch(topic);
      const where = hasShards
        ? `shard \`${name}\`'s topicsToExclude`
        : 'replication.topicsToExclude';
      return `topic \`${topic}\` is excluded by ${where} (\`${by}\`), so it would not be replicated`;
    }
  }
  return hasShards
    ? `topic \`${topic}\` is not replicated: no shard's topics match it`
    : `topic \`${topic}\` is not replicated: no pattern in replication.topics matches it`;
}

/**
 * The first producer the cutover order moves before a consumer of one of
 * its topics (in an earlier wave; one wave moves together) (a one-way plan cannot carry the producer's new records back
 * to the source), or undefined.
 */
function producersBeforeConsumers(
  plan: Plan,
): { producer: string; consumer: string; topic: string } | undefined {
  // Applications of one wave move together: the same position.
  const waves = planWaves(plan);
  const position = waveIndex(waves);
  const at = (name: string) => position.get(name) ?? waves.length;
  // Each topic's last-moved consumer: one pass, however many applications.
  const lastConsumer = new Map<string, string>();
  for (const app of plan.applications) {
    for (const topic of app.consumes) {
      const known = lastConsumer.get(topic);
      if (known === undefined || at(app.name) > at(known)) {
        lastConsumer.set(topic, app.name);
      }
    }
  }
  for (const producer of plan.applications) {
    for (const topic of producer.produces) {
      const consumer = lastConsumer.get(topic);
      if (
        consumer !== undefined &&
        consumer !== producer.name &&
        at(producer.name) < at(consumer)
      ) {
        return { producer: producer.name, consumer, topic };
      }
    }
  }
  return undefined;
}

/**
 * `cutoverWaves`: the alternative to `cutoverOrder`, never both; every
 * application in exactly one wave, wave names unique. Empty waves and bad
 * names are refused by the schema. At most MAX_APPS_PER_WAVE applications
 * per wave.
 */
function checkWaves(
  plan: Plan,
  appIndex: ReadonlyMap<string, number>,
  errors: PlanIssue[],
): void {
  const waves = plan.cutoverWaves;
  if (waves === undefined) return;
  if (plan.cutoverOrder !== undefined) {
    errors.push({
      path: 'cutoverWaves',
      message:
        'and cutoverOrder are both set: give one or the other (the waves already say the order)',
    });
  }
  const waveNames = new Map<string, number>();
  const placed = new Map<string, string>();
  waves.forEach((wave, i) => {
    const first = waveNames.get(wave.name);
    if (first !== undefined) {
      errors.push({
        path: `cutoverWaves[${i}].name`,
        message: `\`${wave.name}\` is already the name of cutoverWaves[${first}]; wave names must be unique`,
      });
    } else waveNames.set(wave.name, i);
    wave.applications.forEach((name, j) => {
      const path = `cutoverWaves[${i}].applications[${j}]`;
      const where = placed.get(name);
      if (!appIndex.has(name)) {
        errors.push({
          path,
          message: `\`${name}\` is not an application${didYouMean(name, appIndex.keys())}`,
        });
      } else if (where !== undefined) {
        errors.push({
          path,
          message: `\`${name}\` is already listed at ${where}; an application belongs to exactly one wave`,
        });
      } else placed.set(name, path);
    });
  });
  const missing = [...appIndex.keys()].filter((n) => !placed.has(n));
  if (missing.length > 0) {
    const shown = missing.slice(0, 10).map((n) => `\`${n}\``);
    const more = missing.length > 10 ? ` and ${missing.length - 10} more` : '';
    errors.push({
      path: 'cutoverWaves',
      message: `must place every application in one wave; missing ${shown.join(', ')}${more}`,
    });
  }
  waves.forEach((wave, i) => {
    if (wave.applications.length > MAX_APPS_PER_WAVE) {
      errors.push({
        path: `cutoverWaves[${i}].applications`,
        message: `a wave holds at most ${MAX_APPS_PER_WAVE} applications (this one has ${wave.applications.length}); split it into more waves`,
      });
    }
  });
}

/**
 * Applications per wave: a wave's execution carries every name of the wave
 * and runs a Map over them, so the 256 KiB payload and 25,000-event history
 * quotas of one execution bind at about 1,100 applications with the
 * longest names (docs/wave-workflow.md, "Limits"); 500 stays under half.
 */
export const MAX_APPS_PER_WAVE = 500;
