import { describe, expect, it } from 'vitest';

import { Health } from './health.js';
import { createRegistry } from './metrics.js';
import { answerOpsRoute } from './ops-server.js';

/** The samples of one metric in a /metrics answer: labels text → value. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match !== null) found.set(match[1] ?? '', Number(match[2]));
  }
  return found;
}

async function scrape(health: Health, registry = createRegistry('test')): Promise<string> {
  const answer = await answerOpsRoute('/metrics', health, registry);
  expect(answer?.status).toBe(200);
  return answer!.body;
}

describe('the health on /metrics', () => {
  it('says what /readyz says, and each component, at every scrape', async () => {
    const health = new Health();
    const registry = createRegistry('test');
    health.register('redis');
    health.register('kafka-consumer');
    let text = await scrape(health, registry);
    expect(samples(text, 'wfm_ready')).toEqual(new Map([['{service="test"}', 0]]));
    expect(samples(text, 'wfm_component_ready')).toEqual(
      new Map([
        ['{component="redis",service="test"}', 0],
        ['{component="kafka-consumer",service="test"}', 0],
      ]),
    );
    health.set('redis', true);
    health.set('kafka-consumer', true);
    text = await scrape(health, registry);
    expect((await answerOpsRoute('/readyz', health, registry))?.status).toBe(200);
    expect(samples(text, 'wfm_ready')).toEqual(new Map([['{service="test"}', 1]]));
    expect([...samples(text, 'wfm_component_ready').values()]).toEqual([1, 1]);
    health.fail('consumer crashed for good');
    text = await scrape(health, registry);
    expect(samples(text, 'wfm_ready').get('{service="test"}')).toBe(0);
    // once per registry: a second scrape does not register the gauges twice
    expect(text.match(/^# TYPE wfm_ready gauge$/gm)).toHaveLength(1);
  });
});
