import { compareBytes } from '../contacts/facts.js';

/**
 * An agent's state-defining events and the spans they make (docs/api.md, "Agent
 * endpoints"): a state lasts from its event until the agent's next state change, login or
 * logout; a login session from a login until the next login or logout. Only finished
 * spans exist; zero-length ones are left out. This is the straightforward definition the
 * aggregation is tested against.
 */
export interface TimelineEvent {
  readonly eventId: string;
  readonly atMs: number;
  readonly kind: 'login' | 'logout' | 'state';
  /** The state the event puts the agent in (login and state changes). */
  readonly state?: {
    readonly code: string;
    readonly name: string;
    readonly category: string;
    readonly groupId?: string | undefined;
    readonly serviceId?: string | undefined;
  };
}

export interface TimelineSpan<E extends TimelineEvent = TimelineEvent> {
  readonly start: E;
  readonly endMs: number;
}

/** Events by (time, eventId byte order), each id once. */
export function orderTimeline<E extends TimelineEvent>(events: readonly E[]): E[] {
  const unique = new Map<string, E>();
  for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
  return [...unique.values()].sort((a, b) => a.atMs - b.atMs || compareBytes(a.eventId, b.eventId));
}

function spansBetween<E extends TimelineEvent>(
  ordered: readonly E[],
  opens: (e: E) => boolean,
): TimelineSpan<E>[] {
  const spans: TimelineSpan<E>[] = [];
  for (let i = 0; i + 1 < ordered.length; i++) {
    const start = ordered[i];
    const next = ordered[i + 1];
    if (start === undefined || next === undefined) continue;
    if (opens(start) && next.atMs > start.atMs) spans.push({ start, endMs: next.atMs });
  }
  return spans;
}

export function stateSpans<E extends TimelineEvent>(events: readonly E[]): TimelineSpan<E>[] {
  return spansBetween(orderTimeline(events), (e) => e.kind !== 'logout');
}

export function loginSpans<E extends TimelineEvent>(events: readonly E[]): TimelineSpan<E>[] {
  return spansBetween(
    orderTimeline(events.filter((e) => e.kind !== 'state')),
    (e) => e.kind === 'login',
  );
}
