/**
 * poll-readiness: one iteration of the await-readiness loops (the whole
 * migration in the parent, one application in the child).
 *
 * Each poll reads every replicator metric of both directions of every shard
 * in scope, and the target's consumer lag, in one GetMetricData request
 * (batched per 500 queries), takes the source-side lag from the Kafka
 * measurement just before it, evaluates the readiness rules, and folds the
 * verdict into the sustained window kept in the ledger. Numbers go to the
 * ledger as evidence; the result carries the verdict and short reasons.
 */
import {
  LOOP_ITERATIONS_PER_EXECUTION,
  type PollReadinessEvent,
  type PollReadinessResult,
  type ReplicatorRef,
} from '../shared/contracts.ts';
import {
  ReadinessStalledError,
  ReadinessTimeoutError,
  ReplicatorFailedError,
  TransientError,
  ValidationError,
} from '../shared/domain/errors.ts';
import {
  clusterNameOf,
  QUERIES_PER_REQUEST,
  type QueryReplicator,
  readinessQueries,
} from '../shared/domain/metric-queries.ts';
import {
  appGroups,
  appTopics,
  GROUP_PATTERN_PATHS,
  Selection,
} from '../shared/domain/patterns.ts';
import type { Application, Plan } from '../shared/domain/plan.ts';
import {
  advanceTracker,
  evaluateReadiness,
  GROUP_RULES_DEFERRED,
  measuredGroups,
  notReadyNoticeDue,
  type ReadinessVerdict,
} from '../shared/domain/readiness.ts';
import {
  planShards,
  replicatorSpecs,
  shardOfTopic,
  shardsOfApp,
} from '../shared/domain/replicator-config.ts';
import {
  advanceStall,
  appendTrends,
  forecastRules,
  type ReadinessOutlook,
  readinessOutlook,
  stallDiagnosis,
} from '../shared/domain/trend.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  Clock,
  Ledger,
  Log,
  Metrics,
  Notifier,
  PlanStore,
  Replicators,
} from '../shared/ports.ts';

export interface PollReadinessDeps {
  plans: PlanStore;
  ledger: Ledger;
  metrics: Metrics;
  replicators: Replicators;
  notifier: Notifier;
  clock: Clock;
  log: Log;
}

/** Reasons carried in the result (the full list is in the evidence). */
const MAX_RESULT_REASONS = 20;
const MAX_REASON_CHARS = 300;
/** CloudWatch publishes with a delay of a few minutes: look back at least this far. */
const MIN_LOOKBACK_MS = 5 * 60_000;

/**
 * Runs one readiness poll.
 *
 * @throws ValidationError when `app` is not in the plan
 * @throws ReplicatorFailedError when a replicator of the scope is missing
 * @throws ReadinessTimeoutError after `readiness.maxWaitHours` without readiness
 * @throws ReadinessStalledError when the forecast stalled for
 * `readiness.stallMinutes` and the plan sets `readiness.failWhenStalled`
 */
export async function runPollReadiness(
  event: PollReadinessEvent,
  deps: PollReadinessDeps,
): Promise<PollReadinessResult> {
  if (event.wave !== undefined) {
    throw new ValidationError(
      'wave: a wave is polled by runWavePollReadiness, one application at a time',
    );
  }
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const now = deps.clock.now();
  const app = appOf(plan, event.app);
  const settings = plan.readiness;

  const replicators = await scopeReplicators(
    plan,
    app,
    event.migrationId,
    deps,
  );
  const apps = app ? [app] : plan.applications;
  const groups = [...new Set(apps.flatMap(appGroups))];
  const topics = app ? appTopics(app) : [];
  const queries = readinessQueries({
    replicators: replicators.map((r) =>
      app
        ? {
            ...r,
            topics: topics.filter((t) => shardOfTopic(plan, t) === r.shard),
          }
        : r,
    ),
    targetClusterName: clusterNameOf(plan.target.mskClusterArn),
    lagPairs: apps.flatMap((a) =>
      appGroups(a).flatMap((group) =>
        a.consumes.map((topic) => ({ group, topic })),
      ),
    ),
  });
  const lookback = Math.max(
    (settings.pollIntervalSeconds + 60) * 1000,
    MIN_LOOKBACK_MS,
  );
  const from = new Date(now.getTime() - lookback);
  // The replicator rules first. The consumer-group rules (target lag from
  // CloudWatch, source lag from the measurement) are judged only once they
  // hold: a large estate's group queries need requests of their own, and
  // are only sent then; a small plan's fit in the same request.
  const together = queries.queries.length <= QUERIES_PER_REQUEST;
  const series = queries.label(
    await deps.metrics.query(
      together ? queries.queries : queries.ofKind(['replicator', 'alias']),
      from,
      now,
    ),
  );
  const expectedGroupCount = expectedGroupCounts(plan, replicators);
  const replicatorVerdict = evaluateReadiness({
    series: series.filter((s) => s.kind !== 'targetLag'),
    thresholds: settings,
    expectedGroupCount,
    groups: [],
    measurement: [],
  });
  let verdict: ReadinessVerdict;
  if (!replicatorVerdict.ok) {
    verdict = replicatorVerdict;
    verdict.reasons.push(GROUP_RULES_DEFERRED);
  } else {
    if (!together) {
      series.push(
        ...queries.label(
          await deps.metrics.query(queries.ofKind(['targetLag']), from, now),
        ),
      );
    }
    const measurement = await deps.ledger.getEvidence(
      event.migrationId,
      event.measurementId,
    );
    verdict = evaluateReadiness({
      series,
      thresholds: settings,
      expectedGroupCount,
      groups,
      measurement: measuredGroups(measurement?.data),
    });
    if (!measurement) {
      verdict.ok = false;
      verdict.reasons.unshift(
        `measurement ${event.measurementId} is not in the ledger: source-side lag unknown`,
      );
    } else if (Date.parse(measurement.at) < from.getTime()) {
      // The replicator rules failed at the previous poll, so the groups
      // were not measured for this one (`groupMeasurementDue`).
      verdict.ok = false;
      verdict.reasons.unshift(
        `the newest measurement (${measurement.evidenceId}) is from before this poll window; the groups are measured again for the next poll`,
      );
    }
  }

  const previous = await deps.ledger.getReadinessTracker(
    event.migrationId,
    event.app,
  );
  const step = advanceTracker(previous, verdict.ok, now, settings);

  // The trend of each failing lag rule, its forecast, and the stall window.
  const trends = appendTrends(step.tracker.trends, verdict.outcomes, now);
  const forecasts = forecastRules(trends, verdict.outcomes);
  const deadline = new Date(
    Date.parse(step.tracker.waitingSince) + settings.maxWaitHours * 3_600_000,
  );
  const outlook: ReadinessOutlook = verdict.ok
    ? { status: 'unknown' }
    : readinessOutlook(forecasts, now, deadline, settings.sustainedMinutes);
  const { stalledSince, stallNotifiedAt, ...kept } = step.tracker;
  const stall = advanceStall(
    {
      ...(stalledSince ? { stalledSince } : {}),
      ...(stallNotifiedAt ? { stallNotifiedAt } : {}),
    },
    outlook.status,
    now,
    settings.stallMinutes,
  );
  const forecastTexts = forecasts
    .filter((f) => f.outlook !== 'unknown')
    .map((f) => f.text);
  if (outlook.status === 'late' && outlook.readyAt) {
    forecastTexts.push(
      `forecast: ready around ${outlook.readyAt}, after the readiness deadline ${deadline.toISOString()}`,
    );
  }
  step.tracker = {
    ...kept,
    ...stall.state,
    ...(Object.keys(trends).length > 0 ? { trends } : {}),
    ...(forecastTexts.length > 0
      ? { forecast: clip([forecastTexts.join('; ')])[0] ?? '' }
      : {}),
  };
  const reasons = [...forecastTexts, ...verdict.reasons];
  if (verdict.ok && !step.ready) {
    const toGo = Math.ceil(settings.sustainedMinutes - step.heldMinutes);
    reasons.push(
      `every rule holds since ${step.tracker.readySince}; ready once they held ${settings.sustainedMinutes} minutes (${toGo} to go)`,
    );
  }

  const evidenceId = `readiness-${now.toISOString()}${event.app ? `-${event.app}` : ''}`;
  await deps.ledger.putEvidence({
    migrationId: event.migrationId,
    evidenceId,
    at: now.toISOString(),
    kind: 'readiness',
    ...(event.app ? { app: event.app } : {}),
    ready: step.ready,
    reasons,
    data: evidenceData(verdict, {
      measurementId: event.measurementId,
      window: { from: from.toISOString(), to: now.toISOString() },
      heldMinutes: Math.floor(step.heldMinutes),
      sustainedMinutes: settings.sustainedMinutes,
      waitingSince: step.tracker.waitingSince,
      queries: queries.queries.length,
      forecast: {
        outlook: outlook.status,
        ...(outlook.readyAt ? { readyAt: outlook.readyAt } : {}),
        deadline: deadline.toISOString(),
        rules: forecasts.map(
          ({ rule, value, perSecond, etaSeconds, text }) => ({
            rule,
            value,
            perSecond,
            etaSeconds,
            text,
          }),
        ),
        ...(step.tracker.stalledSince
          ? { stalledSince: step.tracker.stalledSince }
          : {}),
      },
    }),
  });

  const tracker = step.tracker;
  const scope = event.app ? `application ${event.app}` : 'replication';
  if (step.timedOut) {
    await deps.ledger.putReadinessTracker(
      event.migrationId,
      event.app,
      tracker,
    );
    const more =
      reasons.length > 5
        ? ` (${reasons.length - 5} more in ${evidenceId})`
        : '';
    throw new ReadinessTimeoutError(
      `${event.migrationId}: ${scope} not ready after ${settings.maxWaitHours} hours (since ${tracker.waitingSince}): ${clip(reasons.slice(0, 5)).join('; ')}${more}`,
    );
  }
  if (stall.stalled && !tracker.stallNotifiedAt) {
    const since = tracker.stalledSince ?? now.toISOString();
    await deps.notifier.publish({
      migrationId: event.migrationId,
      type: 'Readiness Stalled',
      subject: `${event.migrationId}: ${scope} readiness stalled: ${outlook.status === 'never' ? 'will not catch up' : 'not before the deadline'}`,
      body: [
        `Waiting since ${tracker.waitingSince}; gives up after ${settings.maxWaitHours} hours (${deadline.toISOString()}).`,
        `Since ${since} (${Math.floor(stall.stalledMinutes)} minutes) every poll forecasts ${outlook.status === 'never' ? 'that replication will not catch up' : 'readiness after the deadline'}.`,
        ...stallDiagnosis({
          outlook,
          forecasts,
          outcomes: verdict.outcomes,
          replicators,
          notes: verdict.notes,
          deadline,
        }),
        settings.failWhenStalled
          ? 'readiness.failWhenStalled is set: the wait ends now with ReadinessStalledError.'
          : `The wait goes on until the deadline; set readiness.failWhenStalled to end it at a stall.`,
        `Evidence: ${evidenceId}`,
      ].join('\n'),
      detail: {
        evidenceId,
        ...(event.app ? { app: event.app } : {}),
        outlook: outlook.status,
        stalledSince: since,
        deadline: deadline.toISOString(),
        forecasts: forecasts.map(
          ({ rule, value, limit, perSecond, etaSeconds, text }) => ({
            rule,
            value,
            limit,
            perSecond,
            etaSeconds,
            text,
          }),
        ),
        replicators: replicators.map((r) => ({ name: r.name, shard: r.shard })),
      },
    });
    tracker.stallNotifiedAt = now.toISOString();
  }
  if (stall.stalled && settings.failWhenStalled) {
    await deps.ledger.putReadinessTracker(
      event.migrationId,
      event.app,
      tracker,
    );
    throw new ReadinessStalledError(
      `${event.migrationId}: ${scope} readiness stalled since ${tracker.stalledSince}: ${clip(forecastTexts.slice(0, 3)).join('; ')} (evidence ${evidenceId})`,
    );
  }
  // Per-application readiness is followed at once by the cutover gate's own
  // email, so only the migration-wide "ready" is announced here.
  if (step.ready && !event.app && !tracker.readyNotifiedAt) {
    await deps.notifier.publish({
      migrationId: event.migrationId,
      type: 'Replication Ready',
      subject: `${event.migrationId}: replication is ready`,
      body: [
        `Every readiness rule held for ${settings.sustainedMinutes} minutes.`,
        'The applications can now be moved one by one; each cutover asks for approval first.',
        `Evidence: ${evidenceId}`,
      ].join('\n'),
      detail: { evidenceId, readySince: tracker.readySince },
    });
    tracker.readyNotifiedAt = now.toISOString();
    await deps.ledger.updateMigration(event.migrationId, {
      ...(tracker.readySince ? { readySince: tracker.readySince } : {}),
    });
  }
  if (!step.ready && notReadyNoticeDue(tracker, now)) {
    const hours = Math.floor(
      (now.getTime() - Date.parse(tracker.waitingSince)) / 3_600_000,
    );
    await deps.notifier.publish({
      migrationId: event.migrationId,
      type: 'Replication Not Ready',
      subject: `${event.migrationId}: ${scope} still not ready after ${hours} h`,
      body: [
        `Waiting since ${tracker.waitingSince}; gives up after ${settings.maxWaitHours} hours.`,
        'Why:',
        ...clip(reasons).map((r) => `- ${r}`),
        `Evidence: ${evidenceId}`,
      ].join('\n'),
      detail: {
        evidenceId,
        ...(event.app ? { app: event.app } : {}),
        reasons: clip(reasons),
      },
    });
    tracker.lastNotReadyNoticeAt = now.toISOString();
  }
  await deps.ledger.putReadinessTracker(event.migrationId, event.app, tracker);

  deps.log.info('readiness polled', {
    ready: step.ready,
    failing: verdict.reasons.length,
    heldMinutes: Math.floor(step.heldMinutes),
    evidenceId,
  });
  const iteration = event.iteration + 1;
  return {
    ready: step.ready,
    reasons: clip(reasons),
    evidenceId,
    iteration,
    continueAsNew: !step.ready && iteration >= LOOP_ITERATIONS_PER_EXECUTION,
    // The next MeasureSourceLag reads this from the state (not the ledger).
    poll: { at: now.toISOString(), replicatorsHealthy: replicatorVerdict.ok },
  };
}

function appOf(plan: Plan, name: string | undefined): Application | undefined {
  if (name === undefined) return undefined;
  const app = plan.applications.find((a) => a.name === name);
  if (!app) {
    throw new ValidationError(
      `app: "${name}" is not an application of plan ${plan.migrationId}`,
    );
  }
  return app;
}

/**
 * The replicators of the shards in scope, with their cluster aliases (read
 * once with DescribeReplicator, then cached on the ledger's replicator ref).
 */
async function scopeReplicators(
  plan: Plan,
  app: Application | undefined,
  migrationId: string,
  deps: Pick<PollReadinessDeps, 'ledger' | 'replicators' | 'log'>,
): Promise<(QueryReplicator & { shard: string })[]> {
  const shards = new Set(
    app ? shardsOfApp(plan, app) : planShards(plan).map((s) => s.name),
  );
  const recorded = new Map(
    (await deps.ledger.listReplicators(migrationId)).map((r) => [r.name, r]),
  );
  const out: (QueryReplicator & { shard: string })[] = [];
  for (const spec of replicatorSpecs(plan)) {
    if (!shards.has(spec.shard)) continue;
    const ref = recorded.get(spec.name);
    if (!ref) {
      throw new ReplicatorFailedError(
        `replicator ${spec.name} is not recorded for migration ${migrationId}: was it created?`,
      );
    }
    const aliases = ref.clusterAliases ?? (await readAliases(ref, deps));
    if (!ref.clusterAliases) {
      await deps.ledger.putReplicator(migrationId, {
        ...ref,
        clusterAliases: aliases,
      });
    }
    out.push({ name: ref.name, shard: ref.shard, aliases });
  }
  return out;
}

async function readAliases(
  ref: ReplicatorRef,
  deps: Pick<PollReadinessDeps, 'replicators' | 'log'>,
): Promise<{ source: string; target: string }> {
  const described = await deps.replicators.describe(ref.arn);
  if (!described) {
    throw new ReplicatorFailedError(
      `replicator ${ref.name} (${ref.arn}) no longer exists`,
    );
  }
  const clusters = described.KafkaClusters ?? [];
  const target = clusters.find((c) => c.AmazonMskCluster)?.KafkaClusterAlias;
  const source = clusters.find((c) => c.ApacheKafkaCluster)?.KafkaClusterAlias;
  if (!source || !target) {
    // Aliases appear once the replicator is set up; the retry finds them.
    throw new TransientError(
      `replicator ${ref.name} reports no cluster alias yet (state ${described.ReplicatorState ?? 'unknown'})`,
    );
  }
  deps.log.debug('cluster aliases read', { replicator: ref.name });
  return { source, target };
}

/**
 * Groups each replicator should be syncing: the applications' declared
 * groups that the plan's group patterns select and that consume a topic of
 * the replicator's shard. Patterns may select more groups than the plan
 * names, so the rule is "at least this many".
 */
function expectedGroupCounts(
  plan: Plan,
  replicators: { name: string; shard: string }[],
): Map<string, number> {
  const byShard = groupsPerShard(plan);
  return new Map(replicators.map((r) => [r.name, byShard.get(r.shard) ?? 0]));
}

/**
 * Declared groups per shard, computed once per plan (plans are read-only;
 * `loadPlan` returns the same object for a pinned version): every poll of
 * every application reads it, and it walks every application.
 */
const groupsPerShardOf = new WeakMap<Plan, Map<string, number>>();

function groupsPerShard(plan: Plan): Map<string, number> {
  const cached = groupsPerShardOf.get(plan);
  if (cached) return cached;
  const groupSel = new Selection(
    plan.replication.consumerGroups,
    plan.replication.consumerGroupsToExclude,
    GROUP_PATTERN_PATHS,
  );
  const groups = new Map(
    planShards(plan).map((s) => [s.name, new Set<string>()]),
  );
  for (const a of plan.applications) {
    const selected = a.consumerGroups.filter((g) => groupSel.selects(g));
    if (selected.length === 0) continue;
    for (const t of a.consumes) {
      const shard = shardOfTopic(plan, t);
      const set = shard === undefined ? undefined : groups.get(shard);
      for (const g of selected) set?.add(g);
    }
  }
  const counts = new Map([...groups].map(([s, set]) => [s, set.size]));
  groupsPerShardOf.set(plan, counts);
  return counts;
}

/**
 * The numbers behind the verdict: the worst value of each rule, how many
 * subjects passed each rule, and every failing outcome. Passing outcomes
 * are counted, not listed: a migration-wide poll of a large estate judges
 * thousands of groups, every few minutes, for days.
 */
function evidenceData(
  verdict: ReadinessVerdict,
  context: Record<string, unknown>,
): Record<string, unknown> {
  const worst: Record<string, number | null> = {};
  const passed: Record<string, number> = {};
  const failed: Omit<ReadinessVerdict['outcomes'][number], 'reason'>[] = [];
  for (const o of verdict.outcomes) {
    const prev = worst[o.rule];
    if (o.value === null) worst[o.rule] = prev ?? null;
    else worst[o.rule] = Math.max(prev ?? o.value, o.value);
    if (o.ok) {
      passed[o.rule] = (passed[o.rule] ?? 0) + 1;
    } else {
      const { rule, subject, ok, value, limit } = o;
      failed.push({ rule, subject, ok, value, limit });
    }
  }
  return {
    ...context,
    failing: verdict.reasons.length,
    worst,
    passed,
    notes: verdict.notes,
    outcomes: failed,
  };
}

function clip(reasons: string[]): string[] {
  const out = reasons
    .slice(0, MAX_RESULT_REASONS)
    .map((r) =>
      r.length > MAX_REASON_CHARS ? `${r.slice(0, MAX_REASON_CHARS - 1)}…` : r,
    );
  if (reasons.length > MAX_RESULT_REASONS) {
    out.push(
      `… and ${reasons.length - MAX_RESULT_REASONS} more in the evidence`,
    );
  }
  return out;
}
