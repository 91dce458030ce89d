/**
 * A synthetic rehearsal result of the 1,000-application generated plan
 * (functions/shared/domain/generate-plan.ts), in 20 waves of 50 or
 * application by application, shaped as the rehearsal records it: two
 * gates per wave (or per application) and the teardown a day later, every
 * gate with its email and evidence, the timeline at its cap, a chart point
 * every five minutes, an accounting row per execution. For the report's
 * size and layout at scale without running the rehearsal.
 */
import type { RehearsalResult } from '../../../cli/rehearsal/rehearse.ts';
import type { ReportWave } from '../../../cli/rehearsal/report.ts';
import { generatePlan } from '../../../functions/shared/domain/generate-plan.ts';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const H = 3_600_000;
const iso = (ms: number) => new Date(T0 + ms).toISOString();

export function largePlan() {
  const plan = generatePlan({
    apps: 1000,
    topics: 1000,
    groups: 1000,
    shards: 2,
  });
  const names = plan.applications.map((a) => a.name);
  const waves: ReportWave[] = Array.from({ length: 20 }, (_, k) => ({
    name: `wave-${String(k + 1).padStart(2, '0')}`,
    applications: names.slice(k * 50, (k + 1) * 50),
  }));
  return { names, waves };
}

const email = (subject: string, lines: readonly string[]) => ({
  subject,
  body: [
    'Move the applications to Amazon MSK now?',
    '',
    ...lines.map(
      (l) =>
        `  [ ] ${l}: READY: Ready: every rule held, no records would be missed.`,
    ),
    '',
    'Open the page to decide: https://api.example/approvals/AbCdEfGhIjKlMnOpQrStUv?sig=1700000000.0123456789abcdef0123456789abcdef',
  ].join('\n'),
});

const evidence = (apps: readonly string[]) => ({
  replicators: ['s1-fwd', 's1-rev', 's2-fwd', 's2-rev'].map((name) => ({
    name: `msk-cutover-scale-test-${name}`,
    messageLag: 12,
    latencyMs: 850,
  })),
  groups: apps.map((a) => ({ group: `${a}-g`, source: 40, target: 900 })),
});

/**
 * The result of the large plan: `waves` true for 20 waves of 50 (41
 * gates), false for application-by-application gates (2,001).
 */
export function largeResult(withWaves: boolean): RehearsalResult {
  const { names, waves } = largePlan();
  const apps: Record<string, string> = {};
  for (const n of names) apps[n] = 'ON_TARGET';
  apps[names[120] as string] = 'ROLLED_BACK';
  apps[names[121] as string] = 'SKIPPED';
  const gates: RehearsalResult['gates'] = [];
  let t = H;
  if (withWaves) {
    for (const w of waves) {
      for (const kind of ['wave-cutover', 'wave-keep-or-rollback']) {
        gates.push({
          kind,
          wave: w.name,
          decision: kind === 'wave-cutover' ? 'cutover' : 'keep',
          openedAt: iso(t),
          at: iso(t + 0.05 * H),
          attempts: [],
          email: email(
            `[msk-cutover] scale-test: ${kind} ${w.name}`,
            w.applications,
          ),
          evidence: evidence(w.applications),
        } as RehearsalResult['gates'][number]);
        t += 0.5 * H;
      }
    }
  } else {
    for (const n of names) {
      for (const kind of ['cutover', 'keep-or-rollback']) {
        gates.push({
          app: n,
          kind,
          decision: kind === 'cutover' ? 'cutover' : 'keep',
          openedAt: iso(t),
          at: iso(t + 0.02 * H),
          attempts: [],
          email: email(`[msk-cutover] scale-test: ${kind} ${n}`, [n]),
          evidence: evidence([n]),
        });
        t += 0.05 * H;
      }
    }
  }
  const end = t + 24 * H;
  gates.push({
    kind: 'teardown',
    decision: 'teardown',
    openedAt: iso(end),
    at: iso(end + 0.1 * H),
    attempts: [],
    email: email('[msk-cutover] scale-test: approve teardown', []),
    evidence: evidence([]),
  });
  const series = (name: string) => ({
    name,
    points: Array.from(
      { length: Math.ceil((end + H) / (5 * 60_000)) },
      (_, i) =>
        [T0 + i * 5 * 60_000, Math.max(0, 400_000 - i * 4_000)] as [
          number,
          number,
        ],
    ),
  });
  const replicators = ['s1-fwd', 's1-rev', 's2-fwd', 's2-rev'].map(
    (s) => `msk-cutover-scale-test-${s}`,
  );
  return {
    outcome: 'SUCCEEDED',
    scenario: 'scale',
    description: '1,000 applications.',
    migrationId: 'scale-test',
    apps,
    ledgerApps: {},
    replicators: { created: replicators, remaining: [] },
    gates,
    accounting: {
      executions: [
        'scale-test',
        ...(withWaves ? waves.map((_, k) => `scale-test-w${k}`) : []),
        ...names.map((_, k) => `scale-test-a${k}`),
      ].map((name) => ({
        name,
        historyEvents: 52,
        stateTransitions: 30,
        largestPayloadBytes: 700,
      })),
      awsCalls: {
        'Kafka.DescribeClusterV2': 1200,
        'CloudWatch.GetMetricData': 5000,
      },
      awsCallsByPrincipal: {},
      limits: { historyEvents: 856, payloadBytes: 39_700, ok: true },
    },
    iam: { enforced: true, checked: 0, denied: [] },
    injected: { throttledCalls: 0 },
    virtualDuration: 'P2D',
    virtualStart: iso(0),
    virtualEnd: iso(end + H),
    wallMs: 1,
    expected: {
      outcome: 'SUCCEEDED',
      apps: {},
      otherApps: 'ON_TARGET',
      remainingReplicators: 0,
    },
    mismatches: [],
    timeline: Array.from({ length: 5000 }, (_, i) => ({
      at: iso(i * 60_000),
      wallMs: i,
      kind: 'state',
      text: `app-${String(i % 1000).padStart(4, '0')}: entered WaitForReadiness`,
    })),
    emails: [],
    notifications: [],
    charts: {
      messageLag: replicators.map(series),
      replicationLatency: replicators.map(series),
      sumOffsetLag: [series('source'), series('target')],
    },
  } as unknown as RehearsalResult;
}
