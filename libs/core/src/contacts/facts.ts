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

/**
 * Byte-wise UTF-8 comparison, the order Redis uses for strings: negative, zero or positive
 * (only the sign means anything). Below U+D800, UTF-16 code units order as UTF-8 bytes do,
 * so the strings are compared unit by unit without encoding them; only where a surrogate
 * or a unit from U+D800 up decides the order are both encoded.
 */
export function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca < 0xd800 && cb < 0xd800) return ca - cb;
    return compareEncoded(a, b);
  }
  // one is a prefix of the other: the shorter first, unless it ends inside a surrogate pair
  const last = n === 0 ? 0 : a.charCodeAt(n - 1);
  if (last < 0xd800 || last > 0xdfff) return a.length - b.length;
  return compareEncoded(a, b);
}

function compareEncoded(a: string, b: string): number {
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
