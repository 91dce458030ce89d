/**
 * Cost of one readiness poll (benchmark issue, part 2), measured on the real
 * workflow in the rehearsal: the AWS calls the parent's readiness loop makes
 * per iteration (MeasureSourceLag + PollReadiness), by command; the metrics
 * GetMetricData is asked for; the state transitions of one loop iteration
 * (from the ASL); and, at the plan's poll interval, Step Functions
 * transitions and GetMetricData metrics per migration-day with their cost
 * at us-east-1 list prices. Full polls (the replicator rules held, so the
 * consumer groups were judged) carry the targets; polls that deferred the
 * groups (the replicator rules failed) are reported beside them. For the
 * sample plan and the generated
 * 1,000-application plan (the rehearsal is aborted at its first gate: the
 * readiness polls are what is measured).
 *
 * `npx tsx bench/poll.ts` prints the figures alone.
 */
import { readFileSync } from 'node:fs';
import { stopLocalLedger } from '../cli/rehearsal/local-aws.ts';
import { type PhaseInvocation, rehearse } from '../cli/rehearsal/rehearse.ts';
import { loadScenario, type Scenario } from '../cli/rehearsal/scenario.ts';
import { GROUP_RULES_DEFERRED } from '../functions/shared/domain/readiness.ts';
import { atMost, type Figure, info, median } from './figure.ts';
import { largePlan } from './rehearsal.ts';

/** Step Functions Standard, us-east-1: $0.025 per 1,000 state transitions. */
export const USD_PER_TRANSITION = 0.025 / 1000;
/** CloudWatch GetMetricData: $0.01 per 1,000 metrics requested. */
export const USD_PER_METRIC = 0.01 / 1000;
const LOOP_START = 'WaitBeforeReadinessPoll';

type AslState = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
};

/**
 * States entered in one iteration of the loop that starts at `start`: the
 * shortest path from `start` back to itself (each entered state is one
 * billed transition).
 */
export function loopLength(
  states: Record<string, AslState>,
  start = LOOP_START,
): number {
  const next = (name: string) => {
    const s = states[name];
    if (!s) return [];
    return [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next)].filter(
      (n): n is string => typeof n === 'string',
    );
  };
  const seen = new Map<string, number>([[start, 0]]);
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    const depth = seen.get(name) ?? 0;
    for (const n of next(name)) {
      if (n === start) return depth + 1;
      if (!seen.has(n)) {
        seen.set(n, depth + 1);
        queue.push(n);
      }
    }
  }
  throw new Error(`${start} is not in a loop`);
}

function abortAtFirstGate(): Scenario {
  return {
    ...loadScenario('abort-before-cutover'),
    name: 'poll-cost',
  };
}

interface PollCost {
  calls: Record<string, number>;
  metrics: number;
  polls: number;
  pollIntervalSeconds: number;
}

interface Iteration {
  calls: Record<string, number>;
  metrics: number;
  /** The poll judged the consumer groups (the replicator rules held). */
  full: boolean;
}

/**
 * Median AWS calls per parent readiness iteration, by command, for the
 * full polls (the replicator rules held, so the groups were measured and
 * their target lag read) and for the polls that deferred the groups (the
 * replicator rules failed, e.g. while the backlog drains).
 */
async function measure(
  plan: unknown,
): Promise<{ full: PollCost; deferred: PollCost | null }> {
  const iterations: Iteration[] = [];
  let current: Omit<Iteration, 'full'> | undefined;
  const observe = (i: PhaseInvocation) => {
    const event = i.event as { app?: string };
    if (event.app !== undefined) return;
    const isMeasure = i.phase === 'measure-source-lag';
    if (!isMeasure && i.phase !== 'poll-readiness') return;
    if (isMeasure) current = { calls: {}, metrics: 0 };
    current ??= { calls: {}, metrics: 0 };
    for (const [k, v] of Object.entries(i.calls)) {
      current.calls[k] = (current.calls[k] ?? 0) + v;
    }
    current.metrics += i.metricsRequested;
    if (i.phase === 'poll-readiness') {
      const reasons = (i.result as { reasons?: string[] }).reasons ?? [];
      iterations.push({
        ...current,
        full: !reasons.includes(GROUP_RULES_DEFERRED),
      });
      current = undefined;
    }
  };
  const r = await rehearse({ plan, scenario: abortAtFirstGate(), observe });
  const parsed = plan as { readiness?: { pollIntervalSeconds?: number } };
  const pollIntervalSeconds = parsed.readiness?.pollIntervalSeconds ?? 300;
  const summary = (list: Iteration[]): PollCost => {
    const commands = new Set(list.flatMap((x) => Object.keys(x.calls)));
    const calls: Record<string, number> = {};
    for (const c of [...commands].sort()) {
      calls[c] = median(list.map((x) => x.calls[c] ?? 0));
    }
    return {
      calls,
      metrics: median(list.map((x) => x.metrics)),
      polls: list.length,
      pollIntervalSeconds,
    };
  };
  const full = iterations.filter((x) => x.full);
  const deferred = iterations.filter((x) => !x.full);
  if (full.length === 0) {
    throw new Error(
      `no full readiness poll observed (${r.outcome} ${r.error ?? ''})`,
    );
  }
  return {
    full: summary(full),
    deferred: deferred.length > 0 ? summary(deferred) : null,
  };
}

export async function run(): Promise<Figure[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const asl = JSON.parse(
    readFileSync('statemachines/migration.asl.json', 'utf8'),
  ) as { States: Record<string, AslState> };
  const perIteration = loopLength(asl.States);
  const figures: Figure[] = [
    atMost(
      'poll: state transitions per readiness iteration',
      perIteration,
      'transitions',
      4,
    ),
  ];
  const plans: [string, unknown][] = [
    ['sample', JSON.parse(readFileSync('events/start-migration.json', 'utf8'))],
    ['1,000 apps', largePlan()],
  ];
  try {
    for (const [label, plan] of plans) {
      const { full: cost, deferred } = await measure(plan);
      const gmd = cost.calls['CloudWatch.GetMetricData'] ?? 0;
      figures.push(
        atMost(
          `poll ${label}: GetMetricData calls per poll`,
          gmd,
          'calls',
          Math.max(1, Math.ceil(cost.metrics / 500)),
          `${cost.metrics} metrics; median of ${cost.polls} full polls`,
        ),
      );
      for (const [command, n] of Object.entries(cost.calls)) {
        if (command === 'CloudWatch.GetMetricData' || n === 0) continue;
        figures.push(info(`poll ${label}: ${command} per poll`, n, 'calls'));
      }
      if (deferred) {
        figures.push(
          info(
            `poll ${label}, replicator rules failing: GetMetricData metrics per poll`,
            deferred.metrics,
            'metrics',
          ),
          info(
            `poll ${label}, replicator rules failing: AWS calls per poll`,
            Object.values(deferred.calls).reduce((a, b) => a + b, 0),
            'calls',
          ),
        );
      }
      const perDay = 86_400 / cost.pollIntervalSeconds;
      const transitions = Math.round(perDay * perIteration);
      const metrics = Math.round(perDay * cost.metrics);
      figures.push(
        info(
          `poll ${label}: state transitions per migration-day`,
          transitions,
          'transitions',
        ),
        info(
          `poll ${label}: Step Functions cost per migration-day`,
          Number((transitions * USD_PER_TRANSITION).toFixed(4)),
          'USD',
        ),
        info(
          `poll ${label}: GetMetricData metrics per migration-day`,
          metrics,
          'metrics',
        ),
        info(
          `poll ${label}: GetMetricData cost per migration-day`,
          Number((metrics * USD_PER_METRIC).toFixed(4)),
          'USD',
        ),
      );
      if (deferred) {
        const idle = Math.round(perDay * deferred.metrics);
        figures.push(
          info(
            `poll ${label}, replicator rules failing: GetMetricData cost per migration-day`,
            Number((idle * USD_PER_METRIC).toFixed(4)),
            'USD',
          ),
        );
      }
    }
  } finally {
    await stopLocalLedger();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await run()) {
    console.log(
      `${f.ok === null ? '    ' : f.ok ? 'ok  ' : 'MISS'} ${f.name}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ''}${f.note ? ` — ${f.note}` : ''}`,
    );
  }
}
