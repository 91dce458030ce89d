/**
 * One benchmark figure. Every `bench/<module>.ts` exports
 * `async function run(): Promise<Figure[]>`; `bench/run.ts` collects them.
 */
export interface Figure {
  /** What was measured, e.g. `bundle probe-source`. */
  name: string;
  /** null when it could not be measured (the reason is in `note`). */
  value: number | null;
  unit: string;
  /** Human-readable target, e.g. `<= 200`; null when informational. */
  target: string | null;
  /** Whether the value meets the target; null when there is none. */
  ok: boolean | null;
  note?: string;
}

/** A figure whose target is an upper bound. */
export function atMost(
  name: string,
  value: number | null,
  unit: string,
  max: number,
  note?: string,
): Figure {
  return {
    name,
    value,
    unit,
    target: `<= ${max}`,
    ok: value === null ? false : value <= max,
    ...(note === undefined ? {} : { note }),
  };
}

/** A figure without a target. */
export function info(name: string, value: number, unit: string): Figure {
  return { name, value, unit, target: null, ok: null };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
