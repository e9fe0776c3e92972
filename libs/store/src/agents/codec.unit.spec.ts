import { describe, expect, it } from 'vitest';

import { mergeTimeline, unpackTimeline } from './codec.js';

/** A packed timeline as lua/agent-apply-1.lua writes it. */
function packed(payloads: string[], entries: [number, number, string, number][]): Buffer {
  const rows = entries.map((e) => e.join('\u001d'));
  return Buffer.from(['P1', payloads.join('\u001d'), ...rows].join('\u001e'));
}

describe('packed timelines', () => {
  const text = packed(
    ['S\u001fREADY\u001fReady\u001fAVAILABLE\u001f\u001f', 'O'],
    [
      [919_145_388_000, 0, 'KAZAV-19990216-9', 0],
      [0, 15, '10', 1],
      [121_000, 14, '€1', 0],
    ],
  );

  it('restores times, eventIds from their shared bytes and payloads', () => {
    expect(unpackTimeline(text)).toEqual([
      {
        member: 'KAZAV-19990216-9\u0000S\u001fREADY\u001fReady\u001fAVAILABLE\u001f\u001f',
        ms: 919_145_388_000,
      },
      { member: 'KAZAV-19990216-10\u0000O', ms: 919_145_388_000 },
      {
        member: 'KAZAV-19990216€1\u0000S\u001fREADY\u001fReady\u001fAVAILABLE\u001f\u001f',
        ms: 919_145_509_000,
      },
    ]);
  });

  it('shares bytes, not characters: a cut inside a character is made whole again', () => {
    // '€' is e2 82 ac, '₤' e2 82 a4: they share two bytes
    const bytes = Buffer.concat([
      Buffer.from('P1\u001eO\u001e1\u001d0\u001da€\u001d0\u001e1\u001d3\u001d'),
      Buffer.of(0xa4),
      Buffer.from('\u001d0'),
    ]);
    expect(unpackTimeline(bytes).map((e) => e.member)).toEqual(['a€\u0000O', 'a₤\u0000O']);
  });

  it('merges a day with what arrived after it was packed, in zset order, the set winning', () => {
    const zset = ['KAZAV-19990216-10\u0000O', '919145500000', 'A\u0000O', '919145388000'];
    expect(mergeTimeline(zset, text).map((e) => [e.member.split('\u0000')[0], e.ms])).toEqual([
      ['A', 919_145_388_000],
      ['KAZAV-19990216-9', 919_145_388_000],
      ['KAZAV-19990216-10', 919_145_500_000],
      ['KAZAV-19990216€1', 919_145_509_000],
    ]);
    expect(mergeTimeline(zset, null).map((e) => e.ms)).toEqual([919_145_500_000, 919_145_388_000]);
  });
});
