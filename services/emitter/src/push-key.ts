import { createHash } from 'node:crypto';

import type { StatusPush } from '@wfm-stream/core';

/**
 * The Idempotency-Key of a status push (docs/api.md, "Status pushes to the WFM"): the same
 * for every attempt and every re-send of that push, by any emitter, and different for
 * every other push. A change is named by its agent and its order key (occurredAt, then
 * eventId: unique per agent), a push by the change and its action (a change makes at
 * most one exit and one entry). Hashed, so that the key is short whatever the ids.
 */
export function pushKey(agentId: string, order: string, push: Pick<StatusPush, 'action'>): string {
  const change = createHash('sha256')
    .update(agentId)
    .update('\0')
    .update(order)
    .digest('base64url');
  return `${change.slice(0, 24)}.${push.action}`;
}
