import { describe, expect, it } from 'vitest';

import { operatorCounts } from './online.js';

describe('operatorCounts', () => {
  it('counts logged-in agents in a working category once per directory group', () => {
    const groups = new Map([
      ['a1', ['g1', 'g2']],
      ['a2', ['g1', 'g1']],
      ['a3', ['g1']],
      ['a4', ['g2']],
      ['a5', ['g1']],
    ]);
    const counts = operatorCounts(
      ['g1', 'g2', 'g3'],
      [
        { agentId: 'a1', loggedIn: true, category: 'AVAILABLE' },
        { agentId: 'a2', loggedIn: true, category: 'AFTER_CONTACT_WORK' },
        { agentId: 'a3', loggedIn: true, category: 'NOT_READY' },
        { agentId: 'a4', loggedIn: false, category: '' },
        { agentId: 'a5', loggedIn: true, category: 'BUSY' },
        { agentId: 'unknown', loggedIn: true, category: 'BUSY' },
      ],
      (id) => groups.get(id),
    );
    expect(Object.fromEntries(counts)).toEqual({ g1: 3, g2: 1, g3: 0 });
  });
});
