import { describe, expect, it } from 'vitest';
import {
  activeBeforeSync,
  groupLag,
  offsetIndex,
  offsetParity,
  paritySummary,
} from '../../../../functions/shared/domain/lag.ts';

const o = (topic: string, partition: number, offset: number) => ({
  topic,
  partition,
  offset: BigInt(offset),
});

describe('groupLag', () => {
  const ends = offsetIndex([
    o('orders', 0, 100),
    o('orders', 1, 50),
    o('orders', 2, 0),
    o('payments', 0, 7),
  ]);

  it('sums end − committed per group and per topic', () => {
    expect(
      groupLag(
        [
          o('orders', 0, 90),
          o('orders', 1, 50),
          o('orders', 2, 0),
          o('payments', 0, 2),
        ],
        ends,
      ),
    ).toEqual({
      sumOffsetLag: 15,
      byTopic: { orders: 10, payments: 5 },
    });
  });

  it('returns null, not zero, when the group committed nothing', () => {
    expect(groupLag([], ends)).toEqual({ sumOffsetLag: null, byTopic: {} });
  });

  it('never counts a committed offset past the end as negative lag', () => {
    expect(groupLag([o('orders', 1, 60)], ends).sumOffsetLag).toBe(0);
  });

  it('leaves out partitions whose end offset is unknown', () => {
    expect(groupLag([o('gone', 0, 1), o('orders', 0, 99)], ends)).toEqual({
      sumOffsetLag: 1,
      byTopic: { orders: 1 },
    });
  });

  it('keeps precision beyond 2^53 in the sum', () => {
    const big = offsetIndex([o('t', 0, 0)]);
    big.set('t', 0, 2n ** 60n);
    expect(
      groupLag([{ topic: 't', partition: 0, offset: 2n ** 60n - 5n }], big)
        .sumOffsetLag,
    ).toBe(5);
  });
});

describe('offsetParity', () => {
  it('compares remaining records on each side: the duplicate window', () => {
    const parity = offsetParity({
      sourceCommitted: [o('orders', 0, 90), o('orders', 1, 50)],
      sourceEnds: offsetIndex([o('orders', 0, 100), o('orders', 1, 50)]),
      targetCommitted: [o('orders', 0, 45), o('orders', 1, 31)],
      targetEnds: offsetIndex([o('orders', 0, 60), o('orders', 1, 30)]),
    });
    expect(parity).toEqual([
      {
        topic: 'orders',
        partition: 0,
        sourceCommitted: '90',
        sourceEnd: '100',
        targetCommitted: '45',
        targetEnd: '60',
        duplicateWindow: 5,
      },
      // Committed past the target's end: the consumer would skip a record.
      {
        topic: 'orders',
        partition: 1,
        sourceCommitted: '50',
        sourceEnd: '50',
        targetCommitted: '31',
        targetEnd: '30',
        duplicateWindow: -1,
      },
    ]);
  });

  it('has no window when the target has no offset for the partition', () => {
    const [p] = offsetParity({
      sourceCommitted: [o('orders', 0, 1)],
      sourceEnds: offsetIndex([o('orders', 0, 1)]),
      targetCommitted: [],
      targetEnds: offsetIndex([]),
    });
    expect(p).toMatchObject({ targetCommitted: null, duplicateWindow: null });
  });
});

describe('paritySummary', () => {
  it('folds the per-partition parity into one summary per group', () => {
    const input = {
      sourceCommitted: [
        o('orders', 0, 90),
        o('orders', 1, 50),
        o('orders', 2, 7),
      ],
      sourceEnds: offsetIndex([
        o('orders', 0, 100),
        o('orders', 1, 50),
        o('orders', 2, 9),
      ]),
      // Partition 2 never synced; partition 3 only on the target.
      targetCommitted: [
        o('orders', 0, 45),
        o('orders', 1, 31),
        o('orders', 3, 4),
      ],
      targetEnds: offsetIndex([
        o('orders', 0, 60),
        o('orders', 1, 30),
        o('orders', 3, 4),
      ]),
    };
    const rows = offsetParity(input);
    const windows = rows.flatMap((r) =>
      r.duplicateWindow === null ? [] : [r.duplicateWindow],
    );
    expect(paritySummary(input)).toEqual({
      partitions: rows.length,
      unsynced: 1,
      minWindow: Math.min(...windows),
      maxWindow: Math.max(...windows),
      skipping: ['orders-1: -1'],
    });
    expect(rows).toHaveLength(4);
  });

  it('has no window for a group never synced to the target', () => {
    expect(
      paritySummary({
        sourceCommitted: [o('orders', 0, 1)],
        sourceEnds: offsetIndex([o('orders', 0, 1)]),
        targetCommitted: [],
        targetEnds: offsetIndex([]),
      }),
    ).toEqual({
      partitions: 1,
      unsynced: 1,
      minWindow: null,
      maxWindow: null,
      skipping: [],
    });
  });
});

describe('activeBeforeSync', () => {
  const unsynced = paritySummary({
    sourceCommitted: [o('orders', 0, 1)],
    sourceEnds: offsetIndex([o('orders', 0, 1)]),
    targetCommitted: [],
    targetEnds: offsetIndex([]),
  });
  it('flags consumers on the target for partitions never synced there', () => {
    expect(activeBeforeSync({ targetMembers: 1, parity: unsynced })).toBe(true);
  });
  it('does not flag an idle group or a synced one', () => {
    expect(activeBeforeSync({ targetMembers: 0, parity: unsynced })).toBe(
      false,
    );
    const synced = paritySummary({
      sourceCommitted: [o('orders', 0, 1)],
      sourceEnds: offsetIndex([o('orders', 0, 1)]),
      targetCommitted: [o('orders', 0, 1)],
      targetEnds: offsetIndex([o('orders', 0, 1)]),
    });
    expect(activeBeforeSync({ targetMembers: 3, parity: synced })).toBe(false);
  });
});
