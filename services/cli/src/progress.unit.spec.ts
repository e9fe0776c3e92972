import { describe, expect, it } from 'vitest';

import { Progress, rate } from './progress.js';

function fakeStream(isTTY: boolean, columns?: number) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns, write: (chunk: string) => chunks.push(chunk) };
}

describe('Progress on a terminal', () => {
  it('rewrites one line in place, at most every 250 ms, and ends with the final line', () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = new Progress(stream, { now: () => now });
    for (now = 0; now <= 1_000; now += 50) progress.update((elapsed) => `at ${elapsed}`);
    expect(stream.chunks).toEqual([
      '\r\u001b[Kat 250',
      '\r\u001b[Kat 500',
      '\r\u001b[Kat 750',
      '\r\u001b[Kat 1000',
    ]);
    expect(stream.chunks.join('')).not.toContain('\n');
    progress.done('1000 events in 1.0 s');
    expect(stream.chunks.slice(-2)).toEqual(['\r\u001b[K', '1000 events in 1.0 s\n']);
  });

  it('redraws at once when forced, and cuts a line to the terminal width', () => {
    let now = 0;
    const stream = fakeStream(true, 12);
    const progress = new Progress(stream, { now: () => now });
    now = 10;
    progress.update(() => 'a line much longer than twelve', true);
    expect(stream.chunks).toEqual(['\r\u001b[Ka line muc…']);
  });

  it('ends the in-place line before other output', () => {
    let now = 0;
    const stream = fakeStream(true);
    const progress = new Progress(stream, { now: () => now });
    now = 300;
    progress.update(() => 'working');
    progress.finish();
    progress.finish();
    expect(stream.chunks).toEqual(['\r\u001b[Kworking', '\n']);
  });
});

describe('Progress in a log', () => {
  it('writes a summary every 10 s, not a line per tick, and a final line', () => {
    let now = 0;
    const stream = fakeStream(false);
    const progress = new Progress(stream, { now: () => now });
    // a 4-minute run that reports every 50 ms
    for (now = 0; now <= 240_000; now += 50)
      progress.update(() => `${Math.floor(now / 1000)} s`, true);
    progress.done('done in 240.0 s');
    expect(stream.chunks).toHaveLength(24 + 1);
    expect(stream.chunks[0]).toBe('10 s\n');
    expect(stream.chunks.at(-1)).toBe('done in 240.0 s\n');
    expect(stream.chunks.every((c) => !c.includes('\r'))).toBe(true);
  });

  it('writes nothing new while nothing changes', () => {
    let now = 0;
    const stream = fakeStream(false);
    const progress = new Progress(stream, { now: () => now });
    for (now = 0; now <= 120_000; now += 1_000) progress.update(() => '5000 events published');
    expect(stream.chunks).toEqual(['5000 events published\n']);
  });

  it('keeps the interval a command chose', () => {
    let now = 0;
    const stream = fakeStream(false);
    const progress = new Progress(stream, 5_000);
    expect(progress).toBeInstanceOf(Progress);
    const timed = new Progress(stream, { summaryMs: 5_000, now: () => now });
    for (now = 0; now <= 20_000; now += 1_000) timed.update(() => `${now}`);
    expect(stream.chunks).toEqual(['5000\n', '10000\n', '15000\n', '20000\n']);
  });
});

describe('rate', () => {
  it('is per second, and a dash before any time has passed', () => {
    expect(rate(500, 2_000)).toBe('250/s');
    expect(rate(5, 0)).toBe('—');
  });
});
