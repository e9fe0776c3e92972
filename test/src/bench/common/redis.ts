import { aggregatorHandler, type AggregatorStores, aggregatorStores } from '@wfm-stream/aggregator';
import { TimeZone } from '@wfm-stream/core';
import { silentLogger } from '@wfm-stream/observability';
import { Keys, type RedisClient } from '@wfm-stream/store';
import type { Redis } from 'ioredis';

/** The stores the aggregator writes, under `prefix`, in UTC with a 20 s service level. */
export function aggregationStores(
  redis: RedisClient,
  prefix: string,
  ttl: { stateSeconds: number; retentionSeconds: number },
): AggregatorStores {
  return aggregatorStores(redis, new Keys(prefix), {
    zone: TimeZone.UTC,
    serviceLevelMs: () => 20_000,
    dedupeWindowMs: ttl.stateSeconds * 1_000,
    retentionSeconds: ttl.retentionSeconds,
  });
}

/** The aggregator's handler over fresh stores under `prefix`: a week of state, 400 days kept. */
export function benchAggregatorHandler(
  redis: RedisClient,
  prefix: string,
): ReturnType<typeof aggregatorHandler> {
  return aggregatorHandler(
    aggregationStores(redis, prefix, { stateSeconds: 7 * 86_400, retentionSeconds: 400 * 86_400 }),
    silentLogger(),
  );
}

/** Calls `each` with every SCAN reply's keys that match `pattern`, in turn. */
export async function forEachKeyBatch(
  redis: RedisClient,
  pattern: string,
  count: number,
  each: (keys: string[]) => Promise<unknown>,
): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await (redis as Redis).scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    await each(keys);
  } while (cursor !== '0');
}

/** Every key that matches `pattern`. */
export async function scanAll(redis: RedisClient, pattern: string): Promise<string[]> {
  const all: string[] = [];
  await forEachKeyBatch(redis, pattern, 1000, (keys) => Promise.resolve(all.push(...keys)));
  return all;
}

/** Unlinks every key under `prefix:`. */
export async function deletePrefix(
  redis: RedisClient,
  prefix: string,
  count = 1000,
): Promise<void> {
  await forEachKeyBatch(redis, `${prefix}:*`, count, async (keys) => {
    if (keys.length > 0) await redis.unlink(...keys);
  });
}

/** A whole-number field of an INFO section's text (`used_memory:1234`); 0 when absent. */
export function infoNumber(info: string, field: string): number {
  return Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
}
