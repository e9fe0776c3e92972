import net from 'node:net';

import { describe, expect, it } from 'vitest';

import { freePort, isProcessAlive, spawnManaged, waitForPort } from './index.js';

const idle = ['-e', 'setInterval(() => undefined, 1000)'];

describe('spawnManaged', () => {
  it('stops a child with SIGTERM, and reports how it exited', async () => {
    const child = spawnManaged('idle', process.execPath, idle);
    expect(child.pid).toBeGreaterThan(0);
    expect(isProcessAlive(child.pid)).toBe(true);
    expect(child.hasExited()).toBe(false);
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(child.hasExited()).toBe(true);
    expect(isProcessAlive(child.pid)).toBe(false);
    // stopping again answers at once
    expect(await child.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('kills a child that ignores SIGTERM after the timeout', async () => {
    const stubborn = spawnManaged(
      'stubborn',
      process.execPath,
      [
        '-e',
        "process.on('SIGTERM', () => undefined); process.stdout.write('ready\\n'); setInterval(() => undefined, 1000)",
      ],
      { pipe: true },
    );
    await new Promise((resolve) => stubborn.child.stdout?.once('data', resolve));
    expect(await stubborn.stop({ timeoutMs: 200 })).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('settles `exited` with the exit code of a child that ends by itself', async () => {
    const done = spawnManaged('done', process.execPath, ['-e', 'process.exit(3)']);
    expect(await done.exited).toEqual({ code: 3, signal: null });
  });
});

describe('ports', () => {
  it('finds a free port, and waits until something listens on it', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    await expect(waitForPort('127.0.0.1', port, 100)).rejects.toThrow(/nothing listens/);
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await waitForPort('127.0.0.1', port, 1_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
