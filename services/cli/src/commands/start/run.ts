import { describeMissingPackages } from '@wfm-stream/local-stack';

import { Progress, type ProgressStream } from '../../progress.js';
import { printRunning } from './banner.js';
import {
  groupIdsOf,
  startTraffic,
  type Traffic,
  type TrafficKind,
  trafficSource,
} from './demo-traffic.js';
import { endpointsOf, writeEndpoints } from './endpoints.js';
import { Lifecycle } from './lifecycle.js';
import { startServers } from './servers.js';
import { startServices } from './services.js';
import { prepareStateDir } from './state-dir.js';
import { ensureLocalTopics, localTopicLayout } from './topics.js';

export { TRAFFIC_KINDS, type TrafficKind } from './demo-traffic.js';
export { type Endpoints } from './endpoints.js';
export { localExportTargets, localReaderAccess } from './local-settings.js';

export interface StartOptions {
  readonly traffic: TrafficKind;
  readonly partitions: number;
  /** Kafka nodes: 1, or 3 (replication factor 3, min.insync.replicas 2) for fault drills. */
  readonly brokers: 1 | 3;
  /** Run Apicurio Registry too: the services then take Avro, and the traffic is Avro. */
  readonly schemaRegistry: boolean;
  /** Run Redis as a cluster of three masters and three replicas (REDIS_CLUSTER_NODES). */
  readonly redisCluster?: boolean;
  readonly stateDir: string;
  readonly readerPort?: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (line: string) => void;
  /** Where the live traffic count goes: one line in place on a terminal, a summary every 10 s elsewhere. */
  readonly progress?: ProgressStream;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Runs the whole pipeline locally: a private redis-server (or, when asked, a Redis
 * Cluster of six) and Apache Kafka (and, when
 * asked, Apicurio Registry) on free ports, the topics through `topics ensure`, every
 * service, and a traffic source; Ctrl-C stops all of it. Returns the process exit code.
 */
export async function runStart(options: StartOptions): Promise<number> {
  const { print } = options;

  // 1. check the system: the Debian packages the local stack runs
  const missing = describeMissingPackages();
  if (missing !== undefined) {
    print(missing);
    return 1;
  }
  const layout = localTopicLayout(options.env, options);
  const dir = prepareStateDir(options.stateDir);
  const lifecycle = new Lifecycle(print, dir.endpointsFile);
  try {
    // 2. start the servers: Redis, Kafka, maybe Apicurio Registry
    const servers = await startServers(options, dir, lifecycle, print);

    // 3. ensure the topics, as `wfm-stream topics ensure` would
    await ensureLocalTopics(layout, servers.kafka);

    // 4. start the services, and wait until they are ready
    const services = await startServices(servers, dir, options, lifecycle, print);

    // 5. write the endpoints file
    const endpoints = endpointsOf(servers, services);
    writeEndpoints(dir.endpointsFile, endpoints);

    // 6. start the traffic
    const source = trafficSource(options.traffic, options.env);
    let traffic: Traffic | undefined;
    if (source !== undefined) {
      traffic = await startTraffic(source, servers, layout, lifecycle, print);
      lifecycle.setTraffic(traffic);
    }
    printRunning(endpoints, dir, options.traffic, groupIdsOf(source), print);

    // 7. wait for Ctrl-C (or a service that exits), counting the traffic meanwhile
    return await untilStopped(lifecycle, traffic, options.progress ?? process.stdout);
  } catch (error) {
    print(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    // 8. stop what did start
    await lifecycle.stop(1);
    return await lifecycle.done;
  } finally {
    lifecycle.detach();
  }
}

/** Shows the traffic count every second until everything has stopped; the exit code. */
async function untilStopped(
  lifecycle: Lifecycle,
  traffic: Traffic | undefined,
  stream: ProgressStream,
): Promise<number> {
  const progress = new Progress(stream);
  const ticker = setInterval(() => {
    if (traffic !== undefined && !lifecycle.stopping)
      progress.update(() => `traffic: ${count(traffic.published())} events published`);
  }, 1_000);
  const finish = (): void => {
    clearInterval(ticker);
    progress.finish();
  };
  lifecycle.whenStopping(finish);
  const code = await lifecycle.done;
  finish();
  return code;
}
