import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { fc, test } from '@fast-check/vitest';
import { silentLogger } from '@wfm-stream/observability';
import { redisNamespace } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningReader, startReader } from './reader.js';
import { readerTestConfig } from './testing/fixture.js';

/**
 * Hostile HTTP against a listening reader, over real sockets (docs/api.md, "Errors"):
 * whatever a client sends, the answer is a 2xx, or a 4xx whose body is exactly
 * `{field, message, description}`, never a 5xx, never a stack trace or a file path, and
 * it comes within a few seconds.
 */
const ns = redisNamespace();
const KEY = 'abuse-test-key';
const BODY_LIMIT = 16_384;
/** Longest any answer may take (the machine may be busy). */
const ANSWER_WITHIN_MS = 5_000;
let reader: RunningReader;
let dashboardDir: string;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly afterMs: number;
}

/**
 * Writes `head` (and `body`) on a fresh connection and reads the answer until the server
 * closes it; fails when none arrives in ANSWER_WITHIN_MS. Raw bytes, so that nothing
 * between the test and the server corrects what is sent.
 */
function send(head: string, body: Buffer | string = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port: reader.port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${ANSWER_WITHIN_MS} ms to ${head.slice(0, 120)}`));
    }, ANSWER_WITHIN_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // the server may close while a refused body is still being written
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const lines = (split < 0 ? text : text.slice(0, split)).split('\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0)
          headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status,
        headers,
        body: split < 0 ? '' : text.slice(split + 4),
        afterMs: Date.now() - started,
      });
    });
    socket.once('connect', () => {
      socket.write(head);
      if (body.length > 0) socket.write(body);
    });
  });
}

/** A request line and headers, the connection closed after the answer. */
function request(
  method: string,
  target: string,
  headers: Record<string, string> = { 'x-api-key': KEY },
  body?: Buffer | string,
): Promise<Answer> {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && headers['transfer-encoding'] === undefined)
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return send(`${lines.join('\r\n')}\r\n\r\n`, body);
}

const STACK_FRAME = /\bat \S+ \(|\bat .+:\d+:\d+|\n\s+at /;
const FILE_PATH = /node_modules|\/work\/|\/home\/|\/usr\/|services\/reader|\.[jt]s:\d+/;

/** The rules every answer keeps; returns the error body of a 4xx. */
function expectSafe(answer: Answer, what: string): Record<string, unknown> | undefined {
  expect(answer.status, what).toBeGreaterThanOrEqual(200);
  expect(answer.status, `${what}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  expect(answer.afterMs, what).toBeLessThan(ANSWER_WITHIN_MS);
  expect(answer.body, what).not.toMatch(STACK_FRAME);
  expect(answer.body, what).not.toMatch(FILE_PATH);
  if (answer.status < 400 || answer.body === '') return undefined;
  expect(answer.headers['content-type'], what).toMatch(/^application\/json/);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body).sort(), `${what}: ${answer.body}`).toEqual([
    'description',
    'field',
    'message',
  ]);
  for (const value of Object.values(body)) expect(typeof value, what).toBe('string');
  return body;
}

/** A 4xx in the API's shape with this status and message. */
async function expectRefused(
  answer: Promise<Answer>,
  status: number,
  message: string,
  what: string,
): Promise<Answer> {
  const got = await answer;
  const body = expectSafe(got, what);
  expect(got.status, `${what}: ${got.body}`).toBe(status);
  expect(body?.message, what).toBe(message);
  return got;
}

const DAY = 'startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z';
const GET_ROUTES = [
  '/healthz',
  '/readyz',
  '/metrics',
  '/openapi.json',
  '/personnel',
  `/historic/serviceGroupData?${DAY}&step=900000&groupId=1`,
  `/historic/agentStatusData?${DAY}&agentId=1`,
  `/historic/agentLoginData?${DAY}&agentId=1`,
  `/historic/agentCallsData?${DAY}&agentId=1`,
  `/historic/agentChatsWorkTime?${DAY}&agentId=1`,
  '/online/agentStatus',
  '/online/groupsOnlineLoad?groupId=1',
  '/status/pipeline',
  '/status/exports',
  '/dashboard',
  '/dashboard/session',
];

beforeAll(async () => {
  dashboardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'abuse-dashboard-'));
  fs.mkdirSync(path.join(dashboardDir, 'assets'));
  fs.writeFileSync(path.join(dashboardDir, 'index.html'), '<!doctype html><title>x</title>');
  fs.writeFileSync(path.join(dashboardDir, 'assets', 'app.js'), 'void 0;');
  reader = await startReader(
    readerTestConfig(ns.prefix, {
      READER_API_KEYS: KEY,
      READER_BODY_LIMIT: String(BODY_LIMIT),
      MAX_IDS_PER_REQUEST: '500',
    }),
    silentLogger(),
    { dashboardDir },
  );
});

afterAll(async () => {
  await reader.stop();
  await ns.cleanup();
  fs.rmSync(dashboardDir, { recursive: true, force: true });
});

describe('credentials', () => {
  it.each([
    ['none', {}],
    ['an empty key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': 'wrong' }],
    ['a wrong bearer', { authorization: 'Bearer wrong' }],
    ['basic instead of a key', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['a broken authorization', { authorization: 'Basic %%%' }],
    ['a 10 KB key', { 'x-api-key': 'k'.repeat(10_000) }],
    ['a key of other bytes', { 'x-api-key': '\u00e9\u00ff\u00fe' }],
    ['two keys', { 'x-api-key': `${KEY}, ${KEY}` }],
    ['a forged session cookie', { cookie: 'wfm_session=abc.def' }],
  ])('401 in the API shape for %s', async (what, headers) => {
    for (const target of GET_ROUTES.filter(
      (t) => !/healthz|readyz|metrics|openapi|^\/dashboard/.test(t),
    ))
      await expectRefused(
        request('GET', target, headers),
        401,
        'unauthorized',
        `${what} ${target}`,
      );
  });
});

describe('malformed URLs', () => {
  it.each(['/personnel%', '/%E0%A4%A', '/%', '/historic/%ZZ', '/%C0%AF', '/%FF%FE', '/healthz%'])(
    '400 malformed URL for %s',
    async (target) => {
      await expectRefused(request('GET', target), 400, 'malformed URL', target);
    },
  );

  it('answers broken percent-encoding in the query as a bad parameter', async () => {
    await expectRefused(
      request('GET', '/historic/serviceGroupData?startDate=%E0%A4%A&endDate=%&step=%%&groupId=%FF'),
      400,
      'startDate is not a date-time with an offset',
      'query',
    );
  });

  it.each([
    ['no path', 'GET personnel HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a space in the path', 'GET /perso nnel HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['not HTTP at all', 'GARBAGE\r\n\r\n'],
    ['a broken header', 'GET /personnel HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n'],
    ['a broken content length', 'GET /personnel HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n'],
    ['a control byte in the path', 'GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n'],
  ])('400 malformed request for %s', async (what, raw) => {
    const answer = await expectRefused(send(raw), 400, 'malformed request', what);
    expect(answer.headers.connection).toBe('close');
  });

  it('414 for a route parameter beyond READER_MAX_PARAM_LENGTH', async () => {
    await expectRefused(
      request('GET', `/dashboard/assets/${'a'.repeat(200)}.js`),
      414,
      'URL too long',
      'param',
    );
  });
});

describe('oversized requests', () => {
  it('431 in the API shape for headers beyond Node’s limit', async () => {
    await expectRefused(
      request('GET', '/personnel', { 'x-api-key': KEY, 'x-big': 'a'.repeat(20_000) }),
      431,
      'request headers too large',
      'one big header',
    );
    const many: Record<string, string> = { 'x-api-key': KEY };
    for (let i = 0; i < 1_000; i += 1) many[`x-h${i}`] = 'v'.repeat(20);
    await expectRefused(request('GET', '/healthz', many), 431, 'request headers too large', 'many');
  });

  it('431 for a 100 KB query string', async () => {
    for (const target of [
      `/historic/serviceGroupData?${DAY}&step=900000&groupId=${'1,'.repeat(50_000)}`,
      `/personnel?x=${'a'.repeat(100_000)}`,
    ])
      await expectRefused(request('GET', target), 431, 'request headers too large', 'query');
  });

  it('400 for 1,000 groupId values, given once each or as one list', async () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => String(i));
    for (const query of [ids.map((id) => `groupId=${id}`).join('&'), `groupId=${ids.join(',')}`]) {
      for (const route of [
        '/historic/serviceGroupData',
        '/online/groupsOnlineLoad',
        '/online/stream',
      ]) {
        await expectRefused(
          request('GET', `${route}?${DAY}&step=900000&${query}`),
          400,
          'too many groupId values',
          route,
        );
      }
      await expectRefused(
        request(
          'GET',
          `/historic/agentStatusData?${DAY}&${query.replaceAll('groupId', 'agentId')}`,
        ),
        400,
        'too many agentId values',
        'agents',
      );
    }
  });
});

describe('absurd dates and steps', () => {
  const sgd = (start: string, end: string, step: string): string =>
    `/historic/serviceGroupData?startDate=${start}&endDate=${end}&step=${step}&groupId=1`;

  it.each([
    ['0000-01-01T00:00:00Z', 'year 0'],
    ['99999-01-01T00:00:00Z', 'year 99999'],
    ['2020-02-30T00:00:00Z', 'February 30'],
    ['2020-01-01T24:00:00Z', 'hour 24'],
    ['2020-01-01T00:00:00+99:00', 'offset +99:00'],
    ['2020-01-01T00:00:00', 'no offset'],
    ['2020-01-01', 'a date'],
    ['now', 'a word'],
    ['1577836800000', 'epoch ms'],
    ['', 'empty'],
  ])('400 for startDate %s (%s), saying what is wrong', async (start) => {
    for (const target of [
      sgd(start, '2020-01-02T00:00:00Z', '900000'),
      `/historic/agentLoginData?startDate=${start}&endDate=2020-01-02T00:00:00Z&agentId=1`,
    ])
      await expectRefused(
        request('GET', target),
        400,
        'startDate is not a date-time with an offset',
        target,
      );
  });

  it('answers a period around 1970 like any other (no data)', async () => {
    const answer = await request(
      'GET',
      sgd('1969-12-31T00:00:00Z', '1970-01-01T00:00:00Z', '900000'),
    );
    expect(expectSafe(answer, '1969')).toMatchObject({ field: 'groupId', message: 'no data' });
  });

  it('400 for an endDate of year 9999 after a start of year 1 (period too long)', async () => {
    await expectRefused(
      request('GET', sgd('0001-01-01T00:00:00Z', '9999-12-31T23:59:00Z', '900000')),
      400,
      'period too long',
      'span',
    );
  });

  it.each([
    '0',
    '-1',
    '7',
    '1e9',
    'abc',
    '',
    '60000.0',
    '0x3c',
    '99999999999999999999',
    '900000&step=900000',
  ])('400 for step=%s, saying what is wrong', async (step) => {
    const answer = await request('GET', sgd('2020-01-01T00:00:00Z', '2020-01-02T00:00:00Z', step));
    const body = expectSafe(answer, step);
    expect(answer.status).toBe(400);
    expect(body?.field).toBe('step');
    expect(body?.message).not.toContain('required');
  });

  it('400 for a live stream step that is not one of its steps', async () => {
    for (const step of ['0', '-1', '7', '1e9', 'abc'])
      await expectRefused(
        request('GET', `/online/stream?step=${step}`),
        400,
        'step is not a valid interval length',
        step,
      );
  });
});

describe('other methods on GET routes', () => {
  it('405 with an Allow header for POST, PUT, DELETE and PATCH', async () => {
    for (const target of GET_ROUTES.filter((t) => t !== '/dashboard/session')) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const answer = await expectRefused(
          request(method, target),
          405,
          'method not allowed',
          `${method} ${target}`,
        );
        expect(answer.headers.allow, target).toBe('GET, HEAD, OPTIONS');
      }
    }
    // a path with methods of its own lists them
    const session = await expectRefused(
      request('PUT', '/dashboard/session'),
      405,
      'method not allowed',
      'PUT session',
    );
    expect(session.headers.allow).toBe('GET, HEAD, POST, DELETE, OPTIONS');
  });

  it('OPTIONS answers 204 with the Allow header', async () => {
    for (const target of ['/personnel', '/healthz', '/dashboard/session']) {
      const answer = await request('OPTIONS', target);
      expect(answer.status, target).toBe(204);
      expect(answer.headers.allow, target).toMatch(/^GET, HEAD, .*OPTIONS$/);
    }
  });

  it('HEAD answers as GET does, without a body', async () => {
    for (const target of ['/healthz', '/openapi.json', '/personnel', '/nope']) {
      const [head, get] = [await request('HEAD', target), await request('GET', target)];
      expect(head.status, target).toBe(get.status);
      expect(head.body, target).toBe('');
    }
  });

  it('404 in the API shape for an unknown method or path', async () => {
    await expectRefused(request('PROPFIND', '/nope'), 404, 'not found', 'unknown path');
    const unknown = await request('BREW', '/personnel');
    expectSafe(unknown, 'unknown method');
    expect(unknown.status).toBe(400);
  });
});

describe('bodies', () => {
  const json = { 'x-api-key': KEY, 'content-type': 'application/json' };
  const bodies: [string, string | Buffer][] = [
    ['malformed JSON', '{"a":'],
    ['__proto__', '{"__proto__":{"polluted":true}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}'],
    ['a nested __proto__', '{"a":[{"b":{"__proto__":{"polluted":true}}}]}'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ];
  const huge = Buffer.alloc(2 * 1024 * 1024, 0x61);

  it('GET with any body: 400 unexpected body, or 413 beyond READER_BODY_LIMIT', async () => {
    for (const target of [...GET_ROUTES, '/online/stream', '/nope']) {
      for (const [what, body] of bodies)
        await expectRefused(
          request('GET', target, json, body),
          400,
          'unexpected body',
          `${what} ${target}`,
        );
      await expectRefused(
        request('GET', target, json, huge),
        413,
        'request too large',
        `2 MB ${target}`,
      );
      // a chunked body has no length to check: refused as a body
      await expectRefused(
        request(
          'GET',
          target,
          { ...json, 'transfer-encoding': 'chunked' },
          '5\r\n{"a":\r\n0\r\n\r\n',
        ),
        400,
        'unexpected body',
        `chunked ${target}`,
      );
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('other methods with a body: 4xx, 413 beyond READER_BODY_LIMIT', async () => {
    for (const target of [...GET_ROUTES, '/nope']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
        for (const [what, body] of bodies) {
          const answer = await request(method, target, json, body);
          expectSafe(answer, `${method} ${what} ${target}`);
          expect(answer.status, `${method} ${what} ${target}`).toBeGreaterThanOrEqual(400);
        }
        await expectRefused(
          request(method, target, json, huge),
          413,
          'request too large',
          `${method} 2 MB ${target}`,
        );
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('other content types and encodings: 4xx, never 500', async () => {
    const types = [
      'application/json; charset=utf-16',
      'application/json; charset=nonsense',
      'application/json, text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'text/plain',
      ';;;',
      '',
    ];
    for (const target of ['/personnel', '/dashboard/session', '/nope']) {
      for (const type of types) {
        for (const body of ['{"a":1}', '{"__proto__":{"polluted":true}}']) {
          const headers = { 'x-api-key': KEY, 'content-type': type };
          const what = `POST ${target} ${type} ${body}`;
          const answer = await request('POST', target, headers, body);
          expectSafe(answer, what);
          expect(answer.status, what).toBeGreaterThanOrEqual(400);
        }
      }
      const zipped = await request(
        'POST',
        target,
        { ...json, 'content-encoding': 'gzip' },
        Buffer.from([0x1f, 0x8b, 0, 1, 2]),
      );
      expectSafe(zipped, `gzip ${target}`);
      expect(zipped.status, `gzip ${target}`).toBeGreaterThanOrEqual(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the login refuses a poisoned, malformed or huge body with 400 or 413, not 500', async () => {
    const login = { ...json, origin: 'http://127.0.0.1' };
    for (const [what, body] of bodies)
      await expectRefused(
        request('POST', '/dashboard/session', login, body),
        400,
        'bad request',
        what,
      );
    await expectRefused(
      request('POST', '/dashboard/session', login, huge),
      413,
      'request too large',
      '2 MB',
    );
    const typed = await request(
      'POST',
      '/dashboard/session',
      { ...login, 'content-type': 'text/xml' },
      '<a/>',
    );
    expect(expectSafe(typed, 'xml')).toMatchObject({ message: 'unsupported media type' });
    expect(typed.status).toBe(415);
  });
});

describe('random paths and query strings', () => {
  const prefixes = [
    '/',
    '/personnel',
    '/historic/serviceGroupData',
    '/historic/agentStatusData',
    '/online/agentStatus',
    '/online/groupsOnlineLoad',
    '/status/pipeline',
    '/dashboard/assets/',
    '/healthz',
  ];
  const piece = fc.oneof(
    fc.constantFrom(
      'startDate',
      'endDate',
      'step',
      'groupId',
      'agentId',
      '__proto__',
      'constructor',
      '=',
      '&',
      '/',
      '..',
      '%',
      '%00',
      '%2F',
      '%E0%A4%A',
      '[]',
      '[a]',
      ',',
      '+',
      '#',
      ';',
      '2020-01-01T00:00:00Z',
      '900000',
      '-1',
      '1e9',
    ),
    fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.~!$'()*:@".split('')), maxLength: 12 }),
    fc
      .uint8Array({ maxLength: 6 })
      .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  );
  const target = fc
    .tuple(fc.constantFrom(...prefixes), fc.array(piece, { maxLength: 12 }), fc.boolean())
    .map(([prefix, pieces, query]) => `${prefix}${query ? '?' : ''}${pieces.join('')}`);

  test.prop([target, fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS')], { numRuns: 150 })(
    'answer 2xx, or a 4xx in the API shape, quickly',
    async (path, method) => {
      expectSafe(await request(method, path), `${method} ${path}`);
    },
  );
});
