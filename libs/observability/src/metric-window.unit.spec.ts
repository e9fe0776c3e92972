import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';

import { histogramDelta, histogramQuantile, MetricWindow } from './metric-window.js';

const reading = (cumulative: number[]) => ({
  bounds: [0.01, 0.1, 1, Number.POSITIVE_INFINITY],
  cumulative,
});

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 10 observations in (0.01, 0.1]
    expect(histogramQuantile(reading([0, 10, 10, 10]), 0.5)).toBeCloseTo(0.055);
    expect(histogramQuantile(reading([5, 10, 10, 10]), 0.5)).toBeCloseTo(0.01);
    expect(histogramQuantile(reading([0, 0, 0, 0]), 0.5)).toBeUndefined();
  });

  it('answers the last finite bound for the +Inf bucket', () => {
    expect(histogramQuantile(reading([0, 0, 0, 4]), 0.99)).toBe(1);
  });

  it('takes the difference of two readings, or the new one after a reset', () => {
    expect(histogramDelta(reading([1, 3, 3, 3]), reading([1, 1, 1, 1])).cumulative).toEqual([
      0, 2, 2, 2,
    ]);
    expect(histogramDelta(reading([0, 1, 1, 1]), reading([1, 1, 1, 1])).cumulative).toEqual([
      0, 1, 1, 1,
    ]);
  });
});

describe('MetricWindow', () => {
  it('gives per-second rates and windowed quantiles from a registry', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'c_total', help: 'c', registers: [registry] });
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      buckets: [0.01, 0.1, 1],
      registers: [registry],
    });
    let now = 0;
    const window = new MetricWindow(registry, () => now);
    expect(await window.rate('c_total')).toBe(0);
    counter.inc(50);
    now = 5_000;
    expect(await window.rate('c_total')).toBe(10);
    for (let i = 0; i < 10; i++) histogram.observe(0.05);
    const first = await window.quantiles('h_seconds');
    expect(first.count).toBe(10);
    expect(first.p50Ms).toBeGreaterThan(10);
    expect(first.p50Ms).toBeLessThanOrEqual(100);
    now = 70_000;
    // a minute later with nothing new: the window is empty
    await window.quantiles('h_seconds');
    now = 140_000;
    expect((await window.quantiles('h_seconds')).count).toBe(0);
  });
});
