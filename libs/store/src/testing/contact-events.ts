import type { ContactEvent } from '@wfm-stream/schemas';

import type { HistoricQueries } from '../queries/historic.js';

/** What every event of contact `id` carries: its event id and its time. */
const head = (id: string, eventId: string, atMs: number) => ({
  eventId,
  occurredAt: new Date(atMs).toISOString(),
  contactId: id,
});

/**
 * The contact events the store's specs build, at instants in ms: event ids `<id>-o`,
 * `<id>-a`, `<id>-e` unless given (docs/events.md has every field).
 */
export const contactEvents = {
  offered(
    id: string,
    atMs: number,
    options: { customerId?: string; groupId?: string; eventId?: string } = {},
  ): ContactEvent {
    return {
      ...head(id, options.eventId ?? `${id}-o`, atMs),
      type: 'contact.offered',
      groupId: options.groupId ?? 'g1',
      channel: 'INCOMING_CALLS',
      customerId: options.customerId,
      transferredFromContactId: undefined,
    };
  },
  answered(id: string, atMs: number): ContactEvent {
    return { ...head(id, `${id}-a`, atMs), type: 'contact.answered', agentId: 'a1', ringMs: 1_000 };
  },
  ended(
    id: string,
    atMs: number,
    outcome: 'HANDLED' | 'ABANDONED' | 'BOT_CLOSED' | 'TRANSFERRED' = 'HANDLED',
  ): ContactEvent {
    const fields = { type: 'contact.ended', outcome, talkMs: 60_000, holdMs: undefined } as const;
    return { ...head(id, `${id}-e`, atMs), ...fields };
  },
};

/** A group's historic vector over [startMs, endMs), summed over its buckets of `minutes`. */
export async function summedHistory(
  historic: HistoricQueries,
  groupId: string,
  startMs: number,
  endMs: number,
  minutes: 1 | 15,
): Promise<number[]> {
  const buckets = await historic.groupBuckets([groupId], startMs, endMs, minutes);
  const sum = new Array<number>(10).fill(0);
  for (const b of buckets.get(groupId) ?? [])
    b.vector.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
  return sum;
}
