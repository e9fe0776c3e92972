import { DAY_MS, MINUTE_MS } from '../time/instant.js';

export interface Span {
  readonly startMs: number;
  readonly endMs: number;
}

/** Length of the union of spans, clipped to [fromMs, toMs). Overlapping time counts once. */
export function unionLengthMs(spans: readonly Span[], fromMs: number, toMs: number): number {
  const clipped = spans
    .map((s) => ({ startMs: Math.max(s.startMs, fromMs), endMs: Math.min(s.endMs, toMs) }))
    .filter((s) => s.endMs > s.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let coveredUntil = Number.NEGATIVE_INFINITY;
  for (const s of clipped) {
    if (s.endMs <= coveredUntil) continue;
    total += s.endMs - Math.max(s.startMs, coveredUntil);
    coveredUntil = s.endMs;
  }
  return total;
}

export interface WorkDay {
  /** `YYYY-MM-DD` in the request's offset. */
  readonly workDate: string;
  readonly workTimeMs: number;
}

/**
 * agentChatsWorkTime (docs/api.md, "GET /historic/agentChatsWorkTime"): per day (from
 * 00:00 in the request's offset), the time in which the agent handled at least one chat,
 * the union of its chats clipped to the period. Days with no such time are left out.
 */
export function chatWorkDays(
  spans: readonly Span[],
  startMs: number,
  endMs: number,
  offsetMinutes: number,
): WorkDay[] {
  const offsetMs = offsetMinutes * MINUTE_MS;
  const out: WorkDay[] = [];
  let dayStart = Math.floor((startMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  for (; dayStart < endMs; dayStart += DAY_MS) {
    const ms = unionLengthMs(
      spans,
      Math.max(dayStart, startMs),
      Math.min(dayStart + DAY_MS, endMs),
    );
    if (ms > 0) {
      out.push({
        workDate: new Date(dayStart + offsetMs).toISOString().slice(0, 10),
        workTimeMs: ms,
      });
    }
  }
  return out;
}
