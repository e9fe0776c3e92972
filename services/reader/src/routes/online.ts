import {
  formatInstant,
  type GroupLoadFigures,
  groupLoadFigures,
  operatorCounts,
  type TimeZone,
} from '@wfm-stream/core';
import type {
  AgentQueries,
  Directory,
  DirectoryStore,
  GroupLoadVectors,
  OnlineAgentState,
  OnlineQueries,
} from '@wfm-stream/store';

import { notFound } from '../errors.js';
import { idListParam, parseQuery } from '../params.js';
import type { RouteDefinition } from '../route.js';

export interface OnlineRouteDeps {
  readonly agents: AgentQueries;
  readonly online: OnlineQueries;
  readonly directory: DirectoryStore;
  readonly zone: TimeZone;
  readonly systemId: string;
  readonly maxIds: number;
  /** The clock "today" is taken from (tests move it across midnight). */
  readonly now: () => number;
}

/** One row of `/online/agentStatus`. */
export interface AgentStatusRow {
  readonly agentId: string;
  readonly stateCode: string;
  readonly stateName: string;
  readonly startDate: string;
}

/** The answer of `/online/agentStatus` from the online index (also the live stream's rows). */
export function agentStatusRows(states: ReadonlyMap<string, OnlineAgentState>): AgentStatusRow[] {
  return [...states.values()]
    .filter((s) => s.loggedIn)
    .sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0))
    .map((s) => ({
      agentId: s.agentId,
      stateCode: s.stateCode,
      stateName: s.stateName,
      startDate: formatInstant(s.startMs),
    }));
}

/** One row of `/online/groupsOnlineLoad`. */
export type GroupsOnlineLoadRow = {
  readonly serviceId: string;
  readonly groupId: string;
} & GroupLoadFigures;

/**
 * The rows of `/online/groupsOnlineLoad` for the asked groups, in their order, from what
 * one round trip read (also the live stream's rows). Groups left out as the endpoint
 * says; the caller answers 404 when none is left.
 */
export function groupsOnlineLoadRows(
  groupIds: readonly string[],
  loads: ReadonlyMap<string, GroupLoadVectors>,
  directory: Directory,
  agents: ReadonlyMap<string, OnlineAgentState>,
  systemId: string,
): GroupsOnlineLoadRow[] {
  const operators = operatorCounts(
    groupIds,
    agents.values(),
    (agentId) => directory.agents.get(agentId)?.groupIds,
  );
  return groupIds.flatMap((groupId) => {
    const load = loads.get(groupId);
    const group = directory.groups.get(groupId);
    if (group === undefined && (load === undefined || load.now.length === 0)) return [];
    return [
      {
        serviceId: group?.serviceId ?? systemId,
        groupId,
        ...groupLoadFigures(load?.today ?? [], load?.now ?? [], operators.get(groupId) ?? 0),
      },
    ];
  });
}

export function agentStatusRoute(deps: OnlineRouteDeps): RouteDefinition {
  return {
    url: '/online/agentStatus',
    summary: 'Every logged-in agent and its current state',
    description:
      "Each logged-in agent's latest state by event time and when it started (after a login, the login's initial state until the first change). With a reason, stateCode is stateCode:reasonCode and stateName is stateName / reasonName. An empty list when nobody is logged in.",
    tag: 'online',
    params: [],
    response: {
      type: 'array',
      items: {
        type: 'object',
        required: ['agentId', 'stateCode', 'stateName', 'startDate'],
        properties: {
          agentId: { type: 'string' },
          stateCode: { type: 'string' },
          stateName: { type: 'string' },
          startDate: { type: 'string', format: 'date-time' },
        },
      },
    },
    async handle() {
      return agentStatusRows(await deps.agents.online());
    },
  };
}

const count = (description: string): Record<string, unknown> => ({
  type: 'integer',
  format: 'int64',
  description,
});

export function groupsOnlineLoadRoute(deps: OnlineRouteDeps): RouteDefinition {
  const specs = { groupId: idListParam('groupId', 'Groups to report.', deps.maxIds) };
  return {
    url: '/online/groupsOnlineLoad',
    summary: "Each group's load right now and since the start of today",
    description:
      '"Today" is the current day in TIMEZONE, from its local midnight (DST days included). Figures follow the contacts as they change; BOT_CLOSED contacts count nowhere. aht, acd and awt are left out while they have no denominator. Groups the directory does not know and that never had a contact are left out; 404 when none is left.',
    tag: 'online',
    params: Object.values(specs),
    response: {
      type: 'array',
      items: {
        type: 'object',
        required: ['serviceId', 'groupId', 'callNumber', 'operatorNumber'],
        properties: {
          serviceId: { type: 'string' },
          groupId: { type: 'string' },
          callNumber: count('Contacts waiting in queue now, whatever the day they were offered.'),
          operatorNumber: count(
            "Logged-in agents of the group (by the directory's agent groups) in AVAILABLE, BUSY or AFTER_CONTACT_WORK.",
          ),
          callReceived: count('Contacts offered today.'),
          aht: count('Σ(ring+talk+hold) ÷ count of contacts that ended treated today, ms.'),
          acd: {
            type: 'number',
            format: 'double',
            description: 'callAnswered ÷ callReceived × 100, 4 decimals.',
          },
          awt: count(
            'Mean wait of contacts that left the queue today (answered, or abandoned unanswered), ms.',
          ),
          callAnswered: count('Contacts answered today.'),
          callAnsweredTst: count("Of those, answered within the group's service-level target."),
          callProcessing: count('Contacts answered and not yet ended.'),
        },
      },
    },
    async handle(query) {
      const q = parseQuery(query, specs);
      const today = deps.zone.dayNumberAt(deps.now());
      const [loads, directory, agents] = await Promise.all([
        deps.online.groupLoads(q.groupId, today),
        deps.directory.read(),
        deps.agents.online(),
      ]);
      const answer = groupsOnlineLoadRows(q.groupId, loads, directory, agents, deps.systemId);
      if (answer.length === 0) {
        throw notFound(
          'groupId',
          `The directory holds no group ${q.groupId.join(', ')} and none of them has had a contact.`,
        );
      }
      return answer;
    },
  };
}
