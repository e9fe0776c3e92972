import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';
import { Kafka, logLevel } from 'kafkajs';

import { ensureRuntime, type FetchProgress, KAFKA_RUNTIME } from './java-runtime.js';
import { describeMissingPackages } from './system.js';

const execFileAsync = promisify(execFile);

/**
 * Apache Kafka in KRaft mode, run from its Maven Central jars (`deploy/local/kafka/pom.xml`):
 * one combined broker+controller, or three of them forming a three-voter controller
 * quorum with replication factor 3 and `min.insync.replicas=2`, for fault tests. Every
 * node listens on free loopback ports and keeps its log in a directory of its own, deleted
 * when the cluster stops.
 */
export interface KafkaOptions {
  /** 1 (default) or 3 nodes. */
  readonly nodes?: 1 | 3;
  /**
   * Working directory (node data and properties), the cluster's own: emptied at start
   * (every start is a fresh cluster) and deleted at stop. A temporary one by default.
   */
  readonly dir?: string;
  /** Where each node's log goes: `<logDir>/kafka-<node id>.log`; its own directory by default. */
  readonly logDir?: string;
  /** Heap of each node, MB (default 512). */
  readonly heapMb?: number;
  /** Broker settings added to (or replacing) the stack's own. */
  readonly settings?: Readonly<Record<string, string>>;
  readonly onFetchProgress?: (progress: FetchProgress) => void;
  /** How long to wait for the cluster to answer (default 90 s). */
  readonly readyTimeoutMs?: number;
}

export interface KafkaNode {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly address: string;
  readonly logFile: string;
  /** The running process; undefined while the node is down. */
  process(): ManagedProcess | undefined;
}

export interface KafkaCluster {
  /** Bootstrap servers, `127.0.0.1:<port>` of every node. */
  readonly brokers: readonly string[];
  readonly nodes: readonly KafkaNode[];
  /** The replication factor topics should have here: the number of nodes. */
  readonly replicationFactor: number;
  readonly minInSyncReplicas: number;
  /** Kills a node at once (SIGKILL), as a crash would. */
  kill(nodeId: number): Promise<void>;
  /** Stops a node cleanly (SIGTERM: controlled shutdown). */
  stopNode(nodeId: number): Promise<void>;
  /** Starts a stopped node again on its ports and data, and waits until the cluster lists it. */
  startNode(nodeId: number): Promise<void>;
  /** Stops every node cleanly and deletes the data. */
  stop(): Promise<void>;
}

/** The JVM of every node: a small heap, G1 with short pauses. */
function jvmArgs(heapMb: number, log4jFile: string): string[] {
  return [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 256)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`,
  ];
}

/** Warnings and errors, plus the lines that say a node started or stopped. */
const LOG4J2 = `status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
`;

interface NodeLayout {
  readonly nodeId: number;
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly propertiesFile: string;
}

/** The properties file of one node: what `kafka.Kafka` runs with. */
export function brokerProperties(
  node: NodeLayout,
  voters: readonly NodeLayout[],
  extra: Readonly<Record<string, string>> = {},
): string {
  const rf = voters.length;
  const minIsr = rf >= 3 ? 2 : 1;
  const settings: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(node.nodeId),
    'controller.quorum.voters': voters
      .map((v) => `${v.nodeId}@127.0.0.1:${v.controllerPort}`)
      .join(','),
    listeners: `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${node.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': node.dataDir,
    // topics are created by `wfm-stream topics ensure` (or the tests' own topics) only
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'default.replication.factor': String(rf),
    'min.insync.replicas': String(minIsr),
    'offsets.topic.replication.factor': String(rf),
    // fewer partitions of the internal topics than production's 50: the first consumer
    // group and the first idempotent producer then wait less for their coordinator
    'offsets.topic.num.partitions': '8',
    'transaction.state.log.replication.factor': String(rf),
    'transaction.state.log.min.isr': String(minIsr),
    'transaction.state.log.num.partitions': '4',
    'share.coordinator.state.topic.replication.factor': String(rf),
    'share.coordinator.state.topic.min.isr': String(minIsr),
    // a consumer group forms as soon as its first member joins
    'group.initial.rebalance.delay.ms': '0',
    // a small heap: one cleaner thread with a small dedupe buffer
    'log.cleaner.threads': '1',
    'log.cleaner.dedupe.buffer.size': String(4 * 1024 * 1024),
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',
    // a killed node is noticed within seconds (production's 9 s session is for real networks)
    'broker.heartbeat.interval.ms': '500',
    'broker.session.timeout.ms': '4000',
    'delete.topic.enable': 'true',
    ...extra,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

function classpath(runtime: string): string {
  return path.join(runtime, 'lib', '*');
}

/** `kafka.tools.StorageTool format`: gives a node's log directory the cluster's id. */
async function formatStorage(runtime: string, clusterId: string, node: NodeLayout): Promise<void> {
  try {
    await execFileAsync(
      'java',
      [
        '-Xmx256m',
        '-cp',
        classpath(runtime),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        node.propertiesFile,
        '--ignore-formatted',
      ],
      { timeout: 60_000 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const stdout = (error as { stdout?: string }).stdout ?? '';
    throw new Error(
      `kafka.tools.StorageTool format failed for node ${node.nodeId}: ${(stderr || stdout || String(error)).trim().split('\n').slice(0, 5).join('\n')}`,
    );
  }
}

/**
 * A Kafka cluster id: 16 random bytes, base64url (what `StorageTool random-uuid` prints).
 * Like Kafka's own `Uuid.randomUuid`, never one that starts with `-`: `StorageTool`'s
 * argument parser would read it as an option (`-t -x…`) and fail with its usage text.
 */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function readTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Waits until every node is in the cluster's metadata (a real metadata request) and the
 * group coordinator answers, so the first consumer group does not wait for
 * `__consumer_offsets` to be created.
 */
async function awaitCluster(
  brokers: readonly string[],
  expectedNodes: number,
  timeoutMs: number,
  alive: () => string | undefined,
): Promise<void> {
  const client = new Kafka({
    clientId: 'wfm-local-stack',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  });
  const admin = client.admin();
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let connected = false;
  try {
    for (;;) {
      const dead = alive();
      if (dead !== undefined) throw new Error(dead);
      try {
        if (!connected) {
          await admin.connect();
          connected = true;
        }
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length >= expectedNodes && cluster.controller !== null) {
          await admin.describeGroups(['wfm-local-stack-warm-up']);
          return;
        }
        last = `${cluster.brokers.length} of ${expectedNodes} nodes registered`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
        if (connected) {
          await admin.disconnect().catch(() => undefined);
          connected = false;
        }
      }
      if (Date.now() > deadline)
        throw new Error(`Kafka did not become ready within ${timeoutMs / 1000} s (${last})`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    if (connected) await admin.disconnect().catch(() => undefined);
  }
}

/** Starts Apache Kafka (KRaft) on free loopback ports; fetches it from Maven Central the first time. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaCluster> {
  const problem = describeMissingPackages();
  if (problem !== undefined) throw new Error(problem);
  const runtime = await ensureRuntime(KAFKA_RUNTIME, {
    ...(options.onFetchProgress === undefined ? {} : { onProgress: options.onFetchProgress }),
  });
  const count = options.nodes ?? 1;
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-kafka-'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const logDir = options.logDir ?? path.join(dir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const log4jFile = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(log4jFile, LOG4J2);

  const layouts: NodeLayout[] = [];
  for (let i = 1; i <= count; i++) {
    layouts.push({
      nodeId: i,
      port: await freePort(),
      controllerPort: await freePort(),
      dataDir: path.join(dir, `node-${i}`, 'data'),
      propertiesFile: path.join(dir, `node-${i}`, 'server.properties'),
    });
  }
  const id = clusterId();
  for (const node of layouts) {
    fs.mkdirSync(node.dataDir, { recursive: true });
    fs.writeFileSync(node.propertiesFile, brokerProperties(node, layouts, options.settings));
  }
  await Promise.all(layouts.map((node) => formatStorage(runtime, id, node)));

  const heapMb = options.heapMb ?? 512;
  const processes = new Map<number, ManagedProcess>();
  const logFiles = new Map(
    layouts.map((n) => [n.nodeId, path.join(logDir, `kafka-${n.nodeId}.log`)]),
  );
  const launch = (node: NodeLayout): ManagedProcess => {
    const logFile = logFiles.get(node.nodeId) ?? path.join(logDir, `kafka-${node.nodeId}.log`);
    const proc = spawnManaged(
      `kafka-${node.nodeId}`,
      'java',
      [
        ...jvmArgs(heapMb, log4jFile),
        '-cp',
        classpath(runtime),
        'kafka.Kafka',
        node.propertiesFile,
      ],
      { logFile },
    );
    processes.set(node.nodeId, proc);
    return proc;
  };
  const brokers = layouts.map((n) => `127.0.0.1:${n.port}`);
  const exitedEarly = (): string | undefined => {
    for (const node of layouts) {
      const proc = processes.get(node.nodeId);
      if (proc?.hasExited() === true) {
        const file = logFiles.get(node.nodeId) ?? '';
        return `Kafka node ${node.nodeId} exited during start-up; the end of ${file}:\n${readTail(file)}`;
      }
    }
    return undefined;
  };
  const stopAll = async (signal: NodeJS.Signals): Promise<void> => {
    await Promise.all([...processes.values()].map((p) => p.stop({ signal, timeoutMs: 15_000 })));
    processes.clear();
  };

  for (const node of layouts) launch(node);
  try {
    await awaitCluster(brokers, count, options.readyTimeoutMs ?? 90_000, exitedEarly);
  } catch (error) {
    await stopAll('SIGKILL');
    if (options.logDir === undefined) fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const layoutOf = (nodeId: number): NodeLayout => {
    const node = layouts.find((n) => n.nodeId === nodeId);
    if (node === undefined) throw new Error(`no Kafka node ${nodeId}`);
    return node;
  };
  const halt = async (nodeId: number, signal: NodeJS.Signals): Promise<void> => {
    const proc = processes.get(layoutOf(nodeId).nodeId);
    processes.delete(nodeId);
    await proc?.stop({ signal, timeoutMs: 15_000 });
  };
  return {
    brokers,
    nodes: layouts.map((n) => ({
      nodeId: n.nodeId,
      port: n.port,
      controllerPort: n.controllerPort,
      address: `127.0.0.1:${n.port}`,
      logFile: logFiles.get(n.nodeId) ?? '',
      process: () => processes.get(n.nodeId),
    })),
    replicationFactor: count,
    minInSyncReplicas: count >= 3 ? 2 : 1,
    kill: (nodeId) => halt(nodeId, 'SIGKILL'),
    stopNode: (nodeId) => halt(nodeId, 'SIGTERM'),
    async startNode(nodeId) {
      const node = layoutOf(nodeId);
      if (processes.has(nodeId)) return;
      launch(node);
      await awaitCluster(brokers, count, options.readyTimeoutMs ?? 90_000, exitedEarly);
    },
    async stop() {
      await stopAll('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
