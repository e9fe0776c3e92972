/**
 * A replay of the call log: which days, moved to which dates, and every event in the
 * order a platform would have published it — the directory at local midnight of the
 * first day, then the contact events of every call and the synthesized agent states.
 */

import { DAY_MS } from '@wfm-stream/core';
import type { ContactEvent, WfmEvent } from '@wfm-stream/schemas';

import { type ServedCall, synthesizeAgentStates } from './agent-states.js';
import type { CallRecord } from './call-log.js';
import { agentGroups, directoryEvents } from './directory.js';
import { callLogZone, dayNumberOf, instantOfWall, shiftLocalDays } from './local-time.js';
import { mapCall } from './mapping.js';
import { inPublishingOrder, type TimedEvent } from './timeline.js';
import { waitingByAgent, waitingByGroup } from './waiting.js';

export interface ReplayOptions {
  /** First local day to include, `YYYY-MM-DD` (default: the first in the log). */
  readonly from?: string | undefined;
  /** Last local day to include, inclusive (default: the last in the log). */
  readonly to?: string | undefined;
  /**
   * Move the first included day to this date, `YYYY-MM-DD`, keeping every local
   * (Israel) wall-clock time; later days follow day by day.
   */
  readonly rebaseTo?: string | undefined;
  /** Synthesize agent logins and states from the calls they served (default true). */
  readonly agentStates?: boolean | undefined;
}

export interface ReplayStats {
  /** Rows of the included days. */
  readonly rows: number;
  /** Calls offered to a group: `rows - skippedInVru`. */
  readonly contacts: number;
  /** HANG without a queue: hung up in the VRU, no events. */
  readonly skippedInVru: number;
  /** PHANTOM: ended BOT_CLOSED. */
  readonly phantom: number;
  /** AGENT: ended HANDLED. */
  readonly handled: number;
  /** HANG in the queue: ended ABANDONED. */
  readonly abandoned: number;
  /** Agents who answered a call on the included days. */
  readonly agents: number;
  /** Local days from the first included day to the last, both included. */
  readonly days: number;
}

export interface ReplayPlan {
  /** Service, groups and agents, at local midnight of the first replayed day. */
  readonly directory: WfmEvent[];
  /** Contact and agent events in publishing order (by instant, ties deterministic). */
  readonly events: WfmEvent[];
  readonly stats: ReplayStats;
  /** Local midnight starting the first replayed day (epoch ms); 0 when no day is included. */
  readonly startMs: number;
  /** Local midnight ending the last replayed day (epoch ms); 0 when no day is included. */
  readonly endMs: number;
}

/** The records with every time moved `days` local days, wall-clock times kept. */
function rebased(record: CallRecord, days: number): CallRecord {
  if (days === 0) return record;
  const zone = callLogZone();
  const shift = (ms: number): number => shiftLocalDays(zone, ms, days);
  const maybe = (ms: number | undefined): number | undefined =>
    ms === undefined ? undefined : shift(ms);
  const queueStartMs = maybe(record.queueStartMs);
  const queueExitMs = maybe(record.queueExitMs);
  const serviceStartMs = maybe(record.serviceStartMs);
  const serviceExitMs = maybe(record.serviceExitMs);
  return {
    ...record,
    vruEntryMs: shift(record.vruEntryMs),
    vruExitMs: shift(record.vruExitMs),
    ...(queueStartMs === undefined ? {} : { queueStartMs }),
    ...(queueExitMs === undefined ? {} : { queueExitMs }),
    ...(serviceStartMs === undefined ? {} : { serviceStartMs }),
    ...(serviceExitMs === undefined ? {} : { serviceExitMs }),
  };
}

const EMPTY_STATS: ReplayStats = {
  rows: 0,
  contacts: 0,
  skippedInVru: 0,
  phantom: 0,
  handled: 0,
  abandoned: 0,
  agents: 0,
  days: 0,
};

/**
 * The replay of `records` (the rows of the included days, by their `date`): directory,
 * events in publishing order, and statistics. Pure and deterministic.
 */
export function planReplay(
  records: readonly CallRecord[],
  options: ReplayOptions = {},
): ReplayPlan {
  const zone = callLogZone();
  const from = options.from === undefined ? undefined : dayNumberOf(options.from);
  const to = options.to === undefined ? undefined : dayNumberOf(options.to);
  const rebaseTo = options.rebaseTo === undefined ? undefined : dayNumberOf(options.rebaseTo);

  const selected: { record: CallRecord; day: number }[] = [];
  let firstDay = Number.POSITIVE_INFINITY;
  let lastDay = Number.NEGATIVE_INFINITY;
  const dayNumbers = new Map<string, number>();
  for (const record of records) {
    let day = dayNumbers.get(record.localDate);
    if (day === undefined) {
      day = dayNumberOf(record.localDate);
      dayNumbers.set(record.localDate, day);
    }
    if ((from !== undefined && day < from) || (to !== undefined && day > to)) continue;
    selected.push({ record, day });
    firstDay = Math.min(firstDay, day);
    lastDay = Math.max(lastDay, day);
  }
  if (selected.length === 0) {
    return { directory: [], events: [], stats: EMPTY_STATS, startMs: 0, endMs: 0 };
  }

  const shiftDays = rebaseTo === undefined ? 0 : rebaseTo - firstDay;
  const timed: TimedEvent[] = [];
  const contactEvents: TimedEvent<ContactEvent>[] = [];
  const served: ServedCall[] = [];
  const counts = { contacts: 0, skippedInVru: 0, phantom: 0, handled: 0, abandoned: 0 };
  for (const { record, day } of selected) {
    const mapped = mapCall(rebased(record, shiftDays), zone);
    if (mapped.kind === 'skipped-in-vru') counts.skippedInVru++;
    else {
      counts.contacts++;
      if (mapped.kind === 'phantom') counts.phantom++;
      else if (mapped.kind === 'handled') counts.handled++;
      else counts.abandoned++;
    }
    for (const event of mapped.events) {
      timed.push(event);
      contactEvents.push(event);
    }
    const span = mapped.served;
    if (span !== undefined) {
      served.push({
        agentId: span.agentId,
        groupId: span.groupId,
        fromMs: span.fromMs,
        toMs: span.toMs,
        dayNumber: day + shiftDays,
      });
    }
  }
  const groupsOfAgent = agentGroups(records);
  if (options.agentStates ?? true) {
    const waits = waitingByAgent(waitingByGroup(contactEvents), groupsOfAgent);
    for (const event of synthesizeAgentStates(served, zone, waits)) timed.push(event);
  }

  const startMs = instantOfWall(zone, (firstDay + shiftDays) * DAY_MS);
  const endMs = instantOfWall(zone, (lastDay + shiftDays + 1) * DAY_MS);
  return {
    directory: directoryEvents(startMs, zone, groupsOfAgent),
    events: inPublishingOrder(timed).map((t) => t.event),
    stats: {
      rows: selected.length,
      ...counts,
      agents: new Set(served.map((s) => s.agentId)).size,
      days: lastDay - firstDay + 1,
    },
    startMs,
    endMs,
  };
}

/** Local midnight after the last replayed day: where a replay of the plan ends. */
export function planEndMs(plan: ReplayPlan): number {
  return plan.endMs;
}
