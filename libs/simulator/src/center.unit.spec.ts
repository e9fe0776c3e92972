import { fc, test } from '@fast-check/vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import type { WfmEvent } from '@wfm-stream/schemas';
import { describe, expect, it } from 'vitest';

import {
  checkCenter,
  ContactCenterSimulation,
  DEFAULT_SIMULATOR_OPTIONS,
  type HourFigures,
  hourlyFigures,
  isOpenAt,
  PLAUSIBLE_BANDS,
  type SimulatorOptions,
} from './index.js';

/**
 * The simulated center is plausible by construction: its invariants (checkCenter) hold
 * over many seeds, windows that start at any hour, a week with a daylight-saving change,
 * and the hourly service level and occupancy stay within the bands of the README.
 */

const berlin = TimeZone.of('Europe/Berlin')!;

interface Run {
  readonly sim: ContactCenterSimulation;
  readonly directory: WfmEvent[];
  readonly events: WfmEvent[];
  readonly startMs: number;
  readonly endMs: number;
  readonly zone: TimeZone;
}

function run(overrides: Partial<SimulatorOptions> & { startMs: number }, durationMs: number): Run {
  const zone = overrides.zone ?? TimeZone.UTC;
  const sim = new ContactCenterSimulation({ ...DEFAULT_SIMULATOR_OPTIONS, zone, ...overrides });
  const directory = sim.directory();
  const endMs = overrides.startMs + durationMs;
  return { sim, directory, events: sim.advance(endMs), startMs: overrides.startMs, endMs, zone };
}

function violationsOf(r: Run): string[] {
  return checkCenter({
    directory: r.directory,
    events: r.events,
    windowStartMs: r.startMs,
    windowEndMs: r.endMs,
    shifts: r.sim.shiftsBetween(r.startMs, r.endMs),
    rules: r.sim.rules(),
    maxViolations: 5,
  }).map((v) => `${v.invariant} ${v.at} ${v.agentId ?? ''} ${v.contactId ?? ''}: ${v.message}`);
}

const WEDNESDAY = Date.UTC(2026, 11, 2);
/** Simulating and checking days takes seconds on a busy machine: more than the default 5 s. */
const SLOW = { timeout: 60_000 };

describe('the invariants hold', () => {
  it('for 24 seeds, each a day from a different hour of a different weekday', SLOW, () => {
    for (let seed = 1; seed <= 24; seed++) {
      const startMs = WEDNESDAY + (seed % 7) * DAY_MS + ((seed * 5) % 24) * HOUR_MS + seed * 61_000;
      expect(violationsOf(run({ seed, startMs }, DAY_MS)), `seed ${seed}`).toEqual([]);
    }
  });

  it('for a week in Berlin with the change to summer time', SLOW, () => {
    // Monday 2026-03-23 to Monday 2026-03-30; clocks go forward on Sunday 29 March
    const startMs = berlin.startOfDay(Date.UTC(2026, 2, 23) / DAY_MS);
    expect(violationsOf(run({ seed: 7, zone: berlin, startMs }, 7 * DAY_MS))).toEqual([]);
  });

  test.prop(
    [
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.integer({ min: 0, max: 365 * 24 * 60 }),
      fc.integer({ min: 60, max: 36 * 60 }),
      fc.integer({ min: 1, max: 4 }),
    ],
    { numRuns: 8, timeout: 60_000 },
  )('for any seed, start minute, duration and chat concurrency', (seed, minute, minutes, chats) => {
    const startMs = Date.UTC(2026, 0, 1) + minute * MINUTE_MS;
    expect(
      violationsOf(run({ seed, startMs, chatConcurrency: chats }, minutes * MINUTE_MS)),
    ).toEqual([]);
  });

  it('for a small center and a large one', SLOW, () => {
    const small = run(
      { seed: 3, startMs: WEDNESDAY, agents: 8, groups: 2, contactsPerHour: 15 },
      DAY_MS,
    );
    const large = run(
      { seed: 4, startMs: WEDNESDAY, agents: 200, groups: 10, contactsPerHour: 500 },
      DAY_MS,
    );
    expect(violationsOf(small)).toEqual([]);
    expect(violationsOf(large)).toEqual([]);
  });
});

describe('shifts', () => {
  it('end with a logout for every login (the stuck agents of 2026-12-02 are gone)', () => {
    const day = run({ seed: 1, idPrefix: 'sim1', startMs: WEDNESDAY }, DAY_MS);
    const online = new Set<string>();
    let logins = 0;
    for (const e of day.events) {
      if (e.type === 'agent.loggedIn') {
        logins++;
        online.add(e.agentId);
      }
      if (e.type === 'agent.loggedOut') online.delete(e.agentId);
    }
    expect(logins).toBeGreaterThan(40);
    // at midnight only the night desk is still in, its shift going on
    const night = day.sim
      .shiftsBetween(day.endMs, day.endMs + 1)
      .filter((s) => s.startMs < day.endMs)
      .map((s) => s.agentId);
    expect([...online].sort()).toEqual(night.sort());
    expect(night.length).toBeGreaterThan(0);
    expect(night.length).toBeLessThanOrEqual(4);
    expect(violationsOf(day)).toEqual([]);
  });

  it('are the same whichever window of time is simulated', () => {
    const whole = run({ seed: 2, startMs: WEDNESDAY }, 2 * DAY_MS);
    const later = run({ seed: 2, startMs: WEDNESDAY + 30 * HOUR_MS }, DAY_MS);
    const midday = WEDNESDAY + 36 * HOUR_MS;
    expect(later.sim.shiftsBetween(midday, midday + HOUR_MS)).toEqual(
      whole.sim.shiftsBetween(midday, midday + HOUR_MS),
    );
  });

  it('in progress when the simulation starts log in at its start', () => {
    const startMs = WEDNESDAY + 10 * HOUR_MS + 17 * MINUTE_MS;
    const r = run({ seed: 5, startMs }, HOUR_MS);
    const inProgress = r.sim
      .shiftsBetween(startMs, startMs + 1)
      .filter((s) => s.startMs <= startMs && s.endMs > startMs)
      .map((s) => s.agentId)
      .sort();
    const loggedInAtStart = r.events
      .filter((e) => e.type === 'agent.loggedIn' && Date.parse(e.occurredAt) === startMs)
      .map((e) => (e as { agentId: string }).agentId)
      .sort();
    expect(inProgress.length).toBeGreaterThan(10);
    expect(loggedInAtStart).toEqual(inProgress);
  });
});

describe('the demo (npm start: the last 24 hours at once, ids demo-…)', () => {
  // whatever the hour it starts at, "now" is plausible: agents online only in their
  // shifts, and every agent logged out has finished sessions
  for (const hour of [0, 6.84, 11.5, 21.9]) {
    it(`is coherent at now when started at ${hour} h UTC`, () => {
      const now = WEDNESDAY + hour * HOUR_MS;
      const r = run({ seed: 1, idPrefix: 'demo', startMs: now - DAY_MS }, DAY_MS);
      expect(violationsOf(r)).toEqual([]);
      const online = new Set<string>();
      for (const e of r.events) {
        if (e.type === 'agent.loggedIn') online.add(e.agentId);
        if (e.type === 'agent.loggedOut') online.delete(e.agentId);
      }
      const inShift = new Set(
        r.sim
          .shiftsBetween(now, now + 1)
          .filter((s) => s.startMs <= now)
          .map((s) => s.agentId),
      );
      for (const agentId of online) expect(inShift, agentId).toContain(agentId);
    });
  }
});

describe('service level and occupancy', SLOW, () => {
  const days: HourFigures[][] = [];
  for (let seed = 1; seed <= 12; seed++) {
    // six weekdays and six weekend days
    const startMs = WEDNESDAY + (seed <= 6 ? seed % 3 : 3 + (seed % 2)) * DAY_MS;
    const r = run({ seed, startMs }, DAY_MS);
    days.push(hourlyFigures(r.events, { zone: r.zone, fromMs: r.startMs, toMs: r.endMs }));
  }
  const openHours = days.flat().filter((h) => isOpenAt(TimeZone.UTC, h.startMs));
  const closedHours = days.flat().filter((h) => !isOpenAt(TimeZone.UTC, h.startMs));
  const bands = PLAUSIBLE_BANDS;

  it('stay within the bands in every opening hour', () => {
    expect(openHours).toHaveLength(12 * 15);
    for (const h of openHours) {
      expect(h.serviceLevel, h.hour).toBeGreaterThanOrEqual(bands.hourlyServiceLevel[0]);
      expect(h.serviceLevel, h.hour).toBeLessThanOrEqual(bands.hourlyServiceLevel[1]);
      expect(h.occupancy, h.hour).toBeGreaterThanOrEqual(bands.hourlyOccupancy[0]);
      expect(h.occupancy, h.hour).toBeLessThanOrEqual(bands.hourlyOccupancy[1]);
    }
  });

  it('stay within the bands over each day', () => {
    for (const day of days) {
      const open = day.filter((h) => isOpenAt(TimeZone.UTC, h.startMs));
      const sum = (f: (h: HourFigures) => number): number => open.reduce((n, h) => n + f(h), 0);
      const serviceLevel = sum((h) => h.answeredInTarget) / sum((h) => h.offered);
      const occupancy = sum((h) => h.workedHours) / sum((h) => h.staffedHours);
      const label = day[0]?.hour ?? '';
      expect(serviceLevel, label).toBeGreaterThanOrEqual(bands.dailyServiceLevel[0]);
      expect(serviceLevel, label).toBeLessThanOrEqual(bands.dailyServiceLevel[1]);
      expect(occupancy, label).toBeGreaterThanOrEqual(bands.dailyOccupancy[0]);
      expect(occupancy, label).toBeLessThanOrEqual(bands.dailyOccupancy[1]);
    }
  });

  it('has the night desk answer at night, and a center too small for one closed then', () => {
    expect(closedHours.length).toBe(12 * 9);
    const offered = closedHours.reduce((n, h) => n + h.offered, 0);
    const answered = closedHours.reduce((n, h) => n + h.answered, 0);
    expect(offered).toBeGreaterThan(12 * 9);
    expect(answered / offered).toBeGreaterThan(0.75);
    for (const h of closedHours) expect(h.agentsLoggedIn, h.hour).toBeGreaterThanOrEqual(0.9);
    const small = run({ seed: 3, startMs: WEDNESDAY, agents: 8, contactsPerHour: 15 }, DAY_MS);
    const night = hourlyFigures(small.events, {
      zone: TimeZone.UTC,
      fromMs: small.startMs,
      toMs: small.endMs,
    }).filter((h) => !isOpenAt(TimeZone.UTC, h.startMs));
    expect(night.reduce((n, h) => n + h.offered, 0)).toBe(0);
  });
});
