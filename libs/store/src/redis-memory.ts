import type { MemorySample } from '@wfm-stream/observability';
import { Cluster, type Redis } from 'ioredis';

import type { RedisClient } from './connection.js';

/**
 * `used_memory` and `maxmemory` from the text of `INFO memory` (`field:value` lines);
 * undefined when either is missing or not a whole number.
 */
export function parseMemoryInfo(text: string): { usedBytes: number; maxBytes: number } | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  const number = (name: string): number | undefined => {
    const value = fields.get(name)?.trim();
    return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const usedBytes = number('used_memory');
  const maxBytes = number('maxmemory');
  return usedBytes === undefined || maxBytes === undefined ? undefined : { usedBytes, maxBytes };
}

/** Every node that holds data: the server, or each master of a cluster. */
function dataNodes(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** `INFO memory` of each data node, for `wfm_redis_memory_*_bytes` (startMemoryProbe). */
export async function sampleRedisMemory(client: RedisClient): Promise<MemorySample[]> {
  const samples = await Promise.all(
    dataNodes(client).map(async (node) => {
      const memory = parseMemoryInfo(await node.info('memory'));
      const { host = '127.0.0.1', port = 6379 } = node.options;
      return memory === undefined ? undefined : { node: `${host}:${port}`, ...memory };
    }),
  );
  return samples.filter((s) => s !== undefined);
}
