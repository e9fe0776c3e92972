import { TimeZone } from '@wfm-stream/core';
import { describe, expect, it } from 'vitest';

import type { ValueType } from './values.js';
import * as values from './values.js';

const NOW = Date.UTC(2024, 5, 15, 13, 45);
const berlin = TimeZone.of('Europe/Berlin') ?? TimeZone.UTC;

function start(value: string): number | undefined {
  const read = values.simulationStart.read(value);
  return read === undefined ? undefined : values.resolveStart(read, berlin, NOW);
}

describe('simulation start', () => {
  it.each([
    ['now', NOW],
    ['today', Date.UTC(2024, 5, 14, 22, 0)],
    ['-24h', NOW - 86_400_000],
    ['-90m', NOW - 5_400_000],
    ['2024-01-08', Date.UTC(2024, 0, 7, 23, 0)],
    ['2024-01-08T06:00:00Z', Date.UTC(2024, 0, 8, 6, 0)],
  ])('reads %s', (value, expected) => {
    expect(start(value)).toBe(expected);
  });

  it.each(['yesterday', '2024-01-08T06:00:00', '-', '-soon', ''])('refuses %j', (value) => {
    expect(start(value)).toBeUndefined();
  });

  it('says what it accepts', () => {
    expect(values.simulationStart.expects).toContain('date-time with offset');
  });
});

describe('speed', () => {
  it('reads realtime, max and factors', () => {
    expect(values.speed.read('realtime')).toBe(1);
    expect(values.speed.read('max')).toBe('max');
    expect(values.speed.read('60')).toBe(60);
    expect(values.speed.read('0.5')).toBe(0.5);
    for (const bad of ['0', '-2', 'fast', '', 'Infinity'])
      expect(values.speed.read(bad)).toBeUndefined();
    expect(values.speed.expects).toBe('realtime, max or a positive factor');
  });
});

describe('value types', () => {
  const cases: [string, ValueType<unknown>, [string, unknown][], string[]][] = [
    [
      'a whole number',
      values.wholeNumber(),
      [
        ['-3', -3],
        ['0', 0],
        ['42', 42],
      ],
      ['1.5', 'x', '', '1e3'],
    ],
    ['a whole number, 0 or more', values.wholeNumber({ min: 0 }), [['0', 0]], ['-1']],
    ['a whole number of at least 1', values.wholeNumber({ min: 1 }), [['7', 7]], ['0', 'fast']],
    [
      'a whole number from 1 to 64',
      values.wholeNumber({ min: 1, max: 64 }),
      [['64', 64]],
      ['65', '0'],
    ],
    ['a whole number from 1 to 65535', values.port, [['8080', 8080]], ['0', '70000']],
    [
      'a duration such as 90m, 12h or 7d',
      values.duration,
      [
        ['90m', 5_400_000],
        ['1d', 86_400_000],
      ],
      ['0s', 'soon', ''],
    ],
    [
      'a date-time with offset, e.g. 2026-03-29T00:00:00Z',
      values.instant,
      [['2026-03-29T00:00:00+01:00', Date.UTC(2026, 2, 28, 23)]],
      ['2026-03-29', '2026-03-29T00:00:00', 'yesterday'],
    ],
    [
      'a date YYYY-MM-DD',
      values.date,
      [['1999-02-01', '1999-02-01']],
      ['1999-02-30', '1999-2-1', 'today'],
    ],
    [
      'today or a date YYYY-MM-DD',
      values.todayOrDate,
      [
        ['today', 'today'],
        ['2024-07-01', '2024-07-01'],
      ],
      ['tomorrow'],
    ],
    [
      'one of simulate, replay, none',
      values.oneOf(['simulate', 'replay', 'none']),
      [['replay', 'replay']],
      ['Replay', ''],
    ],
    ['a directory', values.text('DIR', 'a directory'), [['/tmp/x', '/tmp/x']], ['']],
  ];
  it.each(cases)('%s', (expects, type, good, bad) => {
    expect(type.expects).toBe(expects);
    for (const [value, read] of good) expect(type.read(value), value).toEqual(read);
    for (const value of bad) expect(type.read(value), value).toBeUndefined();
  });
});
