/**
 * Waves: the applications that move together, in the order the waves run.
 *
 * A plan says how its applications move in one of three ways: `cutoverWaves`
 * (named groups, wave after wave), `cutoverOrder` (one application after
 * another) or neither (the order of `applications`). `planWaves` gives every
 * plan the same shape, so code that reasons about the order (plan rules,
 * forecast, the workflow's input) handles one case: a plan without waves is
 * one wave per application, named after it.
 */
import type { Plan } from './plan.ts';

export interface Wave {
  name: string;
  /** Application names, in the order the plan lists them. */
  applications: string[];
}

type PlanOrder = Pick<Plan, 'applications' | 'cutoverOrder' | 'cutoverWaves'>;

/**
 * How many applications of the per-application flow are in cutover at once:
 * the plan's `cutoverConcurrency`, one when it does not say.
 */
export function cutoverConcurrency(
  plan: Pick<Plan, 'cutoverConcurrency'>,
): number {
  return plan.cutoverConcurrency ?? 1;
}

/**
 * The bound on a wave's applications moving at once: the plan's
 * `cutoverConcurrency`, or 0 (no bound: the whole wave at once) when it
 * does not say.
 */
export function waveConcurrency(
  plan: Pick<Plan, 'cutoverConcurrency'>,
): number {
  return plan.cutoverConcurrency ?? 0;
}

/** The plan's waves, in the order they run. */
export function planWaves(plan: PlanOrder): Wave[] {
  if (plan.cutoverWaves !== undefined) {
    return plan.cutoverWaves.map((w) => ({
      name: w.name,
      applications: [...w.applications],
    }));
  }
  const order = plan.cutoverOrder ?? plan.applications.map((a) => a.name);
  return order.map((name) => ({ name, applications: [name] }));
}

/**
 * The applications one after another, wave by wave: the order the
 * workflow's cutover Map runs them in (`validate-plan` hands this list to
 * the state machine). Until wave gates exist, a wave plan runs as this
 * order with one gate per application (docs/waves.md).
 */
export function cutoverSequence(plan: PlanOrder): string[] {
  return planWaves(plan).flatMap((w) => w.applications);
}

/** Each application's wave index (0-based) in `waves`. */
export function waveIndex(waves: readonly Wave[]): Map<string, number> {
  const index = new Map<string, number>();
  waves.forEach((w, i) => {
    for (const app of w.applications) {
      if (!index.has(app)) index.set(app, i);
    }
  });
  return index;
}
