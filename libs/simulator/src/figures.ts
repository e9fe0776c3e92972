import { DAY_MS, HOUR_MS, type TimeZone } from '@wfm-stream/core';
import { parseOffsetInstant, type WfmEvent } from '@wfm-stream/schemas';

import { wallOf } from './profile.js';

/**
 * The figures a supervisor reads per hour, from an event stream: the service level and
 * the occupancy. Definitions (also in the README):
 *
 * - offered: contacts offered in the hour, less those a bot closed;
 * - service level: of those, the share answered with a wait (answer − offer) of at most
 *   the target; abandoned ones count against it;
 * - occupancy: of the time logged-in agents spent READY, busy with contacts or in
 *   wrap-up during the hour, the share busy or in wrap-up (relax and breaks count in
 *   neither).
 */
export interface HourFigures {
  /** Local date and hour, `YYYY-MM-DD HH`. */
  readonly hour: string;
  readonly startMs: number;
  readonly offered: number;
  readonly answered: number;
  readonly answeredInTarget: number;
  readonly abandoned: number;
  /** 0–1; undefined when nothing was offered. */
  readonly serviceLevel: number | undefined;
  /** 0–1; undefined when no agent was available or working. */
  readonly occupancy: number | undefined;
  /** Agents logged in, on average over the hour. */
  readonly agentsLoggedIn: number;
  /** Agent hours busy with contacts or in wrap-up. */
  readonly workedHours: number;
  /** Agent hours READY, busy or in wrap-up: the occupancy's denominator. */
  readonly staffedHours: number;
}

export interface FiguresOptions {
  readonly zone: TimeZone;
  /** The answer-time target, ms (the API's SERVICE_LEVEL_SECONDS, default 20 s). */
  readonly serviceLevelMs?: number;
  /** Hours from the one holding fromMs to the one before toMs. */
  readonly fromMs: number;
  readonly toMs: number;
}

interface Bucket {
  offered: number;
  answered: number;
  inTarget: number;
  abandoned: number;
  workMs: number;
  staffedMs: number;
  loggedInMs: number;
}

const msOf = (e: WfmEvent): number => parseOffsetInstant(e.occurredAt)?.ms ?? Number.NaN;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function hourlyFigures(events: readonly WfmEvent[], options: FiguresOptions): HourFigures[] {
  const { zone, fromMs, toMs } = options;
  const target = options.serviceLevelMs ?? 20_000;
  // local hours: the key is the wall-clock hour, the start its first instant
  const keyOf = (ms: number): number => Math.floor(wallOf(zone, ms) / HOUR_MS);
  const buckets = new Map<number, Bucket & { startMs: number }>();
  for (let t = fromMs; t < toMs; t += HOUR_MS / 4) {
    const key = keyOf(t);
    if (!buckets.has(key))
      buckets.set(key, {
        startMs: t,
        offered: 0,
        answered: 0,
        inTarget: 0,
        abandoned: 0,
        workMs: 0,
        staffedMs: 0,
        loggedInMs: 0,
      });
  }
  const bucket = (ms: number): Bucket | undefined => buckets.get(keyOf(ms));

  // contacts, by the hour they were offered
  const offered = new Map<string, number>();
  const answered = new Map<string, number>();
  const outcome = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'contact.offered') offered.set(e.contactId, msOf(e));
    else if (e.type === 'contact.answered' && !answered.has(e.contactId))
      answered.set(e.contactId, msOf(e));
    else if (e.type === 'contact.ended') outcome.set(e.contactId, e.outcome);
  }
  for (const [contactId, at] of offered) {
    if (outcome.get(contactId) === 'BOT_CLOSED') continue;
    const b = bucket(at);
    if (b === undefined) continue;
    b.offered++;
    const answeredAt = answered.get(contactId);
    if (answeredAt !== undefined) {
      b.answered++;
      if (answeredAt - at <= target) b.inTarget++;
    }
    if (outcome.get(contactId) === 'ABANDONED') b.abandoned++;
  }

  // agent time, split over the hours it spans
  const state = new Map<string, { since: number; category: string }>();
  const account = (from: number, to: number, category: string): void => {
    for (let t = Math.max(from, fromMs); t < Math.min(to, toMs);) {
      const wall = wallOf(zone, t);
      const next = Math.min(to, toMs, t + (Math.floor(wall / HOUR_MS) + 1) * HOUR_MS - wall);
      const b = bucket(t);
      if (b !== undefined) {
        const span = next - t;
        b.loggedInMs += span;
        if (category === 'BUSY' || category === 'AFTER_CONTACT_WORK') b.workMs += span;
        if (category !== 'NOT_READY') b.staffedMs += span;
      }
      t = next;
    }
  };
  for (const e of events) {
    if (e.type === 'agent.loggedIn' || e.type === 'agent.stateChanged') {
      const before = state.get(e.agentId);
      if (before !== undefined) account(before.since, msOf(e), before.category);
      // a login without a state is NOT_READY (docs/events.md)
      state.set(e.agentId, { since: msOf(e), category: e.category ?? 'NOT_READY' });
    } else if (e.type === 'agent.loggedOut') {
      const before = state.get(e.agentId);
      if (before !== undefined) account(before.since, msOf(e), before.category);
      state.delete(e.agentId);
    }
  }
  for (const s of state.values()) account(s.since, toMs, s.category);

  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([key, b]) => {
      const wall = key * HOUR_MS;
      const day = Math.floor(wall / DAY_MS);
      const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
      return {
        hour: `${date} ${pad(Math.floor((wall - day * DAY_MS) / HOUR_MS))}`,
        startMs: b.startMs,
        offered: b.offered,
        answered: b.answered,
        answeredInTarget: b.inTarget,
        abandoned: b.abandoned,
        serviceLevel: b.offered === 0 ? undefined : b.inTarget / b.offered,
        occupancy: b.staffedMs === 0 ? undefined : b.workMs / b.staffedMs,
        agentsLoggedIn: b.loggedInMs / HOUR_MS,
        workedHours: b.workMs / HOUR_MS,
        staffedHours: b.staffedMs / HOUR_MS,
      };
    });
}
