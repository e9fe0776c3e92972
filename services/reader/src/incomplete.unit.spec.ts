import { describe, expect, it } from 'vitest';

import { incompleteHeader, type LostSpan, lostSpans } from './incomplete.js';

/** The X-WFM-Incomplete header of historic answers (docs/api.md, "Incomplete data"). */
const ms = (iso: string): number => Date.parse(iso);
const day = { startDate: '2020-01-01T00:00:00Z', endDate: '2020-01-02T00:00:00Z' };

describe('lostSpans', () => {
  it('spans from the last record before a gap to the first after it', () => {
    expect(lostSpans([{ beforeMs: 1, afterMs: 5, detectedAtMs: 9 }])).toEqual([
      { fromMs: 1, toMs: 5 },
    ]);
  });

  it('ends at the detection when no record after the gap is known, and has no start when none before is', () => {
    expect(lostSpans([{ detectedAtMs: 9 }])).toEqual([{ fromMs: undefined, toMs: 9 }]);
    expect(lostSpans([])).toEqual([]);
  });
});

describe('incompleteHeader', () => {
  const inside: LostSpan = { fromMs: ms('2020-01-01T10:00:00Z'), toMs: ms('2020-01-01T11:00:00Z') };

  it('is absent when nothing was lost', () => {
    expect(incompleteHeader(day, [])).toBeUndefined();
  });

  it('names a lost span inside the period as an ISO interval', () => {
    expect(incompleteHeader(day, [inside])).toBe(
      '2020-01-01T10:00:00.000Z/2020-01-01T11:00:00.000Z',
    );
  });

  it('writes an unknown start as ..', () => {
    expect(incompleteHeader(day, [{ toMs: ms('2020-01-01T01:00:00Z') }])).toBe(
      '../2020-01-01T01:00:00.000Z',
    );
  });

  it('leaves out spans that end by the start or begin at the end (half-open overlap)', () => {
    const before: LostSpan = { fromMs: ms('2019-12-31T00:00:00Z'), toMs: ms(day.startDate) };
    const after: LostSpan = { fromMs: ms(day.endDate), toMs: ms('2020-01-03T00:00:00Z') };
    const unknownStartBefore: LostSpan = { toMs: ms('2019-12-31T12:00:00Z') };
    expect(incompleteHeader(day, [before, after, unknownStartBefore])).toBeUndefined();
    // a span across either end overlaps
    const acrossStart: LostSpan = {
      fromMs: ms('2019-12-31T23:00:00Z'),
      toMs: ms(day.startDate) + 1,
    };
    const acrossEnd: LostSpan = { fromMs: ms(day.endDate) - 1, toMs: ms('2020-01-02T01:00:00Z') };
    expect(incompleteHeader(day, [acrossStart, acrossEnd])?.split(', ')).toHaveLength(2);
  });

  it('keeps the order of the spans and names at most 10', () => {
    const spans = Array.from({ length: 12 }, (_, i) => ({
      fromMs: ms('2020-01-01T00:00:00Z') + i * 60_000,
      toMs: ms('2020-01-01T00:00:30Z') + i * 60_000,
    }));
    const header = incompleteHeader(day, spans) ?? '';
    expect(header.split(', ')).toHaveLength(10);
    expect(header.startsWith('2020-01-01T00:00:00.000Z/2020-01-01T00:00:30.000Z, ')).toBe(true);
    expect(header).not.toContain('T00:11:00');
  });

  it('reads an offset whose + arrived as a space', () => {
    // 03:00+03:00 is midnight UTC: the span at 00:30 UTC is inside 03:00–04:00 local
    const query = { startDate: '2020-01-01T03:00:00 03:00', endDate: '2020-01-01T04:00:00 03:00' };
    const span = { fromMs: ms('2020-01-01T00:30:00Z'), toMs: ms('2020-01-01T00:40:00Z') };
    expect(incompleteHeader(query, [span])).toBe(
      '2020-01-01T00:30:00.000Z/2020-01-01T00:40:00.000Z',
    );
  });

  it('is absent when the period cannot be read: missing, not text, or not a date-time', () => {
    for (const query of [
      {},
      { startDate: day.startDate },
      { endDate: day.endDate },
      { startDate: [day.startDate], endDate: day.endDate },
      { startDate: day.startDate, endDate: 42 },
      { startDate: 'yesterday', endDate: day.endDate },
      { startDate: day.startDate, endDate: '2020-01-02T00:00:00' },
    ])
      expect(incompleteHeader(query, [inside]), JSON.stringify(query)).toBeUndefined();
  });
});
