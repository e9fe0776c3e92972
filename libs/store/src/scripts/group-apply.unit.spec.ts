import { describe, expect, it } from 'vitest';

import { Keys } from '../keys.js';
import { type GroupUpdate, splitBySlot } from './group-apply.js';

const DAY_MS = 86_400_000;
const day = (iso: string): number => Date.parse(iso) / DAY_MS;
const term = (name: string, field: string, base: string, unique = ''): string =>
  `${name}\u001f${field}\u001f2\u001f${base}\u001f${unique}`;

function update(localDay: number, terms: string[], tombstone = false): GroupUpdate {
  return {
    contactId: 'c1',
    version: 3,
    localDay,
    uniquenessPrefix: '1:x',
    uniquenessMember: '1:x000000000000001c1',
    tombstone,
    terms: terms.join('\u001e'),
  };
}

/** Where each term of a contact counts (docs/architecture.md, "A group's months"). */
describe('splitBySlot', () => {
  const jan30 = day('2026-01-30');

  it('sends the offer month the uniqueness and the near terms, the current state now and wq', () => {
    const offer = term(Keys.historicTerm(jan30), '600', '0:1', '3:1');
    const now = term(Keys.NOW_TERM, 'v', '0:1');
    const waiting = term(Keys.WAITING_TERM, 'c1', '0:5');
    const slots = splitBySlot([update(jan30, [offer, now, waiting])]);
    expect([...slots.keys()]).toEqual([Keys.CURRENT, '202601']);
    expect(slots.get('202601')).toEqual([{ ...update(jan30, [offer]), far: [] }]);
    expect(slots.get(Keys.CURRENT)).toEqual([
      {
        ...update(jan30, [now, waiting]),
        uniquenessPrefix: '',
        uniquenessMember: '',
        far: [],
      },
    ]);
  });

  it('sends a term days away across the month’s end to its own month, and names it at home', () => {
    const offer = term(Keys.historicTerm(jan30), '600', '0:1', '3:1');
    const end = term(Keys.historicTerm(jan30 + 6), '600', '8:1');
    const slots = splitBySlot([update(jan30, [offer, end, term(Keys.NOW_TERM, 'v', '')])]);
    expect(slots.get('202601')?.[0]?.far).toEqual(['202602']);
    expect(slots.get('202602')).toEqual([
      { ...update(jan30, [end]), uniquenessPrefix: '', uniquenessMember: '', far: [] },
    ]);
    // a `now` that adds nothing is a tombstone: the record stays short
    expect(slots.get(Keys.CURRENT)?.[0]).toMatchObject({ tombstone: true, terms: '' });
  });

  it('sends a tombstone to the current state and the offer month', () => {
    const slots = splitBySlot([update(jan30, [], true)]);
    expect([...slots.keys()]).toEqual([Keys.CURRENT, '202601']);
    expect(slots.get('202601')?.[0]).toMatchObject({ tombstone: true, far: [] });
  });
});
