import { Gauge, type Registry } from 'prom-client';

import type { Health } from './health.js';

/** The health each registry reports; read at every scrape. */
const healthOf = new WeakMap<Registry, Health>();

/**
 * Puts a service's health on its `/metrics`: `wfm_ready` (1 while `/readyz` answers 200,
 * else 0) and `wfm_component_ready{component}` (1 or 0 for each component the service
 * registers: `redis`, `kafka-consumer`, …, a handful per service). Both are read from the
 * health at scrape time, so they say what `/readyz` would have said then. Calling it again
 * for the same registry only rebinds the health.
 */
export function exportHealth(registry: Registry, health: Health): void {
  const bound = healthOf.has(registry);
  healthOf.set(registry, health);
  if (bound) return;
  new Gauge({
    name: 'wfm_ready',
    help: '1 while the service is ready (its /readyz answers 200), else 0.',
    registers: [registry],
    collect() {
      this.set(healthOf.get(registry)?.isReady() === true ? 1 : 0);
    },
  });
  new Gauge({
    name: 'wfm_component_ready',
    help: '1 while the component (redis, kafka-consumer, ...) is ready, else 0.',
    labelNames: ['component'],
    registers: [registry],
    collect() {
      this.reset();
      const components = healthOf.get(registry)?.components() ?? {};
      for (const [component, state] of Object.entries(components))
        this.set({ component }, state.ready ? 1 : 0);
    },
  });
}
