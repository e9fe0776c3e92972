import { formatInstant } from '@wfm-stream/core';

import type { RouteDefinition } from '../route.js';
import { AGENT_LOGIN_DATA_SCHEMA } from '../schemas.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodRoute } from './agent-route.js';

export function agentLoginDataRoute(deps: AgentRouteDeps): RouteDefinition {
  return agentPeriodRoute(deps, {
    url: '/historic/agentLoginData',
    summary: 'Agent sessions: login, logout, duration',
    description:
      'Every finished session (login to logout; a second login without a logout closes the first) that overlaps the period, reported as it was. duration = logoutDate − loginDate in ms.',
    notFound: 'No finished session of a requested agent overlaps the period (`field` agentId).',
    response: AGENT_LOGIN_DATA_SCHEMA,
    nothingFor: (agents) => `No finished session overlaps the period for agent(s) ${agents}.`,
    async answer(period, agentIds) {
      const spans = await deps.agents.loginSpans(agentIds, period.start.ms, period.end.ms);
      const offset = period.start.offsetMinutes;
      const answer = agentIds.flatMap((agentId) => {
        const logins = spans.get(agentId) ?? [];
        if (logins.length === 0) return [];
        return [
          {
            agentId,
            logins: logins.map((s) => ({
              loginDate: formatInstant(s.startMs, offset),
              logoutDate: formatInstant(s.endMs, offset),
              duration: s.endMs - s.startMs,
            })),
          },
        ];
      });
      return answer;
    },
  });
}
