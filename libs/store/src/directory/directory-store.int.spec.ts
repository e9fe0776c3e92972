import type { DirectoryEvent } from '@wfm-stream/schemas';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { DirectoryStore, Keys, type RedisClient } from '../index.js';
import { specRedis } from '../testing/redis.js';

/**
 * The reader keeps the directory it read until the directory's version moves
 * (docs/architecture.md, "The directory"): every change is seen at once, by every store.
 */
const ns = redisNamespace();
let redis: RedisClient;
let run = 0;

specRedis(ns, (client) => (redis = client));

function group(groupId: string, name: string, at: string): DirectoryEvent {
  return {
    eventId: `${groupId}-${name}`,
    type: 'group.upserted',
    occurredAt: at,
    groupId,
    serviceId: 's1',
    name,
    status: 'ACTIVE',
  };
}

describe('the directory as a reader reads it', () => {
  it('is read again as soon as it changes, and read once while it does not', async () => {
    run++;
    const keys = new Keys(`${ns.prefix}:r${run}:g0`);
    const writer = new DirectoryStore(redis, keys, 3_600);
    const reader = new DirectoryStore(redis, keys, 3_600);
    expect((await reader.read()).groups.size).toBe(0);

    await writer.apply([group('g1', 'One', '2024-01-08T00:00:00Z')]);
    expect((await reader.groups()).get('g1')?.name).toBe('One');
    const first = await reader.read();
    // unchanged: the same copy
    expect(await reader.read()).toBe(first);

    await writer.apply([group('g1', 'Renamed', '2024-01-08T01:00:00Z')]);
    expect((await reader.groups()).get('g1')?.name).toBe('Renamed');
    // an older upsert changes nothing, and the copy stays
    const second = await reader.read();
    await writer.apply([group('g1', 'Old', '2024-01-07T00:00:00Z')]);
    expect(await reader.read()).toBe(second);
  });

  it('follows the generation its keys name', async () => {
    run++;
    let generation = 'g0';
    const base = `${ns.prefix}:r${run}`;
    const keys = new Keys(() => `${base}:${generation}`);
    await new DirectoryStore(redis, new Keys(`${base}:g0`), 3_600).apply([
      group('g1', 'In g0', '2024-01-08T00:00:00Z'),
    ]);
    await new DirectoryStore(redis, new Keys(`${base}:g1`), 3_600).apply([
      group('g1', 'In g1', '2024-01-08T00:00:00Z'),
    ]);
    const reader = new DirectoryStore(redis, keys, 3_600);
    expect((await reader.groups()).get('g1')?.name).toBe('In g0');
    // both generations are at version 1: the prefix tells them apart
    generation = 'g1';
    expect((await reader.groups()).get('g1')?.name).toBe('In g1');
  });

  it('gives concurrent callers one read', async () => {
    run++;
    const keys = new Keys(`${ns.prefix}:r${run}:g0`);
    await new DirectoryStore(redis, keys, 3_600).apply([
      group('g1', 'One', '2024-01-08T00:00:00Z'),
    ]);
    const reader = new DirectoryStore(redis, keys, 3_600);
    const [a, b, c] = await Promise.all([reader.read(), reader.read(), reader.read()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(a.groups.get('g1')?.name).toBe('One');
  });
});
