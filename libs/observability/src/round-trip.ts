import { Counter, Histogram, type Registry } from 'prom-client';

import { everyInterval } from './periodic.js';

export interface RoundTripProbe {
  stop(): void;
}

/**
 * Measures a dependency's round-trip time every `intervalMs` (a Redis PING, say) into
 * `wfm_<target>_round_trip_seconds`, and counts the pings that failed in
 * `wfm_<target>_ping_failures_total`. The ping shares the service's connection, so
 * the figure includes any queueing behind the service's own commands: the latency
 * the service itself sees.
 */
export function startRoundTripProbe(options: {
  readonly registry: Registry;
  readonly target: string;
  readonly ping: () => Promise<unknown>;
  readonly intervalMs?: number;
}): RoundTripProbe {
  const { registry, target, ping } = options;
  const histogram = new Histogram({
    name: `wfm_${target}_round_trip_seconds`,
    help: `Round-trip time of a ${target} ping from this service, measured periodically`,
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const failures = new Counter({
    name: `wfm_${target}_ping_failures_total`,
    help: `Periodic ${target} pings from this service that failed`,
    registers: [registry],
  });
  return everyInterval(options.intervalMs ?? 5_000, () => {
    const start = process.hrtime.bigint();
    return ping()
      .then(() => {
        histogram.observe(Number(process.hrtime.bigint() - start) / 1e9);
      })
      .catch(() => {
        failures.inc();
      });
  });
}
