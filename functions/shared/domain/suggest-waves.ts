/**
 * Suggested waves: `msk-cutover plan --suggest-waves N` groups a plan's
 * applications into N waves from its topic graph.
 *
 * While a wave is moving, a topic whose producers and consumers sit in
 * different waves has clients on both clusters, carried only by the
 * replicators; applications that share topics should therefore move
 * together. The algorithm, in four steps:
 *
 * 1. Connected components of the application–topic graph (union–find):
 *    applications in different components share no topic, so any grouping
 *    of whole components leaves no topic split across waves.
 * 2. Fewer components than N: components get waves in proportion to their
 *    size (D'Hondt: each extra wave to the component with the largest
 *    applications per wave), and each is cut into that many pieces by a
 *    sweep cut over a linear order of its applications: the flow order
 *    (producers, then their consumers; Kahn's algorithm over applications
 *    and topics, cycles broken at the first application of the plan),
 *    which keeps applications that share a topic close. Each cut is placed
 *    within ±25 % of the balanced size where the fewest topics have
 *    applications on both sides. Sweep cuts over an ordering are the
 *    classic linear-time heuristic for balanced graph partitioning (as in
 *    spectral or Cuthill–McKee orderings); multilevel partitioners (METIS)
 *    do better on big meshes, but no such library is a dependency and a
 *    plan's topic graph is small and mostly chains and stars.
 * 3. More components (or pieces) than N: they are packed into N waves,
 *    largest first into the wave with the fewest applications (LPT), which
 *    balances waves without splitting any component.
 * 4. Waves are ordered consumers first: a wave whose applications consume a
 *    topic produced in another wave runs before it (Kahn's algorithm over
 *    waves, ties and cycles by the plan's order). That is the order a plan
 *    without a reverse replicator needs (a producer moved before its
 *    consumer writes to MSK where the consumer, still on the source, never
 *    sees it; plan-rules warns about it) and a safe one for any plan.
 *
 * Deterministic: the same plan and N always give the same waves. Linear in
 * the plan's size apart from the wave ordering, which is bounded by the
 * pairs of waves sharing a topic. Hand-written: no graph library is a
 * dependency of the project.
 */
import type { Plan } from './plan.ts';
import type { Wave } from './waves.ts';

export interface SuggestedWaves {
  /** The waves in the order they should run, ready for `cutoverWaves`. */
  waves: Wave[];
  /** N as asked; `waves` is shorter when the plan has fewer applications. */
  requested: number;
  /** Groups of applications that share topics (connected components). */
  components: number;
  /** Topics whose applications are in more than one wave, sorted. */
  splitTopics: string[];
}

type Apps = Pick<Plan, 'applications'>;

/** The largest N accepted: no plan has more applications than this. */
export const MAX_SUGGESTED_WAVES = 5000;

/**
 * Proposes `count` waves for the plan's applications (fewer when the plan
 * has fewer applications).
 *
 * @throws RangeError when `count` is not a whole number from 1 to 5,000
 */
export function suggestWaves(plan: Apps, count: number): SuggestedWaves {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SUGGESTED_WAVES) {
    throw new RangeError(
      `the number of waves must be a whole number from 1 to ${MAX_SUGGESTED_WAVES} (got ${count})`,
    );
  }
  const names = plan.applications.map((a) => a.name);
  const graph = topicGraph(plan);
  const components = connectedComponents(graph);
  const target = Math.min(count, names.length);

  let pieces: number[][];
  if (components.length >= target) pieces = components;
  else {
    const parts = apportion(
      components.map((c) => c.length),
      target,
    );
    pieces = components.flatMap((c, i) =>
      sweepCut(flowOrder(c, graph), parts[i] ?? 1, graph),
    );
  }
  const groups = packLargestFirst(pieces, target);
  const ordered = consumersFirst(groups, graph);
  const width = String(ordered.length).length;
  const waves = ordered.map((g, i) => ({
    name: `wave-${String(i + 1).padStart(width, '0')}`,
    applications: g.map((app) => names[app] as string),
  }));
  return {
    waves,
    requested: count,
    components: components.length,
    splitTopics: splitTopics(ordered, graph),
  };
}

interface TopicGraph {
  apps: number;
  topics: string[];
  /** Distinct topics each application names (produces or consumes). */
  topicsOf: number[][];
  /** Distinct topics each application produces. */
  producesOf: number[][];
  producedBy: number[][];
  consumedBy: number[][];
  /** Distinct applications that name each topic. */
  appsOf: number[][];
}

function topicGraph(plan: Apps): TopicGraph {
  const topics: string[] = [];
  const id = new Map<string, number>();
  const producedBy: number[][] = [];
  const consumedBy: number[][] = [];
  const appsOf: number[][] = [];
  const topicId = (name: string) => {
    let t = id.get(name);
    if (t === undefined) {
      t = topics.length;
      id.set(name, t);
      topics.push(name);
      producedBy.push([]);
      consumedBy.push([]);
      appsOf.push([]);
    }
    return t;
  };
  const producesOf: number[][] = [];
  const topicsOf = plan.applications.map((app, a) => {
    const mine = new Set<number>();
    const produced: number[] = [];
    for (const name of new Set(app.produces)) {
      const t = topicId(name);
      producedBy[t]?.push(a);
      produced.push(t);
      mine.add(t);
    }
    producesOf.push(produced);
    for (const name of new Set(app.consumes)) {
      const t = topicId(name);
      consumedBy[t]?.push(a);
      mine.add(t);
    }
    for (const t of mine) appsOf[t]?.push(a);
    return [...mine];
  });
  return {
    apps: plan.applications.length,
    topics,
    topicsOf,
    producesOf,
    producedBy,
    consumedBy,
    appsOf,
  };
}

/** Components of applications sharing topics, each in plan order, ordered by first application. */
function connectedComponents(graph: TopicGraph): number[][] {
  const parent = Array.from({ length: graph.apps }, (_, i) => i);
  const find = (x: number): number => {
    let root = x;
    while (parent[root] !== root) root = parent[root] as number;
    let at = x;
    while (parent[at] !== root) {
      const next = parent[at] as number;
      parent[at] = root;
      at = next;
    }
    return root;
  };
  for (const apps of graph.appsOf) {
    const [first, ...rest] = apps;
    if (first === undefined) continue;
    for (const other of rest) {
      const a = find(first);
      const b = find(other);
      // The smaller index is the root, so roots are first applications.
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let a = 0; a < graph.apps; a++) {
    const root = find(a);
    const list = byRoot.get(root);
    if (list === undefined) byRoot.set(root, [a]);
    else list.push(a);
  }
  return [...byRoot.values()];
}

/**
 * Splits `total` waves among components of the given sizes: one each,
 * then each further wave to the component with the most applications per
 * wave (D'Hondt), never more waves than applications. Assumes
 * `sizes.length <= total <= sum(sizes)`.
 */
function apportion(sizes: readonly number[], total: number): number[] {
  const parts = sizes.map(() => 1);
  for (let given = sizes.length; given < total; given++) {
    let best = -1;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i] as number;
      const p = parts[i] as number;
      if (p >= size) continue;
      if (
        best < 0 ||
        size / p > (sizes[best] as number) / (parts[best] as number)
      ) {
        best = i;
      }
    }
    if (best < 0) break;
    parts[best] = (parts[best] as number) + 1;
  }
  return parts;
}

/**
 * The component's applications in flow order: an application after the
 * producers of the topics it consumes (Kahn's algorithm over applications
 * and topics, the earliest application of the plan first among those
 * ready; a cycle is broken at its earliest application).
 */
function flowOrder(component: readonly number[], graph: TopicGraph): number[] {
  // Waiting: producers of consumed topics not yet placed, per application;
  // producers not yet placed, per topic.
  const topicWaiting = new Map<number, number>();
  for (const a of component) {
    for (const t of graph.topicsOf[a] ?? []) {
      if (!topicWaiting.has(t)) {
        topicWaiting.set(t, graph.producedBy[t]?.length ?? 0);
      }
    }
  }
  const appWaiting = new Map<number, number>();
  for (const a of component) appWaiting.set(a, 0);
  for (const [t, producers] of topicWaiting) {
    if (producers === 0) continue;
    for (const c of graph.consumedBy[t] ?? []) {
      appWaiting.set(c, (appWaiting.get(c) ?? 0) + 1);
    }
  }
  // Ready applications, smallest index first: a binary heap.
  const heap: number[] = [];
  const push = (a: number) => {
    heap.push(a);
    let i = heap.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if ((heap[up] as number) <= a) break;
      heap[i] = heap[up] as number;
      i = up;
    }
    heap[i] = a;
  };
  const pop = (): number => {
    const top = heap[0] as number;
    const last = heap.pop() as number;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c =
          r < heap.length && (heap[r] as number) < (heap[l] as number) ? r : l;
        if ((heap[c] as number) >= last) break;
        heap[i] = heap[c] as number;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  for (const a of component) if (appWaiting.get(a) === 0) push(a);
  const placed = new Set<number>();
  const order: number[] = [];
  let next = 0; // the earliest application not yet placed (for cycles)
  while (order.length < component.length) {
    let a: number | undefined;
    while (heap.length > 0) {
      const candidate = pop();
      if (!placed.has(candidate)) {
        a = candidate;
        break;
      }
    }
    if (a === undefined) {
      while (placed.has(component[next] as number)) next++;
      a = component[next] as number;
    }
    placed.add(a);
    order.push(a);
    for (const t of graph.producesOf[a] ?? []) {
      const left = (topicWaiting.get(t) ?? 0) - 1;
      topicWaiting.set(t, left);
      if (left !== 0) continue;
      for (const c of graph.consumedBy[t] ?? []) {
        const waiting = (appWaiting.get(c) ?? 0) - 1;
        appWaiting.set(c, waiting);
        if (waiting === 0 && !placed.has(c)) push(c);
      }
    }
  }
  return order;
}

/**
 * Cuts `order` into `parts` contiguous pieces of about equal size, each cut
 * within ±25 % of the balanced position where the fewest topics have
 * applications on both sides (ties: nearest the balanced position).
 */
function sweepCut(
  order: readonly number[],
  parts: number,
  graph: TopicGraph,
): number[][] {
  if (parts <= 1) return [[...order]];
  // crossing[i]: topics with applications both among order[0..i) and after.
  const total = new Map<number, number>();
  for (const a of order) {
    for (const t of graph.topicsOf[a] ?? []) {
      total.set(t, (total.get(t) ?? 0) + 1);
    }
  }
  const left = new Map<number, number>();
  const crossing = [0];
  let split = 0;
  for (const a of order) {
    for (const t of graph.topicsOf[a] ?? []) {
      const all = total.get(t) ?? 0;
      const now = (left.get(t) ?? 0) + 1;
      left.set(t, now);
      if (now === 1 && all > 1) split++;
      if (now === all && all > 1) split--;
    }
    crossing.push(split);
  }
  const pieces: number[][] = [];
  let start = 0;
  for (let p = parts; p > 1; p--) {
    const remaining = order.length - start;
    const ideal = remaining / p;
    const lo = Math.max(1, Math.floor(ideal * 0.75));
    // Leave at least one application for each piece still to cut.
    const hi = Math.min(remaining - (p - 1), Math.ceil(ideal * 1.25));
    let best = start + Math.max(lo, Math.min(hi, Math.round(ideal)));
    for (let size = lo; size <= hi; size++) {
      const at = start + size;
      const cost = crossing[at] as number;
      const bestCost = crossing[best] as number;
      const off = Math.abs(size - ideal);
      if (
        cost < bestCost ||
        (cost === bestCost && off < Math.abs(best - start - ideal))
      ) {
        best = at;
      }
    }
    pieces.push(order.slice(start, best));
    start = best;
  }
  pieces.push(order.slice(start));
  return pieces;
}

/**
 * Packs pieces into `count` waves: largest piece first (ties: earliest
 * application) into the wave with the fewest applications (ties: the
 * lowest wave). Each wave lists its applications in plan order.
 */
function packLargestFirst(pieces: number[][], count: number): number[][] {
  if (pieces.length <= count) {
    return pieces.map((p) => [...p].sort((a, b) => a - b));
  }
  const first = (p: readonly number[]) => Math.min(...p);
  const sorted = [...pieces].sort(
    (a, b) => b.length - a.length || first(a) - first(b),
  );
  const bins: number[][] = Array.from({ length: count }, () => []);
  for (const piece of sorted) {
    let lightest = 0;
    for (let i = 1; i < count; i++) {
      if ((bins[i] as number[]).length < (bins[lightest] as number[]).length) {
        lightest = i;
      }
    }
    (bins[lightest] as number[]).push(...piece);
  }
  return bins.map((b) => b.sort((a, c) => a - c));
}

/**
 * Orders waves so that a wave consuming a topic another wave produces runs
 * before it (Kahn's algorithm; ties and cycles by each wave's earliest
 * application in the plan).
 */
function consumersFirst(groups: number[][], graph: TopicGraph): number[][] {
  const waveOf = new Int32Array(graph.apps);
  groups.forEach((g, w) => {
    for (const a of g) waveOf[a] = w;
  });
  // before[w]: waves that must run after w (w consumes what they produce).
  const after: Set<number>[] = groups.map(() => new Set());
  const waiting = groups.map(() => 0);
  graph.topics.forEach((_, t) => {
    const consumers = new Set(
      (graph.consumedBy[t] ?? []).map((a) => waveOf[a] as number),
    );
    const producers = new Set(
      (graph.producedBy[t] ?? []).map((a) => waveOf[a] as number),
    );
    for (const c of consumers) {
      for (const p of producers) {
        if (c === p || (after[c] as Set<number>).has(p)) continue;
        (after[c] as Set<number>).add(p);
        waiting[p] = (waiting[p] as number) + 1;
      }
    }
  });
  const firstApp = groups.map((g) => g[0] ?? 0);
  const done = groups.map(() => false);
  const order: number[][] = [];
  while (order.length < groups.length) {
    let pick = -1;
    let fallback = -1;
    for (let w = 0; w < groups.length; w++) {
      if (done[w]) continue;
      const earlier = (x: number) =>
        x < 0 || (firstApp[w] as number) < (firstApp[x] as number);
      if (waiting[w] === 0 && earlier(pick)) pick = w;
      if (earlier(fallback)) fallback = w;
    }
    const w = pick >= 0 ? pick : fallback;
    done[w] = true;
    order.push(groups[w] as number[]);
    for (const p of after[w] as Set<number>) {
      waiting[p] = (waiting[p] as number) - 1;
    }
  }
  return order;
}

/** Topics whose applications are in more than one wave, sorted. */
function splitTopics(groups: number[][], graph: TopicGraph): string[] {
  const waveOf = new Int32Array(graph.apps);
  groups.forEach((g, w) => {
    for (const a of g) waveOf[a] = w;
  });
  const split: string[] = [];
  graph.appsOf.forEach((apps, t) => {
    const waves = new Set(apps.map((a) => waveOf[a]));
    if (waves.size > 1) split.push(graph.topics[t] as string);
  });
  return split.sort();
}
