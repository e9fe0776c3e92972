/**
 * One call of the log → the contact events a contact-center platform would have
 * published for it (the mapping is documented in README.md):
 * offered when it entered the group's queue (or, never queued, left the VRU);
 * HANG in the queue → ABANDONED at queue exit; HANG in the VRU → nothing;
 * PHANTOM → BOT_CLOSED at queue exit; AGENT → answered by the named agent and HANDLED.
 * A stage earlier than the one it must follow is moved up to it.
 */

import type { TimeZone } from '@wfm-stream/core';
import type { ContactEnded, ContactEvent } from '@wfm-stream/schemas';

import { type CallRecord, NO_SERVER } from './call-log.js';
import { formatLocal } from './local-time.js';
import { RANK, type TimedEvent } from './timeline.js';

/** What became of a call, for the plan's statistics. */
export type CallKind = 'skipped-in-vru' | 'abandoned' | 'phantom' | 'handled';

/** A call an agent the log names served, from answer to end: for agent states. */
export interface ServedSpan {
  readonly agentId: string;
  readonly groupId: string;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface MappedCall {
  readonly kind: CallKind;
  readonly events: TimedEvent<ContactEvent>[];
  readonly served?: ServedSpan;
}

/** The latest instant the row has. */
function lastMs(record: CallRecord): number {
  return Math.max(
    record.vruEntryMs,
    record.vruExitMs,
    record.queueStartMs ?? Number.NEGATIVE_INFINITY,
    record.queueExitMs ?? Number.NEGATIVE_INFINITY,
    record.serviceStartMs ?? Number.NEGATIVE_INFINITY,
    record.serviceExitMs ?? Number.NEGATIVE_INFINITY,
  );
}

/** The contact events of one call; `record` times are the instants to publish. */
export function mapCall(record: CallRecord, zone: TimeZone): MappedCall {
  const { contactId } = record;
  const queued = record.queueStartMs !== undefined;
  if (record.outcome === 'HANG' && !queued) return { kind: 'skipped-in-vru', events: [] };

  const offeredMs = record.queueStartMs ?? record.vruExitMs;
  const events: TimedEvent<ContactEvent>[] = [
    {
      ms: offeredMs,
      rank: RANK.offered,
      event: {
        eventId: `${contactId}-o`,
        type: 'contact.offered',
        occurredAt: formatLocal(zone, offeredMs),
        contactId,
        groupId: record.groupId,
        channel: 'INCOMING_CALLS',
        ...(record.customerId === undefined ? {} : { customerId: record.customerId }),
      },
    },
  ];
  const end = (
    atMs: number,
    outcome: ContactEnded['outcome'],
    talkMs?: number,
  ): TimedEvent<ContactEvent> => {
    const ms = Math.max(atMs, offeredMs);
    return {
      ms,
      rank: RANK.ended,
      event: {
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: formatLocal(zone, ms),
        contactId,
        outcome,
        ...(talkMs === undefined ? {} : { talkMs }),
      },
    };
  };

  if (record.outcome === 'HANG') {
    events.push(end(record.queueExitMs ?? lastMs(record), 'ABANDONED'));
    return { kind: 'abandoned', events };
  }
  if (record.outcome === 'PHANTOM') {
    events.push(end(record.queueExitMs ?? lastMs(record), 'BOT_CLOSED'));
    return { kind: 'phantom', events };
  }
  if (record.serviceStartMs === undefined) {
    const at = queued ? (record.queueExitMs ?? lastMs(record)) : record.vruExitMs;
    events.push(end(at, 'HANDLED', 0));
    return { kind: 'handled', events };
  }

  const answeredMs = Math.max(record.serviceStartMs, offeredMs);
  const endedMs = Math.max(record.serviceExitMs ?? answeredMs, answeredMs);
  const agentId = record.server === NO_SERVER ? undefined : record.server;
  if (agentId !== undefined) {
    events.push({
      ms: answeredMs,
      rank: RANK.answered,
      event: {
        eventId: `${contactId}-a`,
        type: 'contact.answered',
        occurredAt: formatLocal(zone, answeredMs),
        contactId,
        agentId,
        ringMs: 0,
      },
    });
  }
  events.push(end(endedMs, 'HANDLED', endedMs - answeredMs));
  return {
    kind: 'handled',
    events,
    ...(agentId === undefined
      ? {}
      : { served: { agentId, groupId: record.groupId, fromMs: answeredMs, toMs: endedMs } }),
  };
}
