import { chatWorkDays } from '@wfm-stream/core';

import type { RouteDefinition } from '../route.js';
import { AGENT_CHATS_WORK_TIME_SCHEMA } from '../schemas.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodRoute } from './agent-route.js';

export function agentChatsWorkTimeRoute(deps: AgentRouteDeps): RouteDefinition {
  return agentPeriodRoute(deps, {
    url: '/historic/agentChatsWorkTime',
    summary: 'Time each agent handled at least one chat, per day',
    description:
      'Per agent and day (days from 00:00 in the offset of startDate), the ms in which the agent handled at least one CHATS contact (answered → ended): the union of those spans, clipped to the period. Concurrent chats count once. Days without chat time are left out.',
    notFound: 'No requested agent handled a chat in the period (`field` agentId).',
    response: AGENT_CHATS_WORK_TIME_SCHEMA,
    nothingFor: (agents) => `No chat was handled in the period by agent(s) ${agents}.`,
    async answer(period, agentIds) {
      const spans = await deps.agents.chatSpans(agentIds, period.start.ms, period.end.ms);
      const answer = agentIds.flatMap((agentId) =>
        chatWorkDays(
          spans.get(agentId) ?? [],
          period.start.ms,
          period.end.ms,
          period.start.offsetMinutes,
        ).map((d) => ({
          agentId,
          workDate: d.workDate,
          workTime: d.workTimeMs,
        })),
      );
      return answer;
    },
  });
}
