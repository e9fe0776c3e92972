import type { RedisClient } from '../connection.js';
import { type GroupSlot, Keys } from '../keys.js';
import { defineScript, KeyList, type ScriptArg } from '../scripts.js';
import { settleAll } from '../settle.js';

/** One contact's snapshot as one group hears it. */
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

/** A contact's update that takes back what it counted in a group on a local day. */
export function groupTombstone(contactId: string, version: number, localDay: number): GroupUpdate {
  return {
    contactId,
    version,
    localDay,
    uniquenessPrefix: '',
    uniquenessMember: '',
    tombstone: true,
    terms: '',
  };
}

/** What one slot of a group hears of a contact (lua/group-apply-n.lua). */
export interface SlotUpdate extends GroupUpdate {
  /** In the offer day's month: the other months this contribution has terms in. */
  readonly far: readonly string[];
}

export interface SlotApplyArgs {
  readonly keys: Keys;
  readonly groupId: string;
  readonly slot: GroupSlot;
  readonly stateTtlSeconds: number;
  readonly figuresTtlSeconds: number;
  readonly updates: readonly SlotUpdate[];
  /** The names of the terms whose keys are declared (lua/includes/vectors.lua). */
  readonly terms: ReadonlySet<string>;
}

/** A far month recorded for a contact that its update did not name. */
interface FarMonth {
  readonly contactId: string;
  readonly localDay: number;
  readonly month: string;
}

interface SlotReply {
  readonly applied: number;
  readonly missing: readonly string[];
  readonly far: readonly FarMonth[];
}

function decodeSlotReply(reply: unknown): SlotReply {
  const [applied, missing, far] = reply as [unknown, unknown[], unknown[]];
  const months: FarMonth[] = [];
  for (let i = 0; i + 2 < far.length; i += 3)
    months.push({
      contactId: String(far[i]),
      localDay: Number(far[i + 1]),
      month: String(far[i + 2]),
    });
  return { applied: Number(applied), missing: missing.map(String), far: months };
}

const groupApply = defineScript<SlotApplyArgs, SlotReply>({
  file: 'group-apply-n.lua',
  encode({ keys, groupId, slot, stateTtlSeconds, figuresTtlSeconds, updates, terms }) {
    const list = new KeyList();
    const days = new Set(updates.map((u) => u.localDay));
    const argv: ScriptArg[] = [stateTtlSeconds, figuresTtlSeconds, days.size, terms.size];
    for (const day of days) {
      // the uniqueness of a day and its contacts' far months live in the day's month
      const home = slot === Keys.month(day);
      argv.push(
        day,
        list.add(keys.contributions(groupId, day, slot)),
        home ? list.add(keys.uniqueness(groupId, day)) : 0,
        home ? list.add(keys.farMonths(groupId, day)) : 0,
      );
    }
    for (const term of terms) {
      const { sums, historic } = keys.termKeys(groupId, term, slot);
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
        u.far.join(','),
      );
    return { keys: list.keys, argv };
  },
  decode: decodeSlotReply,
});

/** A call declares the missing terms and runs again at most this often (a concurrent writer). */
const MAX_ATTEMPTS = 5;

const TERM_SEPARATOR = '\u001e';

function termName(term: string): string {
  return term.slice(0, term.indexOf('\u001f'));
}

/** The slot a term of a contact offered on local day `offerDay` counts in (Keys.termMonth). */
function slotOf(term: string, offerDay: number): GroupSlot {
  const day = Keys.termDay(termName(term));
  return day === undefined ? Keys.CURRENT : Keys.termMonth(day, offerDay);
}

/** A serialised term that adds nothing: its base and unique-only vectors are all zero. */
function isZero(term: string): boolean {
  const [, , , base, unique] = term.split('\u001f');
  return base === '' && (unique ?? '') === '';
}

function push<T>(map: Map<GroupSlot, T[]>, slot: GroupSlot, item: T): void {
  const list = map.get(slot);
  if (list === undefined) map.set(slot, [item]);
  else list.push(item);
}

/**
 * One group's updates split by slot (docs/architecture.md, "Key layout"): every contact's
 * update goes to the group's current state (its `now` and `wq` terms; a tombstone when
 * they add nothing, so its record stays short) and to its offer day's month (its
 * uniqueness, and every term a reader of that term's day reads there), and, when it has
 * terms far from its offer across a month's end, to the months of those.
 */
export function splitBySlot(updates: readonly GroupUpdate[]): Map<GroupSlot, SlotUpdate[]> {
  const bySlot = new Map<GroupSlot, SlotUpdate[]>();
  for (const u of updates) {
    const home = Keys.month(u.localDay);
    const slotTerms = new Map<GroupSlot, string[]>();
    if (!u.tombstone && u.terms !== '')
      for (const term of u.terms.split(TERM_SEPARATOR)) {
        const slot = slotOf(term, u.localDay);
        const list = slotTerms.get(slot);
        if (list === undefined) slotTerms.set(slot, [term]);
        else list.push(term);
      }
    const far = [...slotTerms.keys()].filter((s) => s !== Keys.CURRENT && s !== home);
    const plain = { ...u, uniquenessPrefix: '', uniquenessMember: '', far: [] };
    const current = (slotTerms.get(Keys.CURRENT) ?? []).filter((t) => !isZero(t));
    push(bySlot, Keys.CURRENT, {
      ...plain,
      tombstone: current.length === 0,
      terms: current.join(TERM_SEPARATOR),
    });
    push(bySlot, home, {
      ...u,
      terms: (slotTerms.get(home) ?? []).join(TERM_SEPARATOR),
      far,
    });
    for (const month of far)
      push(bySlot, month, { ...plain, terms: (slotTerms.get(month) ?? []).join(TERM_SEPARATOR) });
  }
  return bySlot;
}

/**
 * The names of the terms a call may touch, as far as its arguments tell: those of the new
 * contributions, and in the current slot `now` and `wq`, and in the month of a local day
 * the ones a stored contribution of that day names unless the contact's times changed day
 * (a local day overlaps three UTC days at most). A stored contribution that names another
 * is reported by the script, which then changes nothing, and the call is made again with
 * it declared.
 */
function termsOf(slot: GroupSlot, updates: readonly SlotUpdate[]): Set<string> {
  const terms = new Set<string>();
  if (slot === Keys.CURRENT) terms.add(Keys.NOW_TERM).add(Keys.WAITING_TERM);
  for (const u of updates) {
    if (slot === Keys.month(u.localDay)) {
      for (const utcDay of [u.localDay - 1, u.localDay, u.localDay + 1])
        terms.add(Keys.historicTerm(utcDay));
      terms.add(Keys.dailyTerm(u.localDay));
    }
    if (u.terms === '') continue;
    for (const term of u.terms.split(TERM_SEPARATOR)) terms.add(termName(term));
  }
  return terms;
}

type GroupApplyArgs = Omit<SlotApplyArgs, 'terms' | 'slot' | 'updates'>;

/** Applies one slot's updates in one script call (two when a stored contribution names other days). */
async function applySlot(
  redis: RedisClient,
  args: GroupApplyArgs,
  slot: GroupSlot,
  updates: readonly SlotUpdate[],
): Promise<SlotReply> {
  const terms = termsOf(slot, updates);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const reply = await groupApply.run(redis, { ...args, slot, updates, terms });
    if (reply.missing.length === 0) return reply;
    for (const term of reply.missing) terms.add(term);
  }
  throw new Error(`group ${args.groupId}: the terms to declare kept changing`);
}

/**
 * Applies one group's updates: one script call per slot, all sent at once. When a
 * contact's offer month names far months its update no longer has terms in, the
 * contact's terms there are taken back with the same version, in one more call per such
 * month. Returns the number of contact updates applied.
 */
export async function applyGroupUpdates(
  redis: RedisClient,
  args: GroupApplyArgs & { readonly updates: readonly GroupUpdate[] },
): Promise<number> {
  const { updates, ...common } = args;
  const bySlot = splitBySlot(updates);
  const replies = await settleAll(
    [...bySlot].map(([slot, list]) => applySlot(redis, common, slot, list)),
  );
  let applied = 0;
  const versions = new Map<string, number>();
  for (const u of updates) versions.set(`${u.contactId}\u0000${u.localDay}`, u.version);
  const retract = new Map<GroupSlot, SlotUpdate[]>();
  [...bySlot.keys()].forEach((slot, i) => {
    const reply = replies[i];
    if (reply === undefined) return;
    // every update goes to the current slot once
    if (slot === Keys.CURRENT) applied = reply.applied;
    for (const { contactId, localDay, month } of reply.far) {
      const version = versions.get(`${contactId}\u0000${localDay}`);
      if (version === undefined) continue;
      push(retract, month, { ...groupTombstone(contactId, version, localDay), far: [] });
    }
  });
  if (retract.size > 0)
    await settleAll([...retract].map(([slot, list]) => applySlot(redis, common, slot, list)));
  return applied;
}
