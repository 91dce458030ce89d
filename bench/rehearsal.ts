/**
 * Rehearsal figures (benchmark issue, part 3): wall time of the sample
 * plan's rehearsal (IAM enforced, as `npm start` runs it; the figure
 * includes synthesizing the stack for its policies unless cached, see
 * docs/iam-enforcement.md), the cost of that synthesis alone, and for the generated 1,000-application, 5,000-topic
 * (7 shards), 5,000-group plan: wall time, peak memory, the largest history
 * of any execution and the largest payload. The large run starts with seven
 * virtual days without replicator metrics, so readiness polls for a week
 * (and its loop continues as new executions) before the applications move.
 * Then the forecast error (forecast against simulated actuals, hours and
 * cost) on the sample plan and on the large plan's happy path.
 *
 * `npx tsx bench/rehearsal.ts` prints the figures alone.
 */
import { readFileSync } from 'node:fs';
import { synthesize } from '../cli/rehearsal/iam-policies.ts';
import { stopLocalLedger } from '../cli/rehearsal/local-aws.ts';
import type { RehearsalResult } from '../cli/rehearsal/rehearse.ts';
import { rehearse } from '../cli/rehearsal/rehearse.ts';
import { loadScenario, type Scenario } from '../cli/rehearsal/scenario.ts';
import { generatePlan } from '../functions/shared/domain/generate-plan.ts';
import { atMost, type Figure, info } from './figure.ts';

const WEEK_MINUTES = 7 * 24 * 60;

/**
 * The generated plan of the scale target, moving 40 applications at a time,
 * at the default rehearsal parameters: 1,000 applications producing 50
 * records/s of 1 KiB each (about 7,100 records/s into each of the seven
 * forward replicators, far below the documented capacity of their ~4,300
 * partitions).
 */
export function largePlan(): unknown {
  const plan = generatePlan({
    apps: 1000,
    topics: 5000,
    groups: 5000,
    shards: 7,
    migrationId: 'scale-test',
  });
  return { ...plan, cutoverConcurrency: 40 };
}

/**
 * The same generated plan in 20 waves of 50 applications (in the plan's
 * order), at the default parameters: no `cutoverConcurrency`, so each wave
 * moves its 50 applications at once.
 */
export function largeWavePlan(): unknown {
  const plan = generatePlan({
    apps: 1000,
    topics: 5000,
    groups: 5000,
    shards: 7,
    migrationId: 'scale-waves',
  }) as { applications: { name: string }[]; cutoverOrder?: unknown };
  const { cutoverOrder: _order, ...rest } = plan;
  const names = plan.applications.map((a) => a.name);
  return {
    ...rest,
    cutoverWaves: Array.from({ length: 20 }, (_, i) => ({
      name: `wave-${i + 1}`,
      applications: names.slice(i * 50, (i + 1) * 50),
    })),
  };
}

/** happy-path after a week in which CloudWatch has no replicator datapoint. */
export function weekOfPolling(): Scenario {
  const base = loadScenario('happy-path');
  return {
    ...base,
    name: 'scale-week-of-polling',
    description:
      'The generated 1,000-application plan; readiness polls a week before the metrics appear.',
    plan: { readiness: { maxWaitHours: 24 * 9 } },
    faults: { metricsMissing: { fromMinute: 0, toMinute: WEEK_MINUTES } },
  };
}

/** Forecast errors (percent of the simulated value) of one rehearsal. */
export function forecastErrors(label: string, r: RehearsalResult): Figure[] {
  const rows = r.forecast?.comparison ?? [];
  const pick = (what: string) => rows.find((c) => c.what === what)?.error;
  const figures: Figure[] = [];
  for (const [what, name] of [
    ['hours', 'hours'],
    ['cost (USD)', 'cost'],
    ['state transitions', 'state transitions'],
    ['metrics requested', 'metrics requested'],
  ] as const) {
    const e = pick(what);
    if (e !== undefined && e !== null) {
      figures.push(
        info(
          `forecast error ${label}: ${name}`,
          Math.round(e * 1000) / 10,
          '%',
        ),
      );
    }
  }
  return figures;
}

async function timed<T>(
  work: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  try {
    const value = await work();
    return {
      value,
      ms: performance.now() - t0,
      // CPU time of this process: on a shared machine, wall time also
      // counts the time other processes held the cores.
      cpuMs: (() => {
        const d = process.cpuUsage(cpu0);
        return (d.user + d.system) / 1000;
      })(),
      peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
    };
  } finally {
    clearInterval(sampler);
  }
}

export async function run(): Promise<Figure[]> {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const figures: Figure[] = [];
  try {
    const sample = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    const small = await timed(() =>
      rehearse({ plan: sample, scenario: loadScenario('happy-path') }),
    );
    figures.push(
      ...forecastErrors('sample plan', small.value),
      atMost(
        'rehearsal sample plan: wall time',
        Math.round(small.ms),
        'ms',
        10_000,
        small.value.mismatches.length
          ? `did not reach its outcome: ${small.value.mismatches[0]}`
          : undefined,
      ),
    );
    const plain = await timed(() =>
      rehearse({
        plan: sample,
        scenario: loadScenario('happy-path'),
        iam: false,
      }),
    );
    const synth = await timed(() => synthesize(process.cwd()));
    figures.push(
      atMost(
        'rehearsal sample plan: wall time without IAM enforcement',
        Math.round(plain.ms),
        'ms',
        10_000,
        `run second in the same process (modules loaded); the enforced run evaluated ${small.value.iam.checked} requests`,
      ),
      atMost(
        'rehearsal IAM: synthesizing the stack for its policies (uncached)',
        Math.round(synth.ms),
        'ms',
        10_000,
        'cached on disk by source hash after the first rehearsal',
      ),
    );
    const large = await timed(() =>
      rehearse({ plan: largePlan(), scenario: weekOfPolling() }),
    );
    const r = large.value;
    const note = r.mismatches.length
      ? `did not reach its outcome: ${r.mismatches[0]}`
      : undefined;
    figures.push(
      atMost(
        'rehearsal 1,000 apps: wall time',
        Math.round(large.ms),
        'ms',
        120_000,
        note,
      ),
      info('rehearsal 1,000 apps: CPU time', Math.round(large.cpuMs), 'ms'),
      atMost(
        'rehearsal 1,000 apps: peak memory (RSS)',
        Math.round(large.peakMb),
        'MB',
        1024,
      ),
      atMost(
        'rehearsal 1,000 apps: largest history of an execution',
        r.accounting.limits.historyEvents,
        'events',
        10_000,
        `${r.accounting.executions.length} executions`,
      ),
      atMost(
        'rehearsal 1,000 apps: largest payload',
        r.accounting.limits.payloadBytes,
        'bytes',
        32 * 1024,
      ),
    );
    // The forecast knows nothing of a week without metrics: compare it
    // with the large plan's happy path.
    const happy = await timed(() =>
      rehearse({ plan: largePlan(), scenario: loadScenario('happy-path') }),
    );
    figures.push(
      info(
        'rehearsal 1,000 apps happy path: wall time',
        Math.round(happy.ms),
        'ms',
      ),
      info(
        'rehearsal 1,000 apps happy path: CPU time',
        Math.round(happy.cpuMs),
        'ms',
      ),
      ...forecastErrors('1,000 apps', happy.value),
    );
    const waves = await timed(() =>
      rehearse({ plan: largeWavePlan(), scenario: loadScenario('happy-path') }),
    );
    const w = waves.value;
    figures.push(
      {
        ...info(
          'rehearsal 1,000 apps in 20 waves: wall time',
          Math.round(waves.ms),
          'ms',
        ),
        ...(w.mismatches.length
          ? { note: `did not reach its outcome: ${w.mismatches[0]}` }
          : {}),
      },
      info(
        'rehearsal 1,000 apps in 20 waves: CPU time',
        Math.round(waves.cpuMs),
        'ms',
      ),
      atMost(
        'rehearsal 1,000 apps in 20 waves: gates',
        w.gates.length,
        'gates',
        41,
      ),
      atMost(
        'rehearsal 1,000 apps in 20 waves: largest history of an execution',
        w.accounting.limits.historyEvents,
        'events',
        25_000,
        `${w.accounting.executions.length} executions`,
      ),
      atMost(
        'rehearsal 1,000 apps in 20 waves: largest payload',
        w.accounting.limits.payloadBytes,
        'bytes',
        256 * 1024,
      ),
    );
  } finally {
    await stopLocalLedger();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of await run()) {
    console.log(
      `${f.ok === false ? 'MISS' : 'ok  '} ${f.name}: ${f.value} ${f.unit} (target ${f.target})${f.note ? ` — ${f.note}` : ''}`,
    );
  }
}
