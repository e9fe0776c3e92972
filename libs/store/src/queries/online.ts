import type { RedisClient } from '../connection.js';
import { decodeVector } from '../contacts/group-terms.js';
import { Keys } from '../keys.js';
import { settleAll } from '../settle.js';
import { addInto } from './historic.js';

/** A group's figures of one local day and right now, as the aggregator keeps them. */
export interface GroupLoadVectors {
  /** DAYSTATS layout (libs/core contribution.ts); empty when the day has no figures. */
  readonly today: number[];
  /** NOW layout; empty when the group never had a contact. */
  readonly now: number[];
}

/**
 * Reads the online figures of groups: two small hashes per group (three around a month's
 * end), kept up to date by the aggregator as contacts change, so a request costs one
 * round trip whatever the traffic.
 */
export class OnlineQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async groupLoads(
    groupIds: readonly string[],
    localDay: number,
  ): Promise<Map<string, GroupLoadVectors>> {
    // the day's figures are spread over the month slots holding it (Keys.historyMonths)
    const months = Keys.historyMonths(localDay);
    const per = months.length + 1;
    const replies = await settleAll(
      groupIds.flatMap((groupId) => [
        ...months.map((month) =>
          this.redis.hgetBuffer(this.keys.daily(groupId, localDay, month), Keys.VECTOR_FIELD),
        ),
        this.redis.hgetBuffer(this.keys.now(groupId), Keys.VECTOR_FIELD),
      ]),
    );
    const result = new Map<string, GroupLoadVectors>();
    groupIds.forEach((groupId, i) => {
      const today: number[] = [];
      for (let k = 0; k < months.length; k++) {
        const bytes = replies[per * i + k];
        if (bytes) addInto(today, decodeVector(bytes));
      }
      const now = replies[per * i + months.length];
      result.set(groupId, { today, now: now ? decodeVector(now) : [] });
    });
    return result;
  }

  /**
   * The offer time of the contact that has waited longest in each group (absent when
   * none waits), from the group's waiting list. One HVALS per group, one round trip; the
   * list holds only the contacts waiting now.
   */
  async oldestWaiting(groupIds: readonly string[]): Promise<Map<string, number>> {
    const replies = await settleAll(
      groupIds.map((groupId) => this.redis.hvalsBuffer(this.keys.waiting(groupId))),
    );
    const result = new Map<string, number>();
    groupIds.forEach((groupId, i) => {
      let oldest = Number.POSITIVE_INFINITY;
      for (const bytes of replies[i] ?? []) {
        const offeredAt = decodeVector(bytes)[0];
        if (offeredAt !== undefined && offeredAt < oldest) oldest = offeredAt;
      }
      if (Number.isFinite(oldest)) result.set(groupId, oldest);
    });
    return result;
  }
}
