import { loadConfig } from '@wfm-stream/config';
import { startRedis } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { uniqueName } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { readerConfigSchema } from './config.js';
import { startReader } from './reader.js';

/**
 * A Redis that cannot serve within READER_REDIS_RETRY_BUDGET: the request is answered 503
 * with Retry-After (docs/api.md, "Errors"), not 500, and within about the budget.
 */
describe('READER_REDIS_RETRY_BUDGET', () => {
  it('answers 503 with Retry-After once the budget is spent, and answers again when Redis is back', async () => {
    const server = await startRedis();
    const reader = await startReader(
      loadConfig(readerConfigSchema, {
        REDIS_URL: server.url,
        REDIS_KEY_PREFIX: uniqueName('budget'),
        READER_API_KEYS: 'k',
        READER_REDIS_RETRY_BUDGET: '1500ms',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LOG_LEVEL: 'silent',
      }),
      silentLogger(),
    );
    const request = () =>
      reader.app.inject({ method: 'GET', url: '/personnel', headers: { 'x-api-key': 'k' } });
    let again: Awaited<ReturnType<typeof startRedis>> | undefined;
    try {
      // an empty directory: 404, from Redis
      expect((await request()).statusCode).toBe(404);
      await server.stop();
      const started = Date.now();
      const response = await request();
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('2');
      expect(response.json()).toMatchObject({ message: 'temporarily unavailable' });
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(1_400);
      expect(took).toBeLessThan(10_000);
      // Redis back on the same port: the same request is answered again
      again = await startRedis({ port: server.port });
      const back = await request();
      expect(back.statusCode).toBe(404);
    } finally {
      await reader.stop();
      await again?.stop();
    }
  });
});
