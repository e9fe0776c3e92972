import { HIST, TimeZone } from '@wfm-stream/core';
import type { ContactEvent, ContactOffered } from '@wfm-stream/schemas';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import {
  ContactAggregation,
  encodeContactEvent,
  HistoricQueries,
  Keys,
  type RedisClient,
} from '../index.js';
import { mergeContactEvents } from '../scripts/contact-merge.js';
import { contactEvents, summedHistory } from '../testing/contact-events.js';
import { specRedis } from '../testing/redis.js';

const ns = redisNamespace();
let redis: RedisClient;
let keys: Keys;
let aggregation: ContactAggregation;
let historic: HistoricQueries;

specRedis(ns, (client) => (redis = client));

let run = 0;
function fresh(): void {
  run++;
  keys = new Keys(`${ns.prefix}:r${run}`);
  aggregation = new ContactAggregation(redis, keys, {
    zone: TimeZone.UTC,
    serviceLevelMs: () => 20_000,
    stateTtlSeconds: 3_600,
    retentionSeconds: 86_400,
  });
  historic = new HistoricQueries(redis, keys);
}

const DAY = Date.UTC(2020, 0, 1);

const minuteMs = (minute: number): number => DAY + minute * 60_000;
const offered = (id: string, minute: number, customerId?: string, groupId = 'g1'): ContactEvent =>
  contactEvents.offered(id, minuteMs(minute), { customerId, groupId });
const answered = (id: string, minute: number): ContactEvent =>
  contactEvents.answered(id, minuteMs(minute));
const ended = (
  id: string,
  minute: number,
  outcome: 'HANDLED' | 'ABANDONED' | 'BOT_CLOSED' | 'TRANSFERRED',
): ContactEvent => contactEvents.ended(id, minuteMs(minute), outcome);

/** The day's historic vector of a group, summed over all buckets. */
const dayTotals = (groupId = 'g1'): Promise<number[]> =>
  summedHistory(historic, groupId, DAY, DAY + 86_400_000, 15);

describe('ContactAggregation', () => {
  it('sums contacts into the bucket of their offer time', async () => {
    fresh();
    await aggregation.apply([
      offered('c1', 600, 'x'),
      answered('c1', 601),
      ended('c1', 605, 'HANDLED'),
      offered('c2', 610, 'y'),
      ended('c2', 611, 'ABANDONED'),
      offered('c3', 700),
    ]);
    const buckets = await historic.groupBuckets(['g1'], DAY, DAY + 86_400_000, 15);
    const byStart = new Map((buckets.get('g1') ?? []).map((b) => [b.startMs, b.vector]));
    const ten = byStart.get(DAY + 600 * 60_000);
    expect(ten?.slice(0, 8)).toEqual([2, 1, 1, 2, 1, 1, 61_000, 0]);
    expect(byStart.get(DAY + 690 * 60_000)?.slice(0, 3)).toEqual([1, 0, 0]);
  });

  it('stores vectors as compact text and adds to packed doubles written before it', async () => {
    fresh();
    const day = DAY / 86_400_000;
    // a bucket as the script wrote it before the text form: 10 little-endian doubles
    const legacy = Buffer.alloc(80);
    [1, 1, 0, 1, 1, 0, 30_000, 5_000, 0, 0].forEach((x, i) => legacy.writeDoubleLE(x, i * 8));
    await redis.hset(keys.historic('g1', 1, day, Keys.month(day)), '600', legacy);
    await redis.hset(keys.historic('g1', 15, day, Keys.month(day)), '40', legacy);
    await aggregation.apply([offered('c1', 600, 'x'), ended('c1', 601, 'ABANDONED')]);
    expect(await redis.hget(keys.historic('g1', 1, day, Keys.month(day)), '600')).toBe(
      '2,1,1,2,1,1,30000,5000,,',
    );
    const one = await historic.groupBuckets(['g1'], DAY, DAY + 86_400_000, 1);
    expect(one.get('g1')).toEqual([
      { startMs: DAY + 600 * 60_000, vector: [2, 1, 1, 2, 1, 1, 30_000, 5_000, 0, 0] },
    ]);
    expect(await dayTotals()).toEqual([2, 1, 1, 2, 1, 1, 30_000, 5_000, 0, 0]);
  });

  it('changes nothing when a batch is delivered again', async () => {
    fresh();
    const batch = [offered('c1', 600, 'x'), answered('c1', 601), ended('c1', 605, 'HANDLED')];
    await aggregation.apply(batch);
    const once = await dayTotals();
    await aggregation.apply(batch);
    await aggregation.apply([batch[1]!]);
    expect(await dayTotals()).toEqual(once);
  });

  it('gives the same figures whatever order and batching the events arrive in', async () => {
    const events = [
      offered('c1', 600, 'x'),
      answered('c1', 601),
      ended('c1', 605, 'HANDLED'),
      offered('c2', 590, 'x'),
      ended('c2', 592, 'ABANDONED'),
      offered('c3', 620, 'x'),
      ended('c3', 621, 'BOT_CLOSED'),
    ];
    fresh();
    await aggregation.apply(events);
    const forward = await dayTotals();
    fresh();
    for (const event of [...events].reverse()) await aggregation.apply([event]);
    expect(await dayTotals()).toEqual(forward);
    expect(forward[HIST.received]).toBe(2);
    expect(forward[HIST.uniqueReceived]).toBe(1);
  });

  it('moves uniqueness to a customer contact that arrives late but happened earlier', async () => {
    fresh();
    await aggregation.apply([offered('late', 600, 'cust'), ended('late', 601, 'HANDLED')]);
    expect((await dayTotals()).slice(3, 6)).toEqual([1, 1, 0]);
    await aggregation.apply([offered('early', 500, 'cust'), ended('early', 501, 'ABANDONED')]);
    const totals = await dayTotals();
    expect(totals.slice(0, 6)).toEqual([2, 1, 1, 1, 0, 1]);
  });

  it('retracts a contact once it turns out closed by a bot, and the next contact becomes unique', async () => {
    fresh();
    await aggregation.apply([
      offered('bot', 500, 'cust'),
      offered('human', 600, 'cust'),
      ended('human', 602, 'HANDLED'),
    ]);
    expect((await dayTotals()).slice(0, 6)).toEqual([2, 1, 0, 1, 0, 0]);
    await aggregation.apply([ended('bot', 501, 'BOT_CLOSED')]);
    expect((await dayTotals()).slice(0, 6)).toEqual([1, 1, 0, 1, 1, 0]);
  });

  it('converges when a crash interrupted a batch between its two round trips', async () => {
    fresh();
    const batch = [offered('c1', 600, 'x'), answered('c1', 601), ended('c1', 605, 'HANDLED')];
    // the first round trip alone, as if the process died before the second
    await mergeContactEvents(redis, {
      key: keys.contact('c1'),
      ttlSeconds: 3600,
      maxEvents: 64,
      events: batch.map((e) => encodeContactEvent(e)),
    });
    expect(await dayTotals()).toEqual(new Array(10).fill(0));
    await aggregation.apply(batch);
    expect((await dayTotals()).slice(0, 3)).toEqual([1, 1, 0]);
  });

  it('moves a contact to another group when a later offer says so', async () => {
    fresh();
    await aggregation.apply([offered('c1', 600, 'x', 'g1')]);
    await aggregation.apply([{ ...offered('c1', 601, 'x', 'g2'), eventId: 'c1-o2' }]);
    expect((await dayTotals('g1'))[HIST.received]).toBe(0);
    expect((await dayTotals('g2'))[HIST.received]).toBe(1);
  });

  it('takes back a contribution that reaches days its update does not name', async () => {
    fresh();
    // ended five days after its offer: the contribution counts in that day too
    const late = 5 * 1440 + 30;
    await aggregation.apply([
      offered('c1', 600, 'x'),
      answered('c1', 601),
      ended('c1', late, 'HANDLED'),
    ]);
    const endedDay = async (groupId: string): Promise<number> => {
      const buckets = await historic.groupBuckets(
        [groupId],
        DAY + 5 * 86_400_000,
        DAY + 6 * 86_400_000,
        15,
      );
      return (buckets.get(groupId) ?? []).reduce(
        (n, b) => n + (b.vector[HIST.endedHandled] ?? 0),
        0,
      );
    };
    expect(await endedDay('g1')).toBe(1);
    // a later offer moves it to g2: g1's tombstone names the offer's day only, and the
    // script asks for the ended day's keys before it changes anything
    await aggregation.apply([{ ...offered('c1', 602, 'x', 'g2'), eventId: 'c1-o2' }]);
    expect(await endedDay('g1')).toBe(0);
    expect((await dayTotals('g1'))[HIST.received]).toBe(0);
    expect(await endedDay('g2')).toBe(1);
    expect((await dayTotals('g2'))[HIST.received]).toBe(1);
  });

  it('takes thousands of events of one contact in one batch, refusing those past its limit', async () => {
    fresh();
    // 5,000 distinct events (about 30,000 values for one script) used to overflow
    // unpack() in the merge, failing the batch forever
    const flood: ContactEvent[] = Array.from({ length: 5_000 }, (_, i) => ({
      ...ended('c1', 605, 'HANDLED'),
      eventId: `flood-${i}`,
    }));
    const result = await aggregation.apply([offered('c1', 600, 'x'), ...flood]);
    expect(result.refused).toHaveLength(5_001 - 64);
    expect(result.refused.every((r) => r.contactId === 'c1')).toBe(true);
    expect((await dayTotals()).slice(0, 3)).toEqual([1, 1, 0]);
    // the same batch again: the same refusals, nothing else changes
    const again = await aggregation.apply([offered('c1', 600, 'x'), ...flood]);
    expect(again.refused).toHaveLength(result.refused.length);
    expect((await dayTotals()).slice(0, 3)).toEqual([1, 1, 0]);
  });

  it('indexes a chat of absurd length in its first days only, in one quick script', async () => {
    fresh();
    const chat: ContactEvent[] = [
      { ...(offered('chat', 0, 'x') as ContactOffered), channel: 'CHATS' },
      { ...answered('chat', 1) },
      // from 2020 to 2099: 29,000 days, one HSET each before the limit
      {
        ...ended('chat', 0, 'HANDLED'),
        occurredAt: '2099-12-31T00:00:00Z',
      },
    ];
    const started = Date.now();
    await aggregation.apply(chat);
    expect(Date.now() - started).toBeLessThan(2_000);
    const chatDays = await redis.keys(keys.agentChatsPattern('a1'));
    expect(chatDays.length).toBeLessThanOrEqual(8);
    expect(chatDays.length).toBeGreaterThan(0);
    // its end is cut to the end of the last day it is indexed in, so that it counts in
    // those days only, whatever day a request starts on
    const first = Math.floor((DAY + 60_000) / 86_400_000);
    for (const day of [first, first + 7])
      expect(await redis.hget(keys.agentChats('a1', day), 'chat')).toBe(
        `${DAY + 60_000},${(first + 8) * 86_400_000}`,
      );
  });
});
