import { compareBytes, formatInstant } from '@wfm-stream/core';

import type { RouteDefinition } from '../route.js';
import { AGENT_CALLS_DATA_SCHEMA } from '../schemas.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodRoute } from './agent-route.js';

export function agentCallsDataRoute(deps: AgentRouteDeps): RouteDefinition {
  return agentPeriodRoute(deps, {
    url: '/historic/agentCallsData',
    summary: 'Contacts each agent handled, per service and group',
    description:
      'Contacts answered by the agent whose answer time lies in the period and that have ended, per agent, service and group (the group the contact was offered to). startCall = answered, endCall = ended, duration = endCall − startCall in ms. Sorted by startCall.',
    notFound: 'No requested agent answered a finished contact in the period (`field` agentId).',
    response: AGENT_CALLS_DATA_SCHEMA,
    nothingFor: (agents) => `No finished contact was answered in the period by agent(s) ${agents}.`,
    async answer(period, agentIds) {
      const [contacts, groups] = await Promise.all([
        deps.agents.contacts(agentIds, period.start.ms, period.end.ms),
        deps.directory.groups(),
      ]);
      const offset = period.start.offsetMinutes;
      const answer = agentIds.flatMap((agentId) => {
        const rows = new Map<
          string,
          { agentId: string; serviceId: string; groupId: string; agentCalls: object[] }
        >();
        for (const c of contacts.get(agentId) ?? []) {
          if (c.endedMs === undefined) continue;
          const serviceId = groups.get(c.groupId)?.serviceId ?? deps.systemId;
          const key = `${serviceId}\u0000${c.groupId}`;
          let row = rows.get(key);
          if (row === undefined) {
            row = { agentId, serviceId, groupId: c.groupId, agentCalls: [] };
            rows.set(key, row);
          }
          row.agentCalls.push({
            startCall: formatInstant(c.answeredMs, offset),
            endCall: formatInstant(c.endedMs, offset),
            duration: c.endedMs - c.answeredMs,
          });
        }
        return [...rows.values()].sort(
          (a, b) => compareBytes(a.serviceId, b.serviceId) || compareBytes(a.groupId, b.groupId),
        );
      });
      return answer;
    },
  });
}
