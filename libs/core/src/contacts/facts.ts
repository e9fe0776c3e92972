/**
 * A contact as the aggregation sees it: the merge of every event received for one
 * `contactId`. Each event type fills one slot; when a slot receives two different
 * events, the later `occurredAt` wins and, on a tie, the greater `eventId` (compared
 * byte-wise as UTF-8, exactly as Redis compares strings). The merge is therefore a
 * function of the set of events, not of their order.
 */

export const OUTCOMES = ['HANDLED', 'ABANDONED', 'TRANSFERRED', 'BOT_CLOSED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const CHANNEL_TYPES = ['CHATS', 'MAILS', 'INCOMING_CALLS', 'OUTGOING_CALLS'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export interface OfferedFacts {
  readonly at: number;
  readonly groupId: string;
  readonly channel: ChannelType;
  readonly customerId?: string | undefined;
  readonly transferredFromContactId?: string | undefined;
}

export interface AnsweredFacts {
  readonly at: number;
  readonly agentId: string;
  readonly ringMs: number;
}

export interface EndedFacts {
  readonly at: number;
  readonly outcome: Outcome;
  readonly talkMs: number;
  readonly holdMs: number;
}

export interface WrappedUpFacts {
  readonly at: number;
  readonly agentId: string;
  readonly wrapUpMs: number;
  readonly relaxMs: number;
}

export interface ContactFacts {
  readonly contactId: string;
  readonly offered?: OfferedFacts | undefined;
  readonly answered?: AnsweredFacts | undefined;
  readonly ended?: EndedFacts | undefined;
  readonly wrappedUp?: WrappedUpFacts | undefined;
}

const encoder = new TextEncoder();

/** Byte-wise UTF-8 comparison, the order Redis uses for strings. */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * The order key of an event for last-writer-wins: `occurredAt` first, then `eventId`.
 * As a string it sorts the same way byte-wise, which is how Lua compares it.
 */
export function versionKey(occurredAtMs: number, eventId: string): string {
  return `${String(occurredAtMs).padStart(15, '0')}${eventId}`;
}

/** True when (msA, idA) is later than (msB, idB). */
export function isLater(msA: number, idA: string, msB: number, idB: string): boolean {
  return msA !== msB ? msA > msB : compareBytes(idA, idB) > 0;
}
