import { parseDurationMs } from '@wfm-stream/config';
import { parseDayNumber, parseOffsetInstant, type TimeZone } from '@wfm-stream/core';

/** A command-line argument that is not what it should be; the message says what would be. */
export class UsageError extends Error {}

/** `now`, `today` (00:00 local), `-24h` (a duration ago), a date (00:00 local) or a date-time with offset. */
export function parseStart(text: string, zone: TimeZone, now: number): number {
  if (text === 'now') return now;
  if (text === 'today') return zone.startOfDay(zone.dayNumberAt(now));
  if (text.startsWith('-')) {
    const ago = parseDurationMs(text.slice(1));
    if (ago !== undefined) return now - ago;
  }
  const day = parseDayNumber(text);
  if (day !== undefined) return zone.startOfDay(day);
  const instant = parseOffsetInstant(text);
  if (instant !== undefined) return instant.ms;
  throw new UsageError(
    `--start must be now, today, -<duration> (e.g. -24h), a date or a date-time with offset, not "${text}"`,
  );
}

/** `realtime` (1), `max`, or a factor such as 60 (an hour per minute). */
export function parseSpeed(text: string): number | 'max' {
  if (text === 'max') return 'max';
  if (text === 'realtime') return 1;
  const factor = Number(text);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new UsageError(`--speed must be realtime, max or a positive factor, not "${text}"`);
  return factor;
}

export function parseDuration(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${name} must be a duration such as 90m, 12h or 7d, not "${text}"`);
  return ms;
}

export function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`${name} must be a whole number of at least 1, not "${text}"`);
  return value;
}

export function isoDate(text: string | undefined, name: string): string | undefined {
  if (text === undefined) return undefined;
  if (parseDayNumber(text) === undefined)
    throw new UsageError(`${name} must be a date YYYY-MM-DD, not "${text}"`);
  return text;
}
