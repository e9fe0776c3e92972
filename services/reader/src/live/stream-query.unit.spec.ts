import { describe, expect, it } from 'vitest';

import { Coalescer } from './coalescer.js';
import { parseStreamQuery } from './stream-route.js';

describe('parseStreamQuery', () => {
  it('defaults to the two WFM topics and the 15-minute step', () => {
    const q = parseStreamQuery({}, 10);
    expect([...q.topics]).toEqual(['groupsOnlineLoad', 'agentStatus']);
    expect(q.step).toBe(900_000);
    expect(q.groupIds).toBeUndefined();
  });

  it('reads topics, groups and step', () => {
    const q = parseStreamQuery({ topics: 'queues,today', groupId: 'a, b,a', step: '3600000' }, 10);
    expect([...q.topics]).toEqual(['queues', 'today']);
    expect(q.groupIds).toEqual(['a', 'b']);
    expect(q.step).toBe(3_600_000);
  });

  it('refuses unknown topics, other steps and too many groups, naming the parameter', () => {
    expect(() => parseStreamQuery({ topics: 'queues,nope' }, 10)).toThrow(
      expect.objectContaining({ field: 'topics' }),
    );
    expect(() => parseStreamQuery({ step: '60000' }, 10)).toThrow(
      expect.objectContaining({ field: 'step' }),
    );
    expect(() => parseStreamQuery({ step: ['900000', '900000'] }, 10)).toThrow(
      expect.objectContaining({ field: 'step' }),
    );
    expect(() => parseStreamQuery({ groupId: 'a,b,c' }, 2)).toThrow(
      expect.objectContaining({ field: 'groupId' }),
    );
  });
});

describe('Coalescer', () => {
  it('runs at once, folds what comes while it runs or within the gap into one more run', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const coalescer = new Coalescer(
      () =>
        new Promise<void>((resolve) => {
          runs++;
          release = resolve;
        }),
      20,
    );
    coalescer.trigger();
    expect(runs).toBe(1);
    coalescer.trigger();
    coalescer.trigger();
    expect(runs).toBe(1);
    release();
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(2);
    release();
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toBe(2);
    await coalescer.stop();
    coalescer.trigger();
    expect(runs).toBe(2);
  });
});
