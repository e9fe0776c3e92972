import fs from 'node:fs';

import { clusterNodesOf, redisPidsOf, type Servers } from './servers.js';
import type { Services } from './services.js';

/** What `start` writes to `<stateDir>/endpoints.json` for scripts and tests. */
export interface Endpoints {
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  /** The Redis Cluster's seeds (REDIS_CLUSTER_NODES), with `--redis-cluster`. */
  readonly redisClusterNodes?: readonly string[] | undefined;
  readonly readerUrl: string;
  readonly readerHeaders: Record<string, string>;
  /** The stand-in WFM: status pushes (and exports) arrive here; GET /_sink/received lists them. */
  readonly wfmSinkUrl: string;
  /** The Confluent-compatible Schema Registry, with `--schema-registry`. */
  readonly schemaRegistryUrl?: string | undefined;
  readonly services: Record<string, { pid: number; url: string; log: string }>;
  readonly pids: readonly number[];
}

/** Where everything runs: every server's and service's address, log and process id. */
export function endpointsOf(servers: Servers, services: Services): Endpoints {
  const { redis, kafka, registry } = servers;
  const { aggregator, reader, emitter, 'wfm-sink': sink, exporter } = services.running;
  const entry = (s: typeof aggregator): { pid: number; url: string; log: string } => ({
    pid: s.process.pid,
    url: s.url,
    log: s.log,
  });
  return {
    kafkaBrokers: kafka.brokers,
    redisUrl: redis.url,
    redisClusterNodes: clusterNodesOf(redis),
    readerUrl: reader.url,
    readerHeaders: services.readerHeaders,
    wfmSinkUrl: sink.url,
    schemaRegistryUrl: registry?.url,
    services: {
      aggregator: entry(aggregator),
      reader: entry(reader),
      emitter: entry(emitter),
      'wfm-sink': entry(sink),
      exporter: entry(exporter),
    },
    pids: [
      ...redisPidsOf(redis),
      ...kafka.nodes.map((n) => n.process()?.pid ?? -1),
      ...(registry === undefined ? [] : [registry.process()?.pid ?? -1]),
      aggregator.process.pid,
      reader.process.pid,
      emitter.process.pid,
      sink.process.pid,
      exporter.process.pid,
    ],
  };
}

export function writeEndpoints(file: string, endpoints: Endpoints): void {
  fs.writeFileSync(file, `${JSON.stringify(endpoints, null, 2)}\n`);
}
