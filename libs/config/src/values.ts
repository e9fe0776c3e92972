import { TimeZone } from '@wfm-stream/core';
import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `500ms`, `30s`, `15m`, `36h`, `7d`, or a plain number of milliseconds. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

/**
 * A duration greater than 0 (parseDurationMs), in ms; otherwise `message` is the issue,
 * and the setting has no value. For the transforms of duration settings.
 */
export function positiveDurationMs(text: string, ctx: z.RefinementCtx, message: string): number {
  const value = parseDurationMs(text);
  if (value !== undefined && value > 0) return value;
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
}

/** What `setting.keyPrefix` accepts. */
export const KEY_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Building blocks for environment schemas: each takes a string and yields a typed value. */
export const setting = {
  string(defaultValue?: string) {
    return defaultValue === undefined ? z.string() : z.string().default(defaultValue);
  },
  optionalString() {
    return z.string().optional();
  },
  list(defaultValue?: string) {
    const base = defaultValue === undefined ? z.string() : z.string().default(defaultValue);
    return listOf(base);
  },
  /**
   * A list that must be given, without a default: unset, it fails with
   * `is required: <why>`, so that the operator learns what to give.
   */
  requiredList(why: string) {
    return listOf(
      z.string({
        error: (issue) => (issue.input === undefined ? `is required: ${why}` : undefined),
      }),
    );
  },
  int(defaultValue: number, min: number, max: number) {
    return z
      .string()
      .default(String(defaultValue))
      .transform((text, ctx) => {
        const value = Number(text);
        if (!Number.isInteger(value) || value < min || value > max) {
          ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
          return z.NEVER;
        }
        return value;
      });
  },
  bool(defaultValue: boolean) {
    return z
      .string()
      .default(String(defaultValue))
      .transform((text, ctx) => {
        const lowered = text.toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(lowered)) return true;
        if (['false', '0', 'no', 'off'].includes(lowered)) return false;
        ctx.addIssue({ code: 'custom', message: 'must be true or false' });
        return z.NEVER;
      });
  },
  duration(defaultValue: string) {
    return z
      .string()
      .default(defaultValue)
      .transform((text, ctx) =>
        positiveDurationMs(text, ctx, 'must be a duration such as 500ms, 30s, 15m, 36h or 7d'),
      );
  },
  oneOf<const V extends readonly [string, ...string[]]>(values: V, defaultValue: V[number]) {
    return z
      .enum(values, { error: () => `must be one of ${values.join(', ')}` })
      .default(defaultValue);
  },
  /**
   * A URL of one of `schemes`: http:// or https:// by default (what the services call
   * over HTTP); `['redis', 'rediss']` for Redis.
   */
  url(defaultValue?: string, schemes: readonly string[] = ['http', 'https']) {
    const base = defaultValue === undefined ? z.string() : z.string().default(defaultValue);
    const prefixes = schemes.map((scheme) => `${scheme}://`).join(' or ');
    return base.refine((text) => {
      try {
        return schemes.includes(new URL(text).protocol.slice(0, -1));
      } catch {
        return false;
      }
    }, `must be a URL starting with ${prefixes}`);
  },
  /**
   * A Redis key prefix: 1–64 letters, digits, `_`, `.`, `-`, starting with a letter or
   * digit. No `:` (a prefix `wfm:g1` would own the keys of generation g1 of prefix `wfm`,
   * and a rebuild of one would delete the other's), no glob characters (`*`, `?`, `[`,
   * `]`: SCAN patterns) and no braces (`{`, `}`: Redis Cluster hash tags).
   */
  keyPrefix(defaultValue: string) {
    return z
      .string()
      .default(defaultValue)
      .refine(
        (text) => KEY_PREFIX.test(text),
        'must be 1–64 letters, digits, "_", "." or "-", starting with a letter or digit (no ":", "*", "?", "[", "]", "{", "}")',
      );
  },
  timeZone(defaultValue: string) {
    return z
      .string()
      .default(defaultValue)
      .transform((text, ctx) => {
        const zone = TimeZone.of(text);
        if (zone === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be an IANA time zone name such as UTC or Europe/Berlin',
          });
          return z.NEVER;
        }
        return zone;
      });
  },
  port(defaultValue: number) {
    return setting.int(defaultValue, 0, 65_535);
  },
  /** A port that may be left unset (undefined), 0 meaning any free port. */
  optionalPort() {
    return z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (text === undefined) return undefined;
        const value = Number(text);
        if (!Number.isInteger(value) || value < 0 || value > 65_535) {
          ctx.addIssue({ code: 'custom', message: 'must be a whole number from 0 to 65535' });
          return z.NEVER;
        }
        return value;
      });
  },
};

/** Comma-separated items, blanks trimmed and empty ones dropped; at least one. */
function listOf(base: z.ZodString | z.ZodDefault<z.ZodString>) {
  return base
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .refine((items) => items.length > 0, 'must list at least one value');
}
