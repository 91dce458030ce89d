/**
 * poll-readiness for a wave: each application judged on its own against
 * the wave's one measurement, with its own evidence; the wave ready when
 * every application is.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runWavePollReadiness } from '../../../functions/poll-readiness/wave-readiness.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import {
  Harness,
  healthyMetrics,
  MIGRATION,
  onSource,
  planRef,
  planText,
  T0,
} from './fixtures.ts';

let db: LocalDynamo;
let h: Harness;
let n = 0;

const wavePlan = planText((p) => {
  delete p.cutoverOrder;
  p.cutoverWaves = [
    { name: 'front', applications: ['order-status', 'customer-notification'] },
    { name: 'back', applications: ['orders'] },
  ];
});

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  h = new Harness(db, await db.createTable(`wave-poll-${++n}`));
  await h.setUp(wavePlan);
});

async function pollWave(iteration: number, lagging = false) {
  // The lagging application: its group's lag on MSK stays far above the limit.
  h.metrics = (metric, dims) =>
    lagging &&
    metric === 'SumOffsetLag' &&
    Object.values(dims).includes('customer-notification')
      ? [5_000_000]
      : healthyMetrics(metric, dims);
  const measurementId = await h.measure(onSource());
  return runWavePollReadiness(
    {
      migrationId: MIGRATION,
      planRef,
      iteration,
      measurementId,
      wave: 'front',
    },
    h.deps(),
  );
}

describe('poll-readiness (a wave)', () => {
  it('is ready only once every application of the wave is, and keeps each one its own evidence', async () => {
    const first = await pollWave(0);
    expect(first.ready).toBe(false);
    expect(first).toMatchObject({
      waiting: ['order-status', 'customer-notification'],
      iteration: 1,
      continueAsNew: false,
      evidenceId: `readiness-${T0.toISOString()}-order-status`,
    });
    expect(first.reasons[0]).toMatch(/^order-status: /);
    let last = first;
    for (let i = 1; i < 6 && !last.ready; i++) {
      h.advance(5);
      last = await pollWave(i);
    }
    expect(last.ready).toBe(true);
    expect(last).toMatchObject({ waiting: [], reasons: [] });
    for (const app of ['order-status', 'customer-notification']) {
      const evidence = await h.ledger.latestEvidence(
        MIGRATION,
        'readiness',
        app,
      );
      expect(evidence?.ready, app).toBe(true);
    }
    // The other wave's application was not polled.
    expect(
      await h.ledger.latestEvidence(MIGRATION, 'readiness', 'orders'),
    ).toBeNull();
  });

  it('names the one application holding the wave back', async () => {
    let r = await pollWave(0, true);
    for (let i = 1; i < 6; i++) {
      h.advance(5);
      r = await pollWave(i, true);
    }
    expect(r.ready).toBe(false);
    expect(r.waiting).toEqual(['customer-notification']);
    expect(r.reasons.length).toBeGreaterThan(0);
    for (const reason of r.reasons) {
      expect(reason).toMatch(/^customer-notification: /);
    }
    expect(
      (await h.ledger.latestEvidence(MIGRATION, 'readiness', 'order-status'))
        ?.ready,
    ).toBe(true);
  });

  it('refuses a wave the plan does not have, and a wave with an application', async () => {
    const measurementId = await h.measure(onSource());
    const base = {
      migrationId: MIGRATION,
      planRef,
      iteration: 0,
      measurementId,
    };
    await expect(
      runWavePollReadiness({ ...base, wave: 'ghost' }, h.deps()),
    ).rejects.toThrow(/wave: "ghost" is not a wave of plan/);
    await expect(
      runWavePollReadiness({ ...base, wave: 'front', app: 'orders' }, h.deps()),
    ).rejects.toThrow(ValidationError);
  });
});
