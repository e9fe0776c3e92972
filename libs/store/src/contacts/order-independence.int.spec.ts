import { fc, test } from '@fast-check/vitest';
import {
  bucketMinutesFor,
  intervalGrid,
  referenceServiceGroupData,
  serviceGroupRows,
  TimeZone,
} from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';
import { redisNamespace } from '@wfm-stream/testing';
import { describe, expect } from 'vitest';

import { ContactAggregation, HistoricQueries, Keys, type RedisClient } from '../index.js';
import { specRedis } from '../testing/redis.js';

const ns = redisNamespace();
let redis: RedisClient;
let run = 0;
const zone = TimeZone.of('Europe/Berlin') ?? TimeZone.UTC;
/** Around the change to summer time in Berlin (2024-03-31 01:00Z), so local days are 23 h long and midnight moves. */
const T0 = Date.UTC(2024, 2, 29, 20, 0);
const GROUPS = ['g1', 'g2'];

specRedis(ns, (client) => (redis = client));

const iso = (ms: number): string => new Date(ms).toISOString();

const contactArb = fc.record({
  group: fc.constantFrom(...GROUPS),
  movedTo: fc.option(fc.constantFrom(...GROUPS), { nil: undefined, freq: 6 }),
  customer: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined, freq: 4 }),
  // some offers at one of two instants, so customers' contacts tie and the contactId decides
  offeredAt: fc.oneof(
    {
      weight: 3,
      arbitrary: fc.integer({ min: 0, max: 3 * 24 * 60 * 3 }).map((n) => T0 + n * 20_000),
    },
    { weight: 1, arbitrary: fc.constantFrom(T0 + 36_000_000, T0 + 36_020_000) },
  ),
  answer: fc.option(
    fc.record({
      afterMs: fc.integer({ min: 0, max: 600_000 }),
      ringMs: fc.integer({ min: 0, max: 9_000 }),
    }),
    { nil: undefined },
  ),
  end: fc.option(
    fc.record({
      // some long ones, ending days after the offer across the month's end (docs/architecture.md, "Key layout")
      afterMs: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 0, max: 3_600_000 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 6 * 86_400_000 }) },
      ),
      outcome: fc.constantFrom('HANDLED', 'ABANDONED', 'TRANSFERRED', 'BOT_CLOSED'),
      talkMs: fc.integer({ min: 0, max: 900_000 }),
      holdMs: fc.integer({ min: 0, max: 60_000 }),
    }),
    { nil: undefined },
  ),
  secondEnd: fc.option(fc.constantFrom('HANDLED', 'ABANDONED', 'BOT_CLOSED'), {
    nil: undefined,
    freq: 6,
  }),
  wrap: fc.option(
    fc.record({
      wrapUpMs: fc.integer({ min: 0, max: 120_000 }),
      relaxMs: fc.integer({ min: 0, max: 30_000 }),
    }),
    { nil: undefined },
  ),
});

function eventsOf(
  n: number,
  c: fc.Arbitrary<unknown> extends never ? never : ReturnType<typeof contactArb.generate>['value'],
): ContactEvent[] {
  const contactId = `c${String(n).padStart(2, '0')}`;
  /** What every event of the contact carries: the id `<contactId>-<suffix>` and the time. */
  const head = (suffix: string, atMs: number) => ({
    eventId: `${contactId}-${suffix}`,
    occurredAt: iso(atMs),
    contactId,
  });
  const offered = (suffix: string, atMs: number, groupId: string): ContactEvent => ({
    ...head(suffix, atMs),
    type: 'contact.offered',
    groupId,
    channel: 'INCOMING_CALLS',
    customerId: c.customer,
  });
  const events = [offered('o', c.offeredAt, c.group)];
  if (c.movedTo !== undefined) events.push(offered('o2', c.offeredAt + 1_000, c.movedTo));
  if (c.answer !== undefined) {
    const { afterMs, ringMs } = c.answer;
    events.push({
      ...head('a', c.offeredAt + afterMs),
      type: 'contact.answered',
      agentId: 'a1',
      ringMs,
    });
  }
  if (c.end !== undefined) {
    const { afterMs, ...end } = c.end;
    const endAt = c.offeredAt + afterMs;
    events.push({ ...head('e', endAt), type: 'contact.ended', ...end });
    if (c.secondEnd !== undefined)
      events.push({ ...head('e2', endAt), type: 'contact.ended', outcome: c.secondEnd });
  }
  if (c.wrap !== undefined) {
    const atMs = c.offeredAt + 4_000_000;
    events.push({ ...head('w', atMs), type: 'contact.wrappedUp', agentId: 'a1', ...c.wrap });
  }
  return events;
}

const scenarioArb = fc
  .array(contactArb, { maxLength: 30 })
  .map((contacts) => contacts.flatMap((c, n) => eventsOf(n, c)))
  .chain((events) =>
    fc.record({
      events: fc.constant(events),
      delivery: fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      duplicates: fc.array(fc.nat(), { maxLength: 6 }),
      batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
      stepMs: fc.constantFrom(60_000, 300_000, 900_000, 1_800_000, 3_600_000, 86_400_000),
      offsetMinutes: fc.constantFrom(0, 60, 120, 180, -300, 345),
      fromMinute: fc.integer({ min: 0, max: 2 * 24 * 60 }),
      lengthMinutes: fc.integer({ min: 1, max: 5 * 24 * 60 }),
    }),
  );

describe('contact aggregation', () => {
  test.prop([scenarioArb], { numRuns: 80 })(
    'gives the reference serviceGroupData answer for any order, batching and duplication of the events',
    async ({
      events,
      delivery,
      duplicates,
      batchSizes,
      stepMs,
      offsetMinutes,
      fromMinute,
      lengthMinutes,
    }) => {
      run++;
      const keys = new Keys(`${ns.prefix}:r${run}`);
      const aggregation = new ContactAggregation(redis, keys, {
        zone,
        serviceLevelMs: () => 20_000,
        stateTtlSeconds: 86_400,
        retentionSeconds: 86_400,
      });
      const arrivals = [...delivery];
      for (const d of duplicates)
        if (events.length > 0)
          arrivals.splice(d % (arrivals.length + 1), 0, events[d % events.length]!);
      for (let i = 0, b = 0; i < arrivals.length; b++) {
        const size = batchSizes[b % batchSizes.length]!;
        await aggregation.apply(arrivals.slice(i, i + size));
        i += size;
      }

      const startMs = T0 - 86_400_000 + fromMinute * 60_000;
      const endMs = startMs + lengthMinutes * 60_000;
      const grid = intervalGrid({ ms: startMs, offsetMinutes }, stepMs);
      const buckets = await new HistoricQueries(redis, keys).groupBuckets(
        GROUPS,
        startMs,
        endMs,
        bucketMinutesFor(grid, startMs, endMs),
      );
      const actual = new Map(
        GROUPS.map(
          (g) =>
            [
              g,
              serviceGroupRows(buckets.get(g) ?? [], grid).map(({ endMs: _end, ...row }) => row),
            ] as const,
        ).filter(([, rows]) => rows.length > 0),
      );
      const expected = referenceServiceGroupData(events, zone, {
        startMs,
        endMs,
        offsetMinutes,
        stepMs,
        groupIds: GROUPS,
      });
      expect(actual).toEqual(expected);
    },
  );
});
