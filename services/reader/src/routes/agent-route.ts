import { notFound } from '../errors.js';
import type { Period } from '../params.js';
import type { RouteDefinition } from '../route.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentPeriodParams, parseAgentPeriod } from './agent-params.js';

/** What a historic agent route is made of, beside what every one of them shares. */
export interface AgentPeriodRoute {
  readonly url: string;
  readonly summary: string;
  readonly description: string;
  readonly response: Record<string, unknown>;
  /** When the route answers 404, as /openapi.json says it. */
  readonly notFound: string;
  /** The 404 detail, given the requested agents as a list ("a1, a2"). */
  readonly nothingFor: (agents: string) => string;
  /** The rows for the period and agents, in answer order. */
  readonly answer: (period: Period, agentIds: readonly string[]) => Promise<readonly unknown[]>;
}

/**
 * A historic agent route: startDate, endDate and agentId checked and parsed, the rows
 * `answer` gives, and a 404 (`field` agentId) when there are none (docs/api.md).
 */
export function agentPeriodRoute(deps: AgentRouteDeps, route: AgentPeriodRoute): RouteDefinition {
  return {
    url: route.url,
    summary: route.summary,
    description: route.description,
    tag: 'historic',
    params: Object.values(agentPeriodParams(deps.maxIds, deps.maxQueryDays)),
    notFound: route.notFound,
    response: route.response,
    async handle(query) {
      const { period, agentIds } = parseAgentPeriod(query, deps.maxIds, deps.maxQueryDays);
      const answer = await route.answer(period, agentIds);
      if (answer.length === 0) throw notFound('agentId', route.nothingFor(agentIds.join(', ')));
      return answer;
    },
  };
}
