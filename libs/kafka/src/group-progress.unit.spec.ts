import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { endsOf, type PartitionPosition, reached, summarizeProgress } from './group-progress.js';

const at = (
  partition: number,
  start: number,
  committed: number | undefined,
  end: number,
): PartitionPosition => ({ topic: 't', partition, start, committed, end });

describe('summarizeProgress', () => {
  it('counts from the start offsets, before and after the first commit', () => {
    expect(summarizeProgress([at(0, 0, undefined, 100), at(1, 10, undefined, 20)])).toEqual({
      total: 110,
      done: 0,
      lag: 110,
    });
    expect(summarizeProgress([at(0, 0, 60, 100), at(1, 10, 20, 20)])).toEqual({
      total: 110,
      done: 70,
      lag: 40,
    });
  });

  it('ignores commits below the start and empty partitions', () => {
    expect(summarizeProgress([at(0, 50, 10, 100), at(1, 0, undefined, 0)])).toEqual({
      total: 50,
      done: 0,
      lag: 50,
    });
  });

  test.prop([
    fc.array(
      fc
        .tuple(fc.nat(1_000), fc.nat(1_000), fc.option(fc.nat(2_000), { nil: undefined }))
        .map(([start, length, committed]) => ({ start, end: start + length, committed })),
      { maxLength: 8 },
    ),
  ])('done + lag = total, each within range', (parts) => {
    const p = summarizeProgress(parts.map((x, i) => at(i, x.start, x.committed, x.end)));
    expect(p.done + p.lag).toBe(p.total);
    expect(p.done).toBeGreaterThanOrEqual(0);
    expect(p.lag).toBeGreaterThanOrEqual(0);
  });
});

describe('reached', () => {
  it('is true once every partition has committed its target', () => {
    const targets = endsOf([at(0, 0, 0, 100), at(1, 0, 0, 50)]);
    expect(reached([at(0, 0, 100, 120), at(1, 0, 49, 60)], targets)).toBe(false);
    expect(reached([at(0, 0, 100, 120), at(1, 0, 50, 60)], targets)).toBe(true);
    expect(reached([at(0, 0, undefined, 120), at(1, 0, 50, 60)], targets)).toBe(false);
  });

  it('needs nothing where the target lies at or before the start', () => {
    expect(reached([at(0, 30, undefined, 40)], endsOf([at(0, 0, 0, 30)]))).toBe(true);
    expect(reached([at(0, 0, undefined, 0)], endsOf([at(0, 0, 0, 0)]))).toBe(true);
  });
});
