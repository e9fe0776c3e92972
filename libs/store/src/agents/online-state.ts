import type { AgentStateLabel } from './state-label.js';

/** The current state of an agent, as the online index holds it (docs/api.md, agentStatus). */
export interface OnlineAgentState extends AgentStateLabel {
  readonly agentId: string;
  readonly loggedIn: boolean;
  /** When the current state started. */
  readonly startMs: number;
  /** When the current session started, when the agent is logged in through a login event. */
  readonly loginMs?: number | undefined;
}
