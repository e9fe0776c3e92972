import { type BucketVector, DAY_MS, MINUTE_MS } from '@wfm-stream/core';

import type { RedisClient } from '../connection.js';
import { decodeVector } from '../contacts/group-terms.js';
import { Keys } from '../keys.js';
import { settleAll } from '../settle.js';

export class HistoricQueries {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * The versions of the historic sums an answer about [startMs, endMs) reads: one per
   * group, UTC day and month slot holding that day (Keys.historyMonths), in that order. An
   * answer computed at the same versions is current.
   */
  async versions(groupIds: readonly string[], startMs: number, endMs: number): Promise<string> {
    const firstDay = Math.floor(startMs / DAY_MS);
    const lastDay = Math.floor((endMs - 1) / DAY_MS);
    const keys: string[] = [];
    for (const groupId of groupIds) {
      for (let day = firstDay; day <= lastDay; day++)
        for (const month of Keys.historyMonths(day))
          keys.push(this.keys.historicVersion(groupId, day, month));
    }
    const values = await settleAll(keys.map((key) => this.redis.get(key)));
    // the generation too: a rebuilt state restarts its version counters
    return `${this.keys.prefix}|${values.map((v) => v ?? '0').join(',')}`;
  }

  /**
   * The historic sums of each group in buckets of `bucketMinutes` that start in
   * [startMs, endMs), each bucket once. Reads one hash per group, UTC day and month slot
   * holding that day (Keys.historyMonths: one, or two around a month's end), all in one
   * round trip, and adds up what the months hold of one bucket.
   */
  async groupBuckets(
    groupIds: readonly string[],
    startMs: number,
    endMs: number,
    bucketMinutes: 1 | 15,
  ): Promise<Map<string, BucketVector[]>> {
    const firstDay = Math.floor(startMs / DAY_MS);
    const lastDay = Math.floor((endMs - 1) / DAY_MS);
    const requests: { groupId: string; day: number; month: string }[] = [];
    for (const groupId of groupIds) {
      for (let day = firstDay; day <= lastDay; day++)
        for (const month of Keys.historyMonths(day)) requests.push({ groupId, day, month });
    }
    const replies = await settleAll(
      requests.map(({ groupId, day, month }) =>
        this.redis.hgetallBuffer(this.keys.historic(groupId, bucketMinutes, day, month)),
      ),
    );
    const bucketMs = bucketMinutes * MINUTE_MS;
    const byGroup = new Map<string, Map<number, number[]>>();
    replies.forEach((fields, i) => {
      const request = requests[i];
      if (request === undefined) return;
      for (const [index, bytes] of Object.entries(fields)) {
        const start = request.day * DAY_MS + Number(index) * bucketMs;
        if (start < startMs || start >= endMs) continue;
        let buckets = byGroup.get(request.groupId);
        if (buckets === undefined) {
          buckets = new Map();
          byGroup.set(request.groupId, buckets);
        }
        const vector = decodeVector(bytes);
        const sum = buckets.get(start);
        if (sum === undefined) buckets.set(start, vector);
        else addInto(sum, vector);
      }
    });
    const result = new Map<string, BucketVector[]>();
    for (const [groupId, buckets] of byGroup)
      result.set(
        groupId,
        [...buckets].map(([start, vector]) => ({ startMs: start, vector })),
      );
    return result;
  }
}

/** Adds `vector` into `sum`, entry by entry (sums of contributions add up: contribution.ts). */
export function addInto(sum: number[], vector: readonly number[]): void {
  for (let i = 0; i < vector.length; i++) sum[i] = (sum[i] ?? 0) + (vector[i] ?? 0);
}
