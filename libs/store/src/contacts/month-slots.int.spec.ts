import { DAYSTATS, HIST, TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';
import { redisConnection, redisNamespace } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  connectRedis,
  ContactAggregation,
  HistoricQueries,
  Keys,
  OnlineQueries,
  type RedisClient,
} from '../index.js';
import { contactEvents, summedHistory } from '../testing/contact-events.js';

/**
 * A group's history lives in one Cluster slot per month (docs/architecture.md, "Key
 * layout"); a contact at a month's end is still counted once, in every figure. It runs on
 * a Redis Cluster too (the vitest project `cluster`), where a script whose keys were not
 * of one slot would fail.
 */
const ns = redisNamespace();
let redis: RedisClient;
let run = 0;

beforeAll(() => {
  redis = connectRedis(redisConnection());
});

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
});

const DAY_MS = 86_400_000;
const at = (iso: string): number => Date.parse(iso);

function setup(zone: TimeZone) {
  run++;
  const keys = new Keys(`${ns.prefix}:r${run}`);
  return {
    keys,
    aggregation: new ContactAggregation(redis, keys, {
      zone,
      serviceLevelMs: () => 20_000,
      stateTtlSeconds: 3_600,
      retentionSeconds: 86_400,
    }),
    historic: new HistoricQueries(redis, keys),
    online: new OnlineQueries(redis, keys),
  };
}

const offered = (id: string, ms: number, customerId?: string, groupId = 'g1'): ContactEvent =>
  contactEvents.offered(id, ms, { customerId, groupId, eventId: `${id}-o-${groupId}` });
const answered = (id: string, ms: number): ContactEvent => contactEvents.answered(id, ms);
const handled = (id: string, ms: number): ContactEvent => contactEvents.ended(id, ms, 'HANDLED');

/** The historic vectors of a group over [startMs, endMs), summed. */
const totals = (
  historic: HistoricQueries,
  groupId: string,
  startMs: number,
  endMs: number,
): Promise<number[]> => summedHistory(historic, groupId, startMs, endMs, 1);

describe('a group’s history by month', () => {
  it('counts a contact offered on a month’s first local day, in the last UTC day of the one before, once', async () => {
    // Jerusalem is two hours ahead in winter: 2026-01-31T22:30Z is 00:30 on February 1
    const jerusalem = TimeZone.of('Asia/Jerusalem') ?? TimeZone.UTC;
    const { keys, aggregation, historic, online } = setup(jerusalem);
    const first = at('2026-01-31T22:30:00Z');
    const second = at('2026-02-01T08:00:00Z');
    const events = [
      offered('late', second, 'x'),
      offered('early', first, 'x'),
      answered('early', first + 5_000),
      handled('early', first + 600_000),
    ];
    // the later contact first, so the uniqueness moves to the earlier one; then all again
    for (const event of events) await aggregation.apply([event]);
    await aggregation.apply(events);

    const jan31 = Math.floor(first / DAY_MS);
    const feb1 = jan31 + 1;
    const sum = await totals(historic, 'g1', jan31 * DAY_MS, (feb1 + 1) * DAY_MS);
    expect(sum[HIST.received]).toBe(2);
    expect(sum[HIST.uniqueReceived]).toBe(1);
    expect(sum[HIST.treated]).toBe(1);
    expect(sum[HIST.endedHandled]).toBe(1);
    const early = await historic.groupBuckets(['g1'], first, first + 60_000, 1);
    expect(early.get('g1')?.[0]?.vector.slice(0, 4)).toEqual([1, 1, 0, 1]);

    // its offer minute counts in February's slot, the month of its local offer day
    expect(await redis.exists(keys.historic('g1', 1, jan31, '202602'))).toBe(1);
    expect(await redis.exists(keys.historic('g1', 1, jan31, '202601'))).toBe(0);

    const february = await online.groupLoads(['g1'], jerusalem.dayNumberAt(first));
    expect(february.get('g1')?.today[DAYSTATS.received]).toBe(2);
    expect(february.get('g1')?.now).toEqual([1, 0]);
    const january = await online.groupLoads(['g1'], jerusalem.dayNumberAt(first) - 1);
    expect(january.get('g1')?.today).toEqual([]);
  });

  it('keeps a term far from its offer in the month of its day, and takes it back when the contact moves', async () => {
    const { keys, aggregation, historic, online } = setup(TimeZone.UTC);
    const offer = at('2026-01-30T10:00:00Z');
    const end = at('2026-02-05T10:00:00Z');
    const feb5 = Math.floor(end / DAY_MS);
    await aggregation.apply([
      offered('long', offer, 'x'),
      answered('long', offer + 60_000),
      handled('long', end),
    ]);

    expect(await redis.exists(keys.historic('g1', 1, feb5, '202602'))).toBe(1);
    expect(await redis.exists(keys.historic('g1', 1, feb5, '202601'))).toBe(0);
    const ended = await totals(historic, 'g1', feb5 * DAY_MS, (feb5 + 1) * DAY_MS);
    expect(ended[HIST.endedHandled]).toBe(1);
    const offeredSum = await totals(historic, 'g1', offer - DAY_MS, offer + DAY_MS);
    expect(offeredSum.slice(0, 4)).toEqual([1, 1, 0, 1]);
    expect((await online.groupLoads(['g1'], feb5)).get('g1')?.today[DAYSTATS.treatedCount]).toBe(1);

    // re-offered to g2 later: g1 takes back every term, in both months
    await aggregation.apply([offered('long', offer + 1_000, 'x', 'g2')]);
    await aggregation.apply([offered('long', offer + 1_000, 'x', 'g2')]);
    expect(await totals(historic, 'g1', offer - DAY_MS, end + DAY_MS)).toEqual(
      new Array<number>(10).fill(0),
    );
    expect((await online.groupLoads(['g1'], feb5)).get('g1')?.today).toEqual([]);
    const moved = await totals(historic, 'g2', offer - DAY_MS, end + DAY_MS);
    expect(moved[HIST.received]).toBe(1);
    expect(moved[HIST.endedHandled]).toBe(1);
  });
});
