import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { loadPlan } from '../../../functions/shared/load-plan.ts';
import type { PlanStore } from '../../../functions/shared/ports.ts';

const sample = readFileSync('events/start-migration.json', 'utf-8');
const ref = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
const storeOf = (text: string): PlanStore => ({
  get: async () => text,
  put: async () => ref,
});

describe('loadPlan', () => {
  it('should return the validated plan and a stable digest', async () => {
    const a = await loadPlan(storeOf(sample), ref);
    const b = await loadPlan(storeOf(sample), ref);
    expect(a.plan.migrationId).toBe('orders-platform');
    expect(a.plan.readiness.maxWaitHours).toBe(168);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.digest).toBe(a.digest);
  });

  it('should list every issue with its path', async () => {
    const plan = JSON.parse(sample);
    plan.migrationId = 'Bad Id';
    plan.readiness.maxMessageLag = -1;
    const err = await loadPlan(storeOf(JSON.stringify(plan)), ref).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect(String(err)).toMatch(/migrationId/);
    expect(String(err)).toMatch(/readiness\.maxMessageLag/);
    expect(String(err)).toMatch(/p\.json\?versionId=v1/);
  });

  it('should name the first 20 problems of a plan with thousands', async () => {
    const plan = JSON.parse(sample);
    plan.applications = Array.from({ length: 3000 }, (_, i) => ({
      name: `app-${i}`,
      consumerGroups: [`not-replicated-${i}`],
    }));
    const err = await loadPlan(storeOf(JSON.stringify(plan)), {
      ...ref,
      versionId: 'many',
    }).catch((e: unknown) => String(e));
    expect(err).toMatch(/; and \d+ more \(msk-cutover plan lists them all\)$/);
    expect((err as string).length).toBeLessThan(10_000);
  });

  it('should reject text that is not JSON', async () => {
    await expect(loadPlan(storeOf('{nope'), ref)).rejects.toThrow(
      /not valid JSON/,
    );
  });

  it('should read and validate a pinned version once per store', async () => {
    let reads = 0;
    const store: PlanStore = {
      get: async () => {
        reads++;
        return sample;
      },
      put: async () => ref,
    };
    const first = await loadPlan(store, ref);
    const again = await Promise.all([
      loadPlan(store, ref),
      loadPlan(store, ref),
    ]);
    expect(reads).toBe(1);
    expect(again[0].plan).toBe(first.plan);
    await loadPlan(store, { ...ref, versionId: 'v2' });
    expect(reads).toBe(2);
  });

  it('should read again after a failed read', async () => {
    let reads = 0;
    const store: PlanStore = {
      get: async () => {
        reads++;
        if (reads === 1) throw new Error('throttled');
        return sample;
      },
      put: async () => ref,
    };
    await expect(loadPlan(store, ref)).rejects.toThrow('throttled');
    await expect(loadPlan(store, ref)).resolves.toMatchObject({
      plan: { migrationId: 'orders-platform' },
    });
    expect(reads).toBe(2);
  });
});
