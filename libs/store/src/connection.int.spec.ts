import { loadConfig, redisSettings } from '@wfm-stream/config';
import { startRedis } from '@wfm-stream/local-stack';
import {
  makeTestCertificate,
  type SecureRedis,
  startSecureRedis,
  startSecureRedisCluster,
  type TestCertificate,
  uniqueName,
} from '@wfm-stream/testing';
import { type Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { connectRedis, type RedisClient, redisConnectionOptions } from './connection.js';

/**
 * The Redis connection as the services make it from their REDIS_* settings
 * (docs/configuration.md#redis), against private servers: a password-protected Redis,
 * Redis Clusters with `requirepass`/`masterauth` without and with TLS, and a stalled
 * Redis for the command timeout.
 */
const PASSWORD = 'p@ss:w/rd';
const schema = z.object(redisSettings);
const errors: string[] = [];
const connect = (env: Record<string, string>): RedisClient => {
  const redis = connectRedis(redisConnectionOptions(loadConfig(schema, env), 'connection-test'));
  // what the connection ran into, for the assertion message (ioredis would print it)
  redis.on('error', (error: Error) => errors.push(error.message));
  return redis;
};

/** Writes keys in many slots (so every master of a cluster is used) and reads them back. */
async function roundTrip(redis: RedisClient): Promise<string[]> {
  const prefix = uniqueName('conn');
  const keys = Array.from({ length: 12 }, (_, i) => `${prefix}:${i}`);
  const work = (async () => {
    await Promise.all(keys.map((key, i) => redis.set(key, String(i), 'EX', 60)));
    return Promise.all(keys.map(async (key) => (await redis.get(key)) ?? 'missing'));
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within 20 s; errors: ${[...new Set(errors)].join('; ')}`));
    }, 20_000);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
const EXPECTED = Array.from({ length: 12 }, (_, i) => String(i));

/** Connects with `env`, expects the round trip to come back whole, runs `more`, disconnects. */
async function expectRoundTrip(
  env: Record<string, string>,
  more: (redis: RedisClient) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const redis = connect(env);
  try {
    expect(await roundTrip(redis)).toEqual(EXPECTED);
    await more(redis);
  } finally {
    redis.disconnect();
  }
}

const servers: SecureRedis[] = [];
let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await makeTestCertificate();
});

afterAll(async () => {
  for (const server of servers) await server.stop();
});

describe('credentials and TLS in every mode', () => {
  it('a single Redis with a password: the URL password is used', async () => {
    const server = await startSecureRedis({ password: PASSWORD });
    servers.push(server);
    await expectRoundTrip({ REDIS_URL: server.url });
  });

  it('a Redis Cluster with requirepass: every node gets REDIS_URL’s password', async () => {
    const cluster = await startSecureRedisCluster({ password: PASSWORD });
    servers.push(cluster);
    await expectRoundTrip(
      {
        REDIS_URL: `redis://:${encodeURIComponent(PASSWORD)}@ignored-host:1`,
        REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      },
      async (redis) => {
        // the keys really are spread over the three masters
        const masters = (redis as Cluster).nodes('master');
        expect(masters).toHaveLength(3);
        const sizes = await Promise.all(masters.map((m) => m.dbsize()));
        expect(sizes.every((n) => n > 0)).toBe(true);
      },
    );
  }, 90_000);

  it('a Redis Cluster over TLS only: rediss:// and REDIS_TLS_CA_FILE reach every node', async () => {
    const cluster = await startSecureRedisCluster({ password: PASSWORD, tls: certificate });
    servers.push(cluster);
    await expectRoundTrip({
      REDIS_URL: `rediss://:${encodeURIComponent(PASSWORD)}@ignored-host:1`,
      REDIS_CLUSTER_NODES: cluster.nodes.join(','),
      REDIS_TLS_CA_FILE: certificate.caFile,
    });
  }, 90_000);

  it('a single Redis over TLS only, its certificate checked against REDIS_TLS_CA_FILE', async () => {
    const server = await startSecureRedis({ password: PASSWORD, tls: certificate });
    servers.push(server);
    await expectRoundTrip({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: certificate.caFile });
  });
});

describe('REDIS_COMMAND_TIMEOUT', () => {
  it('fails a command that a stalled Redis does not answer, instead of waiting for it', async () => {
    const server = await startRedis();
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const redis = connect({ REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT: '300ms' });
    try {
      expect(await redis.ping()).toBe('PONG');
      // writes wait for 5 s
      await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE');
      const started = Date.now();
      await expect(redis.set(uniqueName('stalled'), '1')).rejects.toThrow(/timed out/i);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
      admin.disconnect();
      redis.disconnect();
      await server.stop();
    }
  });

  it('is 10 s unless set', () => {
    expect(loadConfig(schema, {}).REDIS_COMMAND_TIMEOUT).toBe(10_000);
  });
});
