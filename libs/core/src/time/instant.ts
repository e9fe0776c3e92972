/**
 * Instants as events and API requests write them: ISO-8601 date-times that carry an
 * offset. Parsing (shared with the event contract) keeps the offset, because the API
 * answers in the request's offset.
 */

import { DAY_MS, MINUTE_MS, parseOffsetInstant } from '@wfm-stream/schemas';

export {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  type OffsetInstant,
  parseOffsetInstant,
  utcMs,
} from '@wfm-stream/schemas';

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** `Z` for UTC, else `±hh:mm`. */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}:${pad(abs % 60, 2)}`;
}

/** `00` … `99`: the two-digit fields of formatInstant without padding each time. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + String(i));

/**
 * Formats epoch ms in the given offset: `2020-01-01T10:15:36Z`, or
 * `2020-01-01T13:15:36.250+03:00` when there are milliseconds.
 */
export function formatInstant(ms: number, offsetMinutes = 0): string {
  const local = new Date(ms + offsetMinutes * MINUTE_MS);
  const year = local.getUTCFullYear();
  const millis = local.getUTCMilliseconds();
  // answers write many instants: four-digit years (all of them, in practice) by table
  if (year >= 1000 && year <= 9999) {
    return (
      String(year) +
      '-' +
      (TWO_DIGITS[local.getUTCMonth() + 1] ?? '') +
      '-' +
      (TWO_DIGITS[local.getUTCDate()] ?? '') +
      'T' +
      (TWO_DIGITS[local.getUTCHours()] ?? '') +
      ':' +
      (TWO_DIGITS[local.getUTCMinutes()] ?? '') +
      ':' +
      (TWO_DIGITS[local.getUTCSeconds()] ?? '') +
      (millis === 0 ? '' : `.${pad(millis, 3)}`) +
      formatOffset(offsetMinutes)
    );
  }
  const base =
    `${pad(year, 4)}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}` +
    `T${pad(local.getUTCHours(), 2)}:${pad(local.getUTCMinutes(), 2)}:${pad(local.getUTCSeconds(), 2)}`;
  return `${base}${millis === 0 ? '' : `.${pad(millis, 3)}`}${formatOffset(offsetMinutes)}`;
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
export function formatDayNumber(dayNumber: number): string {
  return formatInstant(dayNumber * DAY_MS).slice(0, 10);
}

/** Day number of a `YYYY-MM-DD` date, or undefined when it is not one. */
export function parseDayNumber(text: string): number | undefined {
  const parsed = parseOffsetInstant(`${text}T00:00:00Z`);
  return parsed === undefined ? undefined : Math.floor(parsed.ms / DAY_MS);
}

/** UTC day number of an instant. */
export function utcDayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}
