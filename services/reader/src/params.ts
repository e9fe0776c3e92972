import {
  DAY_MS,
  isValidStep,
  MINUTE_MS,
  type OffsetInstant,
  parseOffsetInstant,
} from '@wfm-stream/core';

import { badRequest } from './errors.js';

/**
 * Query parameters: each parsed once, with the 400 body of docs/api.md when wrong. The same
 * specs describe the parameters in /openapi.json.
 */
export interface ParamSpec<T> {
  readonly name: string;
  readonly description: string;
  readonly required: boolean;
  readonly schema: Record<string, unknown>;
  /** A valid value for /openapi.json; an endpoint's examples together make a valid request. */
  readonly example?: unknown;
  parse(raw: unknown): T;
}

type Query = Record<string, unknown>;

function single(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) {
    if (raw.length === 1 && typeof raw[0] === 'string') return raw[0];
    throw badRequest(name, `${name} is repeated`, `Give ${name} once.`);
  }
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw badRequest(name, `${name} is malformed`, `Give ${name} as plain text.`);
}

/**
 * A `+` in an unencoded query string arrives as a space (`...T00:00:00 03:00`); that is
 * what a client meant by `+03:00`, so it is read that way.
 */
function restorePlus(text: string): string {
  return text.replace(/^(.+T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:\d{2})$/, '$1+$2');
}

export function dateTimeParam(
  name: string,
  description: string,
  example: string,
): ParamSpec<OffsetInstant> {
  return {
    name,
    description,
    required: true,
    schema: { type: 'string', format: 'date-time' },
    example,
    parse(raw) {
      const text = single(name, raw);
      // "required" only when absent; a present value, empty included, is told what is wrong
      if (text === undefined) {
        throw badRequest(
          name,
          `${name} is required`,
          `Give ${name} as an ISO-8601 date-time with an offset.`,
        );
      }
      const parsed = parseOffsetInstant(restorePlus(text));
      if (parsed === undefined) {
        throw badRequest(
          name,
          `${name} is not a date-time with an offset`,
          `${name} must be an ISO-8601 date-time with an offset, such as 2020-01-01T00:00:00Z or 2020-01-01T00:00:00+03:00; got "${text}".`,
        );
      }
      return parsed;
    },
  };
}

export const stepParam: ParamSpec<number> = {
  name: 'step',
  description:
    'Interval length in milliseconds: a positive multiple of 60000 that divides a day (86400000).',
  required: true,
  schema: {
    type: 'integer',
    format: 'int64',
    minimum: 60000,
    maximum: 86400000,
    multipleOf: 60000,
  },
  example: 900000,
  parse(raw) {
    const text = single('step', raw);
    if (text === undefined) {
      throw badRequest(
        'step',
        'step is required',
        'Give step, the interval length in milliseconds.',
      );
    }
    const step = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!isValidStep(step)) {
      throw badRequest(
        'step',
        'step is not a valid interval length',
        `step must be a positive multiple of 60000 ms that divides 86400000 (a day), such as 300000 or 900000; got "${text}".`,
      );
    }
    return step;
  },
};

export function idListParam(
  name: string,
  description: string,
  maxIds: number,
): ParamSpec<string[]> {
  return {
    name,
    description: `${description} Repeated (\`${name}=1&${name}=2\`), comma-separated (\`${name}=1,2\`) or both; blanks trimmed, empty items ignored, repeated ids counted once; at most ${maxIds} ids.`,
    required: true,
    schema: { type: 'array', items: { type: 'string' }, minItems: 1 },
    example: ['1', '2'],
    parse(raw) {
      const parts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
        .flatMap((item) => String(item).split(','))
        .map((item) => item.trim())
        .filter((item) => item !== '');
      if (raw === undefined) {
        throw badRequest(
          name,
          `${name} is required`,
          `Give one or more ${name} values, separated by commas.`,
        );
      }
      if (parts.length === 0) {
        throw badRequest(
          name,
          `${name} lists no ids`,
          `${name} must list one or more ids, separated by commas; got only empty items.`,
        );
      }
      const ids = [...new Set(parts)];
      if (ids.length > maxIds) {
        throw badRequest(
          name,
          `too many ${name} values`,
          `At most ${maxIds} ${name} values can be asked for at once; got ${ids.length}. Split the request.`,
        );
      }
      return ids;
    },
  };
}

export interface Period {
  readonly start: OffsetInstant;
  readonly end: OffsetInstant;
}

/** endDate after startDate, and not longer than maxDays (docs/api.md, "Conventions"). */
export function checkPeriod(period: Period, maxDays: number): Period {
  if (period.end.ms <= period.start.ms) {
    throw badRequest(
      'endDate',
      'endDate is not after startDate',
      'endDate must be later than startDate.',
    );
  }
  if (period.end.ms - period.start.ms > maxDays * DAY_MS) {
    throw badRequest(
      'endDate',
      'period too long',
      `A request may cover at most ${maxDays} days; split longer periods into several requests.`,
    );
  }
  return period;
}

/** Interval figures are kept per minute: periods must start and end on whole minutes. */
export function checkWholeMinutes(period: Period): void {
  for (const [name, instant] of [
    ['startDate', period.start],
    ['endDate', period.end],
  ] as const) {
    if (instant.ms % MINUTE_MS !== 0) {
      throw badRequest(
        name,
        `${name} is not on a whole minute`,
        `${name} must fall on a whole minute (seconds 00) for interval figures.`,
      );
    }
  }
}

export function parseQuery<T extends Record<string, ParamSpec<unknown>>>(
  query: Query,
  specs: T,
): { [K in keyof T]: T[K] extends ParamSpec<infer V> ? V : never } {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = spec.parse(query[spec.name]);
  return out as { [K in keyof T]: T[K] extends ParamSpec<infer V> ? V : never };
}
