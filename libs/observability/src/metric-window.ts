import type { Registry } from 'prom-client';

/** The cumulative buckets of a histogram, summed over the series that were selected. */
export interface HistogramReading {
  /** Upper bounds, ascending; the last is +Infinity. */
  readonly bounds: readonly number[];
  /** Cumulative counts per bound (Prometheus `le` semantics). */
  readonly cumulative: readonly number[];
}

type Labels = Record<string, string | number | undefined>;
export type LabelFilter = (labels: Labels) => boolean;

/** The part of a histogram recorded between two readings of it. */
export function histogramDelta(now: HistogramReading, before?: HistogramReading): HistogramReading {
  if (before?.bounds.length !== now.bounds.length) return now;
  // a counter that went down was reset (a new registry): the new reading is the delta
  const reset = now.cumulative.some((c, i) => c < (before.cumulative[i] ?? 0));
  if (reset) return now;
  return {
    bounds: now.bounds,
    cumulative: now.cumulative.map((c, i) => c - (before.cumulative[i] ?? 0)),
  };
}

/**
 * The q-quantile of a histogram, interpolated linearly inside the bucket that holds it,
 * as Prometheus's `histogram_quantile` does. A quantile in the +Inf bucket is the last
 * finite bound. Undefined when the histogram holds no observation.
 */
export function histogramQuantile(reading: HistogramReading, q: number): number | undefined {
  const { bounds, cumulative } = reading;
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = Math.min(Math.max(q, 0), 1) * total;
  for (let i = 0; i < bounds.length; i++) {
    const upTo = cumulative[i] ?? 0;
    if (upTo < rank) continue;
    const upper = bounds[i] ?? Number.POSITIVE_INFINITY;
    const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
    if (!Number.isFinite(upper)) return lower;
    const below = i === 0 ? 0 : (cumulative[i - 1] ?? 0);
    const inBucket = upTo - below;
    if (inBucket <= 0) return upper;
    return lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return bounds[bounds.length - 2];
}

interface MetricValue {
  readonly value: number;
  readonly labels: Labels;
  readonly metricName?: string;
}

async function valuesOf(registry: Registry, name: string): Promise<MetricValue[] | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  const data = (await metric.get()) as { values: MetricValue[] };
  return data.values;
}

/** The sum of a counter's or gauge's series (those the filter keeps); undefined when absent. */
export async function metricSum(
  registry: Registry,
  name: string,
  filter: LabelFilter = () => true,
): Promise<number | undefined> {
  const values = await valuesOf(registry, name);
  if (values === undefined) return undefined;
  let sum = 0;
  for (const v of values) if (filter(v.labels)) sum += v.value;
  return sum;
}

/** A counter's or gauge's series summed by the value of one label. */
export async function metricByLabel(
  registry: Registry,
  name: string,
  label: string,
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const v of (await valuesOf(registry, name)) ?? []) {
    const key = v.labels[label];
    if (key === undefined) continue;
    result.set(String(key), (result.get(String(key)) ?? 0) + v.value);
  }
  return result;
}

/** A histogram's cumulative buckets, summed over the series the filter keeps. */
export async function histogramReading(
  registry: Registry,
  name: string,
  filter: LabelFilter = () => true,
): Promise<HistogramReading | undefined> {
  const values = await valuesOf(registry, name);
  if (values === undefined) return undefined;
  const byBound = new Map<number, number>();
  for (const v of values) {
    if (v.metricName !== `${name}_bucket`) continue;
    const { le, ...rest } = v.labels;
    if (!filter(rest)) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + v.value);
  }
  const bounds = [...byBound.keys()].sort((a, b) => a - b);
  return { bounds, cumulative: bounds.map((b) => byBound.get(b) ?? 0) };
}

/** p50 and p99 of what a histogram recorded in a window, in milliseconds. */
export interface WindowQuantiles {
  readonly count: number;
  readonly p50Ms?: number | undefined;
  readonly p99Ms?: number | undefined;
}

interface Reading<T> {
  readonly atMs: number;
  readonly value: T;
}

/** Keeps readings for `windowMs` and gives the oldest one still inside it. */
function remember<T>(history: Reading<T>[], reading: Reading<T>, windowMs: number): Reading<T> {
  history.push(reading);
  while (history.length > 1 && (history[1]?.atMs ?? 0) <= reading.atMs - windowMs) history.shift();
  return history[0] ?? reading;
}

/**
 * Rates and quantiles of a registry's metrics over a sliding window (by default the last
 * 10 s for rates and the last minute for quantiles), from readings taken at each call.
 * A service's status snapshot (libs/store status-reporter.ts) is built from these every
 * few seconds, so a quiet minute still shows the latencies of the last events.
 */
export class MetricWindow {
  private readonly counters = new Map<string, Reading<number>[]>();
  private readonly histograms = new Map<string, Reading<HistogramReading>[]>();

  constructor(
    private readonly registry: Registry,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Per-second increase of a counter over the window (0 until two readings exist). */
  async rate(
    name: string,
    filter?: LabelFilter,
    key: string = name,
    windowMs = 10_000,
  ): Promise<number> {
    const value = (await metricSum(this.registry, name, filter)) ?? 0;
    const atMs = this.clock();
    let history = this.counters.get(key);
    if (history === undefined) {
      history = [];
      this.counters.set(key, history);
    }
    const oldest = remember(history, { atMs, value }, windowMs);
    if (atMs <= oldest.atMs || value < oldest.value) return 0;
    return ((value - oldest.value) * 1000) / (atMs - oldest.atMs);
  }

  /** p50/p99 (ms) of what a seconds histogram recorded over the window. */
  async quantiles(
    name: string,
    filter?: LabelFilter,
    key: string = name,
    windowMs = 60_000,
  ): Promise<WindowQuantiles> {
    const now = await histogramReading(this.registry, name, filter);
    if (now === undefined) return { count: 0 };
    const atMs = this.clock();
    let history = this.histograms.get(key);
    if (history === undefined) {
      history = [];
      this.histograms.set(key, history);
    }
    const first = history.length === 0;
    const oldest = remember(history, { atMs, value: now }, windowMs);
    // the first reading covers everything since the start: the window is since then
    const delta = first ? now : histogramDelta(now, oldest.value);
    const count = delta.cumulative[delta.cumulative.length - 1] ?? 0;
    const toMs = (s: number | undefined): number | undefined =>
      s === undefined ? undefined : Math.round(s * 1000 * 10) / 10;
    return {
      count,
      p50Ms: toMs(histogramQuantile(delta, 0.5)),
      p99Ms: toMs(histogramQuantile(delta, 0.99)),
    };
  }
}
