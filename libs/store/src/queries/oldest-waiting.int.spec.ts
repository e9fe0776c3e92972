import { TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';
import { redisNamespace, testStack } from '@wfm-stream/testing';
import { afterAll, describe, expect, it } from 'vitest';

import { connectRedis } from '../connection.js';
import { ContactAggregation } from '../contacts/aggregation.js';
import { Keys } from '../keys.js';
import { OnlineQueries } from './online.js';

const ns = redisNamespace();
const redis = connectRedis({ url: testStack().redisUrl });
const keys = new Keys(`${ns.prefix}:g0`);
const contacts = new ContactAggregation(redis, keys, {
  zone: TimeZone.of('UTC')!,
  serviceLevelMs: () => 20_000,
  stateTtlSeconds: 3_600,
  retentionSeconds: 3_600,
});
const online = new OnlineQueries(redis, keys);

afterAll(async () => {
  redis.disconnect();
  await ns.cleanup();
});

const offered = (id: string, at: string): ContactEvent => ({
  eventId: `${id}-o`,
  type: 'contact.offered',
  occurredAt: at,
  contactId: id,
  groupId: 'g',
  channel: 'INCOMING_CALLS',
});

describe('the longest wait', () => {
  it('is the offer time of the contact waiting longest, in any order of events', async () => {
    const answered: ContactEvent = {
      eventId: 'c1-a',
      type: 'contact.answered',
      occurredAt: '2026-03-02T10:05:00Z',
      contactId: 'c1',
      agentId: 'a',
    };
    // the answer before its offer: c1 never counts as waiting
    await contacts.apply([answered]);
    await contacts.apply([
      offered('c1', '2026-03-02T10:00:00Z'),
      offered('c2', '2026-03-02T10:01:00Z'),
      offered('c3', '2026-03-02T10:02:00Z'),
    ]);
    expect(await online.oldestWaiting(['g', 'none'])).toEqual(
      new Map([['g', Date.parse('2026-03-02T10:01:00Z')]]),
    );
    await contacts.apply([
      {
        eventId: 'c2-e',
        type: 'contact.ended',
        occurredAt: '2026-03-02T10:03:00Z',
        contactId: 'c2',
        outcome: 'ABANDONED',
      },
    ]);
    expect(await online.oldestWaiting(['g'])).toEqual(
      new Map([['g', Date.parse('2026-03-02T10:02:00Z')]]),
    );
    await contacts.apply([{ ...answered, eventId: 'c3-a', contactId: 'c3' }]);
    expect(await online.oldestWaiting(['g'])).toEqual(new Map());
    expect(await redis.exists(keys.waiting('g'))).toBe(0);
  });
});
