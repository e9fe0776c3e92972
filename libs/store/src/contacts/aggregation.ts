import { DAY_MS, groupContribution, type TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { type Keys } from '../keys.js';
import { settleAll } from '../settle.js';
import { type ContactSnapshot, decodeContactRecord, encodeContactEvent } from './codec.js';
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

/** One update of the group script; see lua/group-apply-1.lua. */
interface GroupUpdate {
  readonly c: string;
  readonly v: number;
  readonly d: number;
  readonly p: string;
  readonly m: string;
  readonly x: boolean;
  /** Serialised terms (serializeTerms). */
  readonly t: string;
}

function pushGroupArgs(args: string[], update: GroupUpdate): void {
  args.push(
    update.c,
    String(update.v),
    String(update.d),
    update.p,
    update.m,
    update.x ? '1' : '0',
    update.t,
  );
}

function pushAgentContactArgs(args: string[], update: AgentContactUpdate): void {
  const r = update.r;
  args.push(
    update.c,
    String(update.v),
    String(update.d),
    update.x ? '1' : '0',
    r?.g ?? '',
    r?.h ?? '',
    r === undefined ? '' : String(r.a),
    r?.n === null || r?.n === undefined ? '' : String(r.n),
    r?.o ?? '',
    r?.w === true ? '1' : '0',
  );
}

/** One entry of the agent-contacts script's ARGV[2]; see lua/agent-contacts-1.lua. */
interface AgentContactUpdate {
  readonly c: string;
  readonly v: number;
  readonly d: number;
  readonly x: boolean;
  readonly r?: {
    readonly g: string | null;
    readonly h: string | null;
    readonly a: number;
    readonly n: number | null;
    readonly o: string | null;
    readonly w: boolean;
  };
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
    const ttl = String(this.settings.stateTtlSeconds);
    const maxEvents = String(this.settings.maxEventsPerContact ?? DEFAULT_CONTACT_MAX_EVENTS);
    // each contact's script arguments, its events in batch order
    const byContact = new Map<string, string[]>();
    let i = 0;
    for (const event of events) {
      const m = encodeContactEvent(event, atMs?.[i++]);
      const args = byContact.get(event.contactId);
      if (args === undefined)
        byContact.set(event.contactId, [
          ttl,
          maxEvents,
          m.eventId,
          m.slot,
          m.order,
          m.payload,
          m.home,
        ]);
      else args.push(m.eventId, m.slot, m.order, m.payload, m.home);
    }
    const contactIds = [...byContact.keys()];
    const merges: Promise<[string[], string[]]>[] = [];
    for (const [contactId, args] of byContact)
      merges.push(this.redis.wfmContactMerge(this.keys.contact(contactId), ...args));
    const replies = await settleAll(merges);
    const snapshots = replies.map(([flat], i) => decodeContactRecord(contactIds[i] ?? '', flat));
    const refused = replies.flatMap(([, ids], i) =>
      ids.map((eventId) => ({ contactId: contactIds[i] ?? '', eventId })),
    );
    const maxDays = String(
      Math.max(1, Math.ceil((this.settings.maxSpanMs ?? DEFAULT_CONTACT_MAX_SPAN_MS) / DAY_MS) + 1),
    );
    const updates = this.groupUpdates(snapshots);
    const agentUpdates = this.agentUpdates(snapshots);
    const stateTtl = String(this.settings.stateTtlSeconds);
    const figuresTtl = String(this.settings.retentionSeconds);
    const writes: Promise<number>[] = [];
    for (const [groupId, list] of updates) {
      const args = [stateTtl, figuresTtl];
      for (const update of list) pushGroupArgs(args, update);
      writes.push(this.redis.wfmGroupApply(this.keys.group(groupId), ...args));
    }
    for (const [agentId, list] of agentUpdates) {
      const args = [figuresTtl, maxDays];
      for (const update of list) pushAgentContactArgs(args, update);
      writes.push(this.redis.wfmAgentContacts(this.keys.agent(agentId), ...args));
    }
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
    const byAgent = new Map<string, AgentContactUpdate[]>();
    const push = (agentId: string, update: AgentContactUpdate): void => {
      const list = byAgent.get(agentId);
      if (list === undefined) byAgent.set(agentId, [update]);
      else list.push(update);
    };
    for (const { facts, version, homes } of snapshots) {
      const answered = facts.answered;
      const currentDay = answered === undefined ? undefined : Math.floor(answered.at / DAY_MS);
      const former = new Set<string>();
      for (const home of homes) {
        if (home.kind !== 'agent') continue;
        const day = Math.floor(home.at / DAY_MS);
        if (home.id === answered?.agentId && day === currentDay) continue;
        const id = `${day}\u0000${home.id}`;
        if (former.has(id)) continue;
        former.add(id);
        push(home.id, { c: facts.contactId, v: version, d: day, x: true });
      }
      if (answered === undefined || currentDay === undefined) continue;
      const bot = facts.ended?.outcome === 'BOT_CLOSED';
      push(answered.agentId, {
        c: facts.contactId,
        v: version,
        d: currentDay,
        x: bot,
        ...(bot
          ? {}
          : {
              r: {
                g: facts.offered?.groupId ?? null,
                h: facts.offered?.channel ?? null,
                a: answered.at,
                n: facts.ended?.at ?? null,
                o: facts.ended?.outcome ?? null,
                w: facts.wrappedUp !== undefined,
              },
            }),
      });
    }
    return byAgent;
  }

  /** What each group must hear: the current snapshot at the contact's home, tombstones at former ones. */
  private groupUpdates(snapshots: readonly ContactSnapshot[]): Map<string, GroupUpdate[]> {
    const { zone } = this.settings;
    const byGroup = new Map<string, GroupUpdate[]>();
    const push = (groupId: string, update: GroupUpdate): void => {
      const list = byGroup.get(groupId);
      if (list === undefined) byGroup.set(groupId, [update]);
      else list.push(update);
    };
    for (const { facts, version, homes } of snapshots) {
      const offered = facts.offered;
      const currentDay = offered === undefined ? undefined : zone.dayNumberAt(offered.at);
      const former = new Set<string>();
      for (const home of homes) {
        if (home.kind !== 'group') continue;
        const day = zone.dayNumberAt(home.at);
        if (home.id === offered?.groupId && day === currentDay) continue;
        const id = `${day}\u0000${home.id}`;
        if (former.has(id)) continue;
        former.add(id);
        push(home.id, { c: facts.contactId, v: version, d: day, p: '', m: '', x: true, t: '' });
      }
      if (offered === undefined || currentDay === undefined) continue;
      const contribution = groupContribution(facts, this.settings.serviceLevelMs(offered.groupId));
      if (contribution === undefined) {
        push(offered.groupId, {
          c: facts.contactId,
          v: version,
          d: currentDay,
          p: '',
          m: '',
          x: true,
          t: '',
        });
        continue;
      }
      const prefix = uniquenessPrefix(contribution.customerId);
      push(offered.groupId, {
        c: facts.contactId,
        v: version,
        d: currentDay,
        p: prefix,
        m: uniquenessMember(prefix, offered.at, facts.contactId),
        x: false,
        t: serializeTerms(groupTerms(contribution, zone, facts.contactId)),
      });
    }
    return byGroup;
  }
}
