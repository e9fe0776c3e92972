import { redisNamespace, waitFor } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import {
  deleteGeneration,
  generationExists,
  GenerationFollower,
  GenerationPointer,
  type RedisClient,
  SEEN_FRESH_MS,
} from './index.js';
import { specRedis } from './testing/redis.js';

const ns = redisNamespace();
let redis: RedisClient;
let run = 0;

specRedis(ns, (client) => (redis = client));

function freshPrefix(): string {
  run++;
  return `${ns.prefix}:d${run}`;
}

describe('the generation pointer', () => {
  it('names g0 until switched, and a switch returns the generation it replaced', async () => {
    const pointer = new GenerationPointer(redis, freshPrefix());
    expect(await pointer.read()).toBe('g0');
    expect(await pointer.switchTo('g1')).toBe('g0');
    expect(await pointer.read()).toBe('g1');
    expect(await pointer.switchTo('g2')).toBe('g1');
  });

  it('is followed within the polling interval, and followers report what they hold', async () => {
    const pointer = new GenerationPointer(redis, freshPrefix());
    const follower = await GenerationFollower.start(pointer, { intervalMs: 50, member: 'agg-1' });
    try {
      expect(follower.current()).toBe('g0');
      expect(follower.prefix()).toBe(`${pointer.keyPrefix}:g0`);
      expect(Object.fromEntries(await pointer.seen())).toEqual({ 'agg-1': 'g0' });
      await pointer.switchTo('g1');
      await waitFor(() => follower.current() === 'g1', { timeoutMs: 5_000 });
      await waitFor(async () => (await pointer.seen()).get('agg-1') === 'g1', { timeoutMs: 5_000 });
    } finally {
      await follower.stop();
    }
    // a stopped follower leaves the list
    expect(await pointer.seen()).toEqual(new Map());
  });

  it('forgets members that stopped reporting', async () => {
    const pointer = new GenerationPointer(redis, freshPrefix());
    await pointer.reportSeen('old', 'g0');
    await pointer.reportSeen('new', 'g1');
    expect(Object.fromEntries(await pointer.seen())).toEqual({ old: 'g0', new: 'g1' });
    expect(await pointer.seen(Date.now() + SEEN_FRESH_MS + 1_000)).toEqual(new Map());
  });

  it('lets one rebuild at a time hold the lock, renewed and released only by its holder', async () => {
    const pointer = new GenerationPointer(redis, freshPrefix());
    expect(await pointer.lockRebuild('first', 10_000)).toBeUndefined();
    expect(await pointer.lockRebuild('second', 10_000)).toBe('first');
    expect(await pointer.renewRebuildLock('second', 10_000)).toBe(false);
    expect(await pointer.renewRebuildLock('first', 10_000)).toBe(true);
    await pointer.unlockRebuild('second');
    expect(await pointer.lockRebuild('second', 10_000)).toBe('first');
    await pointer.unlockRebuild('first');
    expect(await pointer.lockRebuild('second', 10_000)).toBeUndefined();
  });

  it('expires a lock whose holder died', async () => {
    const pointer = new GenerationPointer(redis, freshPrefix());
    expect(await pointer.lockRebuild('crashed', 50)).toBeUndefined();
    await waitFor(async () => (await pointer.lockRebuild('next', 10_000)) === undefined, {
      timeoutMs: 5_000,
    });
  });
});

describe('deleting a generation', () => {
  it('removes every key of that generation and nothing else', async () => {
    const prefix = freshPrefix();
    const keep = [
      `${prefix}:generation`,
      `${prefix}:generation:seen`,
      `${prefix}:g10:{g:x}:h15:1`,
      `${prefix}:g0:{c:1}`,
      `${prefix}:{emitter}:status`,
      `${prefix}:export:{export}:lease`,
      `${prefix}x:g1:{c:1}`,
    ];
    const doomed = [
      ...Array.from({ length: 1_234 }, (_, i) => `${prefix}:g1:{c:${i}}`),
      `${prefix}:g1:{g:x}:h15:1`,
      `${prefix}:g1:{online}`,
      `${prefix}:g1:{dir}:agents`,
    ];
    const pipeline = redis.pipeline();
    for (const key of [...keep, ...doomed]) pipeline.set(key, '1');
    await pipeline.exec();
    expect(await generationExists(redis, prefix, 'g1')).toBe(true);

    const seen: number[] = [];
    const deleted = await deleteGeneration(redis, prefix, 'g1', (n) => seen.push(n));
    expect(deleted).toBe(doomed.length);
    expect(seen.at(-1)).toBe(doomed.length);
    expect(await generationExists(redis, prefix, 'g1')).toBe(false);
    const left = await redis.keys(`${prefix}*`);
    expect(left.sort()).toEqual([...keep].sort());
    expect(await deleteGeneration(redis, prefix, 'g1')).toBe(0);
  });

  it('treats glob characters in the prefix literally', async () => {
    const prefix = `${freshPrefix()}[a]*`;
    await redis.set(`${prefix}:g1:{c:1}`, '1');
    await redis.set(`${prefix.replace('[a]*', 'a')}:g1:{c:1}`, '1');
    expect(await deleteGeneration(redis, prefix, 'g1')).toBe(1);
    expect(await redis.exists(`${prefix.replace('[a]*', 'a')}:g1:{c:1}`)).toBe(1);
  });
});
