import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { DAY_MS, HOUR_MS, parseDayNumber, TimeZone } from '../index.js';

function zone(name: string): TimeZone {
  const z = TimeZone.of(name);
  if (z === undefined) throw new Error(`unknown zone ${name}`);
  return z;
}

function day(text: string): number {
  const n = parseDayNumber(text);
  if (n === undefined) throw new Error(`bad date ${text}`);
  return n;
}

describe('TimeZone', () => {
  it('refuses names the runtime does not know', () => {
    expect(TimeZone.of('Mars/Olympus')).toBeUndefined();
    expect(TimeZone.of('')).toBeUndefined();
  });

  it('gives offsets on both sides of a DST change', () => {
    const berlin = zone('Europe/Berlin');
    // 2024-03-31 01:00Z: 02:00 CET becomes 03:00 CEST
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 2, 31, 0, 59))).toBe(60);
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 2, 31, 1, 0))).toBe(120);
    // 2024-10-27 01:00Z: 03:00 CEST becomes 02:00 CET
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 9, 27, 0, 59))).toBe(120);
    expect(berlin.offsetMinutesAt(Date.UTC(2024, 9, 27, 1, 0))).toBe(60);
  });

  it('has 23- and 25-hour days in Berlin', () => {
    const berlin = zone('Europe/Berlin');
    const spring = day('2024-03-31');
    const autumn = day('2024-10-27');
    expect(berlin.startOfDay(spring + 1) - berlin.startOfDay(spring)).toBe(23 * HOUR_MS);
    expect(berlin.startOfDay(autumn + 1) - berlin.startOfDay(autumn)).toBe(25 * HOUR_MS);
    expect(berlin.startOfDay(spring)).toBe(Date.UTC(2024, 2, 30, 23, 0));
    expect(berlin.startOfDay(autumn + 1)).toBe(Date.UTC(2024, 9, 27, 23, 0));
  });

  it('starts a day at the first instant that exists when midnight is skipped', () => {
    // Chile moved clocks from 00:00 to 01:00 on 2024-09-08.
    const santiago = zone('America/Santiago');
    const d = day('2024-09-08');
    const start = santiago.startOfDay(d);
    expect(santiago.dayNumberAt(start)).toBe(d);
    expect(santiago.dayNumberAt(start - 1)).toBe(d - 1);
    expect(start).toBe(Date.UTC(2024, 8, 8, 4, 0)); // 01:00 -03:00
  });

  it('assigns instants to local days', () => {
    const israel = zone('Asia/Jerusalem');
    expect(israel.dayNumberAt(Date.UTC(1999, 1, 1, 21, 59))).toBe(day('1999-02-01'));
    expect(israel.dayNumberAt(Date.UTC(1999, 1, 1, 22, 0))).toBe(day('1999-02-02'));
  });

  test.prop([
    fc.constantFrom(
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'America/Santiago',
    ),
    fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
  ])(
    'caches nothing wrong: every instant lies in [startOfDay, startOfDay of the next day)',
    (name, ms) => {
      const z = zone(name);
      const d = z.dayNumberAt(ms);
      expect(z.startOfDay(d)).toBeLessThanOrEqual(ms);
      expect(z.startOfDay(d + 1)).toBeGreaterThan(ms);
      const fresh = zone(name);
      expect(fresh.offsetMinutesAt(ms)).toBe(z.offsetMinutesAt(ms));
    },
  );

  it('gives every day of a year a length of 23, 24 or 25 hours', () => {
    const ny = zone('America/New_York');
    const first = day('2024-01-01');
    for (let d = first; d < first + 366; d++) {
      const hours = (ny.startOfDay(d + 1) - ny.startOfDay(d)) / HOUR_MS;
      expect([23, 24, 25]).toContain(hours);
    }
    expect(ny.startOfDay(first + 366) - ny.startOfDay(first)).toBe(366 * DAY_MS);
  });
});
