import type { AgentQueries, DirectoryStore } from '@wfm-stream/store';

export interface AgentRouteDeps {
  readonly agents: AgentQueries;
  readonly directory: DirectoryStore;
  readonly systemId: string;
  readonly maxQueryDays: number;
  readonly maxIds: number;
  /** How a state without a group is reported (docs/api.md, agentStatusData). */
  readonly statusGroupLinking: 'all-groups' | 'none';
}
