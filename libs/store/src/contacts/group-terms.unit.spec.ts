import { describe, expect, it } from 'vitest';

import { decodeVector, encodeVector } from './group-terms.js';

function doubles(values: readonly number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 8);
  values.forEach((x, i) => bytes.writeDoubleLE(x, i * 8));
  return bytes;
}

describe('stored vectors', () => {
  it('writes zeros as nothing and keeps the length', () => {
    expect(encodeVector([2, 2, 0, 2, 2, 0, 412345, 34000, 0, 0])).toBe('2,2,,2,2,,412345,34000,,');
    expect(decodeVector(Buffer.from('2,2,,2,2,,412345,34000,,'))).toEqual([
      2, 2, 0, 2, 2, 0, 412345, 34000, 0, 0,
    ]);
  });

  it('reads back every integer below 2^53 exactly, and negative sums', () => {
    const vector = [2 ** 53 - 1, -1, 1, 0, 1_733_300_000_000, -(2 ** 52)];
    expect(decodeVector(Buffer.from(encodeVector(vector)))).toEqual(vector);
  });

  it('still reads packed doubles, as written before the text form', () => {
    for (const vector of [
      [0, 0, 1],
      [1, 1, 0, 1, 1, 0, 45_000, 12_000, 1, 30_000],
      [1_733_300_000_000],
      [2 ** 53 - 1, -(2 ** 53 - 1), 0],
      [-3, 7, 0, 0],
    ])
      expect(decodeVector(doubles(vector))).toEqual(vector);
  });

  it('reads an empty value as an empty vector', () => {
    expect(decodeVector(Buffer.alloc(0))).toEqual([]);
  });
});
