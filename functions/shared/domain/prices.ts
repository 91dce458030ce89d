/**
 * The list prices the forecast uses: ONE dated table, us-east-1, on-demand,
 * without free tiers or discounts. Each price names the page it belongs to
 * and whether it was confirmed there. A price marked UNVERIFIED could not be
 * confirmed on the AWS pricing page itself (only in third-party copies, or
 * not at all); the forecast says so wherever it uses one. Override any of
 * them with `msk-cutover plan --prices prices.json` (see docs/forecast.md).
 *
 * No AWS imports: plain data.
 */
import * as z from './zod.ts';

/** The day the table was compiled (prices change; check the pages). */
export const PRICE_TABLE_DATE = '2026-12-05';
/** The region the table's prices are for. */
export const PRICE_TABLE_REGION = 'us-east-1';

export type PriceStatus = 'verified' | 'UNVERIFIED' | 'override';

export interface Price {
  /** US dollars per unit. */
  usd: number;
  unit: string;
  /** The AWS pricing page (or the file that overrode it). */
  source: string;
  /** The day the price was read (ISO date). */
  read: string;
  status: PriceStatus;
  /** How the value was checked, and what it covers. */
  note: string;
}

export const PRICE_KEYS = [
  'mskReplicatorHour',
  'mskReplicatorGb',
  'stepFunctionsTransition',
  'lambdaRequest',
  'lambdaGbSecond',
  'cloudWatchMetricRequested',
  'cloudWatchPutMetricDataRequest',
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];
export type PriceTable = Record<PriceKey, Price>;

export const DEFAULT_PRICES: PriceTable = {
  mskReplicatorHour: {
    usd: 0.3,
    unit: 'replicator-hour',
    source: 'https://aws.amazon.com/msk/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: 'MSK Replicator, per hour each replicator exists; the stored copies of the pricing page did not show the figure',
  },
  mskReplicatorGb: {
    usd: 0.08,
    unit: 'GB replicated',
    source: 'https://aws.amazon.com/msk/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: 'MSK Replicator, per GB of data replicated; the stored copies of the pricing page did not show the figure',
  },
  stepFunctionsTransition: {
    usd: 0.000025,
    unit: 'state transition',
    source: 'https://aws.amazon.com/step-functions/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'verified',
    note: 'Standard workflows, $0.025 per 1,000 state transitions; retries count (reference/msk-replicator-facts.md §7 [SFN-PRICE])',
  },
  lambdaRequest: {
    usd: 0.0000002,
    unit: 'request',
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: '$0.20 per 1M requests; third-party copies of the page agree, the page itself was not confirmed',
  },
  lambdaGbSecond: {
    usd: 0.0000133334,
    unit: 'GB-second (Arm)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: 'Arm (the functions run on ARM_64), first tier; third-party copies of the page agree, the page itself was not confirmed',
  },
  cloudWatchMetricRequested: {
    usd: 0.00001,
    unit: 'metric requested (GetMetricData)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: '$0.01 per 1,000 metrics requested; third-party copies of the page agree, the page itself was not confirmed',
  },
  cloudWatchPutMetricDataRequest: {
    usd: 0.00001,
    unit: 'request (PutMetricData)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
    read: PRICE_TABLE_DATE,
    status: 'UNVERIFIED',
    note: '$0.01 per 1,000 API requests; the page itself was not confirmed',
  },
};

const nonNegative = z.number().check(z.gte(0, 'must be 0 or more'));

const overrideEntry = z.union([
  nonNegative,
  z.strictObject({
    usd: nonNegative,
    source: z.optional(z.string().check(z.minLength(1))),
    read: z.optional(z.iso.date('must be a date (YYYY-MM-DD)')),
  }),
]);

const OverrideSchema = z.partial(
  z.strictObject(
    Object.fromEntries(PRICE_KEYS.map((k) => [k, overrideEntry])) as Record<
      PriceKey,
      typeof overrideEntry
    >,
  ),
);

export type PriceOverrideResult =
  | { ok: true; prices: PriceTable }
  | { ok: false; issues: { path: string; message: string }[] };

/**
 * The table with the overrides of a prices file applied: `{ "<key>": usd }`
 * or `{ "<key>": { "usd": …, "source"?: …, "read"?: … } }`. Unknown keys and
 * negative prices are errors, each with its JSON path.
 */
export function applyPriceOverrides(
  input: unknown,
  origin: string,
  base: PriceTable = DEFAULT_PRICES,
): PriceOverrideResult {
  const parsed = OverrideSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(prices)',
        message:
          i.code === 'unrecognized_keys'
            ? `unknown price ${i.keys.map((k) => `"${k}"`).join(', ')}; known: ${PRICE_KEYS.join(', ')}`
            : i.message,
      })),
    };
  }
  const prices: PriceTable = { ...base };
  for (const key of PRICE_KEYS) {
    const o = parsed.data[key];
    if (o === undefined) continue;
    const value = typeof o === 'number' ? { usd: o } : o;
    prices[key] = {
      ...base[key],
      usd: value.usd,
      source: value.source ?? origin,
      read: value.read ?? base[key].read,
      status: 'override',
      note: `overridden by ${origin}`,
    };
  }
  return { ok: true, prices };
}
