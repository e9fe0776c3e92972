import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A Prometheus registry with the process metrics every service exposes. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'wfm_' });
  return registry;
}

/** Seconds since a start mark taken with `process.hrtime.bigint()`. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A histogram's label names and bucket bounds (upper bounds, in the metric's unit). */
export interface HistogramDeclaration<L extends string> {
  readonly labels: readonly L[];
  readonly buckets: readonly number[];
}

/**
 * Declares the metrics of one component on a registry, each in one call: its name, its
 * help and its label names, typed. The names and labels are what the Grafana dashboard
 * and the alerting rules read (deploy/k8s/README.md, "Metrics"): renaming one breaks them.
 */
export class MetricDeclarations {
  constructor(private readonly registry: Registry) {}

  counter<L extends string = never>(
    name: string,
    help: string,
    labels: readonly L[] = [],
  ): Counter<L> {
    return new Counter<L>({ name, help, labelNames: labels, registers: [this.registry] });
  }

  gauge<L extends string = never>(name: string, help: string, labels: readonly L[] = []): Gauge<L> {
    return new Gauge<L>({ name, help, labelNames: labels, registers: [this.registry] });
  }

  histogram<L extends string>(
    name: string,
    help: string,
    { labels, buckets }: HistogramDeclaration<L>,
  ): Histogram<L> {
    return new Histogram<L>({
      name,
      help,
      labelNames: labels,
      buckets: [...buckets],
      registers: [this.registry],
    });
  }
}
