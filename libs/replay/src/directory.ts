/**
 * The directory a replay publishes first: the service "Anonymous Bank", one group per
 * service type of the log, and one agent per server name the log has (other than
 * NO_SERVER) with the groups they served.
 */

import type { TimeZone } from '@wfm-stream/core';
import type { DirectoryEvent } from '@wfm-stream/schemas';

import { type CallRecord, type CallType, NO_SERVER } from './call-log.js';
import { formatLocal } from './local-time.js';

export const SERVICE_ID = 'bank';
export const SERVICE_NAME = 'Anonymous Bank';

/** Group names of the log's service types, in the log's documentation order. */
export const GROUP_NAMES: Readonly<Record<CallType, string>> = {
  PS: 'Regular',
  PE: 'Regular (English)',
  IN: 'Internet',
  NE: 'Stock exchange',
  NW: 'Prospects',
  TT: 'Call-back requests',
};

/** `DORIT` → `Dorit`. */
export function agentName(agentId: string): string {
  return agentId.charAt(0).toUpperCase() + agentId.slice(1).toLowerCase();
}

/** Agent id (every server name but NO_SERVER) → the types of their calls, sorted. */
export function agentGroups(records: readonly CallRecord[]): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const record of records) {
    if (record.server === NO_SERVER) continue;
    const set = groups.get(record.server) ?? new Set<string>();
    set.add(record.groupId);
    groups.set(record.server, set);
  }
  return new Map(
    [...groups.keys()].sort().map((agentId) => [agentId, [...(groups.get(agentId) ?? [])].sort()]),
  );
}

/** The directory events, all at `atMs`. */
export function directoryEvents(
  atMs: number,
  zone: TimeZone,
  agents: ReadonlyMap<string, readonly string[]>,
): DirectoryEvent[] {
  const occurredAt = formatLocal(zone, atMs);
  const groups = Object.entries(GROUP_NAMES).map(([groupId, name]): DirectoryEvent => ({
    eventId: `dir-group-${groupId}`,
    type: 'group.upserted',
    occurredAt,
    groupId,
    serviceId: SERVICE_ID,
    name,
    status: 'ACTIVE',
    channelType: 'INCOMING_CALLS',
  }));
  const people = [...agents].map(([agentId, groupIds]): DirectoryEvent => ({
    eventId: `dir-agent-${agentId}`,
    type: 'agent.upserted',
    occurredAt,
    agentId,
    name: agentName(agentId),
    groupIds: [...groupIds],
  }));
  return [
    {
      eventId: `dir-service-${SERVICE_ID}`,
      type: 'service.upserted',
      occurredAt,
      serviceId: SERVICE_ID,
      name: SERVICE_NAME,
      status: 'ACTIVE',
    },
    ...groups,
    ...people,
  ];
}
