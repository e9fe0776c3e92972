import type { ReaderApp } from '@wfm-stream/reader';

/** Every answer the reader gives about a period, by URL: what two runs must agree on. */
export async function allAnswers(
  app: ReaderApp,
  headers: Record<string, string>,
  options: {
    groupIds: readonly string[];
    agentIds: readonly string[];
    startDate: string;
    endDate: string;
  },
): Promise<Record<string, { status: number; body: unknown }>> {
  const period = `startDate=${options.startDate}&endDate=${options.endDate}`;
  const groups = options.groupIds.join(',');
  const agents = options.agentIds.join(',');
  const urls = [
    '/personnel',
    `/historic/serviceGroupData?${period}&step=900000&groupId=${groups}`,
    `/historic/serviceGroupData?${period}&step=300000&groupId=${groups}`,
    `/historic/agentStatusData?${period}&agentId=${agents}`,
    `/historic/agentLoginData?${period}&agentId=${agents}`,
    `/historic/agentCallsData?${period}&agentId=${agents}`,
    `/historic/agentChatsWorkTime?${period}&agentId=${agents}`,
  ];
  const answers: Record<string, { status: number; body: unknown }> = {};
  for (const url of urls) {
    const response = await app.inject({ method: 'GET', url, headers });
    answers[url] = { status: response.statusCode, body: response.json() };
  }
  return answers;
}
