import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { TimeZone } from '@wfm-stream/core';
import { freePort } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import type { AgentEvent, ContactEvent, DirectoryEvent } from '@wfm-stream/schemas';
import {
  AgentQueries,
  connectRedis,
  DirectoryStore,
  HistoricQueries,
  Keys,
  OnlineQueries,
  type RedisClient,
  StatusBoard,
} from '@wfm-stream/store';
import { redisNamespace, testStack, waitFor } from '@wfm-stream/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AnswerCache } from './answer-cache.js';
import { type RunningReader, startReader } from './index.js';
import { LiveSource } from './live/live-source.js';
import { PreparedBody } from './prepared-body.js';
import type { RouteDefinition } from './route.js';
import { apiRoutes } from './routes/api-routes.js';
import { serviceGroupDataRoute } from './routes/service-group-data.js';
import { SERVICE_GROUP_DATA_SCHEMA } from './schemas.js';
import { serializerFor } from './serializer.js';
import { at, contact, dir, readerTestConfig, state, writeFixture } from './testing/fixture.js';

/**
 * Every route of the reader, asked for real over HTTP (its 200s and every error it
 * declares), each answer checked against /openapi.json with ajv; and the document itself
 * linted by Redocly and Spectral with the rulesets beside this package.
 */

const KEY = 'openapi-key';
const USER = 'wfm:secret';
const ns = redisNamespace();
const emptyNs = redisNamespace();
let redis: RedisClient;
let main: RunningReader;
let empty: RunningReader;
let broken: RunningReader;

const midnight = at('00:00:00');
const directory: DirectoryEvent[] = [
  dir.service('d1', midnight, 's1', 'Retail'),
  dir.group('d2', midnight, '1', 'Calls', { serviceId: 's1', channelType: 'INCOMING_CALLS' }),
  dir.group('d3', midnight, '2', 'Chats', { channelType: 'CHATS' }),
  dir.agent('d4', midnight, '1', {
    name: 'John',
    surname: 'Smith',
    loginSSO: 'j.smith',
    groupIds: ['1', '2'],
  }),
  dir.agent('d5', midnight, '2', { name: 'Jane', agentNumber: '0002', groupIds: ['2'] }),
];

const agents: AgentEvent[] = [
  { eventId: 'a1', type: 'agent.loggedIn', occurredAt: at('08:00:00'), agentId: '1' },
  state.onTechnicalBreak('a2', at('08:05:00'), '1'),
  state.working('a3', at('08:10:00'), '1', '1'),
  { eventId: 'a4', type: 'agent.loggedOut', occurredAt: at('12:00:00'), agentId: '1' },
  { eventId: 'a5', type: 'agent.loggedIn', occurredAt: at('09:00:00'), agentId: '2' },
];

const contacts: ContactEvent[] = [
  ...contact.handled('c1', '1', '1', [at('08:20:00'), at('08:20:10'), at('08:25:00')]),
  ...contact.handled('c2', '1', '1', [at('08:40:00'), at('08:40:30'), at('08:50:00')]),
  ...contact.handled('chat1', '2', '2', [at('09:10:00'), at('09:11:00'), at('09:40:00')], 'CHATS'),
];

async function start(
  namespace: string,
  env: Record<string, string>,
  now?: () => number,
): Promise<RunningReader> {
  return startReader(
    readerTestConfig(namespace, {
      READER_API_KEYS: KEY,
      READER_BASIC_USERS: USER,
      MAX_IDS_PER_REQUEST: '3',
      ...env,
    }),
    silentLogger(),
    now === undefined ? {} : { now },
  );
}

/** Writes the status records the export and pipeline views read (docs/dashboard.md). */
async function seedStatusBoard(prefix: string): Promise<void> {
  const record = (name: string): string => `${prefix}:{status}:r:${name}`;
  await redis.hset(record('export-delivered'), 'pipkins', String(Date.parse(at('12:00:00'))));
  await redis.hset(record('export-parked'), 'pipkins', '2');
  await redis.hset(
    record('export-failure'),
    'pipkins',
    JSON.stringify({ atMs: Date.parse(at('11:00:00')), reason: 'HTTP 503', parked: true }),
  );
  await redis.hset(record('dead-letters'), 'wfm-aggregator', '3');
  await redis.lpush(
    record('dead-letters-recent'),
    JSON.stringify({
      atMs: Date.parse(at('10:00:00')),
      group: 'wfm-aggregator',
      topic: 'contacts',
      kind: 'invalid',
      reason: 'no contactId',
    }),
  );
}

beforeAll(async () => {
  redis = connectRedis({ url: testStack().redisUrl });
  await writeFixture(redis, ns.prefix, { directory, agents, contacts });
  await seedStatusBoard(ns.prefix);
  // "today" is the fixture's day, so groupsOnlineLoad has figures
  [main, empty, broken] = await Promise.all([
    start(ns.prefix, {}, () => Date.parse(at('13:00:00'))),
    start(emptyNs.prefix, { READER_AUTH: 'none', LIVE_MAX_CLIENTS: '1' }),
    start(ns.prefix, {
      READER_AUTH: 'basic',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      READER_REDIS_RETRY_BUDGET: '300ms',
    }),
  ]);
});

afterAll(async () => {
  const started: (RunningReader | undefined)[] = [main, empty, broken];
  await Promise.all(started.flatMap((reader) => (reader === undefined ? [] : [reader.stop()])));
  redis.disconnect();
  await ns.cleanup();
  await emptyNs.cleanup();
});

interface Document {
  readonly paths: Record<
    string,
    {
      get: {
        parameters?: {
          name: string;
          example?: unknown;
          required?: boolean;
          schema: { type?: string };
        }[];
        responses: Record<string, { content?: Record<string, unknown> }>;
        tags?: string[];
      };
    }
  >;
}

async function documentOf(reader: RunningReader): Promise<Document> {
  const response = await fetch(`http://127.0.0.1:${reader.port}/openapi.json`);
  expect(response.status).toBe(200);
  return (await response.json()) as Document;
}

/** ajv over a document: validates a body against one of its responses. */
function validatorOf(document: Document, id: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('double', { type: 'number', validate: (n: number) => Number.isFinite(n) });
  ajv.addSchema({ ...document, $id: id });
  const pointer = (...parts: string[]): string =>
    parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
  return (route: string, status: number, contentType: string, body: unknown): unknown[] => {
    const validate = ajv.compile({
      $ref: `${id}#/${pointer('paths', route, 'get', 'responses', String(status), 'content', contentType, 'schema')}`,
    });
    return validate(body) ? [] : (validate.errors ?? ['invalid']);
  };
}

interface Case {
  readonly reader: () => RunningReader;
  readonly url: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
}

const key = { 'x-api-key': KEY };
const basic = { authorization: `Basic ${Buffer.from(USER).toString('base64')}` };
const day = 'startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z';
const agentRoutes = [
  '/historic/agentStatusData',
  '/historic/agentLoginData',
  '/historic/agentCallsData',
  '/historic/agentChatsWorkTime',
];
const dataRoutes = [
  '/personnel',
  '/historic/serviceGroupData',
  ...agentRoutes,
  '/online/agentStatus',
  '/online/groupsOnlineLoad',
  '/status/pipeline',
  '/status/exports',
];
const sgd = '/historic/serviceGroupData';

const cases: Case[] = [
  { reader: () => main, url: '/personnel', status: 200 },
  { reader: () => empty, url: '/personnel', status: 404 },
  { reader: () => main, url: `${sgd}?${day}&step=900000&groupId=1&groupId=2`, status: 200 },
  { reader: () => main, url: `${sgd}?${day}&groupId=1`, status: 400 },
  { reader: () => main, url: `${sgd}?${day}&step=7000000&groupId=1`, status: 400 },
  {
    reader: () => main,
    url: `${sgd}?startDate=2020-01-01T00:00:30Z&endDate=2020-01-02T00:00:00Z&step=900000&groupId=1`,
    status: 400,
  },
  {
    reader: () => main,
    url: `${sgd}?startDate=2020-01-01T00:00:00Z&endDate=2020-02-02T00:00:00Z&step=900000&groupId=1`,
    status: 400,
  },
  { reader: () => main, url: `${sgd}?${day}&step=900000&groupId=1,2,3,4`, status: 400 },
  { reader: () => main, url: `${sgd}?${day}&step=900000&groupId=nope`, status: 404 },
  ...agentRoutes.flatMap((route): Case[] => [
    { reader: () => main, url: `${route}?${day}&agentId=1&agentId=2`, status: 200 },
    {
      reader: () => main,
      url: `${route}?startDate=2020-01-02T00:00:00Z&endDate=2020-01-01T00:00:00Z&agentId=1`,
      status: 400,
    },
    { reader: () => main, url: `${route}?${day}&agentId=nobody`, status: 404 },
  ]),
  { reader: () => main, url: '/online/agentStatus', status: 200 },
  { reader: () => empty, url: '/online/agentStatus', status: 200 },
  { reader: () => main, url: '/online/groupsOnlineLoad?groupId=1,2', status: 200 },
  { reader: () => main, url: '/online/groupsOnlineLoad', status: 400 },
  { reader: () => main, url: '/online/groupsOnlineLoad?groupId=nope', status: 404 },
  { reader: () => main, url: '/status/pipeline', status: 200 },
  { reader: () => main, url: '/status/exports', status: 200 },
  { reader: () => main, url: '/online/stream?topics=nope', status: 400 },
  ...['/healthz', '/readyz', '/metrics', '/openapi.json'].map((url): Case => ({
    reader: () => main,
    url,
    status: 200,
  })),
  // without credentials, and with a reader whose Redis is unreachable
  ...[...dataRoutes, '/online/stream'].map((route): Case => ({
    reader: () => main,
    url: route,
    status: 401,
    headers: {},
  })),
  ...dataRoutes.map((route): Case => ({
    reader: () => broken,
    url:
      route === sgd ? `${sgd}?${day}&step=900000&groupId=1` : `${route}?${day}&agentId=1&groupId=1`,
    status: 503,
    headers: basic,
  })),
  { reader: () => broken, url: '/readyz', status: 503 },
];

/** The statuses declared that no request here can bring about, and why. */
const UNEXERCISED: ReadonlySet<string> = new Set([
  // a component broken beyond recovery: nothing a client does causes it
  '/healthz 503',
]);

/**
 * 500 is a failure waiting does not fix (a bug, a script error): nothing a client does
 * causes it; an unreachable Redis is 503 once READER_REDIS_RETRY_BUDGET runs out.
 */
const unexercised = (d: string): boolean => UNEXERCISED.has(d) || d.endsWith(' 500');

interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

async function ask(reader: RunningReader, url: string, headers: Record<string, string>) {
  const response = await fetch(`http://127.0.0.1:${reader.port}${url}`, { headers });
  return {
    status: response.status,
    contentType: (response.headers.get('content-type') ?? '').split(';')[0] ?? '',
    text: await response.text(),
  } satisfies Answer;
}

/** Every (path, status) a document declares, as `path status`. */
function declared(document: Document): Set<string> {
  return new Set(
    Object.entries(document.paths).flatMap(([route, item]) =>
      Object.keys(item.get.responses).map((status) => `${route} ${status}`),
    ),
  );
}

describe('/openapi.json against the answers', () => {
  it('declares every answer of every route, and every answer matches its schema', async () => {
    const documents = new Map<RunningReader, Document>();
    const validators = new Map<RunningReader, ReturnType<typeof validatorOf>>();
    for (const [n, reader] of [main, empty, broken].entries()) {
      const document = await documentOf(reader);
      documents.set(reader, document);
      validators.set(reader, validatorOf(document, `reader-${n}`));
    }
    // the validators reject what the schemas do not allow
    expect(
      validators.get(main)?.('/personnel', 200, 'application/json', { agents: [] }),
    ).not.toEqual([]);
    expect(
      validators.get(main)?.('/online/agentStatus', 401, 'application/json', { field: '' }),
    ).not.toEqual([]);
    // the pipeline view has the reader's own status snapshot once it has written one
    await waitFor(async () => {
      const { text } = await ask(main, '/status/pipeline', key);
      return (JSON.parse(text) as { services: unknown[] }).services.length > 0;
    });
    const seen = new Set<string>();
    for (const c of cases) {
      const reader = c.reader();
      const answer = await ask(reader, c.url, c.headers ?? (reader === broken ? basic : key));
      const route = c.url.split('?')[0] ?? '';
      const label = `${c.url} (${answer.text.slice(0, 300)})`;
      expect(answer.status, label).toBe(c.status);
      const response = documents.get(reader)?.paths[route]?.get.responses[String(c.status)];
      expect(response, `${label}: not declared`).toBeDefined();
      expect(Object.keys(response?.content ?? {}), label).toEqual([answer.contentType]);
      const body: unknown =
        answer.contentType === 'application/json' ? JSON.parse(answer.text) : answer.text;
      expect(validators.get(reader)?.(route, c.status, answer.contentType, body), label).toEqual(
        [],
      );
      seen.add(`${route} ${c.status}`);
    }
    // the 200 of the stream, and its 503 at LIVE_MAX_CLIENTS (the empty reader takes one)
    const opened = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${empty.port}/online/stream`, {
      signal: opened.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const full = await ask(empty, '/online/stream', {});
    expect(full.status).toBe(503);
    expect(
      validators.get(empty)?.('/online/stream', 503, 'application/json', JSON.parse(full.text)),
    ).toEqual([]);
    opened.abort();
    seen.add('/online/stream 200').add('/online/stream 503');
    // every declared status was answered; the 503 of shutdown is the next test's
    const shutdown = (d: string): boolean =>
      d.endsWith(' 503') && !['/readyz 503', '/healthz 503', '/online/stream 503'].includes(d);
    const unanswered = [...declared(documents.get(main)!)].filter(
      (d) => !seen.has(d) && !unexercised(d) && !shutdown(d),
    );
    expect(unanswered).toEqual([]);
  });

  it('gives 200 for the examples of every operation ("try it")', async () => {
    const document = await documentOf(main);
    for (const [route, item] of Object.entries(document.paths)) {
      if (route === '/online/stream') continue;
      const query = new URLSearchParams();
      for (const p of item.get.parameters ?? []) {
        if (p.required !== true) continue;
        expect(p.example, `${route} ${p.name}`).toBeDefined();
        for (const value of Array.isArray(p.example) ? p.example : [p.example])
          query.append(p.name, String(value));
      }
      const answer = await ask(main, `${route}?${query.toString()}`, key);
      expect(answer.status, `${route}?${query.toString()}: ${answer.text}`).toBe(200);
    }
  });

  it('declares a 4xx on every operation that takes credentials', async () => {
    const document = await documentOf(main);
    for (const [route, item] of Object.entries(document.paths)) {
      const statuses = Object.keys(item.get.responses);
      if (item.get.tags?.includes('operations') === true)
        expect(statuses, route).not.toContain('401');
      else
        expect(
          statuses.some((s) => s.startsWith('4')),
          route,
        ).toBe(true);
    }
  });

  it('writes a cached answer with the bytes of a fresh one, as compact JSON', async () => {
    const url = `${sgd}?${day}&step=900000&groupId=2&groupId=1`;
    const fresh = await ask(main, url, key);
    const cached = await ask(main, url, key);
    expect(fresh.status).toBe(200);
    expect(cached.text).toBe(fresh.text);
    expect(JSON.stringify(JSON.parse(fresh.text))).toBe(fresh.text);
    for (const route of dataRoutes.filter((r) => r !== sgd)) {
      const { text, status } = await ask(main, `${route}?${day}&agentId=1,2&groupId=1,2`, key);
      expect(status, route).toBe(200);
      expect(JSON.stringify(JSON.parse(text)), route).toBe(text);
    }
  });

  it('serialises every answer whole: the schemas leave out no field a route sends', async () => {
    // the routes as the reader builds them, over the same data, written by JSON.stringify
    // and by their compiled serialisers: a field missing from a schema would be dropped
    const keys = new Keys(`${ns.prefix}:g0`);
    const now = (): number => Date.parse(at('13:00:00'));
    const store = {
      agents: new AgentQueries(redis, keys),
      online: new OnlineQueries(redis, keys),
      directory: new DirectoryStore(redis, keys, 86_400),
    };
    const systemId = 'External system';
    const agentDeps = {
      ...store,
      systemId,
      maxQueryDays: 31,
      maxIds: 3,
      statusGroupLinking: 'all-groups' as const,
    };
    const serviceGroupData = serviceGroupDataRoute({
      cache: new AnswerCache(0),
      historic: new HistoricQueries(redis, keys),
      directory: store.directory,
      systemId,
      maxQueryDays: 31,
      maxIds: 3,
    });
    const source = new LiveSource({
      ...store,
      board: new StatusBoard(redis, ns.prefix),
      serviceGroupData,
      zone: TimeZone.UTC,
      systemId,
      maxIds: 3,
      now,
    });
    const onlineDeps = { ...store, zone: TimeZone.UTC, systemId, maxIds: 3, now };
    const routes: RouteDefinition[] = apiRoutes({
      personnel: { directory: store.directory, systemId },
      serviceGroupData,
      agents: agentDeps,
      online: onlineDeps,
      live: source,
      now,
    });
    const query = {
      startDate: '2020-01-01T00:00:00Z',
      endDate: '2020-01-02T00:00:00Z',
      step: '900000',
      agentId: '1,2',
      groupId: '1,2',
    };
    for (const route of routes) {
      const answer = await route.handle(query, (value) => JSON.stringify(value));
      const value: unknown = answer instanceof PreparedBody ? JSON.parse(answer.json) : answer;
      expect(JSON.parse(serializerFor(route.response)(value)), route.url).toStrictEqual(value);
    }
    // the body serviceGroupData keeps serialised is made by its compiled serialiser
    const prepared = await serviceGroupData.handle(query, serializerFor(SERVICE_GROUP_DATA_SCHEMA));
    const plain = await serviceGroupData.handle(query, (value) => JSON.stringify(value));
    expect(prepared).toBeInstanceOf(PreparedBody);
    const json = (plain as PreparedBody).json;
    expect((prepared as PreparedBody).json).toBe(
      serializerFor(SERVICE_GROUP_DATA_SCHEMA)(JSON.parse(json)),
    );
    expect(JSON.parse((prepared as PreparedBody).json)).toStrictEqual(JSON.parse(json));
  });

  it('declares the 503 that Fastify writes while the reader shuts down', async () => {
    const stopping = await start(ns.prefix, {});
    const document = await documentOf(stopping);
    // a request under way (headers not finished) when the reader starts to close
    const socket = net.connect(stopping.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
    });
    const ended = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write(`GET /personnel HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY}\r\n`);
    // a later request answered: the server has read the first one's bytes
    expect((await ask(stopping, '/healthz', {})).status).toBe(200);
    const stopped = stopping.stop();
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = net.connect(stopping.port, '127.0.0.1');
          probe.on('connect', () => {
            probe.destroy();
            resolve(false);
          });
          probe.on('error', () => {
            resolve(true);
          });
        }),
    );
    socket.write('\r\n');
    await ended;
    await stopped;
    const [head = '', body = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503/);
    expect(
      validatorOf(document, 'stopping')('/personnel', 503, 'application/json', JSON.parse(body)),
    ).toEqual([]);
  });
});

const execFileAsync = promisify(execFile);
const require = createRequire(import.meta.url);
const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function binOf(pkg: string, bin: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bins = (require(manifest) as { bin: Record<string, string> }).bin;
  return path.join(path.dirname(manifest), bins[bin] ?? '');
}

async function run(
  pkg: string,
  bin: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [binOf(pkg, bin), ...args], {
      cwd: packageDir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A linter of the document: its CLI, its arguments for `file`, the problems its JSON report lists. */
interface Linter {
  readonly name: string;
  readonly pkg: string;
  readonly args: (file: string) => string[];
  readonly problems: (stdout: string) => unknown[];
}

const LINTERS: readonly Linter[] = [
  {
    name: 'redocly',
    pkg: '@redocly/cli',
    args: (file) => ['lint', file, '--config', path.join(packageDir, 'redocly.yaml')],
    problems: (stdout) => (JSON.parse(stdout) as { problems: unknown[] }).problems,
  },
  {
    name: 'spectral',
    pkg: '@stoplight/spectral-cli',
    args: (file) => [
      'lint',
      file,
      '--ruleset',
      path.join(packageDir, '.spectral.yaml'),
      '--fail-severity',
      'hint',
      '--quiet',
    ],
    problems: (stdout) => JSON.parse(stdout || '[]') as unknown[],
  },
];

describe('/openapi.json linted', () => {
  // six CLI runs of a few seconds each, slower on a loaded machine
  it(
    'passes redocly lint and spectral lint clean, in every auth mode',
    { timeout: 240_000 },
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'reader-openapi-'));
      try {
        for (const [mode, reader] of [
          ['api-key', main],
          ['none', empty],
          ['basic', broken],
        ] as const) {
          const file = path.join(dir, `openapi-${mode}.json`);
          await writeFile(file, JSON.stringify(await documentOf(reader), null, 2));
          for (const linter of LINTERS) {
            const result = await run(linter.pkg, linter.name, [
              ...linter.args(file),
              '--format',
              'json',
            ]);
            expect(linter.problems(result.stdout), `${linter.name} ${mode}`).toEqual([]);
            expect(result.code, `${linter.name} ${mode}: ${result.stderr}`).toBe(0);
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
