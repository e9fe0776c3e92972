import { EVENT_EXAMPLES, type WfmEvent } from '@wfm-stream/schemas';
import { waitFor } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { play } from './player.js';
import type { EventSink } from './sink.js';
import { listSource } from './source.js';

const T0 = Date.UTC(2024, 0, 1, 8, 0);

function events(count: number, stepMs: number): WfmEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    ...EVENT_EXAMPLES['contact.offered'],
    eventId: `e${i}`,
    occurredAt: new Date(T0 + i * stepMs).toISOString(),
  }));
}

function collect(): EventSink & { written: WfmEvent[][] } {
  const written: WfmEvent[][] = [];
  return {
    written,
    write: (batch) => {
      written.push([...batch]);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

const timeOf = (e: WfmEvent): number => Date.parse(e.occurredAt);

describe('play', () => {
  it('writes the directory first, then every event in order, at full speed', async () => {
    const list = events(1_000, 1_000);
    const sink = collect();
    const directory = [EVENT_EXAMPLES['group.upserted']];
    const count = await play(listSource(T0, directory, list, timeOf), sink, {
      speed: 'max',
      catchUp: false,
    });
    expect(count).toBe(1_001);
    expect(sink.written[0]).toEqual(directory);
    expect(sink.written.slice(1).flat()).toEqual(list);
    expect(sink.written.length).toBeGreaterThan(2);
  });

  it('stops at the end time it is given', async () => {
    const sink = collect();
    await play(listSource(T0, [], events(100, 60_000), timeOf), sink, {
      speed: 'max',
      catchUp: false,
      untilMs: T0 + 30 * 60_000,
    });
    expect(sink.written.flat().map((e) => e.eventId)).toEqual(
      Array.from({ length: 30 }, (_, i) => `e${i}`),
    );
  });

  it('catches up to now at once, then paces by the wall clock', async () => {
    const list = events(10, 60_000);
    const sink = collect();
    let wall = T0 + 5.5 * 60_000;
    const progress: number[] = [];
    const playing = play(listSource(T0, [], list, timeOf), sink, {
      speed: 1,
      catchUp: true,
      now: () => wall,
      onProgress: (n) => progress.push(n),
    });
    // the catch-up publishes everything before "now" without waiting for the clock,
    // and nothing after it while the clock stands still
    await waitFor(() => sink.written.flat().length >= 6);
    await waitFor(() => progress.length >= 3);
    expect(sink.written.flat().map((e) => e.eventId)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    wall += 10 * 60_000;
    expect(await playing).toBe(10);
    expect(sink.written.flat()).toEqual(list);
  });
});
