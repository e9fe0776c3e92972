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
import { AGENT_STATUS_SCHEMA, GROUPS_ONLINE_LOAD_SCHEMA } from '../schemas.js';

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
    response: AGENT_STATUS_SCHEMA,
    async handle() {
      return agentStatusRows(await deps.agents.online());
    },
  };
}

export function groupsOnlineLoadRoute(deps: OnlineRouteDeps): RouteDefinition {
  const specs = { groupId: idListParam('groupId', 'Groups to report.', deps.maxIds) };
  return {
    url: '/online/groupsOnlineLoad',
    summary: "Each group's load right now and since the start of today",
    description:
      '"Today" is the current day in TIMEZONE, from its local midnight (DST days included). Figures follow the contacts as they change; BOT_CLOSED contacts count nowhere. aht, acd and awt are left out while they have no denominator. Groups the directory does not know and that never had a contact are left out; 404 when none is left.',
    tag: 'online',
    params: Object.values(specs),
    response: GROUPS_ONLINE_LOAD_SCHEMA,
    notFound:
      'No requested group is known to the directory or has a contact waiting or in progress (`field` groupId).',
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
