import { gunzipSync } from 'node:zlib';

import { Validator } from '@seriousme/openapi-schema-validator';
import { loadConfig } from '@wfm-stream/config';
import { TimeZone } from '@wfm-stream/core';
import { freePort } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import type { AgentEvent, ContactEvent, DirectoryEvent } from '@wfm-stream/schemas';
import {
  connectRedis,
  ContactAggregation,
  DirectoryStore,
  Keys,
  type RedisClient,
} from '@wfm-stream/store';
import { redisNamespace, testStack, UNCONNECTED_ADDRESSES } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readerConfigSchema, type RunningReader, startReader } from './index.js';
import { at, contact, dir, readerTestConfig, state, writeFixture } from './testing/fixture.js';

const ns = redisNamespace();
const KEY = 'secret-key';
let redis: RedisClient;
let reader: RunningReader;

const day = at('00:00:00');
const directory: DirectoryEvent[] = [
  dir.service('d1', day, '1', 'Retail'),
  dir.group('d2', day, '1', 'Individual Support', {
    serviceId: '1',
    channelType: 'INCOMING_CALLS',
  }),
  dir.group('d3', day, '2', 'Business Support', { serviceId: '1', channelType: 'CHATS' }),
  dir.group('d4', day, '3', 'Loose group', { status: 'INACTIVE' }),
  dir.agent('d5', day, '1', {
    name: 'John',
    surname: 'Smith',
    secondName: 'William',
    loginSSO: 'j.smith',
    groupIds: ['1'],
  }),
  dir.agent('d6', day, '2', { name: 'Agent123', agentNumber: '000123', groupIds: ['1', '2'] }),
  dir.agent('d7', day, '3', { name: 'Nobody', groupIds: [] }),
];

const agent1: AgentEvent[] = [
  { eventId: 'a1', type: 'agent.loggedIn', occurredAt: at('10:03:15'), agentId: '1' },
  state.working('a2', at('10:10:36'), '1', '1'),
  state.onTechnicalBreak('a3', at('10:15:36'), '1'),
  state.working('a4', at('10:18:36'), '1', '2'),
  { eventId: 'a5', type: 'agent.loggedOut', occurredAt: at('12:30:05'), agentId: '1' },
  { eventId: 'a6', type: 'agent.loggedIn', occurredAt: at('18:15:05'), agentId: '1' },
  { eventId: 'a7', type: 'agent.loggedOut', occurredAt: at('21:32:55'), agentId: '1' },
];

const contacts: ContactEvent[] = [
  ...contact.handled('c1', '1', '1', [at('10:03:00'), at('10:03:15'), at('10:08:15')]),
  ...contact.handled('c2', '1', '1', [at('10:03:30'), at('10:04:02'), at('10:12:15')]),
  ...contact.handled('c3', '2', '1', [at('10:03:10'), at('10:03:15'), at('10:03:45')]),
  ...contact.handled('chat-a', '2', '2', [at('22:44:00'), at('22:45:00'), at('23:02:00')], 'CHATS'),
  ...contact.handled(
    'chat-b',
    '2',
    '2',
    [at('22:57:00'), at('22:58:00'), '2020-01-02T00:12:00Z'],
    'CHATS',
  ),
];

async function startWith(env: Record<string, string>): Promise<RunningReader> {
  return startReader(
    readerTestConfig(ns.prefix, {
      SYSTEM_ID: 'External system',
      READER_API_KEYS: KEY,
      MAX_IDS_PER_REQUEST: '3',
      ...env,
    }),
    silentLogger(),
  );
}

beforeAll(async () => {
  redis = connectRedis({ url: testStack().redisUrl });
  await writeFixture(redis, ns.prefix, { directory, agents: [...agent1].reverse(), contacts });
  reader = await startWith({});
});

afterAll(async () => {
  await reader.stop();
  redis.disconnect();
  await ns.cleanup();
});

async function get(
  url: string,
  headers: Record<string, string> = { 'x-api-key': KEY },
): Promise<{ status: number; body: unknown }> {
  const response = await reader.app.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json() };
}

const period = 'startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z';
/** Agent 1's row of an agent endpoint under group `groupId` of service 1. */
const agent1In = (groupId: string, fields: Record<string, unknown>): Record<string, unknown> => ({
  agentId: '1',
  serviceId: '1',
  groupId,
  ...fields,
});

describe('/personnel', () => {
  it('lists services with their groups (the static service for groups without one) and agents with groups', async () => {
    expect(await get('/personnel')).toEqual({
      status: 200,
      body: {
        services: [
          {
            id: '1',
            name: 'Retail',
            status: 'ACTIVE',
            serviceGroups: [
              {
                id: '1',
                name: 'Individual Support',
                status: 'ACTIVE',
                channelType: 'INCOMING_CALLS',
              },
              { id: '2', name: 'Business Support', status: 'ACTIVE', channelType: 'CHATS' },
            ],
          },
          {
            id: 'External system',
            name: 'External system',
            status: 'ACTIVE',
            serviceGroups: [{ id: '3', name: 'Loose group', status: 'INACTIVE' }],
          },
        ],
        agents: [
          {
            id: '1',
            name: 'John',
            surname: 'Smith',
            secondName: 'William',
            loginSSO: 'j.smith',
            agentGroups: [{ groupId: '1' }],
          },
          {
            id: '2',
            name: 'Agent123',
            agentNumber: '000123',
            agentGroups: [{ groupId: '1' }, { groupId: '2' }],
          },
        ],
      },
    });
  });
});

describe('/historic/agentLoginData', () => {
  it('gives the ARGUS WFM CC API example durations', async () => {
    expect(await get(`/historic/agentLoginData?${period}&agentId=1,2`)).toEqual({
      status: 200,
      body: [
        {
          agentId: '1',
          logins: [
            {
              loginDate: '2020-01-01T10:03:15Z',
              logoutDate: '2020-01-01T12:30:05Z',
              duration: 8_810_000,
            },
            {
              loginDate: '2020-01-01T18:15:05Z',
              logoutDate: '2020-01-01T21:32:55Z',
              duration: 11_870_000,
            },
          ],
        },
      ],
    });
  });

  it('reports in the offset of startDate', async () => {
    const { body } = await get(
      '/historic/agentLoginData?startDate=2020-01-01T13:00:00%2B03:00&endDate=2020-01-01T14:00:00%2B03:00&agentId=1',
    );
    expect(body).toEqual([
      {
        agentId: '1',
        logins: [
          {
            loginDate: '2020-01-01T13:03:15+03:00',
            logoutDate: '2020-01-01T15:30:05+03:00',
            duration: 8_810_000,
          },
        ],
      },
    ]);
  });
});

describe('/historic/agentStatusData', () => {
  /** A state of the answer, from its code and name to its span. */
  const span =
    (stateCode: string, stateName: string) =>
    (startDate: string, endDate: string): Record<string, string> => ({
      startDate,
      endDate,
      stateCode,
      stateName,
    });
  const work = span('Work', 'Contact processing');
  const login = span('LOGGED_IN', 'Logged in');
  const techBreak = span('Break:Tech', 'Break / Technical break');

  it('links states without a group to every group of the agent', async () => {
    expect((await get(`/historic/agentStatusData?${period}&agentId=1`)).body).toEqual([
      agent1In('1', {
        states: [
          login('2020-01-01T10:03:15Z', '2020-01-01T10:10:36Z'),
          work('2020-01-01T10:10:36Z', '2020-01-01T10:15:36Z'),
          techBreak('2020-01-01T10:15:36Z', '2020-01-01T10:18:36Z'),
          login('2020-01-01T18:15:05Z', '2020-01-01T21:32:55Z'),
        ],
      }),
      agent1In('2', { states: [work('2020-01-01T10:18:36Z', '2020-01-01T12:30:05Z')] }),
    ]);
  });

  it('reports them without service and group when linking is none', async () => {
    const unlinked = await startWith({ STATUS_GROUP_LINKING: 'none' });
    try {
      const response = await unlinked.app.inject({
        url: `/historic/agentStatusData?${period}&agentId=1`,
        headers: { 'x-api-key': KEY },
      });
      const rows = response.json<{ serviceId?: string; groupId?: string; states: unknown[] }[]>();
      expect(rows.map((r) => [r.serviceId, r.groupId, r.states.length])).toEqual([
        [undefined, undefined, 3],
        ['1', '1', 1],
        ['1', '2', 1],
      ]);
    } finally {
      await unlinked.stop();
    }
  });
});

describe('/historic/agentCallsData', () => {
  it('gives the ARGUS WFM CC API example contacts per group', async () => {
    expect((await get(`/historic/agentCallsData?${period}&agentId=1`)).body).toEqual([
      agent1In('1', {
        agentCalls: [
          { startCall: '2020-01-01T10:03:15Z', endCall: '2020-01-01T10:08:15Z', duration: 300_000 },
          { startCall: '2020-01-01T10:04:02Z', endCall: '2020-01-01T10:12:15Z', duration: 493_000 },
        ],
      }),
      agent1In('2', {
        agentCalls: [
          { startCall: '2020-01-01T10:03:15Z', endCall: '2020-01-01T10:03:45Z', duration: 30_000 },
        ],
      }),
    ]);
  });
});

describe('/historic/agentChatsWorkTime', () => {
  it('gives the ARGUS WFM CC API example (§3.6): 4,500,000 ms', async () => {
    expect((await get(`/historic/agentChatsWorkTime?${period}&agentId=1,2`)).body).toEqual([
      { agentId: '2', workDate: '2020-01-01', workTime: 4_500_000 },
    ]);
  });
});

describe('errors', () => {
  it.each([
    [
      '/historic/serviceGroupData?endDate=2020-01-02T00:00:00Z&step=900000&groupId=1',
      'startDate',
      'startDate is required',
    ],
    [
      '/historic/serviceGroupData?startDate=2020-01-01T00:00:00&endDate=2020-01-02T00:00:00Z&step=900000&groupId=1',
      'startDate',
      'startDate is not a date-time with an offset',
    ],
    [
      '/historic/serviceGroupData?startDate=2020-01-02T00:00:00Z&endDate=2020-01-01T00:00:00Z&step=900000&groupId=1',
      'endDate',
      'endDate is not after startDate',
    ],
    [
      '/historic/serviceGroupData?startDate=2020-01-01T00:00:00Z&endDate=2020-02-02T00:00:00Z&step=900000&groupId=1',
      'endDate',
      'period too long',
    ],
    [
      `/historic/serviceGroupData?${period}&step=420000&groupId=1`,
      'step',
      'step is not a valid interval length',
    ],
    [
      `/historic/serviceGroupData?${period}&step=abc&groupId=1`,
      'step',
      'step is not a valid interval length',
    ],
    [
      `/historic/serviceGroupData?${period}&step=900000&groupId=1,2,3,4`,
      'groupId',
      'too many groupId values',
    ],
    [`/historic/serviceGroupData?${period}&step=900000`, 'groupId', 'groupId is required'],
    [
      '/historic/serviceGroupData?startDate=2020-01-01T00:00:30Z&endDate=2020-01-02T00:00:00Z&step=900000&groupId=1',
      'startDate',
      'startDate is not on a whole minute',
    ],
    [`/historic/agentStatusData?${period}`, 'agentId', 'agentId is required'],
  ])('400 for %s', async (url, field, message) => {
    const { status, body } = await get(url);
    expect(status).toBe(400);
    expect(body).toMatchObject({ field, message });
    expect((body as { description: string }).description.length).toBeGreaterThan(10);
  });

  it('reads a + sent unencoded as the offset it meant', async () => {
    const { status } = await get(
      '/historic/agentLoginData?startDate=2020-01-01T13:00:00+03:00&endDate=2020-01-01T14:00:00+03:00&agentId=1',
    );
    expect(status).toBe(200);
  });

  it('404 when nothing matches, and for unknown paths', async () => {
    expect(await get(`/historic/agentCallsData?${period}&agentId=3`)).toMatchObject({
      status: 404,
      body: { field: 'agentId', message: 'no data' },
    });
    expect(await get('/historic/nothing')).toMatchObject({
      status: 404,
      body: { message: 'not found' },
    });
  });

  it('503 with Retry-After and the error body of docs/api.md, no internals, when Redis is unreachable', async () => {
    const broken = await startWith({
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      READER_REDIS_RETRY_BUDGET: '500ms',
    });
    try {
      const response = await broken.app.inject({
        url: `/historic/agentLoginData?${period}&agentId=1`,
        headers: { 'x-api-key': KEY },
      });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toEqual({
        field: '',
        message: 'temporarily unavailable',
        description:
          'The store the API reads is failing over or unreachable. Retry after the seconds in Retry-After.',
      });
      expect(response.body).not.toMatch(/ECONNREFUSED|at .*\.js|stack/);
    } finally {
      await broken.stop();
    }
  });
});

describe('access control', () => {
  it('refuses requests without a valid key, accepts X-API-Key and Bearer', async () => {
    const denied = await reader.app.inject({ url: `/historic/agentLoginData?${period}&agentId=1` });
    expect(denied.statusCode).toBe(401);
    expect(denied.json()).toMatchObject({ field: '', message: 'unauthorized' });
    expect(
      (await get(`/historic/agentLoginData?${period}&agentId=1`, { 'x-api-key': 'wrong' })).status,
    ).toBe(401);
    expect(
      (
        await get(`/historic/agentLoginData?${period}&agentId=1`, {
          authorization: `Bearer ${KEY}`,
        })
      ).status,
    ).toBe(200);
    expect((await reader.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('supports HTTP basic authentication', async () => {
    const basic = await startWith({ READER_AUTH: 'basic', READER_BASIC_USERS: 'wfm:s3cret' });
    try {
      const url = `/historic/agentLoginData?${period}&agentId=1`;
      expect(
        (
          await basic.app.inject({
            url,
            headers: { authorization: `Basic ${Buffer.from('wfm:s3cret').toString('base64')}` },
          })
        ).statusCode,
      ).toBe(200);
      const denied = await basic.app.inject({
        url,
        headers: { authorization: `Basic ${Buffer.from('wfm:nope').toString('base64')}` },
      });
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Basic realm="wfm-stream"');
    } finally {
      await basic.stop();
    }
  });

  it('refuses to start without credentials unless told to serve openly', () => {
    expect(() => loadConfig(readerConfigSchema, { READER_AUTH: 'api-key' })).toThrow(
      /READER_API_KEYS is required/,
    );
    expect(
      loadConfig(readerConfigSchema, { ...UNCONNECTED_ADDRESSES, READER_AUTH: 'none' }).READER_AUTH,
    ).toBe('none');
  });
});

describe('serviceGroupData answers', () => {
  const url = `/historic/serviceGroupData?${period}&step=86400000&groupId=1,2`;
  const received = (body: unknown): number[] =>
    (body as { historicData: { notUniqueReceived: number }[] }[]).map(
      (g) => g.historicData[0]?.notUniqueReceived ?? 0,
    );

  it('are gzipped for clients that accept it, when large enough', async () => {
    // a day of its own with a contact every minute: a large answer at a 1-minute step
    const day = Date.UTC(2020, 0, 5);
    const many = Array.from({ length: 300 }, (_, n) =>
      contact.handled(`g-${n}`, '1', '1', [
        new Date(day + n * 60_000).toISOString(),
        new Date(day + n * 60_000 + 5_000).toISOString(),
        new Date(day + n * 60_000 + 50_000).toISOString(),
      ]),
    ).flat();
    await new ContactAggregation(redis, new Keys(`${ns.prefix}:g0`), {
      zone: TimeZone.UTC,
      serviceLevelMs: () => 20_000,
      stateTtlSeconds: 3_600,
      retentionSeconds: 86_400,
    }).apply(many);
    const bigUrl =
      '/historic/serviceGroupData?startDate=2020-01-05T00:00:00Z&endDate=2020-01-06T00:00:00Z&step=60000&groupId=1';
    const plain = await reader.app.inject({ url: bigUrl, headers: { 'x-api-key': KEY } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(16 * 1024);
    const zipped = await reader.app.inject({
      url: bigUrl,
      headers: { 'x-api-key': KEY, 'accept-encoding': 'gzip, deflate' },
    });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.rawPayload.length).toBeLessThan(plain.body.length / 4);
    expect(JSON.parse(gunzipSync(zipped.rawPayload).toString())).toEqual(plain.json());
    const small = await reader.app.inject({
      url,
      headers: { 'x-api-key': KEY, 'accept-encoding': 'gzip' },
    });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('are never served stale from the cache: new data and directory changes show at once', async () => {
    const before = (await get(url)).body;
    expect(await get(url)).toEqual({ status: 200, body: before });
    const keys = new Keys(`${ns.prefix}:g0`);
    await new ContactAggregation(redis, keys, {
      zone: TimeZone.UTC,
      serviceLevelMs: () => 20_000,
      stateTtlSeconds: 3_600,
      retentionSeconds: 86_400,
    }).apply(contact.handled('c-late', '1', '1', [at('15:00:00'), at('15:00:05'), at('15:01:00')]));
    const after = (await get(url)).body;
    expect(received(after)).toEqual(received(before).map((n, i) => (i === 0 ? n + 1 : n)));
    await new DirectoryStore(redis, keys, 86_400).apply([
      {
        eventId: 'd9',
        type: 'group.upserted',
        occurredAt: at('16:00:00'),
        groupId: '2',
        serviceId: 'moved',
        name: 'Business Support',
        status: 'ACTIVE',
      },
    ]);
    expect((await get(url)).body).toEqual([
      (after as object[])[0],
      { ...(after as { serviceId: string }[])[1], serviceId: 'moved' },
    ]);
  });
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document describing every endpoint', async () => {
    const response = await reader.app.inject({ url: '/openapi.json' });
    const document = response.json<{ paths: Record<string, unknown> }>();
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(document.paths).sort()).toEqual([
      '/healthz',
      '/historic/agentCallsData',
      '/historic/agentChatsWorkTime',
      '/historic/agentLoginData',
      '/historic/agentStatusData',
      '/historic/serviceGroupData',
      '/metrics',
      '/online/agentStatus',
      '/online/groupsOnlineLoad',
      '/online/stream',
      '/openapi.json',
      '/personnel',
      '/readyz',
      '/status/exports',
      '/status/pipeline',
    ]);
  });
});

describe('/metrics', () => {
  it('counts requests by route pattern and status, and times them', async () => {
    const fresh = await startWith({});
    try {
      const ask = (url: string, headers = { 'x-api-key': KEY }): Promise<unknown> =>
        fresh.app.inject({ method: 'GET', url, headers });
      await ask('/personnel');
      await ask('/personnel');
      await ask('/personnel', { 'x-api-key': 'wrong' });
      await ask(`/historic/agentCallsData?${period}&agentId=1`);
      await ask('/no/such/path/123');
      const text = (await fresh.app.inject({ url: '/metrics' })).body;
      // a sample by its name and labels, whatever other labels it has (service="reader")
      const sample = (selector: string): number | undefined => {
        const [name, labels] = /^([^{]+)\{(.*)\}$/.exec(selector)?.slice(1) ?? [];
        const wanted = (labels ?? '').split(',');
        const found = text.split('\n').find((line) => {
          const [, n, l] = /^([^{]+)\{(.*)\} /.exec(line) ?? [];
          const have = (l ?? '').split(',');
          return n === name && wanted.every((w) => have.includes(w));
        });
        return found === undefined ? undefined : Number(found.split(' ').at(-1));
      };
      expect(sample('wfm_http_requests_total{route="/personnel",status="200"}')).toBe(2);
      expect(sample('wfm_http_requests_total{route="/personnel",status="401"}')).toBe(1);
      expect(sample('wfm_http_requests_total{route="/historic/agentCallsData",status="200"}')).toBe(
        1,
      );
      // an unknown path is one series, whatever the path: bad URLs cannot grow the metrics
      expect(sample('wfm_http_requests_total{route="unmatched",status="404"}')).toBe(1);
      expect(text).not.toContain('/no/such/path');
      expect(sample('wfm_http_request_duration_seconds_count{route="/personnel"}')).toBe(3);
    } finally {
      await fresh.stop();
    }
  });
});
