/**
 * Events with their instants, and the one order a replay publishes them in: by instant;
 * at the same instant by what happens first (a login before a contact is offered, an
 * offer before its answer, an agent BUSY after the answer, the end of a contact before
 * its agent is READY again, a logout last); then in the order they were made.
 */

import type { WfmEvent } from '@wfm-stream/schemas';

/** Place among events of the same instant. */
export const RANK = {
  loggedIn: 0,
  offered: 1,
  answered: 2,
  busy: 3,
  ended: 4,
  available: 5,
  loggedOut: 6,
} as const;

export interface TimedEvent<E extends WfmEvent = WfmEvent> {
  /** The instant of `event.occurredAt`, epoch ms. */
  readonly ms: number;
  readonly rank: number;
  readonly event: E;
}

/** The events in publishing order; stable, so equal keys keep the order they came in. */
export function inPublishingOrder(timed: readonly TimedEvent[]): TimedEvent[] {
  return timed
    .map((t, seq) => ({ t, seq }))
    .sort((a, b) => a.t.ms - b.t.ms || a.t.rank - b.t.rank || a.seq - b.seq)
    .map(({ t }) => t);
}
