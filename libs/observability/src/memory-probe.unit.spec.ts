import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { type MemorySample, startMemoryProbe } from './memory-probe.js';
import { createRegistry } from './metrics.js';

type TestRegistry = ReturnType<typeof createRegistry>;

async function gauge(registry: TestRegistry, name: string): Promise<[string, number][]> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? []).map((v) => [String(v.labels.node), v.value]);
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('startMemoryProbe', () => {
  it('reports each node, keeps the last values while sampling fails, drops nodes that left', async () => {
    const registry = createRegistry('test');
    const answers: (readonly MemorySample[] | Error)[] = [
      [
        { node: 'a:6379', usedBytes: 100, maxBytes: 1000 },
        { node: 'b:6379', usedBytes: 200, maxBytes: 0 },
      ],
      new Error('connection closed'),
      [{ node: 'b:6379', usedBytes: 300, maxBytes: 0 }],
    ];
    let calls = 0;
    const probe = startMemoryProbe({
      registry,
      target: 'redis',
      intervalMs: 1_000,
      sample: () => {
        const answer = answers[calls++] ?? [];
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
      },
    });
    try {
      await vi.advanceTimersByTimeAsync(0);
      const first = {
        used: [
          ['a:6379', 100],
          ['b:6379', 200],
        ],
        max: [
          ['a:6379', 1000],
          ['b:6379', 0],
        ],
      };
      expect(await gauge(registry, 'wfm_redis_memory_used_bytes')).toEqual(first.used);
      expect(await gauge(registry, 'wfm_redis_memory_max_bytes')).toEqual(first.max);
      await vi.advanceTimersByTimeAsync(1_000); // fails: the last values stay
      expect(calls).toBe(2);
      expect(await gauge(registry, 'wfm_redis_memory_used_bytes')).toEqual(first.used);
      await vi.advanceTimersByTimeAsync(1_000); // node a left
      expect(await gauge(registry, 'wfm_redis_memory_used_bytes')).toEqual([['b:6379', 300]]);
      expect(await gauge(registry, 'wfm_redis_memory_max_bytes')).toEqual([['b:6379', 0]]);
    } finally {
      probe.stop();
    }
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls).toBe(3);
  });
});
