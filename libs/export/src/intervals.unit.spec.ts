import { HOUR_MS, MINUTE_MS, parseDayNumber, TimeZone } from '@wfm-stream/core';
import { describe, expect, it } from 'vitest';

import {
  intervalAt,
  intervalMinutes,
  intervalName,
  intervalsOfDay,
  intervalsOverlapping,
  isValidExportStep,
  nextInterval,
  reexportJobs,
} from './index.js';

function zone(name: string): TimeZone {
  const z = TimeZone.of(name);
  if (z === undefined) throw new Error(name);
  return z;
}

function day(text: string): number {
  const n = parseDayNumber(text);
  if (n === undefined) throw new Error(text);
  return n;
}

const Q = 15 * MINUTE_MS;
const berlin = zone('Europe/Berlin');

describe('the export grid', () => {
  it('has 96 quarter hours on an ordinary day, from local midnight', () => {
    const list = intervalsOfDay(berlin, Q, day('2024-06-01'));
    expect(list).toHaveLength(96);
    expect(intervalName(list[0]!)).toBe('2024-05-31T22:00:00Z');
    expect(intervalName(list[95]!)).toBe('2024-06-01T21:45:00Z');
  });

  it('has 92 on the spring day and 100 on the autumn day, each 15 minutes of real time', () => {
    const spring = intervalsOfDay(berlin, Q, day('2024-03-31'));
    const autumn = intervalsOfDay(berlin, Q, day('2024-10-27'));
    expect(spring).toHaveLength(92);
    expect(autumn).toHaveLength(100);
    for (const i of [...spring, ...autumn]) expect(i.endMs - i.startMs).toBe(Q);
    // 01:45 CET is followed by 03:00 CEST, 15 minutes later
    expect(intervalName(spring[7]!)).toBe('2024-03-31T00:45:00Z');
    expect(intervalName(spring[8]!)).toBe('2024-03-31T01:00:00Z');
    // the repeated hour 02:00–03:00 is two hours of intervals
    expect(intervalName(autumn[0]!)).toBe('2024-10-26T22:00:00Z');
    expect(intervalName(autumn[99]!)).toBe('2024-10-27T22:45:00Z');
  });

  it('ends the last interval of a short day at the next midnight', () => {
    const spring = intervalsOfDay(berlin, 2 * HOUR_MS, day('2024-03-31'));
    expect(spring).toHaveLength(12);
    expect(intervalMinutes(spring[11]!)).toBe(60);
    expect(spring[11]!.endMs).toBe(berlin.startOfDay(day('2024-04-01')));
    // Lord Howe moves its clocks by 30 minutes
    const lordHowe = zone('Australia/Lord_Howe');
    const list = intervalsOfDay(lordHowe, HOUR_MS, day('2024-04-07'));
    expect(list.reduce((sum, i) => sum + (i.endMs - i.startMs), 0)).toBe(24.5 * HOUR_MS);
    expect(intervalMinutes(list[list.length - 1]!)).toBe(30);
  });

  it('finds the interval holding an instant and the next one', () => {
    const at = Date.UTC(2024, 5, 1, 10, 7, 30);
    const interval = intervalAt(berlin, Q, at);
    expect(interval).toEqual({
      startMs: Date.UTC(2024, 5, 1, 10, 0),
      endMs: Date.UTC(2024, 5, 1, 10, 15),
    });
    expect(nextInterval(berlin, Q, interval).startMs).toBe(Date.UTC(2024, 5, 1, 10, 15));
    expect(intervalAt(TimeZone.UTC, Q, interval.endMs).startMs).toBe(interval.endMs);
  });

  it('lists every interval overlapping a range, up to a limit', () => {
    const from = Date.UTC(2024, 5, 1, 10, 7);
    const list = intervalsOverlapping(TimeZone.UTC, Q, from, from + HOUR_MS);
    expect(list.map(intervalName)).toEqual([
      '2024-06-01T10:00:00Z',
      '2024-06-01T10:15:00Z',
      '2024-06-01T10:30:00Z',
      '2024-06-01T10:45:00Z',
      '2024-06-01T11:00:00Z',
    ]);
    expect(intervalsOverlapping(TimeZone.UTC, Q, from, from + HOUR_MS, 2)).toHaveLength(2);
    expect(intervalsOverlapping(TimeZone.UTC, Q, from, from)).toEqual([]);
  });

  it('accepts steps of whole minutes that divide a day', () => {
    expect(isValidExportStep(Q)).toBe(true);
    expect(isValidExportStep(7 * MINUTE_MS)).toBe(false);
    expect(isValidExportStep(30_000)).toBe(false);
  });
});

describe('reexportJobs', () => {
  it('makes one job per target and interval, in time order per target', () => {
    const from = Date.UTC(2024, 5, 1, 10, 0);
    const jobs = reexportJobs({
      zone: TimeZone.UTC,
      stepMs: Q,
      fromMs: from,
      toMs: from + 30 * MINUTE_MS,
      targets: ['a', 'b'],
      nowMs: from + HOUR_MS,
    });
    expect(jobs?.map((j) => `${j.target} ${j.intervalStart} ${j.reason}`)).toEqual([
      'a 2024-06-01T10:00:00Z reexport',
      'a 2024-06-01T10:15:00Z reexport',
      'b 2024-06-01T10:00:00Z reexport',
      'b 2024-06-01T10:15:00Z reexport',
    ]);
    expect(new Set(jobs?.map((j) => j.id)).size).toBe(4);
  });

  it('refuses ranges that would make too many jobs', () => {
    const from = Date.UTC(2024, 0, 1);
    const jobs = reexportJobs({
      zone: TimeZone.UTC,
      stepMs: MINUTE_MS,
      fromMs: from,
      toMs: from + 365 * 24 * HOUR_MS,
      targets: ['a'],
      nowMs: from + 400 * 24 * HOUR_MS,
    });
    expect(jobs).toBeUndefined();
  });

  it('leaves out intervals that have not closed yet', () => {
    const from = Date.UTC(2024, 5, 1, 10, 0);
    const request = {
      zone: TimeZone.UTC,
      stepMs: Q,
      fromMs: from,
      toMs: from + 24 * HOUR_MS,
      targets: ['a'],
    };
    // at 10:40 only 10:00 and 10:15 have closed; 10:30 is open, the rest is the future
    expect(
      reexportJobs({ ...request, nowMs: from + 40 * MINUTE_MS })?.map((j) => j.intervalStart),
    ).toEqual(['2024-06-01T10:00:00Z', '2024-06-01T10:15:00Z']);
    expect(
      reexportJobs({ ...request, nowMs: from + 45 * MINUTE_MS })?.map((j) => j.intervalStart),
    ).toEqual(['2024-06-01T10:00:00Z', '2024-06-01T10:15:00Z', '2024-06-01T10:30:00Z']);
    expect(reexportJobs({ ...request, nowMs: from + MINUTE_MS })).toEqual([]);
  });
});
