import type { LiveSource } from '../live/live-source.js';
import type { RouteDefinition } from '../route.js';
import { agentCallsDataRoute } from './agent-calls-data.js';
import { agentChatsWorkTimeRoute } from './agent-chats-work-time.js';
import type { AgentRouteDeps } from './agent-deps.js';
import { agentLoginDataRoute } from './agent-login-data.js';
import { agentStatusDataRoute } from './agent-status-data.js';
import { agentStatusRoute, groupsOnlineLoadRoute, type OnlineRouteDeps } from './online.js';
import { type PersonnelDeps, personnelRoute } from './personnel.js';
import { exportsStatusRoute, pipelineStatusRoute } from './status.js';

/** What the API's routes read from, beside serviceGroupData, which is built before them. */
export interface ApiRouteDeps {
  readonly personnel: PersonnelDeps;
  /** The serviceGroupData route: the live source answers through it too. */
  readonly serviceGroupData: RouteDefinition;
  readonly agents: AgentRouteDeps;
  readonly online: OnlineRouteDeps;
  readonly live: LiveSource;
  readonly now: () => number;
}

/** Every route of the API, in the order /openapi.json lists them (docs/api.md). */
export function apiRoutes(deps: ApiRouteDeps): RouteDefinition[] {
  return [
    personnelRoute(deps.personnel),
    deps.serviceGroupData,
    agentStatusDataRoute(deps.agents),
    agentLoginDataRoute(deps.agents),
    agentCallsDataRoute(deps.agents),
    agentChatsWorkTimeRoute(deps.agents),
    agentStatusRoute(deps.online),
    groupsOnlineLoadRoute(deps.online),
    pipelineStatusRoute(deps.live, deps.now),
    exportsStatusRoute(deps.live),
  ];
}
