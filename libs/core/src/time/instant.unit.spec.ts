import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { formatDayNumber, formatInstant, parseDayNumber, parseOffsetInstant } from '../index.js';

describe('parseOffsetInstant', () => {
  it.each([
    ['2020-01-01T00:00:00Z', Date.UTC(2020, 0, 1), 0],
    ['2020-01-01T03:00:00+03:00', Date.UTC(2020, 0, 1), 180],
    ['2019-12-31T18:30:00-05:30', Date.UTC(2020, 0, 1), -330],
    ['2020-02-29T12:00:00.250Z', Date.UTC(2020, 1, 29, 12, 0, 0, 250), 0],
    ['2020-01-01T00:00:00.123456789Z', Date.UTC(2020, 0, 1, 0, 0, 0, 123), 0],
    ['2020-01-01T10:15Z', Date.UTC(2020, 0, 1, 10, 15), 0],
    ['2020-01-01t10:15:00z', Date.UTC(2020, 0, 1, 10, 15), 0],
  ])('reads %s', (text, ms, offset) => {
    expect(parseOffsetInstant(text)).toEqual({ ms, offsetMinutes: offset });
  });

  it.each([
    ['no offset', '2020-01-01T00:00:00'],
    ['date only', '2020-01-01'],
    ['February 30', '2020-02-30T00:00:00Z'],
    ['February 29 of a common year', '2019-02-29T00:00:00Z'],
    ['hour 24', '2020-01-01T24:00:00Z'],
    ['second 60', '2020-01-01T23:59:60Z'],
    ['offset beyond 18 hours', '2020-01-01T00:00:00+19:00'],
    ['offset minutes 60', '2020-01-01T00:00:00+01:60'],
    ['offset without colon', '2020-01-01T00:00:00+0300'],
    ['garbage', 'yesterday'],
    ['empty', ''],
  ])('refuses %s', (_why, text) => {
    expect(parseOffsetInstant(text)).toBeUndefined();
  });
});

describe('formatInstant', () => {
  it('writes Z for UTC and seconds without a fraction', () => {
    expect(formatInstant(Date.UTC(2020, 0, 1, 10, 15, 36))).toBe('2020-01-01T10:15:36Z');
  });

  it('writes the offset and shifts the wall time', () => {
    expect(formatInstant(Date.UTC(2020, 0, 1), 180)).toBe('2020-01-01T03:00:00+03:00');
    expect(formatInstant(Date.UTC(2020, 0, 1), -330)).toBe('2019-12-31T18:30:00-05:30');
  });

  it('writes milliseconds only when there are some', () => {
    expect(formatInstant(Date.UTC(2020, 0, 1, 0, 0, 0, 5))).toBe('2020-01-01T00:00:00.005Z');
  });

  test.prop([
    fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }),
    fc.integer({ min: -18 * 60, max: 18 * 60 }),
  ])('reads back what it writes', (ms, offset) => {
    expect(parseOffsetInstant(formatInstant(ms, offset))).toEqual({ ms, offsetMinutes: offset });
  });
});

describe('day numbers', () => {
  it('round-trips dates', () => {
    expect(parseDayNumber('1970-01-01')).toBe(0);
    expect(formatDayNumber(18262)).toBe('2020-01-01');
    expect(parseDayNumber('2020-01-01')).toBe(18262);
    expect(parseDayNumber('2020-13-01')).toBeUndefined();
  });
});
