import { createRequire } from 'node:module';

import { describe, expect, it } from 'vitest';

import { Keys } from './keys.js';

/** ioredis's own slot function (its dependency cluster-key-slot), as a Cluster client routes. */
const keySlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;

const DAY_MS = 86_400_000;
const day = (iso: string): number => Date.parse(iso) / DAY_MS;
const JAN_15 = day('2026-01-15');
const FEB_15 = day('2026-02-15');

describe('the key layout of a group (docs/architecture.md, "Key layout")', () => {
  const keys = new Keys('wfm:g1');

  it('puts a group’s months in different Cluster slots, every key of a month in one', () => {
    const january = [
      keys.historic('PS', 1, JAN_15, '202601'),
      keys.historic('PS', 15, JAN_15, '202601'),
      keys.historicVersion('PS', JAN_15, '202601'),
      keys.daily('PS', JAN_15, '202601'),
      keys.contributions('PS', JAN_15, '202601'),
      keys.uniqueness('PS', JAN_15),
      keys.farMonths('PS', JAN_15),
    ].map(keySlot);
    const february = [
      keys.historic('PS', 1, FEB_15, '202602'),
      keys.daily('PS', FEB_15, '202602'),
      keys.contributions('PS', FEB_15, '202602'),
      keys.uniqueness('PS', FEB_15),
    ].map(keySlot);
    const current = [
      keys.now('PS'),
      keys.waiting('PS'),
      keys.contributions('PS', JAN_15, Keys.CURRENT),
    ].map(keySlot);
    expect(new Set(january).size).toBe(1);
    expect(new Set(february).size).toBe(1);
    expect(new Set(current).size).toBe(1);
    expect(new Set([january[0], february[0], current[0]]).size).toBe(3);
  });

  it('never gives a group’s month a key of another group, whatever its id holds', () => {
    const tricky = [
      keys.contributions('PS:202601', JAN_15, Keys.CURRENT),
      keys.now('PS:202601'),
      keys.waiting('PS:202601'),
    ];
    const month = [
      keys.contributions('PS', JAN_15, '202601'),
      keys.daily('PS', JAN_15, '202601'),
      keys.historic('PS', 1, JAN_15, '202601'),
    ];
    for (const key of tricky) expect(month).not.toContain(key);
    expect(keySlot(tricky[0] ?? '')).not.toBe(keySlot(month[0] ?? ''));
  });

  it('reads a day in the months of the days two before to two after', () => {
    expect(Keys.month(JAN_15)).toBe('202601');
    expect(Keys.historyMonths(JAN_15)).toEqual(['202601']);
    expect(Keys.historyMonths(day('2026-01-31'))).toEqual(['202601', '202602']);
    expect(Keys.historyMonths(day('2026-02-02'))).toEqual(['202601', '202602']);
    expect(Keys.historyMonths(day('2026-02-03'))).toEqual(['202602']);
    expect(Keys.historyMonths(day('2025-12-31'))).toEqual(['202512', '202601']);
  });

  it('counts a term in its offer day’s month unless a reader of its day would not look there', () => {
    const jan31 = day('2026-01-31');
    // a contact offered on the first local day of February, its offer minute still in January (UTC)
    expect(Keys.termMonth(jan31, jan31 + 1)).toBe('202602');
    expect(Keys.termMonth(jan31 + 2, jan31)).toBe('202601');
    // ended five days after its offer, across the month's end: the month of the end
    expect(Keys.termMonth(jan31 + 5, jan31 - 1)).toBe('202602');
    expect(Keys.termMonth(JAN_15 + 10, JAN_15)).toBe('202601');
  });
});
