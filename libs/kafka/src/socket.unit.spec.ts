import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { socketFactory } from './socket.js';

/** A port nothing listens on: one just freed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the Kafka socket factory', () => {
  it('adds no listener when a refused socket is unreferenced again and again', async () => {
    const socket = socketFactory({
      host: '127.0.0.1',
      port: await closedPort(),
      ssl: false as never,
      onConnect: () => undefined,
    });
    await new Promise((resolve) => socket.once('error', resolve));
    const before = socket.listenerCount('connect');
    // what kafkajs's Connection.disconnect does each time it is called
    for (let i = 0; i < 20; i++) {
      socket.end();
      socket.unref();
    }
    expect(socket.listenerCount('connect')).toBeLessThanOrEqual(before + 1);
  });
});
