import { Gauge, type Registry } from 'prom-client';

import { everyInterval } from './periodic.js';

/** One node's memory as the dependency reports it. */
export interface MemorySample {
  /** The node's address (`host:port`): one for a single server, one per master of a cluster. */
  readonly node: string;
  readonly usedBytes: number;
  /** The node's configured limit; 0 when it has none. */
  readonly maxBytes: number;
}

export interface MemoryProbe {
  stop(): void;
}

/**
 * Samples a dependency's memory every `intervalMs` (Redis `INFO memory`, say) into
 * `wfm_<target>_memory_used_bytes{node}` and `wfm_<target>_memory_max_bytes{node}`. A
 * failed sample keeps the last values (`wfm_<target>_ping_failures_total` tells that the
 * dependency is away); a successful one replaces them, so a node that left disappears.
 */
export function startMemoryProbe(options: {
  readonly registry: Registry;
  readonly target: string;
  readonly sample: () => Promise<readonly MemorySample[]>;
  readonly intervalMs?: number;
}): MemoryProbe {
  const { registry, target, sample } = options;
  const used = new Gauge({
    name: `wfm_${target}_memory_used_bytes`,
    help: `Memory the ${target} node uses, sampled periodically by this service`,
    labelNames: ['node'],
    registers: [registry],
  });
  const max = new Gauge({
    name: `wfm_${target}_memory_max_bytes`,
    help: `The ${target} node's memory limit (0: none), sampled periodically by this service`,
    labelNames: ['node'],
    registers: [registry],
  });
  return everyInterval(options.intervalMs ?? 5_000, () =>
    sample()
      .then((samples) => {
        used.reset();
        max.reset();
        for (const s of samples) {
          used.set({ node: s.node }, s.usedBytes);
          max.set({ node: s.node }, s.maxBytes);
        }
      })
      .catch(() => {
        // kept: the last values, until the dependency answers again
      }),
  );
}
