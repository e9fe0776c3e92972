import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { Health } from './health.js';
import { createLogger } from './logger.js';
import { createRegistry } from './metrics.js';
import { answerOpsRoute } from './ops-server.js';

function recordingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('test', 'info', sink), lines };
}

const ERROR_TEXT = 'WRONGPASS invalid username-password pair for user app at redis-7.internal:6379';

describe('/healthz and /readyz', () => {
  it('name each component as ok or failing, and quote no error text', async () => {
    const { logger, lines } = recordingLogger();
    const health = new Health(logger);
    health.register('redis');
    health.register('kafka-consumer');
    health.set('kafka-consumer', true, 'joined');
    health.set('redis', false, ERROR_TEXT);
    const registry = createRegistry('test');
    const components = { 'kafka-consumer': 'ok', redis: 'failing' };

    const ready = await answerOpsRoute('/readyz', health, registry);
    expect(ready?.status).toBe(503);
    expect(JSON.parse(ready?.body ?? '')).toEqual({ live: true, ready: false, components });
    expect(ready?.body).not.toContain('WRONGPASS');

    health.fail(`Kafka consumer stopped: ${ERROR_TEXT}`);
    const live = await answerOpsRoute('/healthz', health, registry);
    expect(live?.status).toBe(503);
    expect(JSON.parse(live?.body ?? '')).toEqual({ live: false, ready: false, components });
    expect(live?.body).not.toMatch(/WRONGPASS|redis-7|consumer stopped/);

    // the details went to the log instead, once each
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l.detail === ERROR_TEXT)).toHaveLength(1);
    expect(logged.some((l) => String(l.reason).includes('Kafka consumer stopped'))).toBe(true);
  });

  it('log a component only when what it reports changes', () => {
    const { logger, lines } = recordingLogger();
    const health = new Health(logger);
    health.register('redis');
    for (let i = 0; i < 5; i++) health.set('redis', false, 'connect ECONNREFUSED');
    health.set('redis', true);
    health.set('redis', true);
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual([
      'component failing',
      'component ok',
    ]);
  });

  it('keep the details for views behind credentials, redacted and bounded', () => {
    const health = new Health();
    health.register('redis');
    health.register('kafka-consumer');
    health.set('kafka-consumer', true);
    health.set(
      'redis',
      false,
      `connect to redis://app:s3cret@redis:6379 failed ${'x'.repeat(500)}`,
    );
    const components = health.components();
    expect(components['kafka-consumer']).toEqual({ ready: true });
    expect(components.redis?.ready).toBe(false);
    expect(components.redis?.detail).toMatch(/^connect to redis:\/\/\*\*\*@redis:6379 failed x+$/);
    expect(components.redis?.detail).toHaveLength(200);
  });
});

describe('warnings', () => {
  it('are named by the probes once raised, without changing readiness, and logged once', async () => {
    const { logger, lines } = recordingLogger();
    const health = new Health(logger);
    health.register('kafka-consumer');
    health.set('kafka-consumer', true, 'joined');
    const registry = createRegistry('test');
    expect(JSON.parse((await answerOpsRoute('/readyz', health, registry))?.body ?? '')).toEqual({
      live: true,
      ready: true,
      components: { 'kafka-consumer': 'ok' },
    });
    health.warn('data-gap');
    health.warn('data-gap');
    const ready = await answerOpsRoute('/readyz', health, registry);
    expect(ready?.status).toBe(200);
    expect(JSON.parse(ready?.body ?? '')).toMatchObject({ ready: true, warnings: ['data-gap'] });
    expect(lines.filter((l) => l.includes('warning raised'))).toHaveLength(1);
  });
});
