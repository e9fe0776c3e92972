import type { WfmEvent } from '@wfm-stream/schemas';

/**
 * Something that produces events in time order: the simulator, or a replay of a call
 * log. `advance(until)` returns every event with occurredAt < until not returned yet.
 */
export interface EventSource {
  /** Time of the source's first event (epoch ms). */
  readonly startMs: number;
  directory(): WfmEvent[];
  advance(untilMs: number): WfmEvent[];
  /** True when nothing more will ever come. */
  finished(): boolean;
}

/** A finished list of events, already in time order, as a source. */
export function listSource(
  startMs: number,
  directory: readonly WfmEvent[],
  events: readonly WfmEvent[],
  timeOf: (e: WfmEvent) => number,
): EventSource {
  let next = 0;
  return {
    startMs,
    directory: () => [...directory],
    advance(untilMs) {
      const out: WfmEvent[] = [];
      while (next < events.length) {
        const event = events[next];
        if (event === undefined || timeOf(event) >= untilMs) break;
        out.push(event);
        next++;
      }
      return out;
    },
    finished: () => next >= events.length,
  };
}
