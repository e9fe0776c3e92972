import { Cluster, type Redis } from 'ioredis';

import type { RedisClient } from './connection.js';
import { DeploymentKeys } from './keys.js';

/** Keys unlinked per round trip while a generation is deleted. */
const UNLINK_BATCH = 500;

function mastersOf(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

async function eachKeyBatch(
  redis: RedisClient,
  pattern: string,
  visit: (node: Redis, keys: string[]) => Promise<void>,
): Promise<void> {
  for (const node of mastersOf(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', UNLINK_BATCH);
      cursor = next;
      if (keys.length > 0) await visit(node, keys);
    } while (cursor !== '0');
  }
}

/** Whether a generation holds any key. */
export async function generationExists(
  redis: RedisClient,
  keyPrefix: string,
  generation: string,
): Promise<boolean> {
  let found = false;
  await eachKeyBatch(redis, new DeploymentKeys(keyPrefix).generationPattern(generation), () => {
    found = true;
    return Promise.resolve();
  });
  return found;
}

/**
 * Deletes every key of a generation, on every master of a cluster, with SCAN and UNLINK
 * (freed in the background, so Redis keeps serving). Returns how many keys went.
 * `onProgress` is called after every batch with the running count.
 */
export async function deleteGeneration(
  redis: RedisClient,
  keyPrefix: string,
  generation: string,
  onProgress?: (deleted: number) => void,
): Promise<number> {
  let deleted = 0;
  await eachKeyBatch(
    redis,
    new DeploymentKeys(keyPrefix).generationPattern(generation),
    async (node, keys) => {
      // one slot per UNLINK keeps it valid on a cluster node
      const bySlot = new Map<string, string[]>();
      for (const key of keys) {
        const tag = /\{([^}]+)\}/.exec(key)?.[1] ?? key;
        const list = bySlot.get(tag) ?? [];
        list.push(key);
        bySlot.set(tag, list);
      }
      const pipeline = node.pipeline();
      for (const group of bySlot.values()) pipeline.unlink(...group);
      const results = (await pipeline.exec()) ?? [];
      for (const [error, count] of results) {
        if (error !== null) throw error;
        deleted += Number(count);
      }
      onProgress?.(deleted);
    },
  );
  return deleted;
}
