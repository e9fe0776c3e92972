import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import {
  divideRoundHalfUp,
  groupLoadFigures,
  percentage4,
  serviceGroupInterval,
} from '../index.js';

describe('divideRoundHalfUp', () => {
  it.each([
    [10, 4, 3],
    [9, 4, 2],
    [5, 2, 3],
    [1, 3, 0],
    [2, 3, 1],
    [0, 5, 0],
    [7, 0, 0],
  ])('%d / %d = %d', (n, d, q) => {
    expect(divideRoundHalfUp(n, d)).toBe(q);
  });

  test.prop([fc.nat(1e12), fc.integer({ min: 1, max: 1e6 })])(
    'is within half of the exact quotient',
    (n, d) => {
      const q = divideRoundHalfUp(n, d);
      expect(Math.abs(q - n / d)).toBeLessThanOrEqual(0.5);
      if (Math.abs(q - n / d) === 0.5) expect(q).toBeGreaterThan(n / d);
    },
  );
});

describe('percentage4', () => {
  it('rounds to four decimals, half up', () => {
    expect(percentage4(1, 3)).toBe(33.3333);
    expect(percentage4(2, 3)).toBe(66.6667);
    expect(percentage4(1, 8)).toBe(12.5);
    expect(percentage4(5, 5)).toBe(100);
    expect(percentage4(0, 0)).toBe(0);
  });
});

describe('serviceGroupInterval', () => {
  it('averages over the treated contacts', () => {
    expect(serviceGroupInterval([15, 10, 5, 10, 8, 2, 3_600_000, 30_000, 0, 0])).toEqual({
      notUniqueReceived: 15,
      notUniqueTreated: 10,
      notUniqueMissed: 5,
      receivedCalls: 10,
      treatedCalls: 8,
      missCalls: 2,
      aht: 360_000,
      postProcessing: 3_000,
    });
  });
});

describe('groupLoadFigures', () => {
  it('leaves out figures that have no denominator', () => {
    expect(groupLoadFigures([0, 0, 0, 0, 0, 0, 0], [3, 1], 2)).toEqual({
      callNumber: 3,
      operatorNumber: 2,
      callReceived: 0,
      callAnswered: 0,
      callAnsweredTst: 0,
      callProcessing: 1,
    });
  });

  it('computes acd, aht and awt', () => {
    const f = groupLoadFigures([100, 95, 80, 3_600_000, 10, 2_000_000, 100], [0, 0], 0);
    expect(f.acd).toBe(95);
    expect(f.aht).toBe(360_000);
    expect(f.awt).toBe(20_000);
  });
});
