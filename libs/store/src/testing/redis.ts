import type { RedisNamespace } from '@wfm-stream/testing';
import { testStack } from '@wfm-stream/testing';
import { afterAll, beforeAll } from 'vitest';

import { connectRedis, type RedisClient } from '../connection.js';

/**
 * A spec file's Redis: connected to the test stack's Redis before its tests (handed to
 * `use`), disconnected after them, and the namespace's keys deleted.
 */
export function specRedis(ns: RedisNamespace, use: (redis: RedisClient) => void): void {
  let redis: RedisClient | undefined;
  beforeAll(() => {
    redis = connectRedis({ url: testStack().redisUrl });
    use(redis);
  });
  afterAll(async () => {
    redis?.disconnect();
    await ns.cleanup();
  });
}
