import type { WfmEvent } from '@wfm-stream/schemas';

type EventOf<T extends WfmEvent['type']> = Extract<WfmEvent, { type: T }>;

/**
 * An event of `type`: its id, type and time (`atMs` as ISO-8601) first, then `fields` in
 * their order, as a benchmark's synthetic traffic writes them (docs/events.md).
 */
export function wfmEvent<T extends WfmEvent['type']>(
  type: T,
  eventId: string,
  atMs: number,
  fields: Omit<EventOf<T>, 'eventId' | 'type' | 'occurredAt'>,
): EventOf<T> {
  return { eventId, type, occurredAt: new Date(atMs).toISOString(), ...fields } as EventOf<T>;
}

/** A message of the event, keyed by `key`, its value the event as JSON. */
export function eventMessage(key: string, event: WfmEvent): { key: string; value: string } {
  return { key, value: JSON.stringify(event) };
}
