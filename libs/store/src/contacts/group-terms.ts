import {
  DAY_MS,
  type GroupContribution,
  MINUTE_MS,
  NOW,
  type TimedVector,
  type TimeZone,
} from '@wfm-stream/core';

import { Keys } from '../keys.js';

/** One running-sum update: [key suffix, hash field, base vector, unique-only vector]. */
export type Term = readonly [string, string, readonly number[], readonly number[] | null];

function sparse(vector: readonly number[] | null): string {
  if (vector === null) return '';
  const pairs: string[] = [];
  vector.forEach((value, index) => {
    if (value !== 0) pairs.push(`${index}:${value}`);
  });
  return pairs.join(',');
}

/**
 * Terms as the group script takes and stores them (lua/includes/vectors.lua): key, field,
 * vector length and the sparse base and unique-only vectors, joined by \x1f; terms
 * joined by \x1e. Stored verbatim, so taking a contribution back parses one string.
 */
export function serializeTerms(terms: readonly Term[]): string {
  return terms
    .map(
      ([key, field, base, unique]) =>
        `${key}\u001f${field}\u001f${base.length}\u001f${sparse(base)}\u001f${sparse(unique)}`,
    )
    .join('\u001e');
}

/** Text vectors hold these bytes only: digits, `,`, and what %.17g writes (`-+.eE`). */
const TEXT_VECTOR = /^[-+.,0-9eE]*$/;

/**
 * A vector of sums as the group script writes it (lua/includes/vectors.lua): its values
 * joined by `,`, a zero written as nothing. What `decodeVector` reads back.
 */
export function encodeVector(values: readonly number[]): string {
  return values.map((v) => (v === 0 ? '' : String(v))).join(',');
}

/**
 * A vector of sums as stored: compact text (`encodeVector`), or packed little-endian
 * doubles as written before it, which always hold a byte that text never has
 * (docs/architecture.md, "Running sums: compact vectors").
 */
export function decodeVector(bytes: Buffer): number[] {
  if (bytes.length === 0) return [];
  return decodeCounts(bytes) ?? decodeAnyVector(bytes);
}

/** Digits in a value that `decodeCounts` sums exactly as Number() would read them. */
const EXACT_DIGITS = 15;

/**
 * The common case of decodeVector, read from the bytes without a string: text of whole
 * numbers (digits and `,` only, no value longer than EXACT_DIGITS); undefined for
 * anything else.
 */
function decodeCounts(bytes: Buffer): number[] | undefined {
  const values: number[] = [];
  let value = 0;
  let digits = 0;
  for (const byte of bytes) {
    if (byte === 0x2c) {
      values.push(value);
      value = 0;
      digits = 0;
    } else if (byte >= 0x30 && byte <= 0x39 && digits < EXACT_DIGITS) {
      value = value * 10 + (byte - 0x30);
      digits++;
    } else return undefined;
  }
  values.push(value);
  return values;
}

function decodeAnyVector(bytes: Buffer): number[] {
  const text = bytes.toString('latin1');
  if (TEXT_VECTOR.test(text)) return text.split(',').map((s) => (s === '' ? 0 : Number(s)));
  const values: number[] = [];
  for (let offset = 0; offset + 8 <= bytes.length; offset += 8)
    values.push(bytes.readDoubleLE(offset));
  return values;
}

/** A historic term: the group script counts it in the 1- and 15-minute buckets of its minute. */
function historicTerm(vector: TimedVector): Term {
  const utcDay = Math.floor(vector.at / DAY_MS);
  const minute = Math.floor((vector.at - utcDay * DAY_MS) / MINUTE_MS);
  return [Keys.historicTerm(utcDay), String(minute), vector.base, vector.unique ?? null];
}

/**
 * Places a contribution into storage buckets: historic vectors into 1- and 15-minute
 * UTC buckets, daily vectors into the local day of TIMEZONE, the current figures into
 * the group's `now` vector, and, while the contact waits, its offer time into the
 * group's waiting list (`wq`, field = contactId), where the longest wait is read from
 * (docs/architecture.md, "The online state").
 */
export function groupTerms(
  contribution: GroupContribution,
  zone: TimeZone,
  contactId: string,
): Term[] {
  const terms: Term[] = contribution.historic.map(historicTerm);
  for (const vector of contribution.daily) {
    terms.push([
      Keys.dailyTerm(zone.dayNumberAt(vector.at)),
      Keys.VECTOR_FIELD,
      vector.base,
      vector.unique ?? null,
    ]);
  }
  terms.push([Keys.NOW_TERM, Keys.VECTOR_FIELD, contribution.now, null]);
  if (contribution.now[NOW.waiting] === 1)
    terms.push([Keys.WAITING_TERM, contactId, [contribution.offeredAt], null]);
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
