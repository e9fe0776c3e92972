import { groupContribution, type TimeZone } from '@wfm-stream/core';
import type { ContactEvent } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { type Keys } from '../keys.js';
import { settleAll } from '../settle.js';
import { type ContactSnapshot, decodeContactRecord, encodeContactEvent } from './codec.js';
import { groupTerms, type Term, uniquenessMember, uniquenessPrefix } from './group-terms.js';

export interface ContactAggregationSettings {
  readonly zone: TimeZone;
  /** Answer-time target of a group, ms (SPEC §6 callAnsweredTst). */
  readonly serviceLevelMs: (groupId: string) => number;
  /** How long per-contact working state lives after its last change, seconds. */
  readonly stateTtlSeconds: number;
  /** How long figures live after their last change, seconds (RETENTION_DAYS). */
  readonly retentionSeconds: number;
}

/** One entry of the group script's ARGV[3]; see lua/group-apply-1.lua. */
interface GroupUpdate {
  readonly c: string;
  readonly v: number;
  readonly d: number;
  readonly p: string;
  readonly m: string;
  readonly x: boolean;
  readonly t: readonly Term[];
}

export interface ContactBatchResult {
  readonly contacts: number;
  readonly groupUpdates: number;
  /** Snapshots after the merge, for callers that derive more from them. */
  readonly snapshots: readonly ContactSnapshot[];
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

  async apply(events: readonly ContactEvent[]): Promise<ContactBatchResult> {
    const byContact = new Map<string, ContactEvent[]>();
    for (const event of events) {
      const list = byContact.get(event.contactId);
      if (list === undefined) byContact.set(event.contactId, [event]);
      else list.push(event);
    }
    const ttl = String(this.settings.stateTtlSeconds);
    const contactIds = [...byContact.keys()];
    const records = await settleAll(
      contactIds.map((contactId) => {
        const args: string[] = [ttl];
        for (const event of byContact.get(contactId) ?? []) {
          const m = encodeContactEvent(event);
          args.push(m.eventId, m.slot, m.order, m.payload, m.home);
        }
        return this.redis.wfmContactMerge(this.keys.contact(contactId), ...args);
      }),
    );
    const snapshots = records.map((flat, i) => decodeContactRecord(contactIds[i] ?? '', flat));
    const updates = this.groupUpdates(snapshots);
    const stateTtl = String(this.settings.stateTtlSeconds);
    const figuresTtl = String(this.settings.retentionSeconds);
    await settleAll(
      [...updates].map(([groupId, list]) =>
        this.redis.wfmGroupApply(
          this.keys.group(groupId),
          stateTtl,
          figuresTtl,
          JSON.stringify(list),
        ),
      ),
    );
    let groupUpdates = 0;
    for (const list of updates.values()) groupUpdates += list.length;
    return { contacts: snapshots.length, groupUpdates, snapshots };
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
        push(home.id, { c: facts.contactId, v: version, d: day, p: '', m: '', x: true, t: [] });
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
          t: [],
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
        t: groupTerms(contribution, zone),
      });
    }
    return byGroup;
  }
}
