import type { WfmEvent } from '@wfm-stream/schemas';

import { pause } from '../pause.js';
import type { EventSink } from './sink.js';
import type { EventSource } from './source.js';

export interface PlayOptions {
  /** `max`: as fast as the sink takes events; a number: that many times real time. */
  readonly speed: number | 'max';
  /**
   * When the source starts in the past: publish everything up to now at once, then go on
   * at `speed` from now. Without it, pacing starts at the source's own start.
   */
  readonly catchUp: boolean;
  /** Stop at this source time (exclusive); unset: when the source finishes, or never. */
  readonly untilMs?: number | undefined;
  /** Called after each write with the events so far and the source clock. */
  readonly onProgress?: (published: number, clockMs: number) => void;
  /** Resolves play early, between writes. */
  readonly signal?: AbortSignal;
  /** Wall clock, for tests. */
  readonly now?: () => number;
}

const TICK_MS = 50;
/** Source time per write when playing at full speed. */
const MAX_SPEED_STEP_MS = 5 * 60_000;

/**
 * Plays a source into a sink: the directory first, then events as their time comes. The
 * source clock runs `speed` times faster than the wall clock; events are written in
 * time order, batched per tick.
 */
export async function play(
  source: EventSource,
  sink: EventSink,
  options: PlayOptions,
): Promise<number> {
  const now = options.now ?? (() => Date.now());
  let published = 0;
  const write = async (events: readonly WfmEvent[], clock: number): Promise<void> => {
    if (events.length > 0) await sink.write(events);
    published += events.length;
    options.onProgress?.(published, clock);
  };
  await write(source.directory(), source.startMs);
  const end = options.untilMs ?? Number.POSITIVE_INFINITY;
  const done = (clock: number): boolean =>
    options.signal?.aborted === true || clock >= end || source.finished();

  if (options.speed === 'max') {
    let clock = source.startMs;
    while (!done(clock)) {
      clock = Math.min(end, clock + MAX_SPEED_STEP_MS);
      await write(source.advance(clock), clock);
    }
    return published;
  }

  const wallStart = now();
  const anchor = options.catchUp ? Math.max(source.startMs, wallStart) : source.startMs;
  const speed = options.speed;
  let clock = source.startMs;
  if (options.catchUp && anchor > source.startMs) {
    while (clock < Math.min(anchor, end) && !done(clock)) {
      clock = Math.min(anchor, end, clock + MAX_SPEED_STEP_MS);
      await write(source.advance(clock), clock);
    }
  }
  while (!done(clock)) {
    await pause(TICK_MS, options.signal);
    clock = Math.min(end, anchor + (now() - wallStart) * speed);
    await write(source.advance(clock), clock);
  }
  return published;
}
