import { formatInstant, type TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';

import type { CallRecord } from './call-log.js';
import { localInstant } from './local-time.js';

/**
 * One call → the events a contact-center platform would have published for it.
 * See README.md for the mapping and why.
 */
export interface MappedCall {
  readonly events: ContactEvent[];
  /** Why the call produced what it did, for the plan's statistics. */
  readonly kind: 'skipped-in-vru' | 'phantom' | 'handled' | 'abandoned';
  /** The answered span, for synthesized agent states. */
  readonly answered?: {
    readonly agentId: string;
    readonly groupId: string;
    readonly fromMs: number;
    readonly toMs: number;
  };
}

export function mapCall(record: CallRecord, zone: TimeZone, dayNumber: number): MappedCall {
  const at = (seconds: number): number => localInstant(zone, dayNumber, seconds);
  const iso = (ms: number): string => formatInstant(ms, zone.offsetMinutesAt(ms));
  const { contactId } = record;
  const queued = record.queueStart !== undefined;
  if (record.outcome === 'HANG' && !queued) return { events: [], kind: 'skipped-in-vru' };

  const offeredAt = at(record.queueStart ?? record.vruExit);
  const notBefore = (ms: number, floor: number): number => Math.max(ms, floor);
  const events: ContactEvent[] = [
    {
      eventId: `${contactId}-o`,
      type: 'contact.offered',
      occurredAt: iso(offeredAt),
      contactId,
      groupId: record.groupId,
      channel: 'INCOMING_CALLS',
      ...(record.customerId === undefined ? {} : { customerId: record.customerId }),
    },
  ];
  const lastSeconds = Math.max(
    record.vruExit,
    record.queueExit ?? 0,
    record.serviceExit ?? 0,
    record.serviceStart ?? 0,
  );
  if (record.outcome === 'PHANTOM') {
    const endedAt = notBefore(at(record.queueExit ?? lastSeconds), offeredAt);
    events.push({
      eventId: `${contactId}-e`,
      type: 'contact.ended',
      occurredAt: iso(endedAt),
      contactId,
      outcome: 'BOT_CLOSED',
    });
    return { events, kind: 'phantom' };
  }
  if (record.outcome === 'HANG') {
    const endedAt = notBefore(at(record.queueExit ?? lastSeconds), offeredAt);
    events.push({
      eventId: `${contactId}-e`,
      type: 'contact.ended',
      occurredAt: iso(endedAt),
      contactId,
      outcome: 'ABANDONED',
    });
    return { events, kind: 'abandoned' };
  }
  if (record.serviceStart === undefined) {
    const endedAt = notBefore(at(record.queueExit ?? record.vruExit), offeredAt);
    events.push({
      eventId: `${contactId}-e`,
      type: 'contact.ended',
      occurredAt: iso(endedAt),
      contactId,
      outcome: 'HANDLED',
      talkMs: 0,
    });
    return { events, kind: 'handled' };
  }
  const answeredAt = notBefore(at(record.serviceStart), offeredAt);
  const endedAt = notBefore(at(record.serviceExit ?? record.serviceStart), answeredAt);
  const talkMs = endedAt - answeredAt;
  if (record.server !== undefined) {
    events.push({
      eventId: `${contactId}-a`,
      type: 'contact.answered',
      occurredAt: iso(answeredAt),
      contactId,
      agentId: record.server,
      ringMs: 0,
    });
  }
  events.push({
    eventId: `${contactId}-e`,
    type: 'contact.ended',
    occurredAt: iso(endedAt),
    contactId,
    outcome: 'HANDLED',
    talkMs,
  });
  return {
    events,
    kind: 'handled',
    ...(record.server === undefined
      ? {}
      : {
          answered: {
            agentId: record.server,
            groupId: record.groupId,
            fromMs: answeredAt,
            toMs: endedAt,
          },
        }),
  };
}
