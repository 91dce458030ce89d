/**
 * The rehearsal report's charts in a real headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core): with the 24 h rollback
 * window compressed, the cutover hours spread over the chart and no axis
 * label overlaps another or leaves the chart. The screenshot is kept in
 * test-output/ as an artefact.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RehearsalResult } from '../../cli/rehearsal/rehearse.ts';
import { renderReport } from '../../cli/rehearsal/report.ts';
import { largePlan, largeResult } from '../cli/rehearsal/report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../test-output/', import.meta.url);
const T0 = Date.parse('2026-01-05T08:00:00Z');
const H = 3_600_000;
const iso = (hours: number) => new Date(T0 + hours * H).toISOString();

/** A three-application run: gates in the first hours, then the rollback window and teardown. */
function threeApps(): RehearsalResult {
  const gate = (app: string | undefined, kind: string, hours: number) => ({
    ...(app ? { app } : {}),
    kind,
    decision: kind === 'teardown' ? 'teardown' : 'cutover',
    openedAt: iso(hours),
    at: iso(hours + 0.05),
    attempts: [],
    evidence: { replicators: [], groups: [] },
  });
  const lag = Array.from({ length: 110 }, (_, i) => {
    const hours = i * 0.25;
    return [T0 + hours * H, Math.max(0, 380_000 - hours * 600_000)] as [
      number,
      number,
    ];
  });
  return {
    outcome: 'SUCCEEDED',
    scenario: 'happy-path',
    description: 'Three applications move and stay.',
    migrationId: 'orders-platform',
    apps: {},
    ledgerApps: {},
    replicators: { created: ['r-fwd', 'r-rev'], remaining: [] },
    gates: [
      gate('order-status', 'cutover', 1.25),
      gate('order-status', 'keep-or-rollback', 1.58),
      gate('orders', 'cutover', 2.08),
      gate('orders', 'keep-or-rollback', 2.42),
      gate('customer-notification', 'cutover', 2.92),
      gate('customer-notification', 'keep-or-rollback', 3.17),
      gate(undefined, 'teardown', 27.4),
    ],
    accounting: {
      executions: [],
      awsCalls: {},
      awsCallsByPrincipal: {},
      limits: { historyEvents: 0, payloadBytes: 0, ok: true },
    },
    iam: { enforced: true, checked: 0, denied: [] },
    injected: { throttledCalls: 0 },
    virtualDuration: 'P1DT3H32M',
    virtualStart: iso(0),
    virtualEnd: iso(27.53),
    wallMs: 1,
    expected: {
      outcome: 'SUCCEEDED',
      apps: {},
      otherApps: 'ON_TARGET',
      remainingReplicators: 0,
    },
    mismatches: [],
    timeline: [],
    emails: [],
    notifications: [],
    charts: {
      messageLag: [{ name: 'r-fwd', points: lag }],
      replicationLatency: [{ name: 'r-fwd', points: lag }],
      sumOffsetLag: [{ name: 'source', points: lag }],
    },
  } as unknown as RehearsalResult;
}

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`,
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('rehearsal report charts in Chromium', () => {
  it('spreads the cutover hours over the chart, with labels that neither overlap nor overflow', async () => {
    const page = await browser.newPage({
      viewport: { width: 1100, height: 900 },
    });
    try {
      await page.setContent(renderReport(threeApps()));
      const chart = page.locator('figure svg').first();
      await chart.screenshot({
        path: new URL('rehearsal-report-chart.png', OUTPUT).pathname,
      });
      const layout = await chart.evaluate((svg) => {
        const box = svg.getBoundingClientRect();
        const labels = [...svg.querySelectorAll('text')]
          .filter((t) => /^\+/.test(t.textContent ?? ''))
          .map((t) => {
            const r = t.getBoundingClientRect();
            return { text: t.textContent, left: r.left, right: r.right };
          });
        const marks = [...svg.querySelectorAll('line[stroke-dasharray]')].map(
          (l) => l.getBoundingClientRect().left - box.left,
        );
        return {
          width: box.width,
          svgLeft: box.left,
          svgRight: box.right,
          labels,
          marks,
          breaks: svg.querySelectorAll('.axis-break').length,
        };
      });
      expect(layout.breaks).toBe(1);
      // The six cutover gates use more than half the chart's width (on a
      // linear axis they would fit in its first tenth).
      const cutoverMarks = layout.marks.slice(0, 6);
      const spread = Math.max(...cutoverMarks) - Math.min(...cutoverMarks);
      expect(spread / layout.width).toBeGreaterThan(0.25);
      expect(Math.max(...cutoverMarks) / layout.width).toBeGreaterThan(0.5);
      expect(layout.labels.length).toBeGreaterThanOrEqual(5);
      for (const [i, label] of layout.labels.entries()) {
        expect(label.left).toBeGreaterThanOrEqual(layout.svgLeft);
        expect(label.right).toBeLessThanOrEqual(layout.svgRight);
        const next = layout.labels[i + 1];
        if (next !== undefined) {
          expect(
            label.right,
            `${label.text} overlaps ${next.text}`,
          ).toBeLessThan(next.left);
        }
      }
      expect(
        await page.evaluate(
          'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
        ),
      ).toBe(true);
    } finally {
      await page.close();
    }
  });

  for (const width of [430, 1280]) {
    it(`reads 1,000 applications in 20 waves at ${width} px: a heading per wave, every wave labelled on the charts without overlap, nothing wider than the screen`, async () => {
      const page = await browser.newPage({
        viewport: { width, height: 900 },
      });
      try {
        const { waves } = largePlan();
        await page.setContent(renderReport(largeResult(true), { waves }));
        expect(await page.locator('section.wave > h3').count()).toBe(20);
        expect(
          await page.locator('section.wave > h3').first().textContent(),
        ).toBe('Wave 1: wave-01');
        const chart = page.locator('figure svg').first();
        await chart.screenshot({
          path: new URL(`rehearsal-report-waves-chart-${width}.png`, OUTPUT)
            .pathname,
        });
        const labels = await chart.evaluate((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            left: box.left,
            right: box.right,
            labels: [...svg.querySelectorAll('text.mark-label')].map((t) => {
              const r = t.getBoundingClientRect();
              return {
                text: t.textContent,
                left: r.left,
                right: r.right,
                top: r.top,
                bottom: r.bottom,
              };
            }),
          };
        });
        expect(labels.labels.map((l) => l.text)).toEqual(
          waves.map((w) => w.name),
        );
        for (const [i, a] of labels.labels.entries()) {
          expect(a.left).toBeGreaterThanOrEqual(labels.left);
          expect(a.right).toBeLessThanOrEqual(labels.right);
          for (const b of labels.labels.slice(i + 1)) {
            const apart =
              a.right <= b.left ||
              b.right <= a.left ||
              a.bottom <= b.top ||
              b.bottom <= a.top;
            expect(apart, `${a.text} overlaps ${b.text}`).toBe(true);
          }
        }
        expect(
          await page.evaluate(
            'document.documentElement.scrollWidth <= document.documentElement.clientWidth',
          ),
        ).toBe(true);
        await page.screenshot({
          path: new URL(`rehearsal-report-waves-${width}.png`, OUTPUT).pathname,
        });
      } finally {
        await page.close();
      }
    }, 60_000);
  }
});
