import { checkPeriod, dateTimeParam, idListParam, parseQuery, type Period } from '../params.js';

/** The examples of /openapi.json: a valid day (docs/api.md, "Conventions"). */
export const EXAMPLE_START = '2020-01-01T00:00:00Z';
export const EXAMPLE_END = '2020-01-02T00:00:00Z';

/** What endDate must be (checkPeriod), as the parameter descriptions say it. */
export function endDateRule(maxDays: number): string {
  return `Must be later than startDate, and at most ${maxDays} days (MAX_QUERY_DAYS) after it.`;
}

/** The parameters every agent endpoint takes: startDate, endDate, agentId. */
export function agentPeriodParams(maxIds: number, maxDays: number) {
  return {
    startDate: dateTimeParam(
      'startDate',
      'Start of the period (inclusive): an ISO-8601 date-time with an offset (`Z` or `±hh:mm`); answers are written in this offset.',
      EXAMPLE_START,
    ),
    endDate: dateTimeParam(
      'endDate',
      `End of the period (exclusive), with an offset. ${endDateRule(maxDays)}`,
      EXAMPLE_END,
    ),
    agentId: idListParam('agentId', 'Agents to report.', maxIds),
  };
}

export function parseAgentPeriod(
  query: Record<string, unknown>,
  maxIds: number,
  maxDays: number,
): { period: Period; agentIds: string[] } {
  const q = parseQuery(query, agentPeriodParams(maxIds, maxDays));
  return {
    period: checkPeriod({ start: q.startDate, end: q.endDate }, maxDays),
    agentIds: q.agentId,
  };
}
