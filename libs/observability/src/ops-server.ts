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
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    answerOpsRoute(path, options.health, options.registry).then(
      (answer) => {
        if (answer === undefined) {
          response.writeHead(404, { 'content-type': 'application/json' });
          response.end('{"message":"not found"}');
          return;
        }
        response.writeHead(answer.status, { 'content-type': answer.contentType });
        response.end(answer.body);
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"message":"internal error"}');
      },
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
