import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';

import { parseMemoryInfo } from './redis-memory.js';

/** The start of a real `INFO memory` answer (Redis 7), CRLF line ends as Redis sends them. */
const INFO = [
  '# Memory',
  'used_memory:1052880',
  'used_memory_human:1.00M',
  'used_memory_rss:13926400',
  'used_memory_peak:1116520',
  'maxmemory:268435456',
  'maxmemory_human:256.00M',
  'maxmemory_policy:noeviction',
  '',
].join('\r\n');

describe('parseMemoryInfo', () => {
  it('reads used_memory and maxmemory, not their look-alikes', () => {
    expect(parseMemoryInfo(INFO)).toEqual({ usedBytes: 1_052_880, maxBytes: 268_435_456 });
    expect(parseMemoryInfo('used_memory:10\nmaxmemory:0\n')).toEqual({
      usedBytes: 10,
      maxBytes: 0,
    });
  });

  it('gives nothing for an answer without both fields as whole numbers', () => {
    expect(parseMemoryInfo('')).toBeUndefined();
    expect(parseMemoryInfo('used_memory:10\n')).toBeUndefined();
    expect(parseMemoryInfo('used_memory:10\nmaxmemory:lots\n')).toBeUndefined();
    expect(parseMemoryInfo('used_memory:-1\nmaxmemory:0\n')).toBeUndefined();
  });

  test.prop([fc.nat(), fc.nat(), fc.shuffledSubarray(INFO.split('\r\n'))])(
    'finds the two numbers wherever they are among other fields',
    (used, max, others) => {
      const lines = [
        ...others.filter((l) => !/^(used_memory|maxmemory):/.test(l)),
        `used_memory:${used}`,
        `maxmemory:${max}`,
      ].reverse();
      expect(parseMemoryInfo(lines.join('\r\n'))).toEqual({ usedBytes: used, maxBytes: max });
    },
  );
});
