import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import { checkPlanRules } from '../../../../functions/shared/domain/plan-rules.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';
import {
  cutoverSequence,
  planWaves,
} from '../../../../functions/shared/domain/waves.ts';

const EVENTS = join(import.meta.dirname, '../../../../events');
const read = (file: string) =>
  JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
/** The published three-application example, without an order. */
const sample = () => {
  const input = read('start-migration.json');
  delete input.cutoverOrder;
  return input;
};
const issues = (input: unknown) => {
  const result = validatePlan(input);
  return result.ok ? [] : result.issues.map((i) => [i.path, i.message]);
};

describe('cutoverWaves in a plan', () => {
  it('accepts the sample wave plan without a warning: it runs one gate per wave', () => {
    const result = validatePlan(read('start-migration-waves.json'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(planWaves(result.plan)).toEqual([
      { name: 'order-flow', applications: ['order-status', 'orders'] },
      { name: 'notifications', applications: ['customer-notification'] },
    ]);
    expect(result.warnings.filter((w) => w.path === 'cutoverWaves')).toEqual(
      [],
    );
  });

  it('refuses a wave of more than 500 applications, naming the wave by path', () => {
    const input = sample();
    const base = input.applications[0];
    input.applications = Array.from({ length: 501 }, (_, i) => ({
      ...base,
      name: `app-${i}`,
      consumerGroups: [`cg-app-${i}`],
    }));
    const names = input.applications.map((a: { name: string }) => a.name);
    input.cutoverWaves = [{ name: 'big', applications: names }];
    expect(issues(input)).toContainEqual([
      'cutoverWaves[0].applications',
      'a wave holds at most 500 applications (this one has 501); split it into more waves',
    ]);
    input.cutoverWaves = [
      { name: 'a', applications: names.slice(0, 500) },
      { name: 'b', applications: names.slice(500) },
    ];
    expect(
      issues(input).filter(([path]) => String(path).startsWith('cutoverWaves')),
    ).toEqual([]);
  });

  it('refuses cutoverWaves together with cutoverOrder', () => {
    const input = read('start-migration-waves.json');
    input.cutoverOrder = ['orders', 'order-status', 'customer-notification'];
    expect(issues(input)).toEqual([
      [
        'cutoverWaves',
        'and cutoverOrder are both set: give one or the other (the waves already say the order)',
      ],
    ]);
  });

  it('names the unknown, the twice-placed and the missing applications by path', () => {
    const input = sample();
    input.cutoverWaves = [
      { name: 'one', applications: ['orders', 'order-stats'] },
      { name: 'two', applications: ['orders'] },
    ];
    expect(issues(input)).toEqual([
      [
        'cutoverWaves[0].applications[1]',
        expect.stringMatching(
          /^`order-stats` is not an application.*`order-status`/,
        ),
      ],
      [
        'cutoverWaves[1].applications[0]',
        '`orders` is already listed at cutoverWaves[0].applications[0]; an application belongs to exactly one wave',
      ],
      [
        'cutoverWaves',
        'must place every application in one wave; missing `order-status`, `customer-notification`',
      ],
    ]);
  });

  it('refuses duplicate wave names, empty waves, unsafe names and an empty list', () => {
    const input = sample();
    input.cutoverWaves = [
      { name: 'a', applications: ['orders'] },
      { name: 'a', applications: ['order-status', 'customer-notification'] },
    ];
    expect(issues(input)).toEqual([
      [
        'cutoverWaves[1].name',
        '`a` is already the name of cutoverWaves[0]; wave names must be unique',
      ],
    ]);

    input.cutoverWaves = [
      { name: 'a', applications: [] },
      { name: 'b\u001b[2J', applications: ['orders'] },
      { name: 'x'.repeat(65), applications: ['orders'] },
    ];
    const shape = issues(input);
    expect(shape).toContainEqual([
      'cutoverWaves[0].applications',
      expect.stringContaining('a wave needs at least one application'),
    ]);
    expect(shape.map(([path]) => path)).toContain('cutoverWaves[1].name');
    expect(shape.map(([path]) => path)).toContain('cutoverWaves[2].name');

    input.cutoverWaves = [];
    expect(issues(input)).toContainEqual([
      'cutoverWaves',
      expect.stringContaining('needs at least one wave'),
    ]);
  });

  it('warns about a one-way plan whose waves move a producer before its consumer, not within a wave', () => {
    const input = sample();
    input.replication.bidirectional = false;
    input.cutoverWaves = [
      { name: 'first', applications: ['orders'] },
      { name: 'rest', applications: ['order-status', 'customer-notification'] },
    ];
    const early = checkPlanRules(PlanSchema.parse(input)).warnings.find((w) =>
      w.message.startsWith('moves '),
    );
    expect(early).toEqual({
      path: 'cutoverWaves',
      message: expect.stringContaining(
        'moves orders (produces orders) before order-status (consumes it)',
      ),
    });

    // The same applications in one wave move together: no warning.
    input.cutoverWaves = [
      {
        name: 'all',
        applications: ['orders', 'order-status', 'customer-notification'],
      },
    ];
    expect(
      checkPlanRules(PlanSchema.parse(input)).warnings.map((w) => w.message),
    ).not.toContainEqual(expect.stringMatching(/^moves /));
  });
});

describe('planWaves', () => {
  /** A valid plan with `apps` applications and some split of them into waves. */
  const planWith = (apps: number) =>
    PlanSchema.parse({
      ...sample(),
      applications: Array.from({ length: apps }, (_, i) => ({
        name: `app-${i}`,
        consumes: ['orders'],
      })),
    });

  const arbitraryWaves = fc
    .integer({ min: 1, max: 40 })
    .chain((apps) =>
      fc.tuple(
        fc.constant(apps),
        fc.shuffledSubarray(
          Array.from({ length: apps }, (_, i) => `app-${i}`),
          { minLength: apps, maxLength: apps },
        ),
        fc.array(fc.integer({ min: 1, max: apps }), { maxLength: 10 }),
      ),
    )
    .map(([apps, order, cuts]) => {
      const bounds = [...new Set([0, ...cuts, apps])].sort((a, b) => a - b);
      const waves = bounds.slice(1).map((end, i) => ({
        name: `w${i}`,
        applications: order.slice(bounds[i], end),
      }));
      return { apps, waves };
    });

  it('gives back a valid wave plan as written: every application in exactly one wave, in order', () => {
    fc.assert(
      fc.property(arbitraryWaves, ({ apps, waves }) => {
        const plan = { ...planWith(apps), cutoverWaves: waves };
        expect(validatePlan(plan).ok).toBe(true);
        const got = planWaves(plan);
        expect(got).toEqual(waves);
        const seq = cutoverSequence(plan);
        expect(seq).toHaveLength(apps);
        expect(new Set(seq).size).toBe(apps);
        expect(seq).toEqual(waves.flatMap((w) => w.applications));
      }),
    );
  });

  it('makes a plan without waves one wave per application, in cutoverOrder or plan order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((apps) =>
          fc.tuple(
            fc.constant(apps),
            fc.option(
              fc.shuffledSubarray(
                Array.from({ length: apps }, (_, i) => `app-${i}`),
                { minLength: apps, maxLength: apps },
              ),
              { nil: undefined },
            ),
          ),
        ),
        ([apps, order]) => {
          const plan = {
            ...planWith(apps),
            ...(order !== undefined ? { cutoverOrder: order } : {}),
          };
          const expected = order ?? plan.applications.map((a) => a.name);
          const got = planWaves(plan);
          expect(got.map((w) => w.applications)).toEqual(
            expected.map((name) => [name]),
          );
          expect(got.map((w) => w.name)).toEqual(expected);
          expect(cutoverSequence(plan)).toEqual(expected);
        },
      ),
    );
  });
});
