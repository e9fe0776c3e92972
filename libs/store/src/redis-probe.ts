import { Cluster } from 'ioredis';

import type { RedisClient } from './connection.js';

/** Every slot of a Redis Cluster. */
const SLOT_COUNT = 16_384;

/** How long one probe waits for a node's answer before calling it unreachable. */
export const REDIS_PROBE_TIMEOUT_MS = 1_000;

function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

type SlotRange = [number, number, [string, number, ...unknown[]], ...unknown[]];

/**
 * Whether the Redis can serve every key now: undefined when it can, otherwise why not.
 *
 * A single Redis: it answers PING. A Redis Cluster: the cluster assigns every one of the
 * 16384 slots (`CLUSTER SLOTS`), and the master of each answers PING over this client's
 * own connection to it. During a failover the dead master's slots stay assigned to it
 * until its replica takes over, so the probe fails from the moment the master stops
 * answering until the replica serves its slots and the client knows it
 * (docs/architecture.md, "Redis Cluster").
 */
export async function probeRedis(
  redis: RedisClient,
  timeoutMs = REDIS_PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  try {
    if (!(redis instanceof Cluster)) {
      await within(redis.ping(), timeoutMs, 'PING');
      return undefined;
    }
    const slots = (await within(
      redis.cluster('SLOTS'),
      timeoutMs,
      'CLUSTER SLOTS',
    )) as unknown as SlotRange[];
    let covered = 0;
    const masters = new Set<string>();
    for (const [from, to, [host, port]] of slots) {
      covered += to - from + 1;
      masters.add(`${host}:${port}`);
    }
    if (covered < SLOT_COUNT) return `${SLOT_COUNT - covered} slots have no master`;
    const connections = new Map(
      redis.nodes('all').map((node) => [`${node.options.host}:${node.options.port}`, node]),
    );
    const mapped = new Set(redis.slots.map((nodes) => nodes[0]).filter((key) => key !== undefined));
    for (const master of masters) {
      const node = connections.get(master);
      if (node === undefined || !mapped.has(master)) {
        // the cluster changed (a replica took over): learn its new layout
        redis.refreshSlotsCache();
        return `the client does not know the master ${master} yet`;
      }
      await within(node.ping(), timeoutMs, `PING ${master}`);
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
