import { compareBytes, formatInstant } from '@wfm-stream/core';
import type { StateSpan } from '@wfm-stream/store';

import type { RouteDefinition } from '../route.js';
import { AGENT_STATUS_DATA_SCHEMA } from '../schemas.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodRoute } from './agent-route.js';

interface Row {
  serviceId?: string;
  groupId?: string;
  agentId: string;
  states: { startDate: string; endDate: string; stateCode: string; stateName: string }[];
}

export function agentStatusDataRoute(deps: AgentRouteDeps): RouteDefinition {
  return agentPeriodRoute(deps, {
    url: '/historic/agentStatusData',
    summary: 'Time agents spent in each state, per service and group',
    description:
      'Every finished state of the agents that overlaps the period (start < endDate and end > startDate), reported as it was, not clipped. A state lasts from its change (or the login that set it) until the next change, login or logout. A state set in a group is reported under that group and its service; one without a group under every group of the agent (STATUS_GROUP_LINKING=all-groups, the default) or without service and group (none, and for agents without groups). States are sorted by start.',
    notFound: 'No finished state of a requested agent overlaps the period (`field` agentId).',
    response: AGENT_STATUS_DATA_SCHEMA,
    nothingFor: (agents) => `No finished agent state overlaps the period for agent(s) ${agents}.`,
    async answer(period, agentIds) {
      const [spans, directory] = await Promise.all([
        deps.agents.statusSpans(agentIds, period.start.ms, period.end.ms),
        deps.directory.read(),
      ]);
      const offset = period.start.offsetMinutes;
      const answer: Row[] = [];
      for (const agentId of agentIds) {
        const rows: Row[] = [];
        // rows by group, then service (absent: ''): strings the spans and directory hold, so
        // no key is built per state
        const rowsByGroup = new Map<string, Map<string, Row>>();
        type State = Row['states'][number];
        const place = (span: StateSpan, state: State, groupId: string | undefined): void => {
          const serviceId =
            groupId === undefined
              ? undefined
              : (span.serviceId ?? directory.groups.get(groupId)?.serviceId ?? deps.systemId);
          let byService = rowsByGroup.get(groupId ?? '');
          if (byService === undefined) {
            byService = new Map();
            rowsByGroup.set(groupId ?? '', byService);
          }
          let row = byService.get(serviceId ?? '');
          if (row === undefined) {
            row = {
              ...(serviceId === undefined ? {} : { serviceId }),
              ...(groupId === undefined ? {} : { groupId }),
              agentId,
              states: [],
            };
            byService.set(serviceId ?? '', row);
            rows.push(row);
          }
          row.states.push(state);
        };
        const agentGroups = directory.agents.get(agentId)?.groupIds ?? [];
        for (const span of spans.get(agentId) ?? []) {
          // one state, formatted once, in every row it is reported under (read, not changed)
          const state: State = {
            startDate: formatInstant(span.startMs, offset),
            endDate: formatInstant(span.endMs, offset),
            stateCode: span.stateCode,
            stateName: span.stateName,
          };
          if (span.groupId !== undefined) place(span, state, span.groupId);
          else if (deps.statusGroupLinking === 'all-groups' && agentGroups.length > 0) {
            for (const groupId of agentGroups) place(span, state, groupId);
          } else place(span, state, undefined);
        }
        answer.push(
          ...rows.sort(
            (a, b) =>
              compareBytes(a.serviceId ?? '', b.serviceId ?? '') ||
              compareBytes(a.groupId ?? '', b.groupId ?? ''),
          ),
        );
      }
      return answer;
    },
  });
}
