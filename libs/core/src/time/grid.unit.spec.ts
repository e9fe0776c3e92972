import { describe, expect, it } from 'vitest';

import {
  bucketMinutesFor,
  intervalGrid,
  intervalStart,
  isValidStep,
  parseOffsetInstant,
} from '../index.js';

function at(text: string) {
  const parsed = parseOffsetInstant(text);
  if (parsed === undefined) throw new Error(text);
  return parsed;
}

describe('isValidStep', () => {
  it.each([60_000, 300_000, 900_000, 3_600_000, 86_400_000, 480_000])('accepts %d', (step) => {
    expect(isValidStep(step)).toBe(true);
  });

  it.each([0, -60_000, 30_000, 60_001, 7 * 60_000, 172_800_000, 1.5 * 60_000, Number.NaN])(
    'refuses %d',
    (step) => {
      expect(isValidStep(step)).toBe(false);
    },
  );
});

describe('intervalGrid', () => {
  it('starts at 00:00 of the start date in its own offset', () => {
    const grid = intervalGrid(at('2020-01-01T10:07:00+03:00'), 900_000);
    expect(grid.originMs).toBe(Date.UTC(2019, 11, 31, 21, 0));
    expect(intervalStart(grid, at('2020-01-01T10:07:00+03:00').ms)).toBe(
      Date.UTC(2020, 0, 1, 7, 0),
    );
  });

  it('uses 15-minute buckets only when everything is on quarter hours', () => {
    const grid = intervalGrid(at('2020-01-01T00:00:00+05:45'), 1_800_000);
    const s = at('2020-01-01T00:00:00+05:45').ms;
    expect(bucketMinutesFor(grid, s, s + 86_400_000)).toBe(15);
    expect(
      bucketMinutesFor(intervalGrid(at('2020-01-01T00:00:00Z'), 300_000), s, s + 900_000),
    ).toBe(1);
    expect(
      bucketMinutesFor(intervalGrid(at('2020-01-01T00:00:00+00:20'), 900_000), s, s + 900_000),
    ).toBe(1);
    expect(bucketMinutesFor(grid, s + 60_000, s + 86_400_000)).toBe(1);
  });
});
