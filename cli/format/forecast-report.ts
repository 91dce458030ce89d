/**
 * The forecast on a terminal: the migration window by phase, each shard's
 * inflow against its replicator's capacity, and the cost at list prices
 * with every UNVERIFIED price named. Numbers and names that validation
 * already restricted (shard names, price keys) are all it prints.
 */
import type {
  Forecast,
  Usage,
} from '../../functions/shared/domain/forecast.ts';

const SHARDS_SHOWN = 10;

const n = (v: number, digits = 0) =>
  v.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

/** `12 min`, `27.5 h` or `2 d 3.5 h`. */
export function hours(h: number): string {
  if (h < 1) return `${Math.round(h * 60)} min`;
  if (h < 48) return `${n(h, 1)} h`;
  const d = Math.floor(h / 24);
  return `${d} d ${n(h - d * 24, 1)} h`;
}

const usd = (v: number) => (v > 0 && v < 0.01 ? `$${n(v, 4)}` : `$${n(v, 2)}`);
/** A unit price as written on the pricing pages ($0.0000133334). */
const unitPrice = (v: number) =>
  `$${v.toLocaleString('en-US', { maximumFractionDigits: 10 })}`;
/** Whole counts without decimals, fractions with one. */
const quantity = (v: number) => n(v, Number.isInteger(v) ? 0 : 1);

/** Bytes per second in MB/s (decimal), e.g. `3.6 MB/s`. */
function mbps(bytes: number): string {
  return `${n(bytes / 1e6, bytes < 1e5 ? 3 : 1)} MB/s`;
}

/** The forecast section of `msk-cutover plan`. */
export function forecastLines(f: Forecast): string[] {
  const out: string[] = ['Forecast'];
  out.push(
    f.outcome === 'completes'
      ? `  about ${hours(f.hours)} from start to teardown, about ${usd(f.costUsd)} at list prices`
      : `  never ready: ${f.reason}; the workflow fails after readiness.maxWaitHours, about ${hours(f.hours)} after the start, having cost about ${usd(f.costUsd)}`,
  );
  const p = f.phases;
  out.push(
    `  CREATING ${hours(p.creatingHours)}, readiness ${hours(p.readinessHours)}, cutovers ${hours(p.cutoverHours)}, rollback window ${hours(p.rollbackWindowHours)}, teardown ${hours(p.teardownHours)}`,
  );
  for (const s of f.shards.slice(0, SHARDS_SHOWN)) {
    const drain =
      s.drainHours === null
        ? 'never catches up'
        : `backlog drained in ${hours(s.drainHours)}`;
    out.push(
      `  shard ${s.shard}: ${n(s.topics)} topics, ${n(s.partitions)} partitions; ${mbps(s.inflowBytesPerSecond)} in, replicator up to ${mbps(s.capacity.bytesPerSecond)} (limited by ${s.capacity.limitedBy}); ${drain}`,
    );
  }
  if (f.shards.length > SHARDS_SHOWN) {
    out.push(
      `  ... and ${f.shards.length - SHARDS_SHOWN} more shards (see --json)`,
    );
  }
  out.push('  cost:');
  for (const line of f.cost) {
    const mark = line.status === 'verified' ? '' : ` [${line.status}]`;
    out.push(
      `    ${line.item}: ${quantity(line.quantity)} ${line.unit} x ${unitPrice(line.unitUsd)} = ${usd(line.usd)}${mark}`,
    );
  }
  if (f.prices.unverified.length > 0) {
    out.push(
      `  UNVERIFIED prices (not confirmed on the AWS pricing pages): ${f.prices.unverified.join(', ')}; override with --prices prices.json`,
    );
  }
  out.push(`  prices: ${f.prices.region} list prices of ${f.prices.date}`);
  out.push('  assumed:');
  for (const a of f.assumptions) out.push(`    ${a}`);
  return out;
}

/** One row of the forecast-against-actuals table. */
export interface Comparison {
  what: string;
  forecast: number;
  actual: number;
  /** (actual - forecast) / actual; null when the actual is 0. */
  error: number | null;
}

const ROWS: [keyof Usage, string][] = [
  ['hours', 'hours'],
  ['replicatorHours', 'replicator-hours'],
  ['gbReplicated', 'GB replicated'],
  ['stateTransitions', 'state transitions'],
  ['lambdaRequests', 'Lambda requests'],
  ['metricsRequested', 'metrics requested'],
  ['putMetricDataRequests', 'PutMetricData requests'],
];

/** Forecast and simulated actuals, row by row, with the relative error. */
export function compareUsage(
  forecast: Usage & { costUsd: number },
  actual: Usage & { costUsd: number },
): Comparison[] {
  const rows: [string, number, number][] = ROWS.map(([k, label]) => [
    label,
    forecast[k],
    actual[k],
  ]);
  rows.push(['cost (USD)', forecast.costUsd, actual.costUsd]);
  return rows.map(([what, f, a]) => ({
    what,
    forecast: f,
    actual: a,
    error: a === 0 ? null : (f - a) / a,
  }));
}

/** The side-by-side lines of the rehearsal summary. */
export function comparisonLines(rows: Comparison[]): string[] {
  const out = ['  forecast against simulated actuals:'];
  for (const r of rows) {
    const digits = r.what === 'cost (USD)' || r.what === 'hours' ? 2 : 0;
    const err =
      r.error === null
        ? ''
        : ` (${r.error >= 0 ? '+' : ''}${n(r.error * 100, 1)}%)`;
    out.push(
      `    ${r.what}: forecast ${n(r.forecast, digits)}, simulated ${n(r.actual, digits)}${err}`,
    );
  }
  return out;
}
