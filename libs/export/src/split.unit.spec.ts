import { describe, expect, it } from 'vitest';

import { splitByInterval } from './split.js';

const at = (x: { ms: number }): number => x.ms;
const iv = (startMs: number, endMs: number) => ({ startMs, endMs });

describe('splitByInterval', () => {
  it('gives each interval the items of its [start, end), in order, under their key', () => {
    const intervals = [iv(0, 10), iv(10, 20), iv(20, 30)];
    const byKey = new Map([
      ['a', [{ ms: 0 }, { ms: 9 }, { ms: 10 }, { ms: 29 }]],
      ['b', [{ ms: 15 }, { ms: 12 }]],
    ]);
    const parts = splitByInterval(intervals, byKey, at);
    expect(parts).toEqual([
      new Map([['a', [{ ms: 0 }, { ms: 9 }]]]),
      new Map([
        ['a', [{ ms: 10 }]],
        ['b', [{ ms: 15 }, { ms: 12 }]],
      ]),
      new Map([['a', [{ ms: 29 }]]]),
    ]);
  });

  it('drops items outside every interval, gaps included, and takes intervals in any order', () => {
    const intervals = [iv(40, 50), iv(10, 20)];
    const byKey = new Map([
      ['a', [{ ms: 5 }, { ms: 20 }, { ms: 30 }, { ms: 45 }, { ms: 50 }, { ms: 11 }]],
    ]);
    expect(splitByInterval(intervals, byKey, at)).toEqual([
      new Map([['a', [{ ms: 45 }]]]),
      new Map([['a', [{ ms: 11 }]]]),
    ]);
  });

  it('keeps every item of a run exactly once, whatever the number of intervals', () => {
    const intervals = Array.from({ length: 120 }, (_, i) => iv(i * 60_000, (i + 1) * 60_000));
    const items = Array.from({ length: 1_000 }, (_, i) => ({ ms: (i * 7_211) % 7_200_000 }));
    const parts = splitByInterval(intervals, new Map([['a', items]]), at);
    expect(parts.reduce((n, p) => n + (p.get('a')?.length ?? 0), 0)).toBe(1_000);
    parts.forEach((part, i) => {
      for (const item of part.get('a') ?? []) expect(Math.floor(item.ms / 60_000)).toBe(i);
    });
  });

  it('gives no intervals nothing', () => {
    expect(splitByInterval([], new Map([['a', [{ ms: 1 }]]]), at)).toEqual([]);
  });
});
