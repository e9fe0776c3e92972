import type http from 'node:http';

import { startHttpServer, type TestHttpServer } from '@wfm-stream/testing';

/** A request the test target read in full. */
export interface Received {
  /** 1, 2, 3… in arrival order, over all requests. */
  readonly seq: number;
  readonly path: string;
  readonly idempotencyKey: string;
  readonly authorization: string;
  readonly contentType: string;
  readonly body: string;
  /**
   * What the target did: accepted (200), failed (500), refused (400: it will never take this
   * request), or took it and then dropped the connection.
   */
  readonly outcome: Outcome;
}

export type Outcome = 'accepted' | 'failed' | 'refused' | 'dropped';

/**
 * A real HTTP server standing in for a WFM import endpoint. `behaviour` decides per
 * request: answer 200, answer 500, or take the request (it counts as received) and drop
 * the connection before answering, as a target that crashes after committing does.
 */
export class TestTarget {
  readonly received: Received[] = [];
  behaviour: (seq: number) => Outcome = () => 'accepted';
  private seq = 0;

  private constructor(private readonly server: TestHttpServer) {}

  static async start(port = 0): Promise<TestTarget> {
    const holder: { target?: TestTarget } = {};
    const server = await startHttpServer((request, response, body) => {
      holder.target?.handle(request, response, body);
    }, port);
    holder.target = new TestTarget(server);
    return holder.target;
  }

  get port(): number {
    return this.server.port;
  }

  get url(): string {
    return this.server.url;
  }

  /** What the target took in (accepted, or dropped after taking it). */
  taken(): Received[] {
    return this.received.filter((r) => r.outcome === 'accepted' || r.outcome === 'dropped');
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse, body: string): void {
    const seq = ++this.seq;
    const outcome = this.behaviour(seq);
    this.received.push({
      seq,
      path: request.url ?? '/',
      idempotencyKey: String(request.headers['idempotency-key'] ?? ''),
      authorization: request.headers.authorization ?? '',
      contentType: request.headers['content-type'] ?? '',
      body,
      outcome,
    });
    if (outcome === 'dropped') {
      request.socket.destroy();
      return;
    }
    const status = { accepted: 200, failed: 500, refused: 400 }[outcome];
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(outcome === 'accepted' ? '' : `import ${outcome}`);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}
