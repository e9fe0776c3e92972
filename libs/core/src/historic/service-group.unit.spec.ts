import { describe, expect, it } from 'vitest';

import { HIST_LENGTH, intervalGrid, parseOffsetInstant, serviceGroupRows } from '../index.js';

function vec(received: number, treated = 0): number[] {
  const v = new Array<number>(HIST_LENGTH).fill(0);
  v[0] = received;
  v[1] = treated;
  v[6] = treated * 1_000;
  return v;
}

describe('serviceGroupRows', () => {
  it('sums buckets into the intervals of the request offset and drops empty intervals', () => {
    const start = parseOffsetInstant('2020-01-01T00:00:00+03:00');
    if (start === undefined) throw new Error('bad date');
    const grid = intervalGrid(start, 3_600_000);
    const rows = serviceGroupRows(
      [
        { startMs: Date.UTC(2019, 11, 31, 21, 0), vector: vec(2, 1) },
        { startMs: Date.UTC(2019, 11, 31, 21, 45), vector: vec(1, 1) },
        { startMs: Date.UTC(2019, 11, 31, 23, 15), vector: vec(0) },
        { startMs: Date.UTC(2019, 11, 31, 22, 15), vector: vec(4) },
      ],
      grid,
    );
    expect(rows.map((r) => [r.startMs, r.notUniqueReceived, r.notUniqueTreated, r.aht])).toEqual([
      [Date.UTC(2019, 11, 31, 21, 0), 3, 2, 1_000],
      [Date.UTC(2019, 11, 31, 22, 0), 4, 0, 0],
    ]);
  });
});
