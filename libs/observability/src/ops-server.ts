import http from 'node:http';

import type { Registry } from 'prom-client';

import type { Health } from './health.js';
import { exportHealth } from './health-metrics.js';

export interface OpsServer {
  /** The address it listens on (`OPS_HOST`). */
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The ops server's bounds on a request: its headers and the whole of it. */
const OPS_HEADERS_TIMEOUT_MS = 5_000;
const OPS_REQUEST_TIMEOUT_MS = 10_000;

const OPS_METHODS = 'GET, HEAD';

/** An error body in the shape the reader's API uses (docs/api.md, "Errors"). */
function opsError(message: string, description: string): string {
  return JSON.stringify({ field: '', message, description });
}

/**
 * What the ops server refuses before routing: methods other than GET and HEAD (405), and
 * any request that carries a body (400, not read; the connection is closed).
 */
function refuse(
  request: http.IncomingMessage,
): { status: number; message: string; description: string; close: boolean } | undefined {
  const hasBody =
    request.headers['transfer-encoding'] !== undefined ||
    (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return {
      status: 405,
      message: 'method not allowed',
      description: `This port answers ${OPS_METHODS} only.`,
      close: hasBody,
    };
  if (hasBody)
    return {
      status: 400,
      message: 'unexpected body',
      description: 'A GET or HEAD request carries no body here.',
      close: true,
    };
  return undefined;
}

/** Answers one of the operations routes, or returns false when the path is not one. */
export async function answerOpsRoute(
  path: string,
  health: Health,
  registry: Registry,
): Promise<{ status: number; contentType: string; body: string } | undefined> {
  switch (path) {
    case '/healthz':
      return {
        status: health.isLive() ? 200 : 503,
        contentType: 'application/json',
        body: JSON.stringify(health.report()),
      };
    case '/readyz':
      return {
        status: health.isReady() ? 200 : 503,
        contentType: 'application/json',
        body: JSON.stringify(health.report()),
      };
    case '/metrics':
      exportHealth(registry, health);
      return { status: 200, contentType: registry.contentType, body: await registry.metrics() };
    default:
      return undefined;
  }
}

/**
 * A small HTTP server for `/healthz`, `/readyz` and `/metrics` (Prometheus text format),
 * listening on `host` only: `OPS_HOST`, loopback unless set (docs/security.md).
 */
export function startOpsServer(options: {
  host: string;
  port: number;
  health: Health;
  registry: Registry;
}): Promise<OpsServer> {
  const limits = {
    headersTimeout: OPS_HEADERS_TIMEOUT_MS,
    requestTimeout: OPS_REQUEST_TIMEOUT_MS,
    connectionsCheckingInterval: 1_000,
  };
  const server = http.createServer(limits, (request, response) => {
    const refusal = refuse(request);
    if (refusal !== undefined) {
      const body = opsError(refusal.message, refusal.description);
      response.writeHead(refusal.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(refusal.status === 405 ? { allow: OPS_METHODS } : {}),
        // a request with a body is answered without reading it: the connection goes
        ...(refusal.close ? { connection: 'close' } : {}),
      });
      response.end(body);
      if (refusal.close) request.socket.destroySoon();
      return;
    }
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    answerOpsRoute(path, options.health, options.registry).then(
      (answer) => {
        if (answer === undefined) {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end(
            opsError('not found', 'This port serves only /healthz, /readyz and /metrics.'),
          );
          return;
        }
        response.writeHead(answer.status, { 'content-type': answer.contentType });
        response.end(request.method === 'HEAD' ? undefined : answer.body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(
          opsError('internal error', 'The answer could not be made. It can be retried.'),
        );
      },
    );
  });
  // Node's own parser errors (a malformed request line, headers too large) in the same shape
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = opsError(
      tooLarge
        ? 'request headers too large'
        : status === 408
          ? 'request timeout'
          : 'malformed request',
      'The request could not be read as HTTP/1.1 within the ops server’s bounds.',
    );
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      const bound = address !== null && typeof address === 'object';
      resolve({
        host: bound ? address.address : options.host,
        port: bound ? address.port : options.port,
        close: () =>
          new Promise((done) => {
            server.close(() => {
              done();
            });
            server.closeAllConnections();
          }),
      });
    });
  });
}
