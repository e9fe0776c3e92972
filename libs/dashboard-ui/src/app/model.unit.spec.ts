import { describe, expect, it } from 'vitest';

import { clockDuration, handlingTime, roughDuration, stateAndReason, timeOfDay } from './format.js';
import { applyEvent, matchesSearch, nextSort, seriesOf, sortRows } from './model.js';

describe('applyEvent', () => {
  const key = (r: { id: string }): string => r.id;
  it('replaces everything on a snapshot and changes only the named rows on a delta', () => {
    const start = applyEvent(
      new Map(),
      { snapshot: true, upsert: [{ id: 'a' }, { id: 'b' }], remove: [] },
      key,
    );
    expect([...start.keys()]).toEqual(['a', 'b']);
    const next = applyEvent(start, { upsert: [{ id: 'c' }], remove: ['a'] }, key);
    expect([...next.keys()].sort()).toEqual(['b', 'c']);
    expect([...applyEvent(next, { snapshot: true, upsert: [], remove: [] }, key).keys()]).toEqual(
      [],
    );
  });
});

describe('sorting and search', () => {
  const rows = [
    { id: '1', v: 3 },
    { id: '2', v: undefined },
    { id: '3', v: 1 },
    { id: '4', v: 3 },
  ];
  it('sorts either way, with missing values last and ties by the tiebreak', () => {
    const ids = (d: 'ascending' | 'descending'): string[] =>
      sortRows(
        rows,
        (r) => r.v,
        d,
        (r) => r.id,
      ).map((r) => r.id);
    expect(ids('ascending')).toEqual(['3', '1', '4', '2']);
    expect(ids('descending')).toEqual(['1', '4', '3', '2']);
  });

  it('flips the same column and starts another in its natural direction', () => {
    expect(nextSort({ key: 'a', direction: 'ascending' }, 'a', 'descending')).toEqual({
      key: 'a',
      direction: 'descending',
    });
    expect(nextSort({ key: 'a', direction: 'ascending' }, 'b', 'descending')).toEqual({
      key: 'b',
      direction: 'descending',
    });
  });

  it('matches every word, whatever the case and accents', () => {
    expect(matchesSearch('zoe ready', ['Zoë Martin', 'Ready'])).toBe(true);
    expect(matchesSearch('zoe break', ['Zoë Martin', 'Ready'])).toBe(false);
    expect(matchesSearch('  ', ['x'])).toBe(true);
  });
});

describe('seriesOf', () => {
  it('fills the intervals without contacts with zeros, up to the current one', () => {
    const start = Date.parse('2026-03-02T00:00:00+01:00');
    const step = 900_000;
    const series = seriesOf(
      [
        {
          startInterval: '2026-03-02T00:15:00+01:00',
          notUniqueReceived: 2,
          notUniqueTreated: 1,
          notUniqueMissed: 1,
          aht: 30_000,
        },
      ],
      start,
      step,
      start + 3 * step + 10,
    );
    expect(series.starts).toEqual([0, 1, 2, 3].map((i) => (start + i * step) / 1000));
    expect(series.received).toEqual([0, 2, 0, 0]);
    expect(series.ahtSeconds).toEqual([null, 30, null, null]);
  });
});

describe('format', () => {
  it('writes durations as a clock', () => {
    expect(clockDuration(42_000)).toBe('0:42');
    expect(clockDuration(725_999)).toBe('12:05');
    expect(clockDuration(3_723_000)).toBe('1:02:03');
    expect(clockDuration(-5)).toBe('0:00');
    expect(roughDuration(90_000)).toBe('1 min');
    expect(handlingTime(0)).toBe('0 s');
    expect(handlingTime(276_624)).toBe('4:36');
    expect(handlingTime(undefined)).toBe('–');
  });

  it('shows times in the contact center zone, whatever the browser zone', () => {
    const ms = Date.parse('2026-03-02T12:00:00Z');
    expect(timeOfDay(ms, 'Europe/Berlin')).toBe('13:00');
    expect(timeOfDay(ms, 'America/New_York', true)).toBe('07:00:00');
  });

  it('splits a state from its reason', () => {
    expect(stateAndReason('Break / Coffee break')).toEqual({
      state: 'Break',
      reason: 'Coffee break',
    });
    expect(stateAndReason('Ready')).toEqual({ state: 'Ready' });
  });
});
