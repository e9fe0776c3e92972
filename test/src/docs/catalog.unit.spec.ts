import fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { EVENTS_DOC, withCurrentCatalog } from './catalog.js';

describe('docs/events.md', () => {
  it('holds the event catalogue generated from the contract (run `npm run docs` after changing events)', () => {
    const text = fs.readFileSync(EVENTS_DOC, 'utf8');
    expect(text).toBe(withCurrentCatalog(text));
  });
});
