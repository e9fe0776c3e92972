import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { intervalName } from '@wfm-stream/export';
import { describe, expect, it } from 'vitest';

import {
  backoffMs,
  dueBoundary,
  planTick,
  type ScheduleSettings,
  type ScheduleState,
  watchedIntervals,
} from './index.js';

const Q = 15 * MINUTE_MS;
const settings: ScheduleSettings = {
  zone: TimeZone.UTC,
  stepMs: Q,
  delayMs: MINUTE_MS,
  restateWindowMs: HOUR_MS,
  maxIntervalsPerTick: 100,
};
const at = (hh: number, mm: number, ss = 0): number => Date.UTC(2024, 5, 1, hh, mm, ss);
const empty: ScheduleState = { cursors: new Map(), fingerprints: new Map() };

function names(jobs: readonly { target: string; interval: { startMs: number }; reason: string }[]) {
  return jobs.map(
    (j) => `${j.target} ${intervalName({ startMs: j.interval.startMs, endMs: 0 })} ${j.reason}`,
  );
}

describe('the schedule', () => {
  it('makes an interval due EXPORT_DELAY after it closes', () => {
    expect(dueBoundary(settings, at(10, 15, 59))).toBe(at(10, 0));
    expect(dueBoundary(settings, at(10, 16))).toBe(at(10, 15));
  });

  it('starts a new target with the latest due interval', () => {
    const plan = planTick(settings, at(10, 16), ['a'], empty, []);
    expect(names(plan.jobs)).toEqual(['a 2024-06-01T10:00:00Z scheduled']);
    expect(plan.cursors.get('a')).toBe(at(10, 15));
  });

  it('enqueues every due interval from the cursor, and nothing twice', () => {
    const state: ScheduleState = { cursors: new Map([['a', at(9, 30)]]), fingerprints: new Map() };
    const plan = planTick(settings, at(10, 16), ['a'], state, []);
    expect(names(plan.jobs)).toEqual([
      'a 2024-06-01T09:30:00Z scheduled',
      'a 2024-06-01T09:45:00Z scheduled',
      'a 2024-06-01T10:00:00Z scheduled',
    ]);
    const again = planTick(settings, at(10, 20), ['a'], { ...state, cursors: plan.cursors }, []);
    expect(again.jobs).toEqual([]);
    expect(again.cursors.size).toBe(0);
  });

  it('catches up in bounded steps', () => {
    const state: ScheduleState = { cursors: new Map([['a', at(0, 0)]]), fingerprints: new Map() };
    const plan = planTick({ ...settings, maxIntervalsPerTick: 4 }, at(10, 16), ['a'], state, []);
    expect(plan.jobs).toHaveLength(4);
    expect(plan.cursors.get('a')).toBe(at(1, 0));
  });

  it('watches the due intervals of the restate window', () => {
    expect(watchedIntervals(settings, at(10, 16)).map(intervalName)).toEqual([
      '2024-06-01T09:15:00Z',
      '2024-06-01T09:30:00Z',
      '2024-06-01T09:45:00Z',
      '2024-06-01T10:00:00Z',
    ]);
  });

  it('re-enqueues a watched interval whose content changed, for the targets that had it', () => {
    const state: ScheduleState = {
      cursors: new Map([
        ['a', at(10, 15)],
        ['b', at(9, 45)],
      ]),
      fingerprints: new Map([
        [at(9, 15), 'h1'],
        [at(9, 30), 'h2'],
        [at(9, 45), 'h3'],
        [at(8, 0), 'old'],
      ]),
    };
    const watched = [
      { interval: { startMs: at(9, 15), endMs: at(9, 30) }, hash: 'h1' },
      { interval: { startMs: at(9, 30), endMs: at(9, 45) }, hash: 'h2-late' },
      { interval: { startMs: at(9, 45), endMs: at(10, 0) }, hash: 'h3' },
      { interval: { startMs: at(10, 0), endMs: at(10, 15) }, hash: 'h4' },
    ];
    const plan = planTick(settings, at(10, 16), ['a', 'b'], state, watched);
    expect(names(plan.jobs)).toEqual([
      'b 2024-06-01T09:45:00Z scheduled',
      'b 2024-06-01T10:00:00Z scheduled',
      'a 2024-06-01T09:30:00Z restated',
      'b 2024-06-01T09:30:00Z restated',
    ]);
    expect([...plan.fingerprints]).toEqual([
      [at(9, 30), 'h2-late'],
      [at(10, 0), 'h4'],
    ]);
    expect(plan.forget).toEqual([at(8, 0)]);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 8, initialMs: 1_000, maxMs: 60_000 };

  it('doubles per failure, with jitter between half and all of it, up to the cap', () => {
    expect(backoffMs(policy, 1, undefined, () => 0)).toBe(500);
    expect(backoffMs(policy, 1, undefined, () => 1)).toBe(1_000);
    expect(backoffMs(policy, 3, undefined, () => 1)).toBe(4_000);
    expect(backoffMs(policy, 20, undefined, () => 1)).toBe(60_000);
  });

  it('waits at least what Retry-After asks, within the cap', () => {
    expect(backoffMs(policy, 1, 5_000, () => 1)).toBe(5_000);
    expect(backoffMs(policy, 1, 600_000, () => 1)).toBe(60_000);
  });
});
