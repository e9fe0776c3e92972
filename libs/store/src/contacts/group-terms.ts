import {
  DAY_MS,
  type GroupContribution,
  MINUTE_MS,
  type TimedVector,
  type TimeZone,
} from '@wfm-stream/core';

import { Keys } from '../keys.js';

/** One running-sum update: [key suffix, hash field, base vector, unique-only vector]. */
export type Term = readonly [string, string, readonly number[], readonly number[] | null];

function historicTerms(vector: TimedVector): Term[] {
  const utcDay = Math.floor(vector.at / DAY_MS);
  const minute = Math.floor((vector.at - utcDay * DAY_MS) / MINUTE_MS);
  const unique = vector.unique ?? null;
  return [
    [Keys.historicSuffix(15, utcDay), String(Math.floor(minute / 15)), vector.base, unique],
    [Keys.historicSuffix(1, utcDay), String(minute), vector.base, unique],
  ];
}

/**
 * Places a contribution into storage buckets: historic vectors into 1- and 15-minute
 * UTC buckets, daily vectors into the local day of TIMEZONE, the current figures into
 * the group's `now` vector.
 */
export function groupTerms(contribution: GroupContribution, zone: TimeZone): Term[] {
  const terms: Term[] = contribution.historic.flatMap(historicTerms);
  for (const vector of contribution.daily) {
    terms.push([
      Keys.dailySuffix(zone.dayNumberAt(vector.at)),
      Keys.VECTOR_FIELD,
      vector.base,
      vector.unique ?? null,
    ]);
  }
  terms.push([Keys.NOW_SUFFIX, Keys.VECTOR_FIELD, contribution.now, null]);
  return terms;
}

const encoder = new TextEncoder();

/**
 * The uniqueness scope of a customer inside one group-day index: the customer id with
 * its byte length in front, so no customer's prefix is a prefix of another's.
 */
export function uniquenessPrefix(customerId: string | undefined): string {
  if (customerId === undefined) return '';
  return `${encoder.encode(customerId).length}:${customerId}`;
}

/** Members sort by prefix, then offer time, then contact id: the first is the unique one. */
export function uniquenessMember(prefix: string, offeredAt: number, contactId: string): string {
  if (prefix === '') return '';
  return `${prefix}${String(offeredAt).padStart(15, '0')}${contactId}`;
}
