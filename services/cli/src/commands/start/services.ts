import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';

import { serviceEntry } from '../../paths.js';
import type { Lifecycle } from './lifecycle.js';
import { localExportTargets, localReaderAccess, WFM_STATUS_PATH } from './local-settings.js';
import { clusterNodesOf, type Servers } from './servers.js';
import type { StateDir } from './state-dir.js';

/** The services `start` runs. */
export type ServiceName = 'aggregator' | 'reader' | 'wfm-sink' | 'emitter' | 'exporter';

export interface RunningService {
  readonly process: ManagedProcess;
  /** Its HTTP port: the API, or /healthz, /readyz and /metrics. */
  readonly url: string;
  readonly log: string;
}

export interface Services {
  readonly running: Readonly<Record<ServiceName, RunningService>>;
  /** What a client sends the reader. */
  readonly readerHeaders: Record<string, string>;
}

async function waitReady(service: RunningService, timeoutMs: number): Promise<void> {
  const { process: proc, url } = service;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new Error(`${proc.name} exited during start-up; see its log`);
    try {
      const response = await fetch(`${url}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} was not ready within ${timeoutMs / 1000} s; see its log`);
}

/**
 * Starts every service on the local servers with the caller's environment (which
 * configures them all: TIMEZONE, …) and the local overrides: the servers' addresses,
 * 127.0.0.1 and a free port each, the WFM sink as the emitter's and the exporter's
 * target, the reader's credentials. Waits until all are ready. A service that exits
 * unexpectedly later stops everything (exit code 1).
 */
export async function startServices(
  servers: Servers,
  dir: StateDir,
  options: { readonly env: NodeJS.ProcessEnv; readonly readerPort?: number | undefined },
  lifecycle: Lifecycle,
  print: (line: string) => void,
): Promise<Services> {
  const common: NodeJS.ProcessEnv = {
    ...options.env,
    KAFKA_BROKERS: servers.kafka.brokers.join(','),
    REDIS_URL: servers.redis.url,
    // the local Redis, even when the caller's environment names a cluster
    REDIS_CLUSTER_NODES: clusterNodesOf(servers.redis)?.join(',') ?? '',
    HTTP_HOST: '127.0.0.1',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...(servers.registry === undefined ? {} : { SCHEMA_REGISTRY_URL: servers.registry.url }),
  };
  const readerAccess = localReaderAccess(options.env);
  const spawnService = (
    name: ServiceName,
    port: number,
    extra: NodeJS.ProcessEnv = {},
  ): RunningService => {
    const log = dir.log(name);
    const proc = spawnManaged(name, process.execPath, [serviceEntry(name)], {
      env: { ...common, ...extra, HTTP_PORT: String(port) },
      logFile: log,
    });
    lifecycle.addService(proc);
    void proc.exited.then((status) => {
      if (!lifecycle.stopping) {
        print(`${name} exited unexpectedly (${JSON.stringify(status)}); see ${log}`);
        void lifecycle.stop(1);
      }
    });
    return { process: proc, url: `http://127.0.0.1:${port}`, log };
  };

  print('starting the services…');
  const aggregator = spawnService('aggregator', await freePort());
  const reader = spawnService('reader', options.readerPort ?? (await freePort()), readerAccess.env);
  const sink = spawnService('wfm-sink', await freePort());
  const emitter = spawnService('emitter', await freePort(), {
    WFM_STATUS_URL: `${sink.url}${WFM_STATUS_PATH}`,
  });
  const exporter = spawnService('exporter', await freePort(), {
    EXPORT_TARGETS: JSON.stringify(localExportTargets(sink.url, dir.exports)),
  });
  const running = { aggregator, reader, 'wfm-sink': sink, emitter, exporter };
  await Promise.all(Object.values(running).map((service) => waitReady(service, 60_000)));
  return { running, readerHeaders: readerAccess.headers };
}
