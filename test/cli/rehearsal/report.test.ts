import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../../cli/rehearsal/rehearse.ts';
import { isoDuration } from '../../../cli/rehearsal/rehearse.ts';
import {
  elapsedLabel,
  renderReport,
  svgChart,
  timeAxis,
  writeReport,
} from '../../../cli/rehearsal/report.ts';
import {
  applicationsLine,
  elapsed,
  gatesLine,
  jsonDocument,
  timelinePrinter,
} from '../../../cli/rehearsal/terminal.ts';

const T0 = Date.parse('2026-01-05T08:00:00Z');
const H = 3_600_000;

function result(): RehearsalResult {
  return {
    outcome: 'SUCCEEDED',
    scenario: 'happy-path',
    description: 'All <apps> move & stay.',
    migrationId: 'orders-platform',
    apps: { orders: 'ON_TARGET' },
    ledgerApps: { orders: 'KEPT_ON_TARGET' },
    replicators: { created: ['r-fwd', 'r-rev'], remaining: [] },
    gates: [
      {
        app: 'orders',
        kind: 'cutover',
        decision: 'cutover',
        openedAt: new Date(T0 + H).toISOString(),
        at: new Date(T0 + 1.2 * H).toISOString(),
        attempts: [{ kind: 'replayed', status: 409, title: 'Already decided' }],
        email: {
          subject: 'Approve cutover of orders',
          body: 'Open https://x/approvals/a?sig=1',
        },
        evidence: {
          replicators: [{ name: 'r-fwd', messageLag: 25, latencyMs: 250 }],
          groups: [{ group: 'g', source: 10, target: null }],
        },
      },
    ],
    accounting: {
      executions: [
        {
          name: 'e',
          historyEvents: 400,
          stateTransitions: 150,
          largestPayloadBytes: 2000,
        },
      ],
      awsCalls: { 'Kafka.CreateReplicator': 2 },
      awsCallsByPrincipal: {
        'create-replicators': { 'Kafka.CreateReplicator': 2 },
      },
      limits: { historyEvents: 400, payloadBytes: 2000, ok: true },
    },
    iam: { enforced: true, checked: 2, denied: [] },
    injected: { throttledCalls: 0 },
    virtualDuration: 'P1DT2H',
    virtualStart: new Date(T0).toISOString(),
    virtualEnd: new Date(T0 + 26 * H).toISOString(),
    wallMs: 1234,
    expected: {
      outcome: 'SUCCEEDED',
      apps: {},
      otherApps: 'ON_TARGET',
      remainingReplicators: 0,
    },
    mismatches: [],
    timeline: [
      {
        at: new Date(T0).toISOString(),
        wallMs: 1,
        kind: 'phase',
        text: 'plan valid',
      },
    ],
    emails: [],
    notifications: [],
    charts: {
      messageLag: [
        {
          name: 'r-fwd',
          points: [
            [T0 + H, 1000],
            [T0 + 2 * H, 0],
          ],
        },
      ],
      replicationLatency: [{ name: 'r-fwd', points: [] }],
      sumOffsetLag: [{ name: 'source', points: [[T0, 5]] }],
    },
  };
}

describe('report', () => {
  it('should draw one polyline per series with data and mark series without', () => {
    const svg = svgChart(
      'Lag',
      'records',
      result().charts.messageLag,
      T0,
      T0 + 4 * H,
      [T0 + H],
    );
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('stroke-dasharray');
    const empty = svgChart(
      'Latency',
      'ms',
      result().charts.replicationLatency,
      T0,
      T0 + H,
    );
    expect(empty).toContain('(no data)');
    expect(empty).not.toContain('<polyline');
  });

  it('should give the cutover hours the width and compress the rollback window into a break', () => {
    // A run like the three-application rehearsal: gates in the first
    // three hours, the 24 h rollback window, then the teardown gate.
    const gates = [1.2, 1.6, 2.1, 2.4, 2.9, 3.1, 27.2].map((h) => T0 + h * H);
    const axis = timeAxis(T0, T0 + 27.3 * H, gates, 56, 692);
    // On a linear axis the last cutover gate would sit at 11 % of the
    // width; the axis keeps 5.2 h in 94 % of it.
    expect((axis.x(T0 + 3.1 * H) - 56) / 692).toBeCloseTo((3.1 / 5.2) * 0.94);
    expect(axis.breaks).toHaveLength(1);
    expect(axis.breaks[0]?.ms).toBe(22.1 * H);
    expect(axis.breaks[0]?.x1).toBeCloseTo(
      (axis.breaks[0]?.x0 as number) + 0.06 * 692,
    );
    const labels = axis.ticks.map((t) => t.label);
    expect(labels[0]).toBe('+0:00');
    expect(labels).toContain('+1:00');
    // The axis resumes after the break with the time it resumes at.
    expect(labels).toContain('+1d 02:12');
    const svg = svgChart(
      'Lag',
      'records',
      [
        {
          name: 'r',
          points: [
            [T0, 5],
            [T0 + 27.3 * H, 0],
          ],
        },
      ],
      T0,
      T0 + 27.3 * H,
      gates,
    );
    expect(svg).toContain('class="axis-break"');
    expect(svg).toContain('22.1 h without gates, compressed');
  });

  it('should keep a short run, or one whose gates fill it, linear', () => {
    const short = timeAxis(T0, T0 + 4 * H, [T0 + H, T0 + 3 * H], 0, 400);
    expect(short.breaks).toEqual([]);
    expect(short.x(T0 + 2 * H)).toBeCloseTo(200);
    const busy = Array.from({ length: 200 }, (_, i) => T0 + i * 0.5 * H);
    expect(timeAxis(T0, T0 + 100 * H, busy, 0, 400).breaks).toEqual([]);
  });

  it('should map time to x monotonically from the left edge to the right edge, whatever the gates', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 * 24 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          maxLength: 40,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 2,
          maxLength: 40,
        }),
        (hours, gateShares, probes) => {
          const to = T0 + hours * H;
          const marks = gateShares.map((f) => T0 + f * (to - T0));
          const axis = timeAxis(T0, to, marks, 56, 692);
          expect(axis.x(T0)).toBeCloseTo(56, 6);
          expect(axis.x(to)).toBeCloseTo(56 + 692, 6);
          const times = probes
            .map((f) => T0 + f * (to - T0))
            .sort((a, b) => a - b);
          const xs = times.map(axis.x);
          for (let i = 1; i < xs.length; i++) {
            expect(xs[i] as number).toBeGreaterThanOrEqual(
              (xs[i - 1] as number) - 1e-9,
            );
          }
          for (let i = 1; i < axis.ticks.length; i++) {
            expect((axis.ticks[i] as { x: number }).x).toBeGreaterThan(
              (axis.ticks[i - 1] as { x: number }).x,
            );
          }
        },
      ),
    );
  });

  it('should label elapsed time in hours, and in days from a day on', () => {
    expect(elapsedLabel(0)).toBe('+0:00');
    expect(elapsedLabel(1.5 * H)).toBe('+1:30');
    expect(elapsedLabel(26 * H + 5 * 60_000)).toBe('+1d 02:05');
  });

  it('should show gates with evidence and email, escaping what it shows', () => {
    const html = renderReport(result());
    expect(html).toContain('All &lt;apps&gt; move &amp; stay.');
    expect(html).toContain('Gate 1: cutover — orders');
    expect(html).toContain('replayed → 409 Already decided');
    expect(html).toContain('Approve cutover of orders');
    expect(html).toContain('no offsets');
    expect(html).toContain('Reached the expected outcome');
    expect(html).not.toContain('<script');
  });

  it('should say what did not match when the outcome was not reached', () => {
    const r = {
      ...result(),
      mismatches: ['1 replicator(s) remain, expected 0'],
    };
    expect(renderReport(r)).toContain('Did not reach the expected outcome');
  });

  it('should write index.html and result.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-'));
    try {
      const path = writeReport(dir, result());
      expect(readFileSync(path, 'utf8')).toContain('<!doctype html>');
      expect(
        JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')).scenario,
      ).toBe('happy-path');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('terminal output', () => {
  it('should print the JSON document with the fields the issue names', () => {
    const doc = jsonDocument(result());
    expect(Object.keys(doc)).toEqual(
      expect.arrayContaining([
        'outcome',
        'scenario',
        'apps',
        'replicators',
        'gates',
        'accounting',
        'virtualDuration',
        'wallMs',
      ]),
    );
    expect(doc.gates[0]).toMatchObject({
      app: 'orders',
      kind: 'cutover',
      decision: 'cutover',
    });
    expect(Object.keys(doc.accounting)).toEqual([
      'executions',
      'awsCalls',
      'awsCallsByPrincipal',
    ]);
    expect(doc.accounting.awsCallsByPrincipal).toEqual({
      'create-replicators': { 'Kafka.CreateReplicator': 2 },
    });
    expect(doc.iam).toEqual({ enforced: true, checked: 2, denied: [] });
  });

  it('should format virtual time as elapsed and as an ISO duration', () => {
    expect(elapsed(T0, T0 + 26 * H + 5 * 60_000)).toBe('+1d 02:05');
    expect(isoDuration(26 * H + 61_000)).toBe('P1DT2H1M1S');
    expect(isoDuration(0)).toBe('PT0S');
    expect(isoDuration(2 * 24 * H)).toBe('P2D');
  });

  it('should rewrite a progress line while waiting on a TTY, and print plain lines otherwise', () => {
    const entries = [
      {
        at: new Date(T0).toISOString(),
        wallMs: 5,
        kind: 'wait' as const,
        text: 'WaitForReplicators',
      },
      {
        at: new Date(T0 + H).toISOString(),
        wallMs: 1500,
        kind: 'phase' as const,
        text: 'replicators RUNNING',
      },
    ];
    let tty = '';
    const onTty = timelinePrinter(
      {
        write: (t) => {
          tty += t;
        },
        isTTY: true,
      },
      new Date(T0),
    );
    for (const e of entries) onTty(e);
    expect(tty).toBe(
      '\r\x1b[K[+00:00 | 0.0s] waiting (WaitForReplicators) ...\r\x1b[K[+01:00 | 1.5s] replicators RUNNING\n',
    );
    let plain = '';
    const onPipe = timelinePrinter(
      {
        write: (t) => {
          plain += t;
        },
        isTTY: false,
      },
      new Date(T0),
    );
    for (const e of entries) onPipe(e);
    expect(plain).toBe('[+01:00 | 1.5s] replicators RUNNING\n');
  });
});

describe('final summary lines', () => {
  it('should list a few applications and gates one by one', () => {
    const r = result();
    expect(applicationsLine(r.apps)).toBe('orders ON_TARGET');
    expect(gatesLine(r.gates.slice(0, 1))).toBe('cutover orders → cutover');
    expect(gatesLine([])).toBe('none');
  });

  it('should count a thousand of them, naming the ones that differ', () => {
    const apps: RehearsalResult['apps'] = {};
    for (let i = 0; i < 1000; i++) apps[`app-${i}`] = 'ON_TARGET';
    apps['app-7'] = 'ROLLED_BACK';
    apps['app-9'] = 'SKIPPED';
    expect(applicationsLine(apps)).toBe(
      '1,000 in all: 998 ON_TARGET, 1 ROLLED_BACK, 1 SKIPPED (app-7 ROLLED_BACK, app-9 SKIPPED)',
    );
    const gate = result().gates[0];
    if (!gate) throw new Error('fixture');
    const gates = [
      ...Array.from({ length: 1000 }, () => ({ ...gate })),
      ...Array.from({ length: 999 }, () => ({
        ...gate,
        kind: 'keep-or-rollback',
        decision: 'keep',
      })),
      { ...gate, kind: 'keep-or-rollback', decision: 'rollback' },
    ];
    expect(gatesLine(gates)).toBe(
      '2,000 in all: cutover → cutover ×1,000; keep-or-rollback → keep ×999; keep-or-rollback → rollback ×1',
    );
  });
});
