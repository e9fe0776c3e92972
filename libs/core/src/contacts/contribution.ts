import type { ContactFacts } from './facts.js';

/**
 * What one contact adds to its group's figures. Every figure of docs/api.md and the
 * exports that depends on contacts is a sum of these per-contact contributions, so the
 * aggregation can keep running sums: when a contact changes (a new event, or its
 * uniqueness moves to an earlier contact), its old contribution is subtracted and the new
 * one added. The sums therefore depend only on the set of events, never on their order.
 */

/** Layout of the historic vector kept per group and time bucket. */
export const HIST = {
  /** contacts offered (notUniqueReceived, docs/api.md) */
  received: 0,
  /** offered and treated: HANDLED or TRANSFERRED */
  treated: 1,
  /** offered and ABANDONED */
  missed: 2,
  /** unique offered */
  uniqueReceived: 3,
  uniqueTreated: 4,
  uniqueMissed: 5,
  /** Σ ring + talk + hold of the treated */
  handleMs: 6,
  /** Σ wrap-up + relax of the treated */
  afterWorkMs: 7,
  /** contacts that ended HANDLED in the bucket (by end time; the exports' answeredContacts) */
  endedHandled: 8,
  /** Σ ended − answered of those (the exports' contactTime) */
  endedHandledContactMs: 9,
} as const;
export const HIST_LENGTH = 10;

/** Layout of the per-group, per-local-day online vector ("today" in docs/api.md). */
export const DAYSTATS = {
  received: 0,
  answered: 1,
  answeredWithinTarget: 2,
  treatedHandleMs: 3,
  treatedCount: 4,
  waitMs: 5,
  waitCount: 6,
} as const;
export const DAYSTATS_LENGTH = 7;

/** Layout of the per-group "right now" vector. */
export const NOW = {
  waiting: 0,
  processing: 1,
} as const;
export const NOW_LENGTH = 2;

/** A vector added at an instant; `unique` is added on top only while the contact is unique. */
export interface TimedVector {
  readonly at: number;
  readonly base: readonly number[];
  readonly unique?: readonly number[] | undefined;
}

export interface GroupContribution {
  readonly groupId: string;
  /** Historic vectors, each added to the bucket holding `at`. */
  readonly historic: readonly TimedVector[];
  /** Online day vectors, each added to the local day (in TIMEZONE) holding `at`. */
  readonly daily: readonly TimedVector[];
  /** Added to the group's current state. */
  readonly now: readonly number[];
  /** The uniqueness scope member, when the contact has a customer. */
  readonly customerId?: string | undefined;
  readonly offeredAt: number;
}

export function isTreated(facts: ContactFacts): boolean {
  const outcome = facts.ended?.outcome;
  return outcome === 'HANDLED' || outcome === 'TRANSFERRED';
}

export function isMissed(facts: ContactFacts): boolean {
  return facts.ended?.outcome === 'ABANDONED';
}

/** Whether the contact counts anywhere: it was offered and not closed by a bot. */
export function counts(facts: ContactFacts): boolean {
  return facts.offered !== undefined && facts.ended?.outcome !== 'BOT_CLOSED';
}

function vector(length: number, entries: readonly (readonly [number, number])[]): number[] {
  const v = new Array<number>(length).fill(0);
  for (const [index, value] of entries) v[index] = (v[index] ?? 0) + value;
  return v;
}

/**
 * The contribution of a contact to the group it was offered to, or undefined when it
 * counts nowhere (never offered, or BOT_CLOSED).
 *
 * @param serviceLevelMs the group's answer-time target: answered within it counts in
 *   `callAnsweredTst`.
 */
export function groupContribution(
  facts: ContactFacts,
  serviceLevelMs: number,
): GroupContribution | undefined {
  const offered = facts.offered;
  if (offered === undefined || !counts(facts)) return undefined;
  const { answered, ended, wrappedUp } = facts;
  const treated = isTreated(facts) ? 1 : 0;
  const missed = isMissed(facts) ? 1 : 0;
  const handleMs = treated
    ? (answered?.ringMs ?? 0) + (ended?.talkMs ?? 0) + (ended?.holdMs ?? 0)
    : 0;
  const afterWorkMs = treated ? (wrappedUp?.wrapUpMs ?? 0) + (wrappedUp?.relaxMs ?? 0) : 0;

  const historic: TimedVector[] = [
    {
      at: offered.at,
      base: vector(HIST_LENGTH, [
        [HIST.received, 1],
        [HIST.treated, treated],
        [HIST.missed, missed],
        [HIST.handleMs, handleMs],
        [HIST.afterWorkMs, afterWorkMs],
      ]),
      unique: vector(HIST_LENGTH, [
        [HIST.uniqueReceived, 1],
        [HIST.uniqueTreated, treated],
        [HIST.uniqueMissed, missed],
      ]),
    },
  ];
  if (ended?.outcome === 'HANDLED') {
    const contactMs = answered !== undefined ? Math.max(0, ended.at - answered.at) : 0;
    historic.push({
      at: ended.at,
      base: vector(HIST_LENGTH, [
        [HIST.endedHandled, 1],
        [HIST.endedHandledContactMs, contactMs],
      ]),
    });
  }

  const daily: TimedVector[] = [
    { at: offered.at, base: vector(DAYSTATS_LENGTH, [[DAYSTATS.received, 1]]) },
  ];
  if (answered !== undefined) {
    const waitMs = Math.max(0, answered.at - offered.at);
    daily.push({
      at: answered.at,
      base: vector(DAYSTATS_LENGTH, [
        [DAYSTATS.answered, 1],
        [DAYSTATS.answeredWithinTarget, waitMs <= serviceLevelMs ? 1 : 0],
        [DAYSTATS.waitMs, waitMs],
        [DAYSTATS.waitCount, 1],
      ]),
    });
  } else if (ended?.outcome === 'ABANDONED') {
    daily.push({
      at: ended.at,
      base: vector(DAYSTATS_LENGTH, [
        [DAYSTATS.waitMs, Math.max(0, ended.at - offered.at)],
        [DAYSTATS.waitCount, 1],
      ]),
    });
  }
  if (ended !== undefined && treated) {
    daily.push({
      at: ended.at,
      base: vector(DAYSTATS_LENGTH, [
        [DAYSTATS.treatedHandleMs, handleMs],
        [DAYSTATS.treatedCount, 1],
      ]),
    });
  }

  const now = vector(NOW_LENGTH, [
    [NOW.waiting, answered === undefined && ended === undefined ? 1 : 0],
    [NOW.processing, answered !== undefined && ended === undefined ? 1 : 0],
  ]);

  return {
    groupId: offered.groupId,
    historic,
    daily,
    now,
    customerId: offered.customerId,
    offeredAt: offered.at,
  };
}
