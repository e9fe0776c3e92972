import { loadConfig } from '@wfm-stream/config';
import { silentLogger } from '@wfm-stream/observability';
import {
  type ReaderApp,
  readerConfigSchema,
  type RunningReader,
  startReader,
} from '@wfm-stream/reader';
import { redisEnv } from '@wfm-stream/testing';
import { expect } from 'vitest';

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

/** The period and the ids `allAnswers` asks about. */
export interface AnswerPeriod {
  readonly groupIds: readonly string[];
  readonly agentIds: readonly string[];
  readonly startDate: string;
  readonly endDate: string;
}

/** The two days around syntheticTraffic's default start, for its groups and agents. */
export function trafficPeriod(traffic: {
  readonly groupIds: readonly string[];
  readonly agentIds: readonly string[];
}): AnswerPeriod {
  return {
    groupIds: traffic.groupIds,
    agentIds: traffic.agentIds,
    startDate: '2024-01-08T00:00:00Z',
    endDate: '2024-01-10T00:00:00Z',
  };
}

/** The API key of the readers `readerOn` starts. */
export const READER_KEY = 'k';

/**
 * A reader in this process on the run's Redis under `prefix` (API key `READER_KEY`);
 * `env` adds settings (a TIMEZONE).
 */
export async function readerOn(
  prefix: string,
  env: Readonly<Record<string, string>> = {},
): Promise<RunningReader> {
  return startReader(
    loadConfig(readerConfigSchema, {
      ...redisEnv(),
      REDIS_KEY_PREFIX: prefix,
      READER_API_KEYS: READER_KEY,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      ...env,
    }),
    silentLogger(),
  );
}

/** `allAnswers` over each period from a reader of its own on `prefix`, stopped after. */
export async function answersOn(
  prefix: string,
  periods: AnswerPeriod | readonly AnswerPeriod[],
  env: Readonly<Record<string, string>> = {},
): Promise<Record<string, { status: number; body: unknown }>> {
  const reader = await readerOn(prefix, env);
  try {
    const answers: Record<string, { status: number; body: unknown }> = {};
    for (const period of ([] as AnswerPeriod[]).concat(periods))
      Object.assign(answers, await allAnswers(reader.app, { 'x-api-key': READER_KEY }, period));
    return answers;
  } finally {
    await reader.stop();
  }
}

/** Each answer of `expected` equal in `actual`, and each a 200 (a complete run's answers). */
export function expectSameAnswers(
  actual: Readonly<Record<string, unknown>>,
  expected: Readonly<Record<string, { status: number; body: unknown }>>,
): void {
  for (const [url, answer] of Object.entries(expected)) {
    expect(answer.status, url).toBe(200);
    expect(actual[url], url).toEqual(answer);
  }
}
