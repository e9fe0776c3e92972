/**
 * When each group had a contact waiting: from its offer until it left the queue (its
 * answer; the start of its talk when the log names no agent; its end when abandoned).
 * A contact a bot closed never waited for an agent. The synthesized agent states use it:
 * an agent is never READY while a contact of one of its groups waits.
 */

import type { ContactEvent } from '@wfm-stream/schemas';

import type { TimedEvent } from './timeline.js';

/** A span of time, [fromMs, toMs). */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Sorted, disjoint spans covering the same time as `spans`. */
export function unionOf(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.fromMs - b.fromMs);
  const out: { fromMs: number; toMs: number }[] = [];
  for (const s of sorted) {
    if (s.toMs <= s.fromMs) continue;
    const last = out.at(-1);
    if (last !== undefined && s.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, s.toMs);
    else out.push({ fromMs: s.fromMs, toMs: s.toMs });
  }
  return out;
}

/** Per group, the spans when one of its contacts waited (sorted, disjoint). */
export function waitingByGroup(events: readonly TimedEvent<ContactEvent>[]): Map<string, Span[]> {
  const contacts = new Map<string, { groupId: string; offeredMs: number; leftMs?: number }>();
  for (const { ms, event } of events) {
    if (event.type === 'contact.offered') {
      contacts.set(event.contactId, { groupId: event.groupId, offeredMs: ms });
    } else if (event.type === 'contact.answered') {
      const c = contacts.get(event.contactId);
      if (c !== undefined) c.leftMs ??= ms;
    } else if (event.type === 'contact.ended') {
      const c = contacts.get(event.contactId);
      if (c === undefined || c.leftMs !== undefined) continue;
      if (event.outcome === 'BOT_CLOSED') c.leftMs = c.offeredMs;
      else if (event.outcome === 'ABANDONED') c.leftMs = ms;
      else c.leftMs = ms - (event.talkMs ?? 0) - (event.holdMs ?? 0);
    }
  }
  const spans = new Map<string, Span[]>();
  for (const c of contacts.values()) {
    const toMs = c.leftMs ?? c.offeredMs;
    if (toMs <= c.offeredMs) continue;
    const list = spans.get(c.groupId) ?? [];
    list.push({ fromMs: c.offeredMs, toMs });
    spans.set(c.groupId, list);
  }
  return new Map([...spans].map(([groupId, list]) => [groupId, unionOf(list)]));
}

/** Per agent, the spans when a contact of one of its groups waited. */
export function waitingByAgent(
  byGroup: ReadonlyMap<string, readonly Span[]>,
  groupsOfAgent: ReadonlyMap<string, readonly string[]>,
): Map<string, Span[]> {
  return new Map(
    [...groupsOfAgent].map(([agentId, groups]) => [
      agentId,
      unionOf(groups.flatMap((g) => byGroup.get(g) ?? [])),
    ]),
  );
}
