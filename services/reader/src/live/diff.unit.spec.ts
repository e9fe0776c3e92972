import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { applyDelta, diffRows, isEmptyDelta } from './diff.js';

interface Row {
  readonly id: string;
  readonly n: number;
}
const keyOf = (r: Row): string => r.id;
const rowsArb = fc.uniqueArray(fc.record({ id: fc.string({ maxLength: 3 }), n: fc.nat(5) }), {
  selector: (r) => r.id,
  maxLength: 20,
});

describe('diffRows', () => {
  test.prop([rowsArb, rowsArb])('a client applying the delta has the new rows', (before, after) => {
    const first = diffRows(new Map(), before, keyOf);
    const { delta } = diffRows(first.state, after, keyOf);
    const client = applyDelta(new Map(before.map((r) => [r.id, r])), delta, keyOf);
    expect(client).toEqual(new Map(after.map((r) => [r.id, r])));
  });

  test.prop([rowsArb])('rows that did not change make an empty delta', (rows) => {
    const { state } = diffRows(new Map(), rows, keyOf);
    expect(isEmptyDelta(diffRows(state, rows, keyOf).delta)).toBe(true);
  });

  it('sends only what changed', () => {
    const { state } = diffRows(
      new Map(),
      [
        { id: 'a', n: 1 },
        { id: 'b', n: 2 },
      ],
      keyOf,
    );
    const { delta } = diffRows(
      state,
      [
        { id: 'a', n: 1 },
        { id: 'c', n: 3 },
      ],
      keyOf,
    );
    expect(delta).toEqual({ upsert: [{ id: 'c', n: 3 }], remove: ['b'] });
  });
});
