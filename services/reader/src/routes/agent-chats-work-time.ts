import { chatWorkDays } from '@wfm-stream/core';

import { notFound } from '../errors.js';
import type { RouteDefinition } from '../route.js';
import { AGENT_CHATS_WORK_TIME_SCHEMA } from '../schemas.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodParams, parseAgentPeriod } from './agent-params.js';

export function agentChatsWorkTimeRoute(deps: AgentRouteDeps): RouteDefinition {
  return {
    url: '/historic/agentChatsWorkTime',
    summary: 'Time each agent handled at least one chat, per day',
    description:
      'Per agent and day (days from 00:00 in the offset of startDate), the ms in which the agent handled at least one CHATS contact (answered → ended): the union of those spans, clipped to the period. Concurrent chats count once. Days without chat time are left out.',
    tag: 'historic',
    params: Object.values(agentPeriodParams(deps.maxIds, deps.maxQueryDays)),
    notFound: 'No requested agent handled a chat in the period (`field` agentId).',
    response: AGENT_CHATS_WORK_TIME_SCHEMA,
    async handle(query) {
      const { period, agentIds } = parseAgentPeriod(query, deps.maxIds, deps.maxQueryDays);
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
      if (answer.length === 0) {
        throw notFound(
          'agentId',
          `No chat was handled in the period by agent(s) ${agentIds.join(', ')}.`,
        );
      }
      return answer;
    },
  };
}
