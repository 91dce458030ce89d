import { describe, expect, it } from 'vitest';
import { atMost, info, median } from '../../bench/figure.ts';
import { childFigures, formatTable, parseArgs } from '../../bench/run.ts';

describe('parseArgs', () => {
  it('should default to the table and every module', () => {
    expect(parseArgs([])).toEqual({ json: false, only: null });
  });

  it('should read --json and --only in both spellings', () => {
    expect(parseArgs(['--json', '--only', 'bundles,poll'])).toEqual({
      json: true,
      only: ['bundles', 'poll'],
    });
    expect(parseArgs(['--only=probe'])).toEqual({
      json: false,
      only: ['probe'],
    });
  });

  it('should name an unknown module and list the known ones', () => {
    expect(() => parseArgs(['--only', 'bundle'])).toThrow(
      '--only: unknown module bundle (known: bundles, poll, rehearsal, probe, patterns, waves)',
    );
  });

  it('should reject an unknown argument', () => {
    expect(() => parseArgs(['--jsn'])).toThrow('unknown argument --jsn');
  });
});

describe('figures', () => {
  it('should mark a value over its bound, or missing, as not ok', () => {
    expect(atMost('bundle x', 120, 'KiB', 200).ok).toBe(true);
    expect(atMost('bundle x', 200, 'KiB', 200).ok).toBe(true);
    expect(atMost('bundle x', 200.1, 'KiB', 200).ok).toBe(false);
    expect(atMost('bundle x', null, 'KiB', 200, 'no entry')).toEqual({
      name: 'bundle x',
      value: null,
      unit: 'KiB',
      target: '<= 200',
      ok: false,
      note: 'no entry',
    });
  });

  it('should take the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of no values');
  });
});

describe('formatTable', () => {
  it('should print one aligned row per figure with MISS on a missed target', () => {
    const table = formatTable([
      atMost('bundle a', 1234.5, 'KiB', 200),
      atMost('cold import a', 40, 'ms', 80),
      info('probe wall time', 812, 'ms'),
    ]);
    expect(table.split('\n')).toEqual([
      '      figure             value  unit  target  note',
      'MISS  bundle a         1,234.5  KiB   <= 200',
      'ok    cold import a         40  ms    <= 80',
      '      probe wall time      812  ms',
    ]);
  });
});

describe('childFigures', () => {
  const figure = atMost('bundle a', 120, 'KiB', 200);

  it('should return the figures a module printed in its own process', () => {
    expect(childFigures('bundles', JSON.stringify([figure]), 0)).toEqual([
      figure,
    ]);
  });

  it('should keep the figures of a module that failed, and say it failed', () => {
    let thrown: unknown;
    try {
      childFigures('probe', JSON.stringify([figure]), 1);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe('bench/probe.ts exited with 1');
    expect((thrown as { figures: unknown }).figures).toEqual([figure]);
  });

  it('should name a module that crashed before printing', () => {
    expect(() => childFigures('rehearsal', '', null)).toThrow(
      'bench/rehearsal.ts printed no figures (exit code null)',
    );
    expect(() => childFigures('poll', '{"a":1}', 0)).toThrow(
      'bench/poll.ts printed no figure list',
    );
  });
});
