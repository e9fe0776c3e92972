import { type BucketVector, DAY_MS, MINUTE_MS } from '@wfm-stream/core';

import type { RedisClient } from '../connection.js';
import { decodeVector } from '../contacts/group-terms.js';
import type { Keys } from '../keys.js';
import { settleAll } from '../settle.js';

export class HistoricQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * The versions of the historic sums an answer about [startMs, endMs) reads: one per
   * group and UTC day, in that order. An answer computed at the same versions is current.
   */
  async versions(groupIds: readonly string[], startMs: number, endMs: number): Promise<string> {
    const firstDay = Math.floor(startMs / DAY_MS);
    const lastDay = Math.floor((endMs - 1) / DAY_MS);
    const keys: string[] = [];
    for (const groupId of groupIds) {
      for (let day = firstDay; day <= lastDay; day++)
        keys.push(this.keys.historicVersion(groupId, day));
    }
    const values = await settleAll(keys.map((key) => this.redis.get(key)));
    // the generation too: a rebuilt state restarts its version counters
    return `${this.keys.prefix}|${values.map((v) => v ?? '0').join(',')}`;
  }

  /**
   * The historic sums of each group in buckets of `bucketMinutes` that start in
   * [startMs, endMs). Reads one hash per group and UTC day, all in one round trip.
   */
  async groupBuckets(
    groupIds: readonly string[],
    startMs: number,
    endMs: number,
    bucketMinutes: 1 | 15,
  ): Promise<Map<string, BucketVector[]>> {
    const firstDay = Math.floor(startMs / DAY_MS);
    const lastDay = Math.floor((endMs - 1) / DAY_MS);
    const requests: { groupId: string; day: number }[] = [];
    for (const groupId of groupIds) {
      for (let day = firstDay; day <= lastDay; day++) requests.push({ groupId, day });
    }
    const replies = await settleAll(
      requests.map(({ groupId, day }) =>
        this.redis.hgetallBuffer(this.keys.historic(groupId, bucketMinutes, day)),
      ),
    );
    const bucketMs = bucketMinutes * MINUTE_MS;
    const result = new Map<string, BucketVector[]>();
    replies.forEach((fields, i) => {
      const request = requests[i];
      if (request === undefined) return;
      for (const [index, bytes] of Object.entries(fields)) {
        const start = request.day * DAY_MS + Number(index) * bucketMs;
        if (start < startMs || start >= endMs) continue;
        let list = result.get(request.groupId);
        if (list === undefined) {
          list = [];
          result.set(request.groupId, list);
        }
        list.push({ startMs: start, vector: decodeVector(bytes) });
      }
    });
    return result;
  }
}
