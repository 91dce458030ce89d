/**
 * Cost of one readiness poll (benchmark issue, part 2), measured on the real
 * workflow in the rehearsal: the AWS calls the parent's readiness loop makes
 * per iteration (MeasureSourceLag + PollReadiness), by command; the metrics
 * GetMetricData is asked for; the state transitions of one loop iteration
 * (from the ASL); and, at the plan's poll interval, Step Functions
 * transitions and GetMetricData metrics per migration-day with their cost
 * at us-east-1 list prices. For the sample plan and the generated
 * 1,000-application plan (the rehearsal is aborted at its first gate: the
 * readiness polls are what is measured).
 *
 * `npx tsx bench/poll.ts` prints the figures alone.
 */
import { readFileSync } from 'node:fs';
import { stopLocalLedger } from '../cli/rehearsal/local-aws.ts';
import { type PhaseInvocation, rehearse } from '../cli/rehearsal/rehearse.ts';
import { loadScenario, type Scenario } from '../cli/rehearsal/scenario.ts';
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

/** Median AWS calls per parent readiness iteration, by command. */
async function measure(plan: unknown): Promise<PollCost> {
  const iterations: { calls: Record<string, number>; metrics: number }[] = [];
  let current: { calls: Record<string, number>; metrics: number } | undefined;
  const observe = (i: PhaseInvocation) => {
    const event = i.event as { action?: string; app?: string };
    if (event.app !== undefined) return;
    const isMeasure = i.phase === 'probe-source' && event.action === 'measure';
    if (!isMeasure && i.phase !== 'poll-readiness') return;
    if (isMeasure) current = { calls: {}, metrics: 0 };
    current ??= { calls: {}, metrics: 0 };
    for (const [k, v] of Object.entries(i.calls)) {
      current.calls[k] = (current.calls[k] ?? 0) + v;
    }
    current.metrics += i.metricsRequested;
    if (i.phase === 'poll-readiness') {
      iterations.push(current);
      current = undefined;
    }
  };
  const r = await rehearse({ plan, scenario: abortAtFirstGate(), observe });
  if (iterations.length === 0) {
    throw new Error(
      `no readiness poll observed (${r.outcome} ${r.error ?? ''})`,
    );
  }
  const commands = new Set(iterations.flatMap((x) => Object.keys(x.calls)));
  const calls: Record<string, number> = {};
  for (const c of [...commands].sort()) {
    calls[c] = median(iterations.map((x) => x.calls[c] ?? 0));
  }
  const parsed = plan as { readiness?: { pollIntervalSeconds?: number } };
  return {
    calls,
    metrics: median(iterations.map((x) => x.metrics)),
    polls: iterations.length,
    pollIntervalSeconds: parsed.readiness?.pollIntervalSeconds ?? 300,
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
      const cost = await measure(plan);
      const gmd = cost.calls['CloudWatch.GetMetricData'] ?? 0;
      figures.push(
        atMost(
          `poll ${label}: GetMetricData calls per poll`,
          gmd,
          'calls',
          Math.max(1, Math.ceil(cost.metrics / 500)),
          `${cost.metrics} metrics; median of ${cost.polls} polls`,
        ),
      );
      for (const [command, n] of Object.entries(cost.calls)) {
        if (command === 'CloudWatch.GetMetricData' || n === 0) continue;
        figures.push(info(`poll ${label}: ${command} per poll`, n, 'calls'));
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
