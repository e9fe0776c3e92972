import { HOUR_MS, MINUTE_MS, type TimeZone } from '@wfm-stream/core';

import type { SimAgent } from './directory.js';
import { MODEL } from './model.js';
import { instantOfLocal, weekdayOf } from './profile.js';
import { Random } from './random.js';

/**
 * The roster: who works when, with which breaks. A shift depends only on the seed, the
 * agent and the local date, never on where a simulation starts, so every window of
 * time sees the same shifts and a simulation started mid-shift continues the day that
 * was already under way.
 */
export interface PlannedBreak {
  readonly code: string;
  readonly name: string;
  /** When it is due (epoch ms); the agent takes it once the work in hand is done. */
  readonly dueMs: number;
  readonly durationMs: number;
}

export interface PlannedShift {
  readonly agentId: string;
  /** The local day the shift starts on (days since 1970-01-01). */
  readonly dayNumber: number;
  readonly startMs: number;
  readonly endMs: number;
  /** In time order. */
  readonly breaks: readonly PlannedBreak[];
}

/** A well-mixed 32-bit seed for one agent's day. */
function daySeed(seed: number, agentIndex: number, dayNumber: number): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const v of [agentIndex, dayNumber]) {
    h = Math.imul(h ^ (v >>> 0), 0x9e3779b1) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77) >>> 0;
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/**
 * Whether the agent works a shift starting on that local day: weekdays; for the weekend
 * crew weekends and three weekdays; for the night crew five nights of seven, two
 * consecutive nights off, three days apart from one member to the next.
 */
export function worksOn(agent: SimAgent, dayNumber: number): boolean {
  const weekday = weekdayOf(dayNumber);
  if (agent.crew === 'night') {
    const firstOff = (1 + 3 * agent.crewRank) % 7;
    return weekday !== firstOff && weekday !== (firstOff + 1) % 7;
  }
  if (agent.crew === 'weekday') return weekday >= 1 && weekday <= 5;
  if (weekday === 0 || weekday === 6) return true;
  // two consecutive weekdays off, rotating between agents (Friday + Monday wraps)
  const firstOff = agent.index % 5; // 0 = Monday
  const day = weekday - 1;
  return day !== firstOff && day !== (firstOff + 1) % 5;
}

const roundToSecond = (ms: number): number => Math.round(ms / 1000) * 1000;

/** The agent's shift on a local day, or undefined on a day off. */
export function shiftOf(
  seed: number,
  agent: SimAgent,
  dayNumber: number,
  zone: TimeZone,
): PlannedShift | undefined {
  if (!worksOn(agent, dayNumber)) return undefined;
  const template = MODEL.shifts[agent.shiftTemplate] ?? MODEL.shifts[0];
  const random = new Random(daySeed(seed, agent.index, dayNumber));
  const startMs = roundToSecond(
    instantOfLocal(zone, dayNumber, template.fromMinutes) +
      random.between(-MODEL.shiftJitterMs, MODEL.shiftJitterMs),
  );
  const training = random.chance(MODEL.trainingShare);
  const planned = MODEL.breaks.filter((b) => b.afterMinutes < (template.hours - 1) * 60);
  const breaks = planned.map((b, i): PlannedBreak => {
    const dueMs = roundToSecond(
      startMs + (b.afterMinutes + random.between(-b.jitterMinutes, b.jitterMinutes)) * MINUTE_MS,
    );
    if (training && i === planned.length - 1) {
      const minutes = random.int(MODEL.trainingMinutes[0], MODEL.trainingMinutes[1]);
      return { code: 'TRAINING', name: 'Training', dueMs, durationMs: minutes * MINUTE_MS };
    }
    return { code: b.code, name: b.name, dueMs, durationMs: b.minutes * MINUTE_MS };
  });
  return {
    agentId: agent.id,
    dayNumber,
    startMs,
    endMs: startMs + template.hours * HOUR_MS,
    breaks,
  };
}

/**
 * Every shift that overlaps [fromMs, toMs), its logout grace included, in order of
 * start. A shift starts on its own local day and lasts at most 9 hours, so the days of
 * the window and the one before suffice.
 */
export function shiftsBetween(
  seed: number,
  agents: readonly SimAgent[],
  zone: TimeZone,
  fromMs: number,
  toMs: number,
): PlannedShift[] {
  const shifts: PlannedShift[] = [];
  for (let day = zone.dayNumberAt(fromMs) - 1; day <= zone.dayNumberAt(toMs); day++) {
    for (const agent of agents) {
      const shift = shiftOf(seed, agent, day, zone);
      if (shift !== undefined && shift.startMs < toMs && shift.endMs + MODEL.logoutGraceMs > fromMs)
        shifts.push(shift);
    }
  }
  return shifts.sort((a, b) => a.startMs - b.startMs);
}
