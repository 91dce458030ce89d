/**
 * The forecast of `msk-cutover plan` beside what the rehearsal simulated:
 * the same plan, the same parameters, the same prices. The simulator and
 * the forecast share the capacity model; everything else (the workflow's
 * polls, gates and moves) the forecast derives on its own, so the
 * comparison checks its arithmetic against a real run.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import {
  type RehearsalResult,
  rehearse,
} from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';
import { jsonDocument, printSummary } from '../../../cli/rehearsal/terminal.ts';

const plan: unknown = JSON.parse(
  readFileSync('events/start-migration.json', 'utf8'),
);

function row(r: RehearsalResult, what: string) {
  const found = r.forecast?.comparison.find((c) => c.what === what);
  if (!found) throw new Error(`no ${what} row`);
  return found;
}

describe('forecast beside the rehearsal', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should forecast the happy path within a few percent of the simulated run', async () => {
    const r = await rehearse({ plan, scenario: loadScenario('happy-path') });
    expect(r.mismatches).toEqual([]);
    expect(r.forecast?.forecast.outcome).toBe('completes');
    const hours = row(r, 'hours');
    expect(hours.actual).toBeCloseTo(
      (Date.parse(r.virtualEnd) - Date.parse(r.virtualStart)) / 3_600_000,
      5,
    );
    expect(Math.abs(hours.error ?? 1)).toBeLessThan(0.02);
    expect(Math.abs(row(r, 'cost (USD)').error ?? 1)).toBeLessThan(0.02);
    expect(Math.abs(row(r, 'replicator-hours').error ?? 1)).toBeLessThan(0.02);
    expect(Math.abs(row(r, 'GB replicated').error ?? 1)).toBeLessThan(0.02);
    // The transitions the executions counted, the metrics CloudWatch got.
    expect(row(r, 'state transitions').actual).toBe(
      r.accounting.executions.reduce((s, e) => s + e.stateTransitions, 0),
    );
    expect(Math.abs(row(r, 'state transitions').error ?? 1)).toBeLessThan(0.05);
    expect(Math.abs(row(r, 'metrics requested').error ?? 1)).toBeLessThan(0.05);
    expect(Math.abs(row(r, 'Lambda requests').error ?? 1)).toBeLessThan(0.05);

    // The terminal summary and --json carry both sides.
    let text = '';
    printSummary({ write: (t) => (text += t), isTTY: false }, r);
    expect(text).toContain('  forecast against simulated actuals:');
    expect(text).toMatch(
      / {4}hours: forecast [\d.]+, simulated [\d.]+ \([+-][\d.]+%\)/,
    );
    expect(text).toMatch(/ {4}cost \(USD\): forecast [\d.]+, simulated [\d.]+/);
    const doc = jsonDocument(r) as ReturnType<typeof jsonDocument> & {
      forecast?: {
        forecast: { hours: number; costUsd: number };
        actual: { hours: number };
      };
    };
    expect(doc.forecast?.forecast.hours).toBe(r.forecast?.forecast.hours);
    expect(doc.forecast?.actual.hours).toBe(hours.actual);
  });

  it('should forecast the saturated replicator that the rehearsal could not make ready', async () => {
    const r = await rehearse({
      plan,
      scenario: loadScenario('replicator-saturated'),
    });
    expect(r.mismatches).toEqual([]);
    expect(r.error).toBe('ReadinessTimeoutError');
    const f = r.forecast?.forecast;
    expect(f?.outcome).toBe('readiness-timeout');
    expect(f?.reason).toMatch(/limited by quota/);
    expect(Math.abs(row(r, 'hours').error ?? 1)).toBeLessThan(0.05);
    expect(Math.abs(row(r, 'GB replicated').error ?? 1)).toBeLessThan(0.05);
  });
});
