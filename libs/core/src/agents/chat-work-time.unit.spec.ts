import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { chatWorkDays, unionLengthMs } from '../index.js';

const at = (text: string): number => Date.parse(text);

describe('chatWorkDays', () => {
  it('gives the ARGUS WFM CC API example (§3.6, docs/api.md): 4,500,000 ms on 2020-01-01', () => {
    const spans = [
      { startMs: at('2020-01-01T22:45:00Z'), endMs: at('2020-01-01T23:02:00Z') },
      { startMs: at('2020-01-01T22:58:00Z'), endMs: at('2020-01-02T00:12:00Z') },
    ];
    expect(chatWorkDays(spans, at('2020-01-01T00:00:00Z'), at('2020-01-02T00:00:00Z'), 0)).toEqual([
      { workDate: '2020-01-01', workTimeMs: 4_500_000 },
    ]);
    expect(chatWorkDays(spans, at('2020-01-01T00:00:00Z'), at('2020-01-03T00:00:00Z'), 0)).toEqual([
      { workDate: '2020-01-01', workTimeMs: 4_500_000 },
      { workDate: '2020-01-02', workTimeMs: 720_000 },
    ]);
  });

  it('lays days from 00:00 in the request offset', () => {
    const spans = [{ startMs: at('2020-01-01T20:30:00Z'), endMs: at('2020-01-01T21:30:00Z') }];
    expect(
      chatWorkDays(spans, at('2020-01-01T00:00:00+03:00'), at('2020-01-03T00:00:00+03:00'), 180),
    ).toEqual([
      { workDate: '2020-01-01', workTimeMs: 1_800_000 },
      { workDate: '2020-01-02', workTimeMs: 1_800_000 },
    ]);
  });

  test.prop([
    fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 2_000 })), {
      maxLength: 12,
    }),
    fc.integer({ min: 0, max: 6_000 }),
    fc.integer({ min: 0, max: 6_000 }),
  ])('counts each covered millisecond once (brute force check)', (raw, a, b) => {
    const spans = raw.map(([s, len]) => ({ startMs: s, endMs: s + len }));
    const [from, to] = a <= b ? [a, b + 1] : [b, a + 1];
    let covered = 0;
    for (let t = from; t < to; t++) if (spans.some((s) => s.startMs <= t && t < s.endMs)) covered++;
    expect(unionLengthMs(spans, from, to)).toBe(covered);
  });
});
