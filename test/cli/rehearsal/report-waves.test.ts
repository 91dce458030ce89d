/**
 * The rehearsal report at 1,000 applications: grouped by wave when the
 * plan has waves, one line per gate when it has two thousand of them,
 * charts whose size follows their width, and the page's size in bytes
 * (deterministic, so asserted: the budget is the report's, not a timing).
 */
import { describe, expect, it } from 'vitest';
import { onePixel, renderReport } from '../../../cli/rehearsal/report.ts';
import { largePlan, largeResult } from './report-fixture.ts';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('report by wave', () => {
  const { waves } = largePlan();
  const html = renderReport(largeResult(true), { waves });

  it('should give each wave a heading, its applications with their states, and its own gates', () => {
    expect(html.match(/<section class="wave">/g)).toHaveLength(20);
    expect(html).toContain('<h3 id="wave-1">Wave 1: wave-01</h3>');
    expect(html).toContain('<h3 id="wave-20">Wave 20: wave-20</h3>');
    // Wave 3 holds app-0120 (rolled back) and app-0121 (skipped).
    const wave3 = html.slice(
      html.indexOf('id="wave-3"'),
      html.indexOf('id="wave-4"'),
    );
    expect(wave3).toContain(
      '50 application(s): 48 ON_TARGET, 1 ROLLED_BACK, 1 SKIPPED.',
    );
    expect(wave3).toContain('<td>app-0120</td><td>ROLLED_BACK</td>');
    expect(wave3).toContain('Gate 5: wave-cutover — wave wave-03');
    expect(wave3).toContain('Gate 6: wave-keep-or-rollback — wave wave-03');
    expect(wave3).not.toContain('wave wave-04');
    // The teardown belongs to no wave.
    const other = html.slice(html.indexOf('<h2>Other gates</h2>'));
    expect(other).toContain('Gate 41: teardown');
    expect(html).toContain(
      '1,000 application(s): 998 ON_TARGET, 1 ROLLED_BACK, 1 SKIPPED.',
    );
  });

  it('should label each wave’s gates on the charts where the wave begins, every mark titled', () => {
    const chart = html.slice(
      html.indexOf('<h2>Charts</h2>'),
      html.indexOf('<h2>Waves</h2>'),
    );
    const labels = [
      ...chart.matchAll(/<text class="mark-label"[^>]*>([^<]*)<\/text>/g),
    ].map((m) => m[1]);
    // Three charts; labels only where there is room, in wave order.
    // Every wave labelled (on two rows where they are close), in order.
    expect(labels).toEqual([1, 2, 3].flatMap(() => waves.map((w) => w.name)));
    expect(chart).toContain(
      '<title>Gate 2: wave-keep-or-rollback — wave wave-01</title>',
    );
  });

  it('should take the waves from the result when the options do not give them, and escape their names', () => {
    const r = largeResult(true);
    const evil = '<img src=x onerror=alert(1)>';
    const named = waves.map((w, k) => (k === 0 ? { ...w, name: evil } : w));
    const gates = r.gates.map((g) =>
      (g as { wave?: string }).wave === 'wave-01' ? { ...g, wave: evil } : g,
    );
    const page = renderReport({ ...r, gates, waves: named } as typeof r);
    expect(page).not.toContain('<img');
    expect(page).toContain('Wave 1: &lt;img src=x onerror=alert(1)&gt;');
    expect(page.match(/<section class="wave">/g)).toHaveLength(20);
  });

  it('should stay under a megabyte for 1,000 applications in 20 waves', () => {
    expect(bytes(html)).toBeLessThan(1_000_000);
  });
});

describe('report of 1,000 applications without waves', () => {
  const html = renderReport(largeResult(false));

  it('should list the 2,001 gates one line each and show in full only the first, the last and the notable', () => {
    expect(html).toContain('All 2,001 gates, one line each');
    expect(html.match(/<section class="gate">/g)).toHaveLength(4);
    expect(html).toContain('Gate 2001: teardown');
    expect(
      html.match(
        /<tr><td>\d+<\/td><td>(cutover|keep-or-rollback|teardown)<\/td>/g,
      ),
    ).toHaveLength(2001);
    expect(html).not.toContain('<section class="wave">');
  });

  it('should fold the application table and the timeline, and count the states', () => {
    expect(html).toContain('<summary>The 1,000 applications</summary>');
    expect(html).toContain('<summary>5,000 entries</summary>');
    expect(html).toContain('1,000 application(s): 998 ON_TARGET');
  });

  it('should draw the gates as one path per chart, one line per pixel column, and weigh under 1.2 MB (3.3 MB before)', () => {
    expect(html.match(/class="gate-marks"/g)).toHaveLength(3);
    expect(html).not.toMatch(/<line[^>]*stroke-dasharray/);
    expect(bytes(html)).toBeLessThan(1_200_000);
  });
});

describe('onePixel', () => {
  it('should keep per pixel column the first, lowest, highest and last points, in time order', () => {
    const points: [number, number][] = [
      [0, 5],
      [1, 9],
      [2, 1],
      [3, 4],
      [10, 7],
      [11, 7],
    ];
    // Columns: t < 10 in column 0, the rest in column 1.
    const x = (t: number) => (t < 10 ? 0 : 1);
    expect(onePixel(points, x)).toEqual([
      [0, 5],
      [1, 9],
      [2, 1],
      [3, 4],
      [10, 7],
      [11, 7],
    ]);
    const many = Array.from(
      { length: 10_000 },
      (_, i) => [i, i === 5_000 ? 1e6 : i % 7] as [number, number],
    );
    const kept = onePixel(many, (t) => Math.floor(t / 100));
    expect(kept.length).toBeLessThanOrEqual(400);
    expect(kept).toContainEqual([5_000, 1e6]);
    expect(kept.map((p) => p[0])).toEqual(
      [...kept.map((p) => p[0])].sort((a, b) => a - b),
    );
  });
});
