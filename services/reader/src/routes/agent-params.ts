import { checkPeriod, dateTimeParam, idListParam, parseQuery, type Period } from '../params.js';

/** The parameters every agent endpoint takes: startDate, endDate, agentId. */
export function agentPeriodParams(maxIds: number) {
  return {
    startDate: dateTimeParam('startDate', 'Start of the period (inclusive), with offset.'),
    endDate: dateTimeParam('endDate', 'End of the period (exclusive), with offset.'),
    agentId: idListParam('agentId', 'Agents to report.', maxIds),
  };
}

export function parseAgentPeriod(
  query: Record<string, unknown>,
  maxIds: number,
  maxDays: number,
): { period: Period; agentIds: string[] } {
  const q = parseQuery(query, agentPeriodParams(maxIds));
  return {
    period: checkPeriod({ start: q.startDate, end: q.endDate }, maxDays),
    agentIds: q.agentId,
  };
}
