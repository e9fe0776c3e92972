import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { AnswerCache, stringBytes } from './answer-cache.js';
import { GZIP_THRESHOLD_BYTES, PreparedBody } from './prepared-body.js';

/**
 * READER_CACHE_MB bounds everything the answer cache holds (docs/api.md, "Response
 * encoding and the answer cache"): the keys, the versions, every JSON body and every gzip
 * copy, including the ones made after an answer went in.
 */
const BUDGET = 256 * 1024;

/** The memory a buffer really pins: its whole backing store, not just its view. */
const pinned = (buffer: Buffer): number => buffer.buffer.byteLength;

/**
 * A JSON answer of roughly `size` bytes, some of it non-ASCII; with `noisy`, a random
 * token in each row keeps its gzip copy large.
 */
function answer(size: number, seed: number, noisy = false): string {
  const rows: string[] = [];
  let length = 2;
  let state = seed + 1;
  const token = (): string => {
    let text = '';
    for (let k = 0; k < 4; k += 1) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      text += state.toString(36);
    }
    return text;
  };
  for (let i = 0; length < size; i += 1) {
    const row = JSON.stringify({
      ...(noisy ? { token: token() } : {}),
      groupId: `g${(seed + i) % 97}`,
      name: i % 7 === 0 ? 'Служба поддержки ✓' : 'Individual Support',
      offered: (seed * 31 + i * 17) % 1000,
      noise: ((seed + 1) * (i + 3) * 2_654_435_761) % 4_294_967_296,
    });
    rows.push(row);
    length += row.length + 1;
  }
  return `[${rows.join(',')}]`;
}

interface Tracked {
  readonly key: string;
  readonly versions: string;
  readonly body: PreparedBody;
  gzipped: Buffer | undefined;
}

/** What the cache holds, measured from the outside: the entries it still answers with. */
function heldBytes(cache: AnswerCache, tracked: Iterable<Tracked>): number {
  let total = 0;
  for (const t of tracked) {
    if (!cache.holds(t.key, t.versions, t.body)) continue;
    total += stringBytes(t.key) + stringBytes(t.versions) + pinned(t.body.bytes);
    if (t.gzipped !== undefined) total += pinned(t.gzipped);
  }
  return total;
}

const operation = fc.oneof(
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.integer({ min: 0, max: 30 }),
    version: fc.integer({ min: 0, max: 3 }),
    size: fc.integer({ min: 50, max: 80_000 }),
  }),
  fc.record({
    kind: fc.constant('get' as const),
    key: fc.integer({ min: 0, max: 30 }),
    gzip: fc.boolean(),
  }),
);

describe('the answer cache’s budget', () => {
  test.prop([fc.array(operation, { minLength: 20, maxLength: 120 })], { numRuns: 40 })(
    'never holds more than READER_CACHE_MB, gzip copies included, and counts exactly what it holds',
    (operations) => {
      const cache = new AnswerCache(BUDGET);
      const tracked = new Map<string, Tracked>();
      let offered = 0;
      for (const [i, op] of operations.entries()) {
        // keys like the reader's: the request as JSON, one with a non-Latin-1 group id
        const key = JSON.stringify([[op.key === 7 ? 'группа' : `g${op.key}`], 0, 0, 1, 900_000]);
        if (op.kind === 'set') {
          const versions = `${op.version};${'1,'.repeat(op.key * 10)}`;
          const body = new PreparedBody(answer(op.size, i));
          tracked.set(key, { key, versions, body, gzipped: undefined });
          offered += body.bytes.length;
          cache.set(key, versions, body);
        } else {
          const t = tracked.get(key);
          const body = t === undefined ? undefined : cache.get(key, t.versions);
          if (t !== undefined && body !== undefined && op.gzip) t.gzipped = body.gzip();
        }
        const held = heldBytes(cache, tracked.values());
        expect(held).toBeLessThanOrEqual(BUDGET);
        expect(cache.heldBytes).toBe(held);
      }
      // whatever was offered beyond the budget was evicted
      if (offered > BUDGET) expect(cache.heldBytes).toBeLessThan(offered);
    },
  );

  it('evicts the least recently used answers when gzip copies made later fill it', () => {
    const cache = new AnswerCache(BUDGET);
    const bodies: PreparedBody[] = [];
    // random-ish text compresses badly: each gzip copy is nearly as large as its JSON
    for (let i = 0; i < 5; i += 1) {
      const body = new PreparedBody(answer(45_000, i * 1_000, true));
      bodies.push(body);
      cache.set(`k${i}`, 'v', body);
    }
    expect(cache.size).toBe(5);
    const before = cache.heldBytes;
    expect(before).toBeLessThanOrEqual(BUDGET);
    for (let i = 1; i < 5; i += 1) {
      const body = cache.get(`k${i}`, 'v');
      expect(body).toBe(bodies[i]);
      expect(body?.bytes.length).toBeGreaterThanOrEqual(GZIP_THRESHOLD_BYTES);
      body?.gzip();
      expect(cache.heldBytes).toBeLessThanOrEqual(BUDGET);
    }
    // k0, the least recently used, went first; the counted bytes are what the rest hold
    expect(cache.holds('k0', 'v', bodies[0]!)).toBe(false);
    expect(cache.size).toBeLessThan(5);
    let held = 0;
    for (const [i, body] of bodies.entries()) {
      if (!cache.holds(`k${i}`, 'v', body)) continue;
      held += 2 + 1 + pinned(body.bytes) + pinned(body.gzip());
    }
    expect(cache.heldBytes).toBe(held);
  });

  it('counts a body in UTF-8 bytes, not characters', () => {
    const body = new PreparedBody(JSON.stringify(['Служба ✓'.repeat(100)]));
    expect(body.bytes.length).toBe(Buffer.byteLength(body.json));
    expect(body.bytes.length).toBeGreaterThan(body.json.length);
    expect(pinned(body.bytes)).toBe(body.bytes.length);
    expect(pinned(body.gzip())).toBe(body.gzip().length);
    expect(body.size).toBe(body.bytes.length + body.gzip().length);
  });

  it('keeps nothing larger than half the budget, and nothing at all with budget 0', () => {
    const big = new AnswerCache(BUDGET);
    big.set('k', 'v', new PreparedBody(answer(BUDGET / 2 + 1, 1)));
    expect(big.size).toBe(0);
    const off = new AnswerCache(0);
    off.set('k', 'v', new PreparedBody('[]'));
    expect(off.size).toBe(0);
    expect(off.heldBytes).toBe(0);
  });

  it('stops counting a gzip copy made after its entry was replaced', () => {
    const cache = new AnswerCache(BUDGET);
    const first = new PreparedBody(answer(20_000, 1));
    cache.set('k', 'v1', first);
    const second = new PreparedBody('[1]');
    cache.set('k', 'v2', second);
    first.gzip();
    expect(cache.heldBytes).toBe(1 + 2 + 3);
    expect(cache.get('k', 'v1')).toBeUndefined();
    expect(cache.get('k', 'v2')).toBe(second);
  });

  it('keeps one body under one request only, so its gzip copy is counted once', () => {
    const cache = new AnswerCache(BUDGET);
    const body = new PreparedBody(answer(20_000, 3));
    cache.set('a', 'v', body);
    cache.set('b', 'v', body);
    expect(cache.size).toBe(1);
    body.gzip();
    expect(cache.heldBytes).toBe(1 + 1 + body.size);
  });

  it('counts a string as V8 holds it: one byte a character for Latin-1, two otherwise', () => {
    expect(stringBytes('abc')).toBe(3);
    expect(stringBytes('café')).toBe(4);
    expect(stringBytes('группа')).toBe(12);
  });
});
