import { describe, expect, it } from 'vitest';

import { pushKey } from './push-key.js';

describe('pushKey', () => {
  it('is stable per push and differs between pushes, changes and agents', () => {
    const key = pushKey('a1', '001704700800000e1', { action: 1 });
    expect(key).toBe(pushKey('a1', '001704700800000e1', { action: 1 }));
    expect(key).toMatch(/^[\w-]{24}\.1$/);
    const others = [
      pushKey('a1', '001704700800000e1', { action: 0 }),
      pushKey('a1', '001704700800000e2', { action: 1 }),
      pushKey('a2', '001704700800000e1', { action: 1 }),
      // the separator keeps (agent, order) pairs apart
      pushKey('a10', '01704700800000e1', { action: 1 }),
    ];
    expect(new Set([key, ...others]).size).toBe(5);
  });
});
