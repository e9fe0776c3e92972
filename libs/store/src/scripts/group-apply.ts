import type { RedisClient } from '../connection.js';
import { Keys } from '../keys.js';
import { defineScript, KeyList, type ScriptArg } from '../scripts.js';

/** One contact's snapshot as one group hears it (lua/group-apply-n.lua). */
export interface GroupUpdate {
  readonly contactId: string;
  /** Snapshot version: an update not newer than the stored one is skipped. */
  readonly version: number;
  /** Local day (TIMEZONE) of the offer: where the record and its uniqueness live. */
  readonly localDay: number;
  /** The customer's uniqueness prefix, or '' when the contact is always unique. */
  readonly uniquenessPrefix: string;
  /** Its member of the uniqueness index, or ''. */
  readonly uniquenessMember: string;
  /** The contact left this group or day: its contribution is taken back. */
  readonly tombstone: boolean;
  /** Its contribution, serialised (serializeTerms). */
  readonly terms: string;
}

export interface GroupApplyArgs {
  readonly keys: Keys;
  readonly groupId: string;
  readonly stateTtlSeconds: number;
  readonly figuresTtlSeconds: number;
  readonly updates: readonly GroupUpdate[];
  /** The names of the terms whose keys are declared (lua/includes/vectors.lua). */
  readonly terms: ReadonlySet<string>;
}

const groupApply = defineScript<GroupApplyArgs, number | string[]>({
  file: 'group-apply-n.lua',
  encode({ keys, groupId, stateTtlSeconds, figuresTtlSeconds, updates, terms }) {
    const list = new KeyList();
    const days = new Set(updates.map((u) => u.localDay));
    const argv: ScriptArg[] = [stateTtlSeconds, figuresTtlSeconds, days.size, terms.size];
    for (const day of days)
      argv.push(
        day,
        list.add(keys.contributions(groupId, day)),
        list.add(keys.uniqueness(groupId, day)),
      );
    for (const term of terms) {
      const { sums, historic } = keys.termKeys(groupId, term);
      argv.push(
        term,
        list.add(sums),
        historic === undefined ? 0 : list.add(historic.sums15),
        historic === undefined ? 0 : list.add(historic.version),
      );
    }
    for (const u of updates)
      argv.push(
        u.contactId,
        u.version,
        u.localDay,
        u.uniquenessPrefix,
        u.uniquenessMember,
        u.tombstone ? '1' : '0',
        u.terms,
      );
    return { keys: list.keys, argv };
  },
  decode: (reply) => (Array.isArray(reply) ? reply.map(String) : Number(reply)),
});

/** A call declares the missing terms and runs again at most this often (a concurrent writer). */
const MAX_ATTEMPTS = 5;

/**
 * The names of the terms a call may touch, as far as its arguments tell: those of the new
 * contributions, and around each local day the ones a stored contribution of that day
 * names unless the contact's times changed day (a local day overlaps three UTC days at
 * most). A stored contribution that names another is reported by the script, which then
 * changes nothing, and the call is made again with it declared.
 */
function termsOf(updates: readonly GroupUpdate[]): Set<string> {
  const terms = new Set<string>([Keys.NOW_TERM, Keys.WAITING_TERM]);
  for (const u of updates) {
    for (const utcDay of [u.localDay - 1, u.localDay, u.localDay + 1])
      terms.add(Keys.historicTerm(utcDay));
    terms.add(Keys.dailyTerm(u.localDay));
    if (u.terms === '') continue;
    for (const term of u.terms.split('\u001e')) terms.add(term.slice(0, term.indexOf('\u001f')));
  }
  return terms;
}

/** Applies one group's updates in one script call (two when a stored contribution names other days). */
export async function applyGroupUpdates(
  redis: RedisClient,
  args: Omit<GroupApplyArgs, 'terms'>,
): Promise<number> {
  const terms = termsOf(args.updates);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const reply = await groupApply.run(redis, { ...args, terms });
    if (typeof reply === 'number') return reply;
    for (const term of reply) terms.add(term);
  }
  throw new Error(`group ${args.groupId}: the terms to declare kept changing`);
}
