import { DAY_MS, formatInstant, parseOffsetInstant, TimeZone } from '@wfm-stream/core';
import type { WfmEvent } from '@wfm-stream/schemas';

import { type ServedCall, synthesizeAgentStates } from './agent-states.js';
import type { CallRecord } from './call-log.js';
import { dayNumberOf, localInstant } from './local-time.js';
import { mapCall } from './mapping.js';

export const CALL_LOG_ZONE = 'Asia/Jerusalem';

export const GROUP_NAMES: Readonly<Record<string, string>> = {
  PS: 'Regular',
  PE: 'Regular (English)',
  IN: 'Internet',
  NE: 'Stock exchange',
  NW: 'Prospects',
  TT: 'Call-back requests',
};

export interface ReplayOptions {
  /** First local day to include, `YYYY-MM-DD` (default: the first in the log). */
  readonly from?: string | undefined;
  /** Last local day to include, inclusive (default: the last in the log). */
  readonly to?: string | undefined;
  /** Move the first included day to this date, keeping every local wall-clock time. */
  readonly rebaseTo?: string | undefined;
  /** Synthesize agent logins and states from the calls they served (default true). */
  readonly agentStates?: boolean | undefined;
}

export interface ReplayStats {
  readonly rows: number;
  readonly contacts: number;
  readonly skippedInVru: number;
  readonly phantom: number;
  readonly handled: number;
  readonly abandoned: number;
  readonly agents: number;
  readonly days: number;
}

export interface ReplayPlan {
  readonly directory: WfmEvent[];
  readonly events: WfmEvent[];
  readonly startMs: number;
  readonly stats: ReplayStats;
}

const TYPE_ORDER: Readonly<Record<string, number>> = {
  'agent.loggedIn': 0,
  'contact.offered': 1,
  'contact.answered': 2,
  'agent.stateChanged': 3,
  'contact.ended': 4,
  'agent.loggedOut': 5,
};

function instantOf(event: WfmEvent): number {
  return parseOffsetInstant(event.occurredAt)?.ms ?? 0;
}

/**
 * The events of a replay of the call log: the directory at the start of the first day,
 * then every call's contact events and the synthesized agent states, in time order.
 */
export function planReplay(
  records: readonly CallRecord[],
  options: ReplayOptions = {},
): ReplayPlan {
  const zone = TimeZone.of(CALL_LOG_ZONE) ?? TimeZone.UTC;
  const selected = records.filter(
    (r) =>
      (options.from === undefined || r.localDate >= options.from) &&
      (options.to === undefined || r.localDate <= options.to),
  );
  const days = [...new Set(selected.map((r) => r.localDate))].sort();
  const firstDay = days[0];
  const shift =
    firstDay === undefined || options.rebaseTo === undefined
      ? 0
      : dayNumberOf(options.rebaseTo) - dayNumberOf(firstDay);
  const events: WfmEvent[] = [];
  const served: ServedCall[] = [];
  const agentGroups = new Map<string, Set<string>>();
  const counts = { contacts: 0, skippedInVru: 0, phantom: 0, handled: 0, abandoned: 0 };
  for (const record of selected) {
    const mapped = mapCall(record, zone, dayNumberOf(record.localDate) + shift);
    if (mapped.kind === 'skipped-in-vru') counts.skippedInVru++;
    else {
      counts.contacts++;
      if (mapped.kind === 'phantom') counts.phantom++;
      if (mapped.kind === 'handled') counts.handled++;
      if (mapped.kind === 'abandoned') counts.abandoned++;
    }
    events.push(...mapped.events);
    if (mapped.answered !== undefined) {
      served.push({ ...mapped.answered, localDate: record.localDate });
      const groups = agentGroups.get(mapped.answered.agentId) ?? new Set<string>();
      groups.add(mapped.answered.groupId);
      agentGroups.set(mapped.answered.agentId, groups);
    }
  }
  if (options.agentStates ?? true) events.push(...synthesizeAgentStates(served, zone));
  events.sort(
    (a, b) =>
      instantOf(a) - instantOf(b) ||
      (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9) ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );

  const startMs = firstDay === undefined ? 0 : localInstant(zone, dayNumberOf(firstDay) + shift, 0);
  const at = formatInstant(startMs, zone.offsetMinutesAt(startMs));
  const groupIds = [...new Set(selected.map((r) => r.groupId))].sort();
  const agentIds = [...agentGroups.keys()].sort();
  const directory: WfmEvent[] = [
    {
      eventId: 'dir-service-bank',
      type: 'service.upserted',
      occurredAt: at,
      serviceId: 'bank',
      name: 'Anonymous Bank',
      status: 'ACTIVE',
    },
    ...groupIds.map((groupId): WfmEvent => ({
      eventId: `dir-group-${groupId}`,
      type: 'group.upserted',
      occurredAt: at,
      groupId,
      serviceId: 'bank',
      name: GROUP_NAMES[groupId] ?? groupId,
      status: 'ACTIVE',
      channelType: 'INCOMING_CALLS',
    })),
    ...agentIds.map((agentId): WfmEvent => ({
      eventId: `dir-agent-${agentId}`,
      type: 'agent.upserted',
      occurredAt: at,
      agentId,
      name: `${agentId.charAt(0)}${agentId.slice(1).toLowerCase()}`,
      groupIds: [...(agentGroups.get(agentId) ?? [])].sort(),
    })),
  ];
  return {
    directory,
    events,
    startMs,
    stats: { rows: selected.length, ...counts, agents: agentIds.length, days: days.length },
  };
}

/** The day after the last included day, at local midnight: where a replay ends. */
export function planEndMs(plan: ReplayPlan): number {
  return plan.startMs + plan.stats.days * DAY_MS;
}
