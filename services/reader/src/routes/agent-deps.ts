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

export const stateSchema = {
  type: 'object',
  required: ['startDate', 'endDate', 'stateCode', 'stateName'],
  properties: {
    startDate: { type: 'string', format: 'date-time' },
    endDate: { type: 'string', format: 'date-time' },
    stateCode: { type: 'string', description: 'With a reason: stateCode:reasonCode.' },
    stateName: { type: 'string', description: 'With a reason: stateName / reasonName.' },
  },
} as const;
