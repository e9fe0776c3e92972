import { type ContactEvent, parseOffsetInstant } from '@wfm-stream/schemas';

import { compareBytes } from '../contacts/facts.js';
import { divideRoundHalfUp, type ServiceGroupInterval } from '../metrics/formulas.js';
import type { TimeZone } from '../time/zone.js';

/**
 * serviceGroupData (docs/api.md) computed the plain way, from the whole set of events at
 * once: merge each contact (the latest event of each type wins), leave out bot-closed
 * contacts, decide uniqueness by looking at every contact of the customer, group and
 * local day, and count per interval. No running sums, no retraction. The aggregation is
 * tested against it.
 */
export interface ReferenceQuery {
  readonly startMs: number;
  readonly endMs: number;
  readonly offsetMinutes: number;
  readonly stepMs: number;
  readonly groupIds: readonly string[];
}

export interface ReferenceRow extends ServiceGroupInterval {
  readonly startMs: number;
}

interface Merged {
  contactId: string;
  offered?: { at: number; id: string; groupId: string; customerId?: string | undefined };
  answered?: { at: number; id: string; ringMs: number };
  ended?: { at: number; id: string; outcome: string; talkMs: number; holdMs: number };
  wrapped?: { at: number; id: string; wrapUpMs: number; relaxMs: number };
}

function later(a: { at: number; id: string } | undefined, at: number, id: string): boolean {
  return a === undefined || at > a.at || (at === a.at && compareBytes(id, a.id) > 0);
}

export function mergeContacts(events: readonly ContactEvent[]): Merged[] {
  const contacts = new Map<string, Merged>();
  for (const e of events) {
    const at = parseOffsetInstant(e.occurredAt)?.ms ?? Number.NaN;
    const c = contacts.get(e.contactId) ?? { contactId: e.contactId };
    contacts.set(e.contactId, c);
    const id = e.eventId;
    switch (e.type) {
      case 'contact.offered':
        if (later(c.offered, at, id))
          c.offered = { at, id, groupId: e.groupId, customerId: e.customerId };
        break;
      case 'contact.answered':
        if (later(c.answered, at, id)) c.answered = { at, id, ringMs: e.ringMs ?? 0 };
        break;
      case 'contact.ended':
        if (later(c.ended, at, id))
          c.ended = { at, id, outcome: e.outcome, talkMs: e.talkMs ?? 0, holdMs: e.holdMs ?? 0 };
        break;
      case 'contact.wrappedUp':
        if (later(c.wrapped, at, id))
          c.wrapped = { at, id, wrapUpMs: e.wrapUpMs, relaxMs: e.relaxMs ?? 0 };
        break;
    }
  }
  return [...contacts.values()];
}

export function referenceServiceGroupData(
  events: readonly ContactEvent[],
  zone: TimeZone,
  query: ReferenceQuery,
): Map<string, ReferenceRow[]> {
  const counted = mergeContacts(events).filter(
    (c) => c.offered !== undefined && c.ended?.outcome !== 'BOT_CLOSED',
  );
  const firstOf = new Map<string, Merged>();
  for (const c of counted) {
    const o = c.offered;
    if (o?.customerId === undefined) continue;
    const scope = JSON.stringify([o.customerId, o.groupId, zone.dayNumberAt(o.at)]);
    const first = firstOf.get(scope);
    const fo = first?.offered;
    if (
      first === undefined ||
      fo === undefined ||
      o.at < fo.at ||
      (o.at === fo.at && compareBytes(c.contactId, first.contactId) < 0)
    ) {
      firstOf.set(scope, c);
    }
  }
  const isUnique = (c: Merged): boolean => {
    const o = c.offered;
    if (o?.customerId === undefined) return true;
    return firstOf.get(JSON.stringify([o.customerId, o.groupId, zone.dayNumberAt(o.at)])) === c;
  };
  const offsetMs = query.offsetMinutes * 60_000;
  const origin = Math.floor((query.startMs + offsetMs) / 86_400_000) * 86_400_000 - offsetMs;
  const result = new Map<string, ReferenceRow[]>();
  for (const groupId of query.groupIds) {
    const sums = new Map<number, number[]>();
    for (const c of counted) {
      const o = c.offered;
      if (o?.groupId !== groupId || o.at < query.startMs || o.at >= query.endMs) continue;
      const start = origin + Math.floor((o.at - origin) / query.stepMs) * query.stepMs;
      const s = sums.get(start) ?? [0, 0, 0, 0, 0, 0, 0, 0];
      const outcome = c.ended?.outcome;
      const treated = outcome === 'HANDLED' || outcome === 'TRANSFERRED' ? 1 : 0;
      const missed = outcome === 'ABANDONED' ? 1 : 0;
      const unique = isUnique(c) ? 1 : 0;
      const add = [
        1,
        treated,
        missed,
        unique,
        unique * treated,
        unique * missed,
        treated * ((c.answered?.ringMs ?? 0) + (c.ended?.talkMs ?? 0) + (c.ended?.holdMs ?? 0)),
        treated * ((c.wrapped?.wrapUpMs ?? 0) + (c.wrapped?.relaxMs ?? 0)),
      ];
      sums.set(
        start,
        s.map((v, i) => v + (add[i] ?? 0)),
      );
    }
    const rows = [...sums]
      .sort(([a], [b]) => a - b)
      .map(([startMs, [r = 0, t = 0, m = 0, ur = 0, ut = 0, um = 0, h = 0, p = 0]]) => ({
        startMs,
        notUniqueReceived: r,
        notUniqueTreated: t,
        notUniqueMissed: m,
        receivedCalls: ur,
        treatedCalls: ut,
        missCalls: um,
        aht: divideRoundHalfUp(h, t),
        postProcessing: divideRoundHalfUp(p, t),
      }));
    if (rows.length > 0) result.set(groupId, rows);
  }
  return result;
}
