import { DAY_MS } from '@wfm-stream/core';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { AgentQueries, Keys, type RedisClient } from '../index.js';
import { type AgentContactUpdate, applyAgentContacts } from '../scripts/agent-contacts.js';
import { specRedis } from '../testing/redis.js';

/*
 * An agent's contacts of a period shorter than a day are read through the day's index by
 * answer instant (`callsat:<day>`), not by reading the whole `calls:<day>` (docs/capacity.md,
 * "Soak"); the answers equal those of the whole day filtered by time.
 */
const ns = redisNamespace();
let redis: RedisClient;
specRedis(ns, (client) => (redis = client));

let run = 0;
function fresh(): { keys: Keys; queries: AgentQueries } {
  run++;
  const keys = new Keys(`${ns.prefix}:r${run}`);
  return { keys, queries: new AgentQueries(redis, keys) };
}

const DAY = 18_262; // 2020-01-01
const MINUTE = 60_000;
const at = (minute: number): number => DAY * DAY_MS + minute * MINUTE;

function answered(contactId: string, minute: number, version = 1): AgentContactUpdate {
  return {
    contactId,
    version,
    utcDay: DAY,
    tombstone: false,
    contact: {
      groupId: 'g1',
      channel: 'INCOMING_CALLS',
      answeredAtMs: at(minute),
      endedAtMs: at(minute) + 30_000,
      outcome: 'HANDLED',
      wrappedUp: true,
    },
  };
}

const apply = (keys: Keys, updates: AgentContactUpdate[]): Promise<number> =>
  applyAgentContacts(redis, { keys, agentId: 'a1', ttlSeconds: 3_600, maxChatDays: 1, updates });

const ids = async (queries: AgentQueries, from: number, to: number): Promise<string[]> =>
  ((await queries.contacts(['a1'], at(from), at(to))).get('a1') ?? []).map((c) => c.contactId);

describe("an agent's contacts of part of a day", () => {
  it('are those its index names, and the index follows re-answers and tombstones', async () => {
    const { keys, queries } = fresh();
    await apply(keys, [answered('c1', 10), answered('c2', 20), answered('c3', 30)]);
    expect(await ids(queries, 15, 31)).toEqual(['c2', 'c3']);
    expect(await ids(queries, 0, 1_440)).toEqual(['c1', 'c2', 'c3']);
    // c1 answered later in a newer snapshot; c2 taken back
    await apply(keys, [
      answered('c1', 40, 2),
      { contactId: 'c2', version: 2, utcDay: DAY, tombstone: true },
    ]);
    expect(await ids(queries, 15, 31)).toEqual(['c3']);
    expect(await ids(queries, 35, 45)).toEqual(['c1']);
    const index = keys.agentCallsByTime('a1', DAY);
    expect(await redis.zrange(index, 0, -1, 'WITHSCORES')).toEqual([
      'c3',
      String(at(30)),
      'c1',
      String(at(40)),
    ]);
    expect(await redis.ttl(index)).toBeGreaterThan(3_500);
  });

  it('read only the period, whatever the contacts of the rest of the day', async () => {
    const { keys, queries } = fresh();
    await apply(
      keys,
      Array.from({ length: 600 }, (_, i) => answered(`c${i}`, i)),
    );
    expect(await ids(queries, 100, 105)).toEqual(['c100', 'c101', 'c102', 'c103', 'c104']);
    const reply = (await redis.evalsha(
      // the script the query runs, found by what it answers: the 5 contacts of minutes 100–104
      ...(await scriptCall(keys, at(100), at(105))),
    )) as string[];
    expect(reply).toHaveLength(10);
  });

  it('of a day stored before its index are read whole, and indexed on its next write', async () => {
    const { keys, queries } = fresh();
    await apply(keys, [answered('c1', 10), answered('c2', 20)]);
    // as a day written before the index existed
    await redis.del(keys.agentCallsByTime('a1', DAY));
    expect(await ids(queries, 15, 25)).toEqual(['c2']);
    // an update of another contact indexes the day's earlier ones too
    await apply(keys, [answered('c3', 30)]);
    expect(await redis.zcard(keys.agentCallsByTime('a1', DAY))).toBe(3);
    expect(await ids(queries, 5, 25)).toEqual(['c1', 'c2']);
    // a replayed snapshot, not applied, still indexes a day that lacks it, with the hash's time to live
    await redis.del(keys.agentCallsByTime('a1', DAY));
    expect(await apply(keys, [answered('c3', 30)])).toBe(0);
    expect(await redis.zcard(keys.agentCallsByTime('a1', DAY))).toBe(3);
    expect(await redis.ttl(keys.agentCallsByTime('a1', DAY))).toBeGreaterThan(3_500);
  });
});

/** EVALSHA arguments of the window script for agent a1's day. */
async function scriptCall(
  keys: Keys,
  startMs: number,
  endMs: number,
): Promise<[string, number, string, string, number, number]> {
  const { DEFINED_SCRIPTS } = await import('../scripts.js');
  const sha = [...DEFINED_SCRIPTS].find(([, file]) => file === 'agent-calls-window-2.lua')?.[0];
  if (sha === undefined) throw new Error('agent-calls-window-2.lua is not defined');
  return [sha, 2, keys.agentCalls('a1', DAY), keys.agentCallsByTime('a1', DAY), startMs, endMs];
}
