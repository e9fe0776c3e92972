import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { describeAuthorization, type Logger } from '@wfm-stream/observability';

/** One request the sink received. */
export interface Receipt {
  /** 1, 2, 3, … in arrival order. */
  readonly seq: number;
  readonly atMs: number;
  readonly method: string;
  readonly path: string;
  readonly contentType: string;
  /** Parsed when the body is JSON, else the text. */
  readonly body: unknown;
  /**
   * The headers a WFM integration looks at: idempotency-key as sent, and authorization as
   * its scheme only (`<redacted: Basic>`): the sink shows that credentials came, never
   * what they are.
   */
  readonly headers: Readonly<Record<string, string>>;
}

/** What the sink does with a request instead of accepting it (tests inject faults). */
export type Fault = 'reset' | 'error';

export interface SinkOptions {
  readonly host?: string;
  readonly port?: number;
  /** Receipts kept in memory; the oldest go first. */
  readonly maxKept?: number;
  readonly logger?: Logger;
}

export interface RunningSink {
  readonly url: string;
  readonly port: number;
  /** Receipts after `afterSeq`, optionally only those on `path`. */
  received(path?: string, afterSeq?: number): Receipt[];
  clear(): void;
  /** Decides, per request, to drop its connection or answer 500 (undefined: accept). */
  setFault(fault: ((receipt: Receipt) => Fault | undefined) | undefined): void;
  stop(): Promise<void>;
}

const KEPT_HEADERS = ['authorization', 'idempotency-key'];
const OPS_PREFIX = '/_sink/';
const PROBES = new Set(['/healthz', '/readyz']);

function parseBody(text: string, contentType: string): unknown {
  if (contentType.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * A stand-in WFM for local runs and tests: accepts any POST or PUT on any path (status
 * pushes, interval exports), records it, and answers 200 with an empty body, as the ARGUS
 * WFM CC API's WFM does. `GET /_sink/received[?path=…&after=…]` lists what arrived;
 * `DELETE` clears it.
 */
export async function startWfmSink(options: SinkOptions = {}): Promise<RunningSink> {
  const maxKept = options.maxKept ?? 100_000;
  let receipts: Receipt[] = [];
  let seq = 0;
  let fault: ((receipt: Receipt) => Fault | undefined) | undefined;
  const list = (path?: string, afterSeq = 0): Receipt[] =>
    receipts.filter((r) => r.seq > afterSeq && (path === undefined || r.path === path));

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://sink');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (url.pathname.startsWith(OPS_PREFIX) || PROBES.has(url.pathname)) {
        answerOps(url, request.method ?? 'GET', response);
        return;
      }
      if (request.method !== 'POST' && request.method !== 'PUT') {
        response.writeHead(405, { allow: 'POST, PUT' }).end();
        return;
      }
      const contentType = request.headers['content-type'] ?? '';
      const headers: Record<string, string> = {};
      for (const name of KEPT_HEADERS) {
        const value = request.headers[name];
        if (typeof value === 'string')
          headers[name] = name === 'authorization' ? describeAuthorization(value) : value;
      }
      const receipt: Receipt = {
        seq: seq + 1,
        atMs: Date.now(),
        method: request.method,
        path: url.pathname,
        contentType,
        body: parseBody(Buffer.concat(chunks).toString('utf8'), contentType),
        headers,
      };
      const action = fault?.(receipt);
      if (action === 'reset') {
        request.socket.destroy();
        return;
      }
      if (action === 'error') {
        response.writeHead(500).end();
        return;
      }
      seq = receipt.seq;
      receipts.push(receipt);
      if (receipts.length > maxKept) receipts = receipts.slice(-maxKept);
      options.logger?.info(
        { seq: receipt.seq, path: receipt.path, body: receipt.body },
        'received',
      );
      response.writeHead(200, { 'content-length': 0 }).end();
    });
  });

  function answerOps(url: URL, method: string, response: http.ServerResponse): void {
    if (PROBES.has(url.pathname)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (url.pathname === `${OPS_PREFIX}received` && method === 'GET') {
      const path = url.searchParams.get('path') ?? undefined;
      const after = Number(url.searchParams.get('after') ?? '0');
      const body = JSON.stringify(list(path, Number.isFinite(after) ? after : 0));
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    if (url.pathname === `${OPS_PREFIX}received` && method === 'DELETE') {
      receipts = [];
      response.writeHead(204).end();
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host =
    options.host === undefined || options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    received: list,
    clear() {
      receipts = [];
    },
    setFault(next) {
      fault = next;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
