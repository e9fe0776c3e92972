/**
 * Which state an agent is in, as the agent events name it (docs/events.md,
 * `agent.stateChanged`): its code and name, its category, and the group it serves then.
 */
export interface AgentStateLabel {
  readonly stateCode: string;
  readonly stateName: string;
  readonly category: string;
  readonly groupId?: string | undefined;
}
