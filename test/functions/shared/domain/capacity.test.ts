import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  drainSeconds,
  IN_FLIGHT_SECONDS,
  inFlightRecords,
  PARTITION_BYTES_PER_SECOND,
  REPLICATOR_MAX_BYTES_PER_SECOND,
  replicatorCapacity,
} from '../../../../functions/shared/domain/capacity.ts';

describe('replicatorCapacity', () => {
  it('should follow the sizing table: 3,333 partitions reach 1,000 MB/s', () => {
    // [D-SIZE] rows: 167 → 50 MB/s ... 3,333 → 1,000 MB/s (within 0.3 %).
    for (const [partitions, mbps] of [
      [167, 50],
      [334, 100],
      [833, 250],
      [1666, 500],
      [3333, 1000],
    ] as const) {
      const c = replicatorCapacity({ partitions, recordSizeBytes: 1024 });
      expect(c.bytesPerSecond / 1e6).toBeGreaterThan(mbps * 0.997);
      expect(c.bytesPerSecond / 1e6).toBeLessThan(mbps * 1.003);
    }
  });

  it('should never exceed 1 GB/s, however many partitions', () => {
    const c = replicatorCapacity({ partitions: 10_000, recordSizeBytes: 1000 });
    expect(c.limitedBy).toBe('replicator');
    expect(c.bytesPerSecond).toBe(REPLICATOR_MAX_BYTES_PER_SECOND);
    expect(c.recordsPerSecond).toBe(1_000_000);
  });

  it('should share a quota among the replicators of one principal', () => {
    const c = replicatorCapacity({
      partitions: 100,
      recordSizeBytes: 1024,
      quotaBytesPerSecond: 7_000_000,
      quotaSharedBy: 7,
    });
    expect(c.limitedBy).toBe('quota');
    expect(c.bytesPerSecond).toBe(1_000_000);
    expect(c.bounds).toEqual({
      replicator: REPLICATOR_MAX_BYTES_PER_SECOND,
      partitions: 100 * PARTITION_BYTES_PER_SECOND,
      quota: 1_000_000,
    });
  });

  it('should apply the deprecated records-per-second cap in bytes', () => {
    const c = replicatorCapacity({
      partitions: 12,
      recordSizeBytes: 1000,
      recordsPerSecondCap: 40,
    });
    expect(c.limitedBy).toBe('records-per-second');
    expect(c.recordsPerSecond).toBe(40);
  });

  it('should be the smallest bound: monotonic in partitions, quota and record size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 10_485_760 }),
        fc.option(fc.integer({ min: 1, max: 2_000_000_000 }), {
          nil: undefined,
        }),
        (p1, p2, size, quota) => {
          const [few, many] = p1 <= p2 ? [p1, p2] : [p2, p1];
          const a = replicatorCapacity({
            partitions: few,
            recordSizeBytes: size,
            quotaBytesPerSecond: quota,
          });
          const b = replicatorCapacity({
            partitions: many,
            recordSizeBytes: size,
            quotaBytesPerSecond: quota,
          });
          expect(a.bytesPerSecond).toBeLessThanOrEqual(b.bytesPerSecond);
          expect(a.bytesPerSecond).toBe(Math.min(...Object.values(a.bounds)));
          expect(a.bytesPerSecond).toBeLessThanOrEqual(
            REPLICATOR_MAX_BYTES_PER_SECOND,
          );
          const bigger = replicatorCapacity({
            partitions: few,
            recordSizeBytes: size * 2,
            quotaBytesPerSecond: quota,
          });
          expect(bigger.recordsPerSecond).toBeLessThanOrEqual(
            a.recordsPerSecond,
          );
        },
      ),
    );
  });
});

describe('drainSeconds', () => {
  it('should drain at capacity minus inflow, and never when inflow reaches capacity', () => {
    expect(drainSeconds(54_000, 100, 1000)).toBe(60);
    expect(drainSeconds(0, 100, 1000)).toBe(0);
    expect(drainSeconds(1, 1000, 1000)).toBeNull();
    expect(drainSeconds(0, 1001, 1000)).toBeNull();
  });

  it('should grow with the backlog and the inflow', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (b1, b2, i1, i2) => {
          const capacity = 1e5 + 1;
          const [bLow, bHigh] = b1 <= b2 ? [b1, b2] : [b2, b1];
          const [iLow, iHigh] = i1 <= i2 ? [i1, i2] : [i2, i1];
          const base = drainSeconds(bLow, iLow, capacity) ?? Infinity;
          expect(
            drainSeconds(bHigh, iLow, capacity) ?? Infinity,
          ).toBeGreaterThanOrEqual(base);
          expect(
            drainSeconds(bLow, iHigh, capacity) ?? Infinity,
          ).toBeGreaterThanOrEqual(base);
        },
      ),
    );
  });

  it('should keep in-flight records proportional to the inflow', () => {
    expect(inFlightRecords(7_000)).toBeCloseTo(7_000 * IN_FLIGHT_SECONDS);
  });
});
