import { collectDefaultMetrics, Registry } from 'prom-client';

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
