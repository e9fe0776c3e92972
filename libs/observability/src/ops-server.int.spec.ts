import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Health } from './health.js';
import { createLogger } from './logger.js';
import { createRegistry } from './metrics.js';
import { type OpsServer, startOpsServer } from './ops-server.js';

let server: OpsServer;

beforeAll(async () => {
  const health = new Health(createLogger('test', 'silent'));
  health.register('redis');
  health.set('redis', true, 'connected');
  server = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    health,
    registry: createRegistry('test'),
  });
});
afterAll(() => server.close());

/** Sends raw bytes and reads the whole answer (the server closes or a timeout fails it). */
function raw(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 5 s'));
    }, 5_000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (
        split >= 0 &&
        length !== undefined &&
        Buffer.byteLength(text) >= split + 4 + Number(length)
      )
        socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(head.split(' ')[1]), headers: head, body });
    });
    socket.write(request);
  });
}

const shape = (body: string): unknown => {
  const parsed = JSON.parse(body) as Record<string, unknown>;
  return Object.keys(parsed).sort();
};

describe('the ops server (OPS_PORT)', () => {
  it('answers GET and HEAD on its three paths', async () => {
    const get = await fetch(`http://127.0.0.1:${server.port}/readyz`);
    expect(get.status).toBe(200);
    const head = await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('refuses other methods with 405 and Allow, in the API’s error shape', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const answer = await fetch(`http://127.0.0.1:${server.port}/healthz`, { method });
      expect(answer.status, method).toBe(405);
      expect(answer.headers.get('allow')).toBe('GET, HEAD');
      expect(shape(await answer.text())).toEqual(['description', 'field', 'message']);
    }
  });

  it('refuses a body, malformed JSON or __proto__ alike, without reading it, and closes', async () => {
    for (const body of ['{"__proto__":{"x":1}}', '{not json', 'x'.repeat(2_000_000)]) {
      const answer = await raw(
        `GET /healthz HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`,
      );
      expect(answer.status).toBe(400);
      expect(shape(answer.body)).toEqual(['description', 'field', 'message']);
    }
  });

  it('answers a malformed request line and oversized headers in the same shape', async () => {
    const malformed = await raw('BLAH\r\n\r\n');
    expect(malformed.status).toBe(400);
    expect(shape(malformed.body)).toEqual(['description', 'field', 'message']);
    const large = await raw(
      `GET /healthz HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(large.status).toBe(431);
    expect(shape(large.body)).toEqual(['description', 'field', 'message']);
  });

  it('answers unknown paths 404 in the same shape, quoting nothing of the request', async () => {
    const answer = await fetch(`http://127.0.0.1:${server.port}/%3Cscript%3E`);
    expect(answer.status).toBe(404);
    const body = await answer.text();
    expect(shape(body)).toEqual(['description', 'field', 'message']);
    expect(body).not.toContain('<');
  });
});
