/** The current state of an agent, as the online index holds it (docs/api.md, agentStatus). */
export interface OnlineAgentState {
  readonly agentId: string;
  readonly loggedIn: boolean;
  readonly stateCode: string;
  readonly stateName: string;
  readonly category: string;
  /** When the current state started. */
  readonly startMs: number;
  readonly groupId?: string | undefined;
  /** When the current session started, when the agent is logged in through a login event. */
  readonly loginMs?: number | undefined;
}
