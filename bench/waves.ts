/**
 * Suggested waves at scale: `plan --suggest-waves` on the 1,000-application
 * plan of the scale scenario (20 waves) and on the largest plan the schema
 * allows (5,000 applications, 100 waves).
 *
 * `npx tsx bench/waves.ts` prints the figures alone; `npm run bench` prints
 * them with the others.
 */
import { generatePlan } from '../functions/shared/domain/generate-plan.ts';
import { PlanSchema } from '../functions/shared/domain/plan.ts';
import { suggestWaves } from '../functions/shared/domain/suggest-waves.ts';
import { atMost, type Figure, median } from './figure.ts';

const RUNS = 5;
/** The suggestion answers as fast as the plan command validates. */
export const SUGGEST_TARGET_MS = 1000;

const CASES = [
  { apps: 1000, topics: 2000, shards: 3, waves: 20 },
  { apps: 5000, topics: 5000, shards: 7, waves: 100 },
] as const;

export function benchWaves(): Figure[] {
  return CASES.map(({ apps, topics, shards, waves }) => {
    const plan = PlanSchema.parse(
      generatePlan({ apps, topics, groups: apps, shards }),
    );
    const times: number[] = [];
    let split = 0;
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      split = suggestWaves(plan, waves).splitTopics.length;
      times.push(performance.now() - start);
    }
    return atMost(
      `suggest ${waves} waves for ${apps.toLocaleString('en-US')} applications`,
      Math.round(median(times) * 10) / 10,
      'ms',
      SUGGEST_TARGET_MS,
      `median of ${RUNS}; ${split} topics split across waves`,
    );
  });
}

/** Entry point of `bench/run.ts`. */
export async function run(): Promise<Figure[]> {
  return benchWaves();
}

if (import.meta.main) {
  for (const f of benchWaves()) {
    process.stdout.write(`${f.name}: ${f.value} ${f.unit} (${f.note})\n`);
  }
}
