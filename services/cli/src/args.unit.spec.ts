import { TimeZone } from '@wfm-stream/core';
import { describe, expect, it } from 'vitest';

import { parseSpeed, parseStart, UsageError } from './args.js';

const NOW = Date.UTC(2024, 5, 15, 13, 45);
const berlin = TimeZone.of('Europe/Berlin') ?? TimeZone.UTC;

describe('parseStart', () => {
  it.each([
    ['now', NOW],
    ['today', Date.UTC(2024, 5, 14, 22, 0)],
    ['-24h', NOW - 86_400_000],
    ['-90m', NOW - 5_400_000],
    ['2024-01-08', Date.UTC(2024, 0, 7, 23, 0)],
    ['2024-01-08T06:00:00Z', Date.UTC(2024, 0, 8, 6, 0)],
  ])('reads %s', (text, expected) => {
    expect(parseStart(text, berlin, NOW)).toBe(expected);
  });

  it('says what it accepts', () => {
    expect(() => parseStart('yesterday', berlin, NOW)).toThrow(UsageError);
    expect(() => parseStart('2024-01-08T06:00:00', berlin, NOW)).toThrow(/date-time with offset/);
  });
});

describe('parseSpeed', () => {
  it('reads realtime, max and factors', () => {
    expect(parseSpeed('realtime')).toBe(1);
    expect(parseSpeed('max')).toBe('max');
    expect(parseSpeed('60')).toBe(60);
    expect(() => parseSpeed('0')).toThrow(UsageError);
    expect(() => parseSpeed('fast')).toThrow(/realtime, max or a positive factor/);
  });
});
