import type { ExportInterval } from './intervals.js';

/**
 * Splits what was read once for a run of intervals into each interval's part: the items
 * of every key whose instant (`at`) falls in [startMs, endMs) of an interval, in their
 * order, under the same key; keys with nothing in an interval are left out of its map.
 * The intervals must not overlap (those of a schedule do not); an item in none of them
 * is dropped. One binary search per item, so the cost is that of
 * the items, not items × intervals.
 */
export function splitByInterval<T>(
  intervals: readonly ExportInterval[],
  byKey: ReadonlyMap<string, readonly T[]>,
  at: (item: T) => number,
): Map<string, T[]>[] {
  const order = intervals
    .map((_, i) => i)
    .sort((a, b) => startOf(intervals, a) - startOf(intervals, b));
  const parts = intervals.map(() => new Map<string, T[]>());
  for (const [key, items] of byKey) {
    for (const item of items) {
      const ms = at(item);
      // the last interval (by start) that starts at or before ms
      let low = 0;
      let high = order.length - 1;
      let found = -1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (startOf(intervals, order[mid] ?? 0) <= ms) {
          found = mid;
          low = mid + 1;
        } else high = mid - 1;
      }
      const index = order[found];
      const interval = index === undefined ? undefined : intervals[index];
      if (index === undefined || interval === undefined || ms >= interval.endMs) continue;
      const part = parts[index];
      const list = part?.get(key);
      if (list === undefined) part?.set(key, [item]);
      else list.push(item);
    }
  }
  return parts;
}

function startOf(intervals: readonly ExportInterval[], index: number): number {
  return intervals[index]?.startMs ?? Number.POSITIVE_INFINITY;
}
