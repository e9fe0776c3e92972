import type http from 'node:http';

import { HOUR_MS, MINUTE_MS, TimeZone } from '@wfm-stream/core';
import { newJob } from '@wfm-stream/export';
import { freePort } from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import {
  captureLog,
  startHttpServer,
  type TestHttpServer,
  uniqueName,
  waitFor,
} from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type RunningExporter, startExporter } from './index.js';
import { simulate } from './testing/events.js';
import { ExporterFixture } from './testing/fixture.js';

/**
 * Targets whose URL carries credentials, and a target that redirects: what reaches the
 * target, what is parked, what is logged (docs/security.md).
 */
const SECRET = 's3cret-Pa55';
const BASIC = `Basic ${Buffer.from(`wfm:${SECRET}`).toString('base64')}`;
const fx = new ExporterFixture();
const { queue } = fx;
const Q = 15 * MINUTE_MS;
const FROM = Date.UTC(2024, 5, 3, 9, 0);

/** A real HTTP server that records each request and answers as told. */
interface Server extends TestHttpServer {
  readonly requests: { path: string; authorization: string }[];
}

async function serve(
  answer: (request: http.IncomingMessage, response: http.ServerResponse) => void,
): Promise<Server> {
  const requests: { path: string; authorization: string }[] = [];
  const server = await startHttpServer((request, response) => {
    requests.push({ path: request.url ?? '/', authorization: request.headers.authorization ?? '' });
    answer(request, response);
  });
  return { ...server, requests };
}

let exporter: RunningExporter;
let refusing: Server;
let redirecting: Server;
let elsewhere: Server;
let downPort: number;
const log = captureLog();

beforeAll(async () => {
  await fx.start({
    zone: TimeZone.UTC,
    events: simulate(TimeZone.UTC, FROM - HOUR_MS, FROM + HOUR_MS),
  });
  // refuses the body, and quotes the request in its answer as some imports do
  refusing = await serve((request, response) => {
    response.writeHead(400, { 'content-type': 'text/plain' });
    response.end(`rejected: Authorization: ${request.headers.authorization ?? ''}`);
  });
  elsewhere = await serve((_request, response) => {
    response.writeHead(200).end();
  });
  redirecting = await serve((_request, response) => {
    response.writeHead(307, { location: `http://wfm:${SECRET}@${elsewhere.url.slice(7)}/steal` });
    response.end();
  });
  downPort = await freePort(); // nothing listens here
  const at = (server: Server) => `http://wfm:${SECRET}@${server.url.slice(7)}/import`;
  exporter = await startExporter(
    fx.config({
      EXPORT_CONSUMER_GROUP: uniqueName('exporter'),
      EXPORT_ROLES: 'worker',
      EXPORT_MAX_ATTEMPTS: '2',
      EXPORT_RETRY_INITIAL: '10ms',
      EXPORT_RETRY_MAX: '20ms',
      EXPORT_TARGETS: JSON.stringify([
        { name: 'refusing', kind: 'pipkins-json', url: at(refusing) },
        { name: 'redirecting', kind: 'pipkins-json', url: `${redirecting.url}/import` },
        { name: 'down', kind: 'pipkins-json', url: `http://wfm:${SECRET}@127.0.0.1:${downPort}/x` },
      ]),
    }),
    // the services' own logger, writing here instead of standard output
    createLogger('exporter', 'debug', log.stream),
  );
});

afterAll(async () => {
  await exporter.stop();
  for (const server of [refusing, redirecting, elsewhere]) await server.stop();
  await fx.stop();
});

describe('a target URL with credentials', () => {
  it('sends them as basic authorization, and parks and logs failures without them', async () => {
    const interval = { startMs: FROM, endMs: FROM + Q };
    await queue.enqueue([
      newJob('refusing', interval, 'reexport', FROM),
      newJob('redirecting', interval, 'reexport', FROM),
      newJob('down', interval, 'reexport', FROM),
    ]);
    const parked = await waitFor(
      async () => {
        const all = await queue.parked({ timeoutMs: 2_000 });
        return all.length === 3 && all;
      },
      { message: 'three parked jobs', timeoutMs: 30_000 },
    );
    const byTarget = new Map(parked.map((p) => [p.target, p]));

    // the credentials reached the target, in the header and not in the URL
    expect(refusing.requests).toEqual([{ path: '/import', authorization: BASIC }]);
    const refused = byTarget.get('refusing');
    expect(refused).toMatchObject({ kind: 'rejected', attempts: 1 });
    expect(refused?.reason).toBe(
      `POST ${refusing.url}/import answered 400: rejected: Authorization: Basic ***`,
    );

    const down = byTarget.get('down');
    expect(down).toMatchObject({ kind: 'delivery-failed', attempts: 2 });
    expect(down?.reason).toBe(`POST http://127.0.0.1:${downPort}/x failed: ECONNREFUSED`);

    for (const p of parked) expect(JSON.stringify(p)).not.toMatch(/s3cret|czNjcmV0/);
    const logs = log.lines.join('');
    expect(logs).toContain('export job parked');
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(BASIC.slice(6));
  });
});

describe('a target that redirects', () => {
  it('is not followed: one attempt, parked with where it pointed, nothing sent there', () => {
    return waitFor(async () => {
      const parked = (await queue.parked({ timeoutMs: 2_000 })).find(
        (p) => p.target === 'redirecting',
      );
      if (parked === undefined) return false;
      expect(parked).toMatchObject({ kind: 'rejected', attempts: 1 });
      expect(parked.reason).toBe(
        `POST ${redirecting.url}/import answered 307 (Location http://***@${elsewhere.url.slice(7)}/steal): ` +
          "redirects are not followed; set the target's URL to where it should post",
      );
      expect(redirecting.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
      return true;
    });
  });
});
