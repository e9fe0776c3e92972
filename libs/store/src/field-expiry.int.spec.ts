import { versionKey } from '@wfm-stream/core';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { EXPIRY_SLICE, StatusClaims } from './emitter/status-claims.js';
import { AgentAggregation, Keys, type RedisClient } from './index.js';
import { specRedis } from './testing/redis.js';

/**
 * The two hashes written for ever while traffic flows forget the fields nobody writes
 * any more (docs/architecture.md, "Retention"): fields stamped longer ago than the TTL go,
 * a bounded slice per call; fields written before stamps existed get one.
 */
const ns = redisNamespace();
let redis: RedisClient;
const DAY = 86_400;

specRedis(ns, (client) => (redis = client));

async function redisSeconds(): Promise<number> {
  const [seconds] = await redis.time();
  return Number(seconds);
}

/** Calls `step` until `done` holds, at most `max` times; returns how many calls it took. */
async function callsUntil(
  step: (i: number) => Promise<unknown>,
  done: () => Promise<boolean>,
  max: number,
): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await step(i);
    if (await done()) return i;
  }
  return Number.POSITIVE_INFINITY;
}

describe("the emitter's status claims", () => {
  it('forget agents not claimed for the TTL, keep the others, and still refuse duplicates', async () => {
    const prefix = `${ns.prefix}:claims`;
    const key = `${prefix}:{emitter}:status`;
    const claims = new StatusClaims(redis, prefix, 30 * DAY);
    const now = await redisSeconds();
    const order = versionKey(Date.UTC(2026, 0, 1), 'e1');
    const old = 1_000;
    for (let i = 0; i < old; i++) {
      await redis.hset(
        key,
        `gone-${i}`,
        `${order}\u001f1\u001fR\u001fReady\u001e${now - 31 * DAY}`,
      );
    }
    await redis.hset(key, 'recent', `${order}\u001f1\u001fR\u001fReady\u001e${now - DAY}`);
    // written before claims carried a time
    await redis.hset(key, 'legacy', `${order}\u001f1\u001fR\u001fReady`);

    const change = { kind: 'state', code: 'B', name: 'Break' } as const;
    const calls = await callsUntil(
      (i) =>
        claims.claim([
          { agentId: `new-${i}`, eventId: `n${i}`, occurredAtMs: Date.UTC(2026, 0, 2), change },
        ]),
      async () => !Object.keys(await redis.hgetall(key)).some((f) => f.startsWith('gone-')),
      100,
    );
    // a full pass of the cursor takes about old / EXPIRY_SLICE calls
    expect(calls).toBeLessThanOrEqual(Math.ceil((2 * old) / EXPIRY_SLICE));
    const left = await redis.hgetall(key);
    expect(Object.keys(left).filter((f) => f.startsWith('gone-'))).toEqual([]);
    expect(left.recent).toBeDefined();
    expect(left.legacy?.split('\u001e')).toHaveLength(2);
    expect(Number(left.legacy?.split('\u001e')[1])).toBeGreaterThanOrEqual(now);

    // the stamp is not part of the order: the same change again is a duplicate, an older
    // one is stale, a later one is claimed from the status before it
    const same = await claims.claim([
      { agentId: 'legacy', eventId: 'e1', occurredAtMs: Date.UTC(2026, 0, 1), change },
      { agentId: 'recent', eventId: 'e0', occurredAtMs: Date.UTC(2025, 0, 1), change },
      { agentId: 'recent', eventId: 'e2', occurredAtMs: Date.UTC(2026, 0, 1), change },
    ]);
    expect(same).toEqual([
      { claimed: false },
      { claimed: false },
      { claimed: true, previous: { loggedIn: true, code: 'R', name: 'Ready' }, delivery: 'leased' },
    ]);
  });
});

describe('the online index', () => {
  it('forgets agents without an update for RETENTION_DAYS, bounded per batch', async () => {
    const keys = new Keys(`${ns.prefix}:online`);
    const aggregation = new AgentAggregation(redis, keys, {
      dedupeWindowMs: 7 * DAY * 1000,
      retentionSeconds: 10 * DAY,
    });
    const now = await redisSeconds();
    const state = keys.online('state');
    const order = versionKey(Date.UTC(2026, 0, 1), 'e1');
    const old = 600;
    for (let i = 0; i < old; i++) {
      await redis.hset(keys.onlineOrder('state'), `gone-${i}`, `${order}\u001e${now - 11 * DAY}`);
      await redis.hset(state, `gone-${i}`, 'x');
    }
    await redis.hset(keys.onlineOrder('state'), 'kept', `${order}\u001e${now - 9 * DAY}`);
    await redis.hset(state, 'kept', 'x');

    const calls = await callsUntil(
      (i) =>
        aggregation.apply([
          {
            type: 'agent.stateChanged',
            eventId: `s${i}`,
            occurredAt: new Date(Date.UTC(2026, 0, 2, 8, 0, i)).toISOString(),
            agentId: `a${i}`,
            stateCode: 'R',
            stateName: 'Ready',
            category: 'AVAILABLE',
          },
        ]),
      async () => !Object.keys(await redis.hgetall(state)).some((f) => f.startsWith('gone-')),
      100,
    );
    expect(calls).toBeLessThanOrEqual(Math.ceil((2 * old) / 64));
    const orders = await redis.hgetall(keys.onlineOrder('state'));
    const values = await redis.hgetall(state);
    expect(Object.keys(orders).filter((f) => f.startsWith('gone-'))).toEqual([]);
    expect(Object.keys(values).filter((f) => f.startsWith('gone-'))).toEqual([]);
    expect(values.kept).toBe('x');
    expect(values.a1).toBeDefined();

    // an update older than the one held still loses: the stamp is not part of the order
    await aggregation.apply([
      {
        type: 'agent.stateChanged',
        eventId: 's0',
        occurredAt: new Date(Date.UTC(2025, 0, 1)).toISOString(),
        agentId: 'a1',
        stateCode: 'P',
        stateName: 'Pause',
        category: 'BUSY',
      },
    ]);
    expect(await redis.hget(state, 'a1')).toBe(values.a1);
  });
});
