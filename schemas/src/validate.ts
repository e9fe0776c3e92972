import type { z } from 'zod';

import { definitionOf, eventSchemas, type EventType, type WfmEvent } from './events.js';

export type RejectionKind = 'not-an-object' | 'unknown-type' | 'invalid';

export type Validation =
  | { readonly ok: true; readonly event: WfmEvent }
  | { readonly ok: false; readonly kind: RejectionKind; readonly reason: string };

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

/**
 * Validates one decoded event against the contract. The reason is written for a person
 * reading a dead-letter header or a CLI error: which fields are wrong and why.
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
      reason: type === undefined ? 'type is required' : `unknown type ${JSON.stringify(type)}`,
    };
  }
  const result = eventSchemas[type as EventType].safeParse(value);
  if (!result.success) {
    return {
      ok: false,
      kind: 'invalid',
      reason: `${type}: ${describeIssues(result.error.issues)}`,
    };
  }
  return { ok: true, event: result.data };
}
