import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  costOf,
  type Forecast,
  forecast,
  RUNNING_POLL_SECONDS,
  WORKFLOW_SHAPE,
} from '../../../../functions/shared/domain/forecast.ts';
import { generatePlan } from '../../../../functions/shared/domain/generate-plan.ts';
import {
  type Plan,
  PlanSchema,
  RehearsalSchema,
} from '../../../../functions/shared/domain/plan.ts';
import { DEFAULT_PRICES } from '../../../../functions/shared/domain/prices.ts';
import { RUNNING_POLL_SECONDS as VALIDATE_RUNNING_POLL_SECONDS } from '../../../../functions/validate-plan/validate-plan.ts';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Choices?: { Next: string }[];
}
const asl = (name: string): Record<string, AslState> =>
  JSON.parse(readFileSync(`statemachines/${name}.asl.json`, 'utf8')).States;
const parentAsl = asl('migration');
const childAsl = asl('app-cutover');

const sample = (): Plan =>
  PlanSchema.parse(
    JSON.parse(readFileSync('events/start-migration.json', 'utf8')),
  );

/** A generated plan (validated shape), with plan fields replaced. */
function generated(
  apps: number,
  shards: number,
  patch: Partial<Plan> = {},
): Plan {
  const plan = PlanSchema.parse(
    generatePlan({
      apps,
      topics: apps * 2,
      groups: apps,
      shards,
      migrationId: 'forecast-test',
    }),
  );
  return { ...plan, ...patch };
}

describe('WORKFLOW_SHAPE against the ASL files', () => {
  /** The states from `first` following Next (Choice: Default) until back at `first`. */
  function cycle(states: Record<string, AslState>, first: string): string[] {
    const out: string[] = [];
    let at: string | undefined = first;
    while (at !== undefined && out.length < 20) {
      out.push(at);
      const s: AslState | undefined = states[at];
      at = s?.Type === 'Choice' ? s.Default : s?.Next;
      if (at === first) return out;
    }
    throw new Error(`no cycle from ${first}`);
  }

  it('should list each loop exactly as the state machines cycle', () => {
    expect(cycle(parentAsl, 'WaitForReplicators')).toEqual(
      WORKFLOW_SHAPE.parent.runningLoop,
    );
    expect(cycle(parentAsl, 'WaitBeforeReadinessPoll')).toEqual(
      WORKFLOW_SHAPE.parent.readinessLoop,
    );
    expect(cycle(childAsl, 'WaitBeforeAppReadinessPoll')).toEqual(
      WORKFLOW_SHAPE.child.readinessLoop,
    );
    expect(cycle(childAsl, 'WaitBeforeCutoverCheck')).toEqual(
      WORKFLOW_SHAPE.child.cutoverCheckLoop,
    );
  });

  it('should name only existing states, and every Lambda state they pass', () => {
    const parent = [
      ...WORKFLOW_SHAPE.parent.once,
      ...WORKFLOW_SHAPE.parent.teardownGate,
      ...WORKFLOW_SHAPE.parent.runningLoop,
      ...WORKFLOW_SHAPE.parent.readinessLoop,
    ];
    const child = [
      ...WORKFLOW_SHAPE.child.once,
      ...WORKFLOW_SHAPE.child.readinessLoop,
      ...WORKFLOW_SHAPE.child.cutoverCheckLoop,
    ];
    const lambdaStates = (
      names: readonly string[],
      states: Record<string, AslState>,
    ) =>
      names.filter((n) => {
        const s = states[n];
        expect(s, n).toBeDefined();
        return s?.Resource?.startsWith('arn:aws:states:::lambda:invoke');
      });
    expect(
      [
        ...lambdaStates(parent, parentAsl),
        ...lambdaStates(child, childAsl),
      ].sort(),
    ).toEqual([...WORKFLOW_SHAPE.lambdas].sort());
    for (const name of WORKFLOW_SHAPE.probeLambdas) {
      const s = parentAsl[name] ?? childAsl[name];
      // The ASL placeholder of a Kafka-side function (probe-source or
      // measure-source-lag: the 1,024 MB ones).
      expect(
        [
          ['$', '{ProbeSourceFunctionArn}'].join(''),
          ['$', '{MeasureSourceLagFunctionArn}'].join(''),
        ],
        name,
      ).toContain(s?.Parameters?.FunctionName);
    }
  });

  it('should poll for RUNNING as often as validate-plan says', () => {
    expect(RUNNING_POLL_SECONDS).toBe(VALIDATE_RUNNING_POLL_SECONDS);
  });
});

describe('forecast', () => {
  it('should add the phases up to the window and the cost lines up to the cost', () => {
    const f = forecast(sample());
    expect(f.outcome).toBe('completes');
    const p = f.phases;
    expect(f.hours).toBeCloseTo(
      p.creatingHours +
        p.readinessHours +
        p.cutoverHours +
        p.rollbackWindowHours +
        p.teardownHours,
      1,
    );
    expect(p.rollbackWindowHours).toBe(24);
    expect(p.creatingHours).toBe(0.5);
    expect(f.costUsd).toBeCloseTo(
      f.cost.reduce((s, l) => s + l.usd, 0),
      2,
    );
    // Two replicators for the whole window.
    expect(f.usage.replicatorHours).toBeCloseTo(2 * f.usage.hours);
    expect(f.prices.unverified).toContain('mskReplicatorHour');
    expect(f.assumptions.join('\n')).toContain('rehearsal block');
  });

  it('should say the backlog drains from the documented capacity', () => {
    const f = forecast(sample());
    const [shard] = f.shards;
    // 2 topics x 6 partitions x 0.3 MB/s, records of 1 KiB.
    expect(shard?.capacity.bytesPerSecond).toBe(3_600_000);
    expect(shard?.capacity.limitedBy).toBe('partitions');
    // 200,000 backlog + 100/s for 30 min CREATING, drained at 3,515.6 - 100/s.
    expect(shard?.pendingAtStart).toBe(380_000);
    expect((shard?.drainHours ?? 0) * 3600).toBeCloseTo(
      380_000 / (3_600_000 / 1024 - 100),
      3,
    );
  });

  it('should forecast never ready when a quota holds the replicator below its inflow', () => {
    const plan = sample();
    const f = forecast({
      ...plan,
      rehearsal: {
        ...RehearsalSchema.parse({}),
        replicatorQuotaBytesPerSecond: 51_200,
      },
    });
    expect(f.outcome).toBe('readiness-timeout');
    expect(f.reason).toMatch(/limited by quota/);
    expect(f.shards[0]?.drainHours).toBeNull();
    // Fails at readiness.maxWaitHours after RUNNING; nothing moves.
    expect(f.phases.readinessHours).toBe(plan.readiness.maxWaitHours);
    expect(f.phases.cutoverHours).toBe(0);
    expect(f.phases.rollbackWindowHours).toBe(0);
  });

  it('should forecast never ready when records in flight alone exceed maxMessageLag', () => {
    const plan = sample();
    const f = forecast({
      ...plan,
      readiness: { ...plan.readiness, maxMessageLag: 1 },
    });
    expect(f.outcome).toBe('readiness-timeout');
    expect(f.reason).toMatch(/in flight alone exceed readiness.maxMessageLag/);
  });

  it('should make every generated plan within the documented limits ready at default parameters', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 3 }),
        (apps, shards) => {
          fc.pre(Math.ceil((apps * 2) / shards) <= 750);
          const f = forecast(generated(apps, shards));
          expect(f.outcome, f.reason).toBe('completes');
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should grow (never shrink) in hours and cost with more applications', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 60 }),
        (a, b) => {
          const [few, many] = a <= b ? [a, b] : [b, a];
          const x = forecast(generated(few, 1));
          const y = forecast(generated(many, 1));
          expect(y.hours).toBeGreaterThanOrEqual(x.hours);
          expect(y.costUsd).toBeGreaterThanOrEqual(x.costUsd);
          expect(y.usage.stateTransitions).toBeGreaterThan(
            x.usage.stateTransitions - (few === many ? 1 : 0),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should cost more (never less) at higher produce rates and larger records', () => {
    const base = sample();
    const defaults = RehearsalSchema.parse({});
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 100, max: 4000 }),
        (r1, r2, size) => {
          const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
          const at = (rate: number, recordSizeBytes: number) =>
            forecast({
              ...base,
              rehearsal: {
                ...defaults,
                produceRatePerSecond: rate,
                recordSizeBytes,
              },
            });
          const x = at(low, size);
          const y = at(high, size);
          expect(y.usage.gbReplicated).toBeGreaterThanOrEqual(
            x.usage.gbReplicated,
          );
          expect(y.costUsd).toBeGreaterThanOrEqual(x.costUsd);
          expect(at(low, size * 2).usage.gbReplicated).toBeGreaterThanOrEqual(
            x.usage.gbReplicated,
          );
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should shorten (never lengthen) the cutovers with more concurrency', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        (c1, c2) => {
          const [low, high] = c1 <= c2 ? [c1, c2] : [c2, c1];
          const at = (c: number): Forecast =>
            forecast(generated(40, 1, { cutoverConcurrency: c }));
          expect(at(high).phases.cutoverHours).toBeLessThanOrEqual(
            at(low).phases.cutoverHours,
          );
        },
      ),
      { numRuns: 20 },
    );
  });

  it('should price a usage line by line at the given prices', () => {
    const f = forecast(sample());
    const doubled = Object.fromEntries(
      Object.entries(DEFAULT_PRICES).map(([k, p]) => [
        k,
        { ...p, usd: p.usd * 2 },
      ]),
    ) as typeof DEFAULT_PRICES;
    const a = costOf(f.usage, DEFAULT_PRICES);
    const b = costOf(f.usage, doubled);
    for (const [i, line] of a.entries()) {
      expect(b[i]?.usd).toBeCloseTo(line.usd * 2, 5);
      expect(line.usd).toBeCloseTo(line.quantity * line.unitUsd, 2);
    }
  });
});
