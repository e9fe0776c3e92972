import { redisNamespace, testStack, waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectRedis, type RedisClient } from '../connection.js';
import { DeploymentKeys } from '../keys.js';
import { type StatusChangeToClaim, StatusClaims } from './status-claims.js';
import { StatusOutbox } from './status-outbox.js';

/**
 * The emitter's outbox (docs/architecture.md, "The emitter"): a claimed change waits until
 * its lease holder acknowledges it; a lease nobody renews runs out and is taken over, and
 * the new holder goes on from the last acknowledged push, in claim order.
 */
const ns = redisNamespace();
let redis: RedisClient;
const LEASE_MS = 1_000;

beforeAll(() => {
  redis = connectRedis({ url: testStack().redisUrl });
});

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
});

let n = 0;
const change = (agentId: string, code: string, minute: number): StatusChangeToClaim => ({
  agentId,
  eventId: `e${++n}`,
  occurredAtMs: Date.UTC(2026, 0, 1, 8, minute),
  change: { kind: 'state', code, name: code },
  appendedAtMs: 1_000 + minute,
});

function emitter(prefix: string, owner: string, maxPending = 100) {
  return {
    claims: new StatusClaims(redis, prefix, 3600, { owner, leaseMs: LEASE_MS, maxPending }),
    outbox: new StatusOutbox(redis, prefix, owner, LEASE_MS),
  };
}

describe("the emitter's outbox", () => {
  it('hands a dead holder’s changes to the next one, from the last acknowledged push, in order', async () => {
    const prefix = `${ns.prefix}:takeover`;
    const dead = emitter(prefix, 'dead');
    const next = emitter(prefix, 'next');

    const first = await dead.claims.claim([change('a', 'READY', 1), change('a', 'BUSY', 2)]);
    expect(first.map((r) => r.claimed && r.delivery)).toEqual(['leased', 'leased']);
    // nobody else may deliver them while the lease holds
    expect(await next.outbox.hold([{ agentId: 'a' }])).toEqual([{ kind: 'lost' }]);
    expect(await next.outbox.takeOver(10)).toEqual([]);

    // the holder delivers the first change's only push, then dies
    const [head] = await dead.outbox.hold([{ agentId: 'a' }]);
    expect(head).toMatchObject({
      kind: 'entry',
      seq: 1,
      done: 0,
      entry: { previous: undefined, next: { code: 'READY' }, appendedAtMs: 1_001 },
    });
    expect(head?.kind === 'entry' && head.entry.occurredAtMs).toBe(Date.UTC(2026, 0, 1, 8, 1));
    const [second] = await dead.outbox.hold([
      { agentId: 'a', ack: { seq: 1, done: 1, last: true } },
    ]);
    expect(second).toMatchObject({ kind: 'entry', seq: 2, done: 0 });
    // of the second change (exit READY, entry BUSY) only the exit got through
    await dead.outbox.hold([{ agentId: 'a', ack: { seq: 2, done: 1, last: false } }]);
    // the other emitter claims a later change of the same agent: it queues behind the lease
    const later = await next.claims.claim([change('a', 'ACW', 3)]);
    expect(later).toEqual([
      {
        claimed: true,
        previous: { loggedIn: true, code: 'BUSY', name: 'BUSY' },
        delivery: 'queued',
      },
    ]);

    const taken = await waitFor(async () => {
      const agents = await next.outbox.takeOver(10);
      return agents.length > 0 ? agents : undefined;
    });
    expect(taken).toEqual(['a']);
    // the dead holder's acknowledgements no longer count
    expect(
      await dead.outbox.hold([{ agentId: 'a', ack: { seq: 2, done: 2, last: true } }]),
    ).toEqual([{ kind: 'lost' }]);
    const [resumed] = await next.outbox.hold([{ agentId: 'a' }]);
    expect(resumed).toMatchObject({
      kind: 'entry',
      seq: 2,
      done: 1,
      entry: { previous: { code: 'READY' }, next: { code: 'BUSY' } },
    });
    const [third] = await next.outbox.hold([
      { agentId: 'a', ack: { seq: 2, done: 2, last: true } },
    ]);
    expect(third).toMatchObject({ kind: 'entry', seq: 3, entry: { next: { code: 'ACW' } } });
    // an acknowledgement that came twice (a lost reply, retried) changes nothing
    await next.outbox.hold([{ agentId: 'a', ack: { seq: 2, done: 2, last: true } }]);
    expect(
      await next.outbox.hold([{ agentId: 'a', ack: { seq: 3, done: 2, last: true } }]),
    ).toEqual([{ kind: 'empty' }]);
    const keys = new DeploymentKeys(prefix);
    expect(await redis.exists(keys.statusOutboxEntries(), keys.statusOutboxLeases())).toBe(0);
    // the header stays, its sequence numbers going on: a late acknowledgement matches nothing
    const [again] = await next.claims.claim([change('a', 'READY', 4)]);
    expect(again).toMatchObject({ claimed: true, delivery: 'leased' });
    expect(
      await next.outbox.hold([{ agentId: 'a', ack: { seq: 3, done: 2, last: true } }]),
    ).toMatchObject([{ kind: 'entry', seq: 4, done: 0 }]);
  });

  it('passes the lease, between two entries, to the emitter that claims the agent now', async () => {
    const prefix = `${ns.prefix}:handover`;
    const before = emitter(prefix, 'before');
    const after = emitter(prefix, 'after');
    await before.claims.claim([change('d', 'READY', 1), change('d', 'BUSY', 2)]);
    // the partition moved: the next change is claimed by the other emitter
    const [queued] = await after.claims.claim([change('d', 'ACW', 3)]);
    expect(queued).toMatchObject({ claimed: true, delivery: 'queued' });
    const [head] = await before.outbox.hold([{ agentId: 'd' }]);
    expect(head).toMatchObject({ kind: 'entry', seq: 1 });
    // a renewal mid-entry keeps the lease
    expect(await before.outbox.hold([{ agentId: 'd' }])).toMatchObject([{ kind: 'entry' }]);
    // the entry done, the lease goes
    expect(
      await before.outbox.hold([{ agentId: 'd', ack: { seq: 1, done: 1, last: true } }]),
    ).toEqual([{ kind: 'handedOver' }]);
    const [taken] = await after.claims.claim([change('d', 'BREAK', 4)]);
    expect(taken).toMatchObject({ claimed: true, delivery: 'leased' });
    expect(await after.outbox.hold([{ agentId: 'd' }])).toMatchObject([
      { kind: 'entry', seq: 2, done: 0, entry: { next: { code: 'BUSY' } } },
    ]);
  });

  it('released leases are taken over at once; a full outbox queues nothing more', async () => {
    const prefix = `${ns.prefix}:release`;
    const leaving = emitter(prefix, 'leaving', 2);
    const staying = emitter(prefix, 'staying', 2);
    const results = await leaving.claims.claim([
      change('b', 'READY', 1),
      change('c', 'READY', 1),
      change('b', 'BUSY', 2),
    ]);
    expect(results.map((r) => r.claimed && r.delivery)).toEqual(['leased', 'leased', 'full']);
    await leaving.outbox.release(['b', 'c']);
    expect((await staying.outbox.takeOver(10)).sort()).toEqual(['b', 'c']);
    expect(await staying.outbox.hold([{ agentId: 'b' }, { agentId: 'c' }])).toMatchObject([
      { kind: 'entry', seq: 1 },
      { kind: 'entry', seq: 1 },
    ]);
    // a stale change is no claim at all
    expect(await staying.claims.claim([change('b', 'ACW', 0)])).toEqual([{ claimed: false }]);
  });
});
