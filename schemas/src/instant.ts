/**
 * Instants as events write them: RFC 3339 date-times that must carry an offset. This
 * parser is part of the event contract; the core and the reader use the same one.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Epoch milliseconds together with the UTC offset (in minutes) it was written in. */
export interface OffsetInstant {
  readonly ms: number;
  readonly offsetMinutes: number;
}

const ISO_WITH_OFFSET =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})$/;

const MAX_OFFSET_MINUTES = 18 * 60;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** UTC epoch ms of a calendar date-time, valid for every year 1..9999. */
export function utcMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  // Date.UTC reads years 0..99 as 1900..1999; from 100 on it computes the same as the setters
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/**
 * Parses an RFC 3339 date-time that must carry an offset (`Z` or `±hh:mm`).
 * Returns undefined for anything else, including impossible dates (Feb 30) and
 * offsets beyond ±18:00. Fractions beyond milliseconds are truncated.
 */
export function parseOffsetInstant(text: string): OffsetInstant | undefined {
  // validating an event parses its occurredAt, and the validator's caller reads it again
  if (text === lastText) return lastInstant;
  const instant = parse(text);
  lastText = text;
  lastInstant = instant;
  return instant;
}

/** The last text parsed and its result: a pure function's answer, kept for the next call. */
let lastText: string | undefined;
let lastInstant: OffsetInstant | undefined;

function parse(text: string): OffsetInstant | undefined {
  const m = ISO_WITH_OFFSET.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  }
  const local = utcMs(year, month, day, hour, minute, second, fraction);
  return { ms: local - offsetMinutes * MINUTE_MS, offsetMinutes };
}
