import type { z } from 'zod';

import {
  COMMON_FIELDS,
  definitionOf,
  EVENT_DEFINITIONS,
  type EventDefinition,
  eventSchemas,
  type EventType,
  type WfmEvent,
} from './events.js';
import { parseOffsetInstant } from './instant.js';

export type RejectionKind = 'not-an-object' | 'unknown-type' | 'invalid';

/** Epoch milliseconds, as the contract's one parser read them from a date-time. */
export type EpochMs = number & { readonly __brand: 'EpochMs' };

export type Validation =
  | {
      readonly ok: true;
      readonly event: WfmEvent;
      /** `occurredAt`, parsed once by the contract's parser: no consumer parses it again. */
      readonly atMs: EpochMs;
    }
  | { readonly ok: false; readonly kind: RejectionKind; readonly reason: string };

/** Longest reason a rejection carries (a dead-letter header, a CLI line). */
export const MAX_REASON_LENGTH = 1_000;

function truncate(text: string, max = MAX_REASON_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What a value is, for a reason, without serialising it (it may be huge or deep). */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(truncate(value, 80));
  if (typeof value === 'object') return 'an object';
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const message =
        issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
      return path === '' ? message : `${path} ${message}`;
    })
    .join('; ');
}

/** An event type's fields in the order of its schema (zod outputs them in this order). */
interface Plan {
  readonly names: readonly string[];
  readonly accepts: readonly ((value: unknown) => boolean)[];
  readonly required: readonly boolean[];
}

function planOf(definition: EventDefinition): Plan {
  const fields: [string, (value: unknown) => boolean, boolean][] = [
    ['eventId', COMMON_FIELDS.eventId.accepts, true],
    ['type', (value) => value === definition.type, true],
    ['occurredAt', COMMON_FIELDS.occurredAt.accepts, true],
    ...Object.entries(definition.fields).map(
      ([name, spec]): [string, (value: unknown) => boolean, boolean] => [
        name,
        spec.accepts,
        !spec.optional,
      ],
    ),
  ];
  return {
    names: fields.map(([name]) => name),
    accepts: fields.map(([, accepts]) => accepts),
    required: fields.map(([, , required]) => required),
  };
}

const PLANS = new Map<string, Plan>(EVENT_DEFINITIONS.map((d) => [d.type, planOf(d)]));

/**
 * True when the value is exactly what the schema would output: a plain object with the
 * schema's fields only, in its order, each valid. Such a value is the event as it is (the
 * common case: a producer that writes the fields in the documented order), with no
 * schema run and no copy; any other value goes through the schema, which says what is
 * wrong or puts the fields in order.
 */
function isOutputAsIs(plan: Plan, value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  const { names, accepts, required } = plan;
  let next = 0;
  for (const key in record) {
    while (next < names.length && names[next] !== key) {
      if (required[next] === true) return false;
      next++;
    }
    const accept = accepts[next];
    if (accept?.(record[key]) !== true) return false;
    next++;
  }
  for (; next < names.length; next++) if (required[next] === true) return false;
  return true;
}

/**
 * Validates one decoded event against the contract. The reason is written for a person
 * reading a dead-letter header or a CLI error: which fields are wrong and why. A value
 * that already is the schema's output is returned itself, not a copy of it.
 */
export function validateEvent(value: unknown): Validation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, kind: 'not-an-object', reason: 'an event must be a JSON object' };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || definitionOf(type) === undefined) {
    return {
      ok: false,
      kind: 'unknown-type',
      reason: type === undefined ? 'type is required' : `unknown type ${describeValue(type)}`,
    };
  }
  const plan = PLANS.get(type);
  if (plan !== undefined && isOutputAsIs(plan, value)) {
    const ms = parseOffsetInstant((value as { occurredAt: string }).occurredAt)?.ms;
    if (ms === undefined) throw new Error('a valid event without a parseable occurredAt');
    return { ok: true, event: value as WfmEvent, atMs: ms as EpochMs };
  }
  const result = eventSchemas[type as EventType].safeParse(value);
  if (!result.success) {
    return {
      ok: false,
      kind: 'invalid',
      reason: truncate(`${type}: ${describeIssues(result.error.issues)}`),
    };
  }
  const atMs = parseOffsetInstant(result.data.occurredAt)?.ms;
  if (atMs === undefined) throw new Error('a valid event without a parseable occurredAt');
  return { ok: true, event: result.data, atMs: atMs as EpochMs };
}
