import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

import { ensureTopics } from '@wfm-stream/topics';
import { Cluster, Redis } from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

import type { TestStackInfo } from './stack.js';

export function testStack(): TestStackInfo {
  return inject('testStack');
}

/**
 * Addresses for a configuration that a test parses but never connects: the services have
 * no default for them (docs/configuration.md, "Production defaults"), and `.invalid`
 * never resolves, so nothing reaches a server on this machine.
 */
export const UNCONNECTED_ADDRESSES = {
  KAFKA_BROKERS: 'kafka.invalid:9092',
  REDIS_URL: 'redis://redis.invalid:6379',
} as const;

/** A name no other test uses: `prefix-1a2b3c4d`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Resolves when `check` returns a value other than undefined/false; rejects after the timeout. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const suffix = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`${options.message ?? 'condition'} not met within ${timeoutMs} ms${suffix}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

export function testKafka(stack: TestStackInfo = testStack()): Kafka {
  return new Kafka({
    brokers: [...stack.kafkaBrokers],
    clientId: uniqueName('test'),
    logLevel: logLevel.NOTHING,
  });
}

/** A topic a test needs: a name and partitions (replication and configs are the run's defaults). */
export interface TestTopic {
  readonly name: string;
  readonly partitions: number;
  readonly config?: Readonly<Record<string, string>>;
}

/** How long creating a test's topics is retried while the brokers say "not now". */
const TOPIC_CREATE_RETRY_MS = 30_000;

/** Creates topics through the project's own admin path (`@wfm-stream/topics`), as production does. */
export async function createTopics(
  topics: readonly TestTopic[],
  stack: TestStackInfo = testStack(),
): Promise<void> {
  const admin = testKafka(stack).admin();
  await admin.connect();
  try {
    const specs = topics.map((t) => ({
      name: t.name,
      partitions: t.partitions,
      replicationFactor: stack.replicationFactor,
      config: t.config ?? {},
    }));
    // a broker that has just restarted (the Kafka fault tests) may not know the new
    // partitions yet when their leaders are awaited: kafkajs calls that retriable
    const deadline = Date.now() + TOPIC_CREATE_RETRY_MS;
    let result: Awaited<ReturnType<typeof ensureTopics>>;
    for (;;) {
      try {
        result = await ensureTopics(admin, specs);
        break;
      } catch (error) {
        if ((error as { retriable?: unknown }).retriable !== true || Date.now() > deadline)
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    if (!result.ok) {
      const problems = result.items.flatMap((i) => i.problems.map((p) => `${i.spec.name}: ${p}`));
      throw new Error(`could not create the test's topics:\n${problems.join('\n')}`);
    }
  } finally {
    await admin.disconnect();
  }
}

const isCluster = (stack: TestStackInfo): boolean =>
  stack.redisClusterNodes !== undefined && stack.redisClusterNodes.length > 0;

/**
 * The REDIS_* settings of a service on the run's Redis: REDIS_URL (credentials included),
 * REDIS_CLUSTER_NODES when it is a cluster (TEST_REDIS=cluster), REDIS_TLS_CA_FILE when it
 * speaks TLS only (TEST_REDIS_TLS=yes).
 */
export function redisEnv(stack: TestStackInfo = testStack()): {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_TLS_CA_FILE?: string;
} {
  return {
    REDIS_URL: stack.redisUrl,
    ...(isCluster(stack) ? { REDIS_CLUSTER_NODES: stack.redisClusterNodes?.join(',') ?? '' } : {}),
    ...(stack.redisTlsCaFile === undefined ? {} : { REDIS_TLS_CA_FILE: stack.redisTlsCaFile }),
  };
}

/**
 * What `connectRedis` of @wfm-stream/store takes to reach the run's Redis as the services
 * do (`redisConnectionOptions` of `redisEnv()`): the URL, the cluster's seeds, the CA.
 */
export function redisConnection(stack: TestStackInfo = testStack()): {
  url: string;
  clusterNodes?: readonly string[];
  tls?: { ca: Buffer };
} {
  return {
    url: stack.redisUrl,
    ...(isCluster(stack) ? { clusterNodes: stack.redisClusterNodes ?? [] } : {}),
    ...(stack.redisTlsCaFile === undefined
      ? {}
      : { tls: { ca: fs.readFileSync(stack.redisTlsCaFile) } }),
  };
}

/** A test's own client of the run's Redis: a Redis, or a cluster client on a cluster. */
export function testRedis(stack: TestStackInfo = testStack()): Redis | Cluster {
  const tls =
    stack.redisTlsCaFile === undefined
      ? {}
      : { tls: { ca: fs.readFileSync(stack.redisTlsCaFile) } };
  if (!isCluster(stack))
    return new Redis(stack.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, ...tls });
  const url = new URL(stack.redisUrl);
  return new Cluster(
    (stack.redisClusterNodes ?? []).map((node) => {
      const [host = '127.0.0.1', port = '6379'] = node.split(':');
      return { host, port: Number(port) };
    }),
    {
      redisOptions: {
        maxRetriesPerRequest: 1,
        ...tls,
        ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
        ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
      },
    },
  );
}

/** Every key matching `pattern`, on every master of a cluster (SCAN of each). */
export async function scanKeys(redis: Redis | Cluster, pattern: string): Promise<string[]> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const found: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found;
}

/**
 * A Redis connection and a key prefix of the test file's own; `cleanup` deletes only its
 * keys. On a cluster `redis` is a cluster client and `keys()` scans every master.
 */
export interface RedisNamespace {
  readonly redis: Redis | Cluster;
  readonly prefix: string;
  /** The namespace's keys matching `pattern` (a glob, `${prefix}:` included by the caller). */
  keys(pattern: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function redisNamespace(stack: TestStackInfo = testStack()): RedisNamespace {
  const redis = testRedis(stack);
  const prefix = uniqueName('t');
  return {
    redis,
    prefix,
    keys: (pattern) => scanKeys(redis, pattern),
    async cleanup() {
      const keys = await scanKeys(redis, `${prefix}:*`);
      // one key a command: on a cluster the keys are in many slots
      await Promise.all(keys.map((key) => redis.unlink(key)));
      redis.disconnect();
    },
  };
}

/** Resolves once a consumer group has committed the end of every partition of the topics. */
export async function waitForGroupCaughtUp(
  groupId: string,
  topics: readonly string[],
  options: { timeoutMs?: number; stack?: TestStackInfo } = {},
): Promise<void> {
  const admin = testKafka(options.stack).admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        for (const topic of topics) {
          const [ends, committed] = await Promise.all([
            admin.fetchTopicOffsets(topic),
            admin.fetchOffsets({ groupId, topics: [topic] }),
          ]);
          const done = new Map(committed[0]?.partitions.map((p) => [p.partition, p.offset]) ?? []);
          for (const end of ends)
            if (end.high !== '0' && done.get(end.partition) !== end.high) return false;
        }
        return true;
      },
      {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 250,
        message: `consumer group ${groupId} to catch up`,
      },
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Resolves with the time (epoch ms) at which `admin` first sees the consumer group Stable
 * with `members` members: a membership change is over.
 */
export function waitForGroupStable(
  admin: Admin,
  groupId: string,
  members: number,
  timeoutMs = 60_000,
): Promise<number> {
  return waitFor(
    async () => {
      const [group] = (await admin.describeGroups([groupId])).groups;
      return group?.state === 'Stable' && group.members.length === members ? Date.now() : undefined;
    },
    { timeoutMs, intervalMs: 100, message: `${groupId} stable with ${members} members` },
  );
}
