/**
 * Every loop of both state machines ends: each cycle of their graphs passes
 * a deadline check. The cycles are found as strongly connected components
 * (Tarjan); a graph whose cycles all pass a check is one that stays acyclic
 * once the check states are removed, which is what is asserted, component
 * by component.
 *
 * A deadline check is a state that can end the loop on a bound of its own:
 * - a Choice rule on a deadline flag (`…deadlineReached`) or on a counter
 *   compared with a maximum (`NumericGreaterThanEquals[Path]`);
 * - a Task with `TimeoutSeconds[Path]` (a gate) that catches the timeout;
 * - a Task whose Catch names an error its function raises when its own
 *   deadline passed (readiness, replicators stuck in CREATING).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type State = Record<string, unknown> & { Type: string };
type Definition = { StartAt: string; States: Record<string, State> };

/** Errors raised by a function when the deadline it enforces has passed. */
const DEADLINE_ERRORS = new Set([
  'ReadinessTimeoutError',
  'ReplicatorStuckError',
]);

const parse = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Definition;

function successors(state: State): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  for (const c of (state.Choices ?? []) as { Next: string }[])
    next.push(c.Next);
  for (const c of (state.Catch ?? []) as { Next: string }[]) next.push(c.Next);
  return next;
}

function ruleChecksBound(rule: Record<string, unknown>): boolean {
  if (
    typeof rule.Variable === 'string' &&
    /deadlineReached$/.test(rule.Variable)
  ) {
    return true;
  }
  if (
    'NumericGreaterThanEquals' in rule ||
    'NumericGreaterThanEqualsPath' in rule
  ) {
    return true;
  }
  for (const key of ['And', 'Or']) {
    const parts = rule[key] as Record<string, unknown>[] | undefined;
    if (parts?.some(ruleChecksBound)) return true;
  }
  return false;
}

/** Whether a state ends the loop it is in on a bound (see the header). */
function isDeadlineCheck(state: State): boolean {
  if (state.Type === 'Choice') {
    return ((state.Choices ?? []) as Record<string, unknown>[]).some(
      ruleChecksBound,
    );
  }
  if (state.Type !== 'Task') return false;
  const catches = (state.Catch ?? []) as { ErrorEquals: string[] }[];
  const caught = new Set(catches.flatMap((c) => c.ErrorEquals));
  const timed = 'TimeoutSeconds' in state || 'TimeoutSecondsPath' in state;
  if (timed && (caught.has('States.Timeout') || caught.has('States.ALL'))) {
    return true;
  }
  return [...caught].some((e) => DEADLINE_ERRORS.has(e));
}

/** Tarjan's strongly connected components of `nodes` under `edges`. */
function components(
  nodes: string[],
  edges: (n: string) => string[],
): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    on.add(v);
    for (const w of edges(v)) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, idx.get(w) ?? 0));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      out.push(scc);
    }
  };
  for (const n of nodes) if (!idx.has(n)) visit(n);
  return out;
}

/**
 * The loops of one graph (a definition or a Map's item processor) that pass
 * no deadline check: the cyclic components left once the checks are
 * removed. Empty when every loop ends.
 */
function unboundedLoops(def: Definition): string[][] {
  const found: string[][] = [];
  const kept = Object.keys(def.States).filter(
    (n) => !isDeadlineCheck(def.States[n] as State),
  );
  const keptSet = new Set(kept);
  const edges = (n: string) =>
    successors(def.States[n] as State).filter((m) => keptSet.has(m));
  for (const scc of components(kept, edges)) {
    const [only] = scc;
    const cyclic =
      scc.length > 1 || (only !== undefined && edges(only).includes(only));
    if (cyclic) found.push(scc.sort());
  }
  for (const state of Object.values(def.States)) {
    const processor = (state.ItemProcessor ?? state.Iterator) as
      | Definition
      | undefined;
    if (processor) found.push(...unboundedLoops(processor));
  }
  return found;
}

/** Every cyclic component, checks included (to show loops exist at all). */
function allLoops(def: Definition): string[][] {
  const names = Object.keys(def.States);
  const edges = (n: string) => successors(def.States[n] as State);
  return components(names, edges).filter(
    (scc) => scc.length > 1 || edges(scc[0] ?? '').includes(scc[0] ?? ''),
  );
}

describe.each([
  ['migration', 'statemachines/migration.asl.json'],
  ['app-cutover', 'statemachines/app-cutover.asl.json'],
])('%s: every loop ends', (_name, path) => {
  it('has loops, and every one of them passes a deadline check', () => {
    const def = parse(path);
    expect(allLoops(def).length).toBeGreaterThan(0);
    expect(unboundedLoops(def)).toEqual([]);
  });
});

describe('the cycle check', () => {
  it('finds the verification loop when its deadline rule is taken out', () => {
    const def = parse('statemachines/app-cutover.asl.json');
    const choice = def.States.IsCutoverVerifiedChoice as State & {
      Choices: object[];
    };
    // Both deadline rules: the application's own (a gate follows) and the
    // wave's application (mode verify-cutover: it ends unverified).
    choice.Choices = choice.Choices.filter(
      (c) => !JSON.stringify(c).includes('deadlineReached'),
    );
    const loops = unboundedLoops(def);
    expect(loops).toHaveLength(1);
    expect(loops[0]).toEqual(
      [
        'IsCutoverVerifiedChoice',
        'MeasureGroupsAfterCutover',
        'VerifyCutover',
        'WaitBeforeCutoverCheck',
      ].sort(),
    );
  });

  it('finds a self-loop without a check and accepts a gate with a timeout', () => {
    const def: Definition = {
      StartAt: 'A',
      States: {
        A: { Type: 'Wait', Seconds: 1, Next: 'A' },
        G: {
          Type: 'Task',
          TimeoutSeconds: 60,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'E' }],
          Next: 'G',
        },
        E: { Type: 'Succeed' },
      },
    };
    expect(unboundedLoops(def)).toEqual([['A']]);
  });
});
