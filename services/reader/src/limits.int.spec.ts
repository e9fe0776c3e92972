import net from 'node:net';

import { silentLogger } from '@wfm-stream/observability';
import { redisNamespace } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningReader, startReader } from './reader.js';
import { readerTestConfig } from './testing/fixture.js';

/**
 * What the reader takes from a client, over real TCP (docs/security.md#what-is-bounded):
 * a request must arrive within READER_REQUEST_TIMEOUT, an idle keep-alive connection is
 * closed after READER_KEEP_ALIVE_TIMEOUT, a body beyond READER_BODY_LIMIT is refused, and
 * OPS_PORT takes the probes and metrics off the API port.
 */
const ns = redisNamespace();
const KEY = 'limits-test-key';
const running: RunningReader[] = [];

async function startWith(env: Record<string, string>): Promise<RunningReader> {
  const reader = await startReader(
    readerTestConfig(ns.prefix, {
      READER_API_KEYS: KEY,
      ...env,
    }),
    silentLogger(),
  );
  running.push(reader);
  return reader;
}

/** Opens a connection, writes `text`, and resolves with what came back when it closed. */
function exchange(
  port: number,
  text: string,
  waitMs: number,
): Promise<{ closed: boolean; answer: string; afterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, answer, afterMs: Date.now() - started });
    }, waitMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, answer, afterMs: Date.now() - started });
    });
    socket.once('error', () => undefined);
    socket.once('connect', () => socket.write(text));
  });
}

let reader: RunningReader;

beforeAll(async () => {
  reader = await startWith({
    READER_REQUEST_TIMEOUT: '400ms',
    READER_KEEP_ALIVE_TIMEOUT: '300ms',
    READER_BODY_LIMIT: '1024',
  });
});

afterAll(async () => {
  for (const r of running) await r.stop();
  await ns.cleanup();
});

describe('the reader’s bounds on clients', () => {
  it('answers 408 and closes a connection whose request does not arrive in time', async () => {
    // headers begun, never finished: a slow client holding a connection
    const result = await exchange(
      reader.port,
      'GET /personnel HTTP/1.1\r\nHost: x\r\nX-API-Key: ',
      5_000,
    );
    expect(result.closed).toBe(true);
    expect(result.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(result.answer).toContain('{"field":"","message":"request timeout",');
    expect(result.afterMs).toBeLessThan(3_000);
  });

  it('closes an idle keep-alive connection after READER_KEEP_ALIVE_TIMEOUT', async () => {
    const result = await exchange(
      reader.port,
      `GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-API-Key: ${KEY}\r\n\r\n`,
      5_000,
    );
    expect(result.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(result.closed).toBe(true);
    expect(result.afterMs).toBeLessThan(3_000);
  });

  it('refuses a body beyond READER_BODY_LIMIT with 413, without reading it all', async () => {
    const response = await fetch(`http://127.0.0.1:${reader.port}/personnel`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(4_096) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ field: '', message: 'request too large' });
    // and within the limit the route decides (the API has no POST: 405, docs/api.md)
    const small = await fetch(`http://127.0.0.1:${reader.port}/personnel`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(small.status).toBe(405);
    expect(small.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });
});

describe('OPS_PORT', () => {
  it('moves /healthz, /readyz and /metrics off the API port, to loopback', async () => {
    const moved = await startWith({ OPS_PORT: '0' });
    expect(moved.opsPort).toBeGreaterThan(0);
    const api = `http://127.0.0.1:${moved.port}`;
    const ops = `http://127.0.0.1:${moved.opsPort ?? 0}`;
    for (const path of ['/healthz', '/metrics'])
      expect((await fetch(`${api}${path}`)).status, path).toBe(404);
    const health = await fetch(`${ops}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ live: true, components: { redis: 'ok' } });
    expect((await fetch(`${ops}/metrics`)).status).toBe(200);
    // the API itself is where it was
    expect((await fetch(`${api}/openapi.json`)).status).toBe(200);
  });

  it('leaves them on the API port when unset, with nothing but ok or failing per component', async () => {
    const response = await fetch(`http://127.0.0.1:${reader.port}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      live: true,
      ready: true,
      components: { redis: 'ok' },
    });
    expect(reader.opsPort).toBeUndefined();
  });
});
