import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePlan } from '../../../../functions/shared/domain/generate-plan.ts';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import { suggestWaves } from '../../../../functions/shared/domain/suggest-waves.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';

const sample = () => {
  const input = JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../../events/start-migration.json'),
      'utf8',
    ),
  );
  delete input.cutoverOrder;
  return input;
};

interface AppInput {
  name: string;
  produces: string[];
  consumes: string[];
}

/** A plan of the sample's clusters with these applications (topics `t…`). */
const planOf = (applications: AppInput[], extra: object = {}) => {
  const input = sample();
  input.replication.topics = ['t[0-9]+'];
  input.replication.consumerGroups = ['.*'];
  return { ...input, applications, ...extra };
};

/** Applications over a small pool of topics, so components vary. */
const arbitraryApps = fc
  .array(
    fc.record({
      produces: fc.uniqueArray(fc.integer({ min: 0, max: 14 }), {
        maxLength: 2,
      }),
      consumes: fc.uniqueArray(fc.integer({ min: 0, max: 14 }), {
        maxLength: 2,
      }),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((apps) =>
    apps.map((a, i) => ({
      name: `app-${i}`,
      produces: a.produces.map((t) => `t${t}`),
      consumes: a.consumes.map((t) => `t${t}`),
    })),
  );

/** Applications whose topic flow has no cycle: app i consumes only what earlier apps produce. */
const arbitraryFlow = fc
  .array(fc.uniqueArray(fc.nat(), { maxLength: 3 }), {
    minLength: 1,
    maxLength: 25,
  })
  .map((picks) =>
    picks.map((consumed, i) => ({
      name: `app-${i}`,
      produces: [`t${i}`],
      consumes: i === 0 ? [] : [...new Set(consumed.map((c) => `t${c % i}`))],
    })),
  );

/** Connected components of applications sharing a topic, by brute force. */
function components(apps: readonly AppInput[]): number {
  const topics = apps.map((a) => new Set([...a.produces, ...a.consumes]));
  const seen = new Set<number>();
  let count = 0;
  for (let i = 0; i < apps.length; i++) {
    if (seen.has(i)) continue;
    count++;
    const stack = [i];
    seen.add(i);
    while (stack.length > 0) {
      const a = stack.pop() as number;
      for (let b = 0; b < apps.length; b++) {
        if (seen.has(b)) continue;
        if ([...(topics[a] as Set<string>)].some((t) => topics[b]?.has(t))) {
          seen.add(b);
          stack.push(b);
        }
      }
    }
  }
  return count;
}

describe('suggestWaves', () => {
  it('puts every application in exactly one wave, min(N, apps) waves, none empty, a valid cutoverWaves', () => {
    fc.assert(
      fc.property(arbitraryApps, fc.integer({ min: 1, max: 40 }), (apps, n) => {
        const plan = PlanSchema.parse(planOf(apps));
        const { waves } = suggestWaves(plan, n);
        expect(waves).toHaveLength(Math.min(n, apps.length));
        const placed = waves.flatMap((w) => w.applications);
        expect(placed.toSorted()).toEqual(apps.map((a) => a.name).toSorted());
        for (const w of waves) expect(w.applications.length).toBeGreaterThan(0);
        const result = validatePlan(planOf(apps, { cutoverWaves: waves }));
        expect(result.ok ? [] : result.issues).toEqual([]);
      }),
    );
  });

  it('is deterministic: the same plan and N give the same waves', () => {
    fc.assert(
      fc.property(arbitraryApps, fc.integer({ min: 1, max: 10 }), (apps, n) => {
        const plan = PlanSchema.parse(planOf(apps));
        expect(suggestWaves(plan, n)).toEqual(suggestWaves(plan, n));
      }),
    );
  });

  it('keeps applications that share a topic in one wave when N allows (no more waves than groups)', () => {
    fc.assert(
      fc.property(arbitraryApps, fc.integer({ min: 1, max: 30 }), (apps, n) => {
        const groups = components(apps);
        fc.pre(n <= groups);
        const result = suggestWaves(PlanSchema.parse(planOf(apps)), n);
        expect(result.components).toBe(groups);
        expect(result.splitTopics).toEqual([]);
        const waveOf = new Map(
          result.waves.flatMap((w) => w.applications.map((a) => [a, w.name])),
        );
        for (const a of apps) {
          for (const b of apps) {
            const shared = a.produces
              .concat(a.consumes)
              .some((t) => b.produces.includes(t) || b.consumes.includes(t));
            if (shared) expect(waveOf.get(a.name)).toBe(waveOf.get(b.name));
          }
        }
      }),
    );
  });

  it('moves consumers no later than their producers when the flow is one-way: no warning for a plan without a reverse replicator', () => {
    fc.assert(
      fc.property(arbitraryFlow, fc.integer({ min: 1, max: 30 }), (apps, n) => {
        const plan = PlanSchema.parse(planOf(apps));
        const { waves } = suggestWaves(plan, n);
        const input = planOf(apps, { cutoverWaves: waves });
        input.replication.bidirectional = false;
        const result = validatePlan(input);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.warnings.map((w) => w.message)).not.toContainEqual(
          expect.stringMatching(/^moves /),
        );
      }),
    );
  });

  it('splits the published example consumers first, cutting the fewest topics', () => {
    const plan = PlanSchema.parse(sample());
    expect(suggestWaves(plan, 1).waves).toEqual([
      {
        name: 'wave-1',
        applications: ['orders', 'order-status', 'customer-notification'],
      },
    ]);
    expect(suggestWaves(plan, 2)).toEqual({
      waves: [
        { name: 'wave-1', applications: ['customer-notification'] },
        { name: 'wave-2', applications: ['orders', 'order-status'] },
      ],
      requested: 2,
      components: 1,
      splitTopics: ['order_status'],
    });
  });

  it('gives one wave per application when N is larger than the plan', () => {
    const plan = PlanSchema.parse(sample());
    const result = suggestWaves(plan, 10);
    expect(result.requested).toBe(10);
    expect(result.waves.map((w) => w.applications)).toEqual([
      ['customer-notification'],
      ['order-status'],
      ['orders'],
    ]);
  });

  it('refuses N below 1, fractions and absurd sizes', () => {
    const plan = PlanSchema.parse(sample());
    for (const n of [0, -3, 1.5, Number.NaN, 5001]) {
      expect(() => suggestWaves(plan, n)).toThrow(
        'the number of waves must be a whole number from 1 to 5000',
      );
    }
  });

  it('cuts the 1,000-application scale plan into 20 balanced waves, splitting only the ring topics it must', () => {
    const plan = PlanSchema.parse(
      generatePlan({ apps: 1000, topics: 2000, groups: 1000, shards: 3 }),
    );
    const result = suggestWaves(plan, 20);
    expect(result.components).toBe(1);
    expect(result.waves.map((w) => w.applications.length)).toEqual(
      Array(20).fill(50),
    );
    // The generated plan is one ring (each application consumes the next
    // one's first topic): cutting a ring into 20 arcs splits 20 topics.
    expect(result.splitTopics).toHaveLength(20);
  });
});
