import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server of a test's own, on 127.0.0.1. */
export interface TestHttpServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection, keep-alive ones included. */
  stop(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 at `port` (a free one by default) and hands `handle` each request
 * once its body has arrived in full, the body as text. `handle` answers (or drops the
 * connection); the server does nothing else.
 */
export async function startHttpServer(
  handle: (request: http.IncomingMessage, response: http.ServerResponse, body: string) => void,
  port = 0,
): Promise<TestHttpServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
