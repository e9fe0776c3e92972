import type { RedisClient } from '../connection.js';
import type { MergeArgs } from '../contacts/codec.js';
import { defineScript, type ScriptArg } from '../scripts.js';

export interface ContactMergeArgs {
  /** The contact's record (Keys.contact). */
  readonly key: string;
  readonly ttlSeconds: number;
  /** Most distinct events a contact may have (CONTACT_MAX_EVENTS). */
  readonly maxEvents: number;
  readonly events: readonly MergeArgs[];
}

export interface ContactMergeReply {
  /** The whole record after the merge, as a flat field/value array. */
  readonly record: string[];
  /** Ids of the events refused for the limit. */
  readonly refused: string[];
}

const contactMerge = defineScript<ContactMergeArgs, ContactMergeReply>({
  file: 'contact-merge-1.lua',
  encode({ key, ttlSeconds, maxEvents, events }) {
    const argv: ScriptArg[] = [ttlSeconds, maxEvents];
    for (const e of events) argv.push(e.eventId, e.slot, e.order, e.payload, e.home);
    return { keys: [key], argv };
  },
  decode(reply) {
    const [record, refused] = reply as [string[], string[]];
    return { record, refused };
  },
});

/** Merges events into one contact's record (lua/contact-merge-1.lua); returns the record. */
export function mergeContactEvents(
  redis: RedisClient,
  args: ContactMergeArgs,
): Promise<ContactMergeReply> {
  return contactMerge.run(redis, args);
}
