import { DAY_MS, groupContribution, type TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { type Keys } from '../keys.js';
import { type AgentContactUpdate, applyAgentContacts } from '../scripts/agent-contacts.js';
import { mergeContactEvents } from '../scripts/contact-merge.js';
import { applyGroupUpdates, groupTombstone, type GroupUpdate } from '../scripts/group-apply.js';
import { settleAll } from '../settle.js';
import {
  type ContactSnapshot,
  decodeContactRecord,
  encodeContactEvent,
  type Home,
  type MergeArgs,
} from './codec.js';
import { groupTerms, serializeTerms, uniquenessMember, uniquenessPrefix } from './group-terms.js';

export interface ContactAggregationSettings {
  readonly zone: TimeZone;
  /** Answer-time target of a group, ms (callAnsweredTst, docs/api.md). */
  readonly serviceLevelMs: (groupId: string) => number;
  /** How long per-contact working state lives after its last change, seconds. */
  readonly stateTtlSeconds: number;
  /** How long figures live after their last change, seconds (RETENTION_DAYS). */
  readonly retentionSeconds: number;
  /** Most distinct events one contact may have (`CONTACT_MAX_EVENTS`, default 64); more are refused. */
  readonly maxEventsPerContact?: number;
  /** Longest span a chat is indexed over for chat work time (`CONTACT_MAX_SPAN`, default 7 days). */
  readonly maxSpanMs?: number;
}

/** `CONTACT_MAX_EVENTS`'s default: a contact has four kinds of events; 64 leaves room for retries with new ids. */
export const DEFAULT_CONTACT_MAX_EVENTS = 64;
/** `CONTACT_MAX_SPAN`'s default, ms: 7 days, the longest duration a `…Ms` field may carry. */
export const DEFAULT_CONTACT_MAX_SPAN_MS = 7 * DAY_MS;

/** An event a contact's limit refused: it changed nothing and belongs in the dead-letter topic. */
export interface RefusedContactEvent {
  readonly contactId: string;
  readonly eventId: string;
}

function countAll(map: ReadonlyMap<string, readonly unknown[]>): number {
  let n = 0;
  for (const list of map.values()) n += list.length;
  return n;
}

export interface ContactBatchResult {
  readonly contacts: number;
  readonly groupUpdates: number;
  readonly agentUpdates: number;
  /** Snapshots after the merge, for callers that derive more from them. */
  readonly snapshots: readonly ContactSnapshot[];
  /** Events refused because their contact already had `maxEventsPerContact` events. */
  readonly refused: readonly RefusedContactEvent[];
}

/**
 * Applies contact events to Redis in two round trips per batch, whatever its size:
 *
 * 1. each contact's events are merged into its record (one script per contact), which
 *    returns the contact as it now stands;
 * 2. each group the contacts belong to (or belonged to) gets the new snapshots (one
 *    script per group), which moves the contacts' contributions and uniqueness.
 *
 * Re-applying a batch changes nothing: events are de-duplicated by id in step 1, and
 * step 2 skips snapshots that are not newer than what the group already holds. A crash
 * between the steps is repaired by the redelivery, because step 1 always returns the
 * current snapshot.
 */
export class ContactAggregation {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly settings: ContactAggregationSettings,
  ) {}

  /**
   * `atMs`, when given, holds each event's occurredAt in epoch ms (as the decoder parsed
   * it), index for index; without it they are parsed here.
   */
  async apply(
    events: readonly ContactEvent[],
    atMs?: readonly number[],
  ): Promise<ContactBatchResult> {
    const { stateTtlSeconds, retentionSeconds } = this.settings;
    // each contact's events, in batch order
    const byContact = new Map<string, MergeArgs[]>();
    let i = 0;
    for (const event of events)
      push(byContact, event.contactId, encodeContactEvent(event, atMs?.[i++]));
    const contactIds = [...byContact.keys()];
    const replies = await settleAll(
      [...byContact].map(([contactId, merged]) =>
        mergeContactEvents(this.redis, {
          key: this.keys.contact(contactId),
          ttlSeconds: stateTtlSeconds,
          maxEvents: this.settings.maxEventsPerContact ?? DEFAULT_CONTACT_MAX_EVENTS,
          events: merged,
        }),
      ),
    );
    const snapshots = replies.map(({ record }, i) =>
      decodeContactRecord(contactIds[i] ?? '', record),
    );
    const refused = replies.flatMap(({ refused: ids }, i) =>
      ids.map((eventId) => ({ contactId: contactIds[i] ?? '', eventId })),
    );
    const maxChatDays = Math.max(
      1,
      Math.ceil((this.settings.maxSpanMs ?? DEFAULT_CONTACT_MAX_SPAN_MS) / DAY_MS) + 1,
    );
    const updates = this.groupUpdates(snapshots);
    const agentUpdates = this.agentUpdates(snapshots);
    const writes: Promise<number>[] = [];
    for (const [groupId, list] of updates)
      writes.push(
        applyGroupUpdates(this.redis, {
          keys: this.keys,
          groupId,
          stateTtlSeconds,
          figuresTtlSeconds: retentionSeconds,
          updates: list,
        }),
      );
    for (const [agentId, list] of agentUpdates)
      writes.push(
        applyAgentContacts(this.redis, {
          keys: this.keys,
          agentId,
          ttlSeconds: retentionSeconds,
          maxChatDays,
          updates: list,
        }),
      );
    await settleAll(writes);
    return {
      contacts: snapshots.length,
      groupUpdates: countAll(updates),
      agentUpdates: countAll(agentUpdates),
      snapshots,
      refused,
    };
  }

  /** What each agent must hear: the contact it answered, tombstones where it no longer belongs. */
  private agentUpdates(snapshots: readonly ContactSnapshot[]): Map<string, AgentContactUpdate[]> {
    const tombstone = (
      { facts, version }: ContactSnapshot,
      utcDay: number,
    ): AgentContactUpdate => ({ contactId: facts.contactId, version, tombstone: true, utcDay });
    return routeSnapshots(snapshots, {
      kind: 'agent',
      dayOf: (at) => Math.floor(at / DAY_MS),
      placeOf: ({ answered }) => answered && { id: answered.agentId, at: answered.at },
      tombstone,
      update: (snapshot, utcDay) => {
        const { facts } = snapshot;
        const answered = facts.answered;
        // a contact a bot closed is no agent's
        if (answered === undefined || facts.ended?.outcome === 'BOT_CLOSED')
          return tombstone(snapshot, utcDay);
        const contact = {
          groupId: facts.offered?.groupId ?? null,
          channel: facts.offered?.channel ?? null,
          answeredAtMs: answered.at,
          endedAtMs: facts.ended?.at ?? null,
          outcome: facts.ended?.outcome ?? null,
          wrappedUp: facts.wrappedUp !== undefined,
        };
        return { ...tombstone(snapshot, utcDay), tombstone: false, contact };
      },
    });
  }

  /** What each group must hear: the current snapshot at the contact's home, tombstones at former ones. */
  private groupUpdates(snapshots: readonly ContactSnapshot[]): Map<string, GroupUpdate[]> {
    const { zone } = this.settings;
    const tombstone = ({ facts, version }: ContactSnapshot, localDay: number): GroupUpdate =>
      groupTombstone(facts.contactId, version, localDay);
    return routeSnapshots(snapshots, {
      kind: 'group',
      dayOf: (at) => zone.dayNumberAt(at),
      placeOf: ({ offered }) => offered && { id: offered.groupId, at: offered.at },
      tombstone,
      update: (snapshot, localDay) => {
        const { facts } = snapshot;
        const offered = facts.offered;
        const contribution =
          offered && groupContribution(facts, this.settings.serviceLevelMs(offered.groupId));
        if (offered === undefined || contribution === undefined)
          return tombstone(snapshot, localDay);
        const prefix = uniquenessPrefix(contribution.customerId);
        return {
          ...tombstone(snapshot, localDay),
          uniquenessPrefix: prefix,
          uniquenessMember: uniquenessMember(prefix, offered.at, facts.contactId),
          tombstone: false,
          terms: serializeTerms(groupTerms(contribution, zone, facts.contactId)),
        };
      },
    });
  }
}

/**
 * Where a batch's snapshots go among the places of one kind (agents by UTC day, groups by
 * local day): each snapshot's update to the place it counts under now, and a tombstone to
 * every place it was counted under before and no longer is.
 */
function routeSnapshots<U>(
  snapshots: readonly ContactSnapshot[],
  route: {
    readonly kind: Home['kind'];
    readonly dayOf: (at: number) => number;
    /** The place a contact counts under now, and the instant that sets its day. */
    readonly placeOf: (facts: ContactSnapshot['facts']) => { id: string; at: number } | undefined;
    readonly tombstone: (snapshot: ContactSnapshot, day: number) => U;
    readonly update: (snapshot: ContactSnapshot, day: number) => U;
  },
): Map<string, U[]> {
  const byPlace = new Map<string, U[]>();
  for (const snapshot of snapshots) {
    const place = route.placeOf(snapshot.facts);
    const current = place && { id: place.id, day: route.dayOf(place.at) };
    for (const former of formerHomes(snapshot.homes, route.kind, current, route.dayOf))
      push(byPlace, former.id, route.tombstone(snapshot, former.day));
    if (current !== undefined) push(byPlace, current.id, route.update(snapshot, current.day));
  }
  return byPlace;
}

function push<T>(map: Map<string, T[]>, id: string, item: T): void {
  const list = map.get(id);
  if (list === undefined) map.set(id, [item]);
  else list.push(item);
}

/**
 * The places of one kind a contact was counted under and is no longer: each (id, day)
 * once, the current place left out.
 */
function formerHomes(
  homes: readonly Home[],
  kind: Home['kind'],
  current: { readonly id: string; readonly day: number } | undefined,
  dayOf: (at: number) => number,
): { id: string; day: number }[] {
  const former = new Map<string, { id: string; day: number }>();
  for (const home of homes) {
    if (home.kind !== kind) continue;
    const day = dayOf(home.at);
    if (home.id === current?.id && day === current.day) continue;
    former.set(`${day}\u0000${home.id}`, { id: home.id, day });
  }
  return [...former.values()];
}
