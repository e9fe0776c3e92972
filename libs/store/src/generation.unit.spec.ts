import { describe, expect, it } from 'vitest';

import { GENERATION_PATTERN, nextGeneration } from './generation.js';

describe('nextGeneration', () => {
  it('counts up, and starts at g1 after a generation without a number', () => {
    expect(nextGeneration('g0')).toBe('g1');
    expect(nextGeneration('g9')).toBe('g10');
    expect(nextGeneration('g99999999999999999999')).toBe('g100000000000000000000');
    expect(nextGeneration('glive')).toBe('g1');
    expect(nextGeneration('')).toBe('g1');
  });

  it('always gives a name the aggregator accepts as STATE_GENERATION', () => {
    for (const current of ['g0', 'g41', 'gx', 'g1a'])
      expect(nextGeneration(current)).toMatch(GENERATION_PATTERN);
  });
});
