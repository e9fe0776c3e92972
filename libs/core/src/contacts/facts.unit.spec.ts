import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareBytes } from '../index.js';

/** The order of the UTF-8 bytes themselves, as Redis compares strings. */
function byEncoding(a: string, b: string): number {
  return Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

// units around the surrogate range and the top of the BMP, where UTF-16 and UTF-8 orders part
const unit = fc.oneof(
  fc.constantFrom('a', 'b', 'z', '\u00e9', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff'),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00'),
  fc.string({ unit: 'binary', maxLength: 2 }),
);
const text = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));

describe('compareBytes', () => {
  it('orders strings as their UTF-8 bytes do, lone surrogates included', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(Math.sign(compareBytes(a, b))).toBe(byEncoding(a, b));
      }),
      { numRuns: 5_000 },
    );
  });

  it('puts a supplementary character after every character of the BMP', () => {
    expect(compareBytes('\ud83d\ude00', '\uffff')).toBeGreaterThan(0);
    expect(compareBytes('a', 'a\ud800')).toBeLessThan(0);
    expect(compareBytes('g10', 'g9')).toBeLessThan(0);
    expect(compareBytes('same', 'same')).toBe(0);
  });
});
