/** Agent state categories in which an agent counts as working on its groups (docs/api.md). */
export const WORKING_CATEGORIES: ReadonlySet<string> = new Set([
  'AVAILABLE',
  'BUSY',
  'AFTER_CONTACT_WORK',
]);

export interface AgentPresence {
  readonly agentId: string;
  readonly loggedIn: boolean;
  readonly category: string;
}

/**
 * `operatorNumber` of each asked group: logged-in agents in a working category whose
 * directory groups include the group. Agents the directory does not know count nowhere.
 */
export function operatorCounts(
  groupIds: readonly string[],
  agents: Iterable<AgentPresence>,
  groupsOfAgent: (agentId: string) => readonly string[] | undefined,
): Map<string, number> {
  const counts = new Map<string, number>(groupIds.map((id) => [id, 0]));
  for (const agent of agents) {
    if (!agent.loggedIn || !WORKING_CATEGORIES.has(agent.category)) continue;
    for (const groupId of new Set(groupsOfAgent(agent.agentId) ?? [])) {
      const count = counts.get(groupId);
      if (count !== undefined) counts.set(groupId, count + 1);
    }
  }
  return counts;
}
