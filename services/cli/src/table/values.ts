import { parseDurationMs } from '@wfm-stream/config';
import { parseDayNumber, parseOffsetInstant, type TimeZone } from '@wfm-stream/core';

/**
 * The kinds of value a command-line option takes. Each says how it is written in the
 * usage, what it must be (the end of "--x must be …, not …"), and reads a text into its
 * value, or into undefined when the text is not one. They are pure: what needs the clock
 * or the contact center's zone (`--start today`) reads into a description that the
 * command resolves.
 */
export interface ValueType<T> {
  /** How the value is written in the usage: `N`, `DURATION`, `simulate|replay|none`. */
  readonly placeholder: string;
  /** What the value must be, completing "--name must be …". */
  readonly expects: string;
  read(text: string): T | undefined;
}

/** A whole number, within bounds when given. */
export function wholeNumber(bounds: { min?: number; max?: number } = {}): ValueType<number> {
  const { min, max } = bounds;
  const expects =
    min !== undefined && max !== undefined
      ? `a whole number from ${min} to ${max}`
      : min === 0
        ? 'a whole number, 0 or more'
        : min !== undefined
          ? `a whole number of at least ${min}`
          : 'a whole number';
  return {
    placeholder: 'N',
    expects,
    read(text) {
      if (!/^[-+]?\d+$/.test(text.trim())) return undefined;
      const value = Number(text);
      if (!Number.isSafeInteger(value)) return undefined;
      if ((min !== undefined && value < min) || (max !== undefined && value > max))
        return undefined;
      return value;
    },
  };
}

/** A TCP port, 1 to 65535. */
export const port: ValueType<number> = {
  ...wholeNumber({ min: 1, max: 65_535 }),
  placeholder: 'PORT',
};

/** A duration greater than zero (`90m`, `12h`, `7d`), in milliseconds. */
export const duration: ValueType<number> = {
  placeholder: 'DURATION',
  expects: 'a duration such as 90m, 12h or 7d',
  read(text) {
    const ms = parseDurationMs(text);
    return ms === undefined || ms <= 0 ? undefined : ms;
  },
};

/** A date-time with an offset (`2026-03-29T00:00:00+01:00`), in epoch milliseconds. */
export const instant: ValueType<number> = {
  placeholder: 'DATE-TIME',
  expects: 'a date-time with offset, e.g. 2026-03-29T00:00:00Z',
  read: (text) => parseOffsetInstant(text)?.ms,
};

/** A calendar date, `YYYY-MM-DD`, kept as written. */
export const date: ValueType<string> = {
  placeholder: 'DATE',
  expects: 'a date YYYY-MM-DD',
  read: (text) => (parseDayNumber(text) === undefined ? undefined : text),
};

/** `today` or a date. */
export const todayOrDate: ValueType<string> = {
  placeholder: 'today|DATE',
  expects: 'today or a date YYYY-MM-DD',
  read: (text) => (text === 'today' ? text : date.read(text)),
};

/** One of a few words. */
export function oneOf<const V extends string>(choices: readonly V[]): ValueType<V> {
  return {
    placeholder: choices.join('|'),
    expects: `one of ${choices.join(', ')}`,
    read: (text) => choices.find((choice) => choice === text),
  };
}

/** Any text that is not empty: a path, a name, an id. `expects` says what it names. */
export function text(placeholder: string, expects: string): ValueType<string> {
  return { placeholder, expects, read: (value) => (value === '' ? undefined : value) };
}

/** `realtime` (1), `max`, or a factor such as 60 (an hour per minute). */
export const speed: ValueType<number | 'max'> = {
  placeholder: 'realtime|max|N',
  expects: 'realtime, max or a positive factor',
  read(value) {
    if (value === 'max') return 'max';
    if (value === 'realtime') return 1;
    if (value.trim() === '') return undefined;
    const factor = Number(value);
    return Number.isFinite(factor) && factor > 0 ? factor : undefined;
  },
};

/** Where a simulation starts, before the clock and the zone say when that is. */
export type SimulationStart =
  | { readonly kind: 'now' }
  | { readonly kind: 'today' }
  | { readonly kind: 'ago'; readonly ms: number }
  | { readonly kind: 'day'; readonly day: number }
  | { readonly kind: 'instant'; readonly ms: number };

/** `now`, `today` (00:00 local), `-24h` (a duration ago), a date (00:00 local) or a date-time with offset. */
export const simulationStart: ValueType<SimulationStart> = {
  placeholder: 'now|today|-DURATION|DATE|DATE-TIME',
  expects: 'now, today, -<duration> (e.g. -24h), a date or a date-time with offset',
  read(value) {
    if (value === 'now') return { kind: 'now' };
    if (value === 'today') return { kind: 'today' };
    if (value.startsWith('-')) {
      const ago = parseDurationMs(value.slice(1));
      return ago === undefined ? undefined : { kind: 'ago', ms: ago };
    }
    const day = parseDayNumber(value);
    if (day !== undefined) return { kind: 'day', day };
    const at = parseOffsetInstant(value);
    return at === undefined ? undefined : { kind: 'instant', ms: at.ms };
  },
};

/** The epoch milliseconds of a simulation start, in the contact center's zone. */
export function resolveStart(start: SimulationStart, zone: TimeZone, now: number): number {
  switch (start.kind) {
    case 'now':
      return now;
    case 'today':
      return zone.startOfDay(zone.dayNumberAt(now));
    case 'ago':
      return now - start.ms;
    case 'day':
      return zone.startOfDay(start.day);
    case 'instant':
      return start.ms;
  }
}
