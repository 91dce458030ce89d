/**
 * Pattern evaluation with Java's meaning: validating a plan whose topic
 * pattern is catastrophic for a backtracking engine, the worst case of the
 * step budget, and the literal fast path of a large plan.
 *
 * `npx tsx bench/patterns.ts` prints the figures alone; `npm run bench`
 * prints them with the others.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PatternSet,
  PatternTooComplexError,
  STEP_BUDGET,
} from '../functions/shared/domain/patterns.ts';
import { validatePlan } from '../functions/shared/domain/validate.ts';
import { atMost, type Figure, median } from './figure.ts';

const RUNS = 5;
/** Validation answers in well under a second, whatever the patterns. */
export const VALIDATE_TARGET_MS = 1000;
const LITERALS = 5000;

function timed(fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return Math.round(median(times) * 10) / 10;
}

export function benchPatterns(): {
  name: string;
  value: number;
  unit: string;
}[] {
  const sample = readFileSync(
    join(import.meta.dirname, '../events/start-migration.json'),
    'utf8',
  );
  const catastrophic = JSON.parse(sample);
  catastrophic.replication.topics = ['(a+)+b', 'orders', 'order_status'];
  catastrophic.applications[0].produces.push('a'.repeat(35));
  const validateMs = timed(() => validatePlan(structuredClone(catastrophic)));

  const budgetMs = timed(() => {
    try {
      new PatternSet(['(a|aa)+\\1b']).matches('a'.repeat(40));
    } catch (err) {
      if (!(err instanceof PatternTooComplexError)) throw err;
    }
  });

  const topics = Array.from({ length: LITERALS }, (_, i) => `topic-${i}`);
  const literalMs = timed(() => {
    const set = new PatternSet([...topics, 'orders\\..*']);
    for (const t of topics) set.matches(t);
    set.matches('orders.v1');
  });
  return [
    {
      name: 'validate plan with (a+)+b and a 35-character topic',
      value: validateMs,
      unit: 'ms',
    },
    {
      name: `spend the ${STEP_BUDGET.toLocaleString('en-US')}-step budget ((a|aa)+\\1b)`,
      value: budgetMs,
      unit: 'ms',
    },
    {
      name: `compile ${LITERALS} literal topics and match each`,
      value: literalMs,
      unit: 'ms',
    },
  ];
}

/** Entry point of `bench/run.ts`. */
export async function run(): Promise<Figure[]> {
  return benchPatterns().map((f) =>
    atMost(f.name, f.value, f.unit, VALIDATE_TARGET_MS),
  );
}

if (import.meta.main) {
  for (const f of benchPatterns()) {
    process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
  }
}
