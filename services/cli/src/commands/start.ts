import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { loadConfig, setting } from '@wfm-stream/config';
import {
  AvroEventCodec,
  createKafka,
  createProducer,
  createSchemaRegistry,
  EventPublisher,
  jsonEncoder,
} from '@wfm-stream/kafka';
import {
  describeMissingPackages,
  type FetchProgress,
  formatFetchProgress,
  freePort,
  type KafkaCluster,
  type ManagedProcess,
  type RedisServer,
  type SchemaRegistry,
  spawnManaged,
  startKafka,
  startRedis,
  startSchemaRegistry,
} from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import { z } from 'zod';

import { serviceEntry } from '../paths.js';
import { Progress, type ProgressStream } from '../progress.js';
import { play } from '../traffic/player.js';
import { publisherSink } from '../traffic/sink.js';
import type { EventSource } from '../traffic/source.js';
import { replaySource, replayToday, simulationSource } from '../traffic/sources.js';
import { ensurePipelineTopics, loadTopicsConfig } from './topics.js';

export const TRAFFIC_KINDS = ['simulate', 'replay', 'none'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

interface TrafficSource {
  published(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly traffic: TrafficKind;
  readonly partitions: number;
  /** Kafka nodes: 1, or 3 (replication factor 3, min.insync.replicas 2) for fault drills. */
  readonly brokers: 1 | 3;
  /** Run Apicurio Registry too: the services then take Avro, and the traffic is Avro. */
  readonly schemaRegistry: boolean;
  readonly stateDir: string;
  readonly readerPort?: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (line: string) => void;
  /** Where the live traffic count goes: one line in place on a terminal, a summary every 10 s elsewhere. */
  readonly progress?: ProgressStream;
}

/** The traffic of `start`: the simulator from 24 hours ago (caught up at once, then live), or the call log's first day moved to today. */
function trafficSource(kind: TrafficKind, env: NodeJS.ProcessEnv): EventSource | undefined {
  switch (kind) {
    case 'simulate': {
      const { TIMEZONE: zone } = loadConfig(z.object({ TIMEZONE: setting.timeZone('UTC') }), env);
      return simulationSource({ startMs: Date.now() - 86_400_000, zone, idPrefix: 'demo' });
    }
    case 'replay':
      return replaySource({ rebaseTo: replayToday() });
    case 'none':
      return undefined;
  }
}

function groupIdsOf(source: EventSource): string[] {
  return source.directory().flatMap((e) => (e.type === 'group.upserted' ? [e.groupId] : []));
}

/** What `start` writes to `<stateDir>/endpoints.json` for scripts and tests. */
export interface Endpoints {
  readonly kafkaBrokers: readonly string[];
  readonly redisUrl: string;
  readonly readerUrl: string;
  readonly readerHeaders: Record<string, string>;
  /** The stand-in WFM: status pushes (and exports) arrive here; GET /_sink/received lists them. */
  readonly wfmSinkUrl: string;
  /** The Confluent-compatible Schema Registry, with `--schema-registry`. */
  readonly schemaRegistryUrl?: string | undefined;
  readonly services: Record<string, { pid: number; url: string; log: string }>;
  readonly pids: readonly number[];
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Progress of the first run's Maven fetch: a line every few seconds. */
function fetchProgressPrinter(print: (line: string) => void): (progress: FetchProgress) => void {
  let last = 0;
  return (progress) => {
    const now = Date.now();
    if (now - last < 3_000) return;
    last = now;
    print(`  fetching ${formatFetchProgress(progress)}`);
  };
}

/**
 * The local stack's export targets: both JSON flavours posted to the WFM sink, and the
 * Calabrio queue file and the JSON file drop written under the state directory.
 */
export function localExportTargets(sinkUrl: string, exportDir: string): object[] {
  return [
    { name: 'calabrio', kind: 'calabrio-json', url: `${sinkUrl}/calabrio` },
    { name: 'pipkins', kind: 'pipkins-json', url: `${sinkUrl}/pipkins` },
    {
      name: 'calabrio-file',
      kind: 'calabrio-queue-file',
      directory: path.join(exportDir, 'calabrio'),
    },
    { name: 'drop', kind: 'file-drop', directory: path.join(exportDir, 'drop') },
  ];
}

/** Where the seed's WFM takes status pushes (seed §4.1). */
const WFM_STATUS_PATH = '/ccwfm/api/rest/status';

/**
 * Credentials for the local reader: the caller's READER_* settings when given, else a
 * fresh API key. Returns the reader's environment and the headers a client must send.
 */
export function localReaderAccess(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  headers: Record<string, string>;
} {
  const mode = env.READER_AUTH ?? 'api-key';
  if (mode === 'none') return { env: {}, headers: {} };
  if (mode === 'basic') {
    const user = (env.READER_BASIC_USERS ?? '').split(',')[0] ?? '';
    return { env: {}, headers: { Authorization: `Basic ${Buffer.from(user).toString('base64')}` } };
  }
  const configured = (env.READER_API_KEYS ?? '').split(',')[0]?.trim() ?? '';
  const key = configured === '' ? randomBytes(18).toString('base64url') : configured;
  return { env: configured === '' ? { READER_API_KEYS: key } : {}, headers: { 'X-API-Key': key } };
}

async function waitReady(proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
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
 * Runs the whole pipeline locally: a private redis-server and Apache Kafka (and, when
 * asked, Apicurio Registry) on free ports, the topics through `topics ensure`, every
 * service, and a traffic source; Ctrl-C stops all of it. Returns the process exit code.
 */
export async function runStart(options: StartOptions): Promise<number> {
  const { print } = options;
  const missing = describeMissingPackages();
  if (missing !== undefined) {
    print(missing);
    return 1;
  }
  // the local layout: the cluster's replication, `--partitions` per event topic
  const topics = loadTopicsConfig({
    ...options.env,
    TOPIC_PARTITIONS: String(options.partitions),
    TOPIC_REPLICATION_FACTOR: String(options.brokers),
    TOPIC_MIN_INSYNC_REPLICAS: options.brokers === 3 ? '2' : '1',
  });
  const stateDir = path.resolve(options.stateDir);
  const logDir = path.join(stateDir, 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const endpointsFile = path.join(stateDir, 'endpoints.json');
  fs.rmSync(endpointsFile, { force: true });

  const logger = createLogger('wfm-stream', 'warn');
  const started: { stop(): Promise<unknown> }[] = [];
  const services: ManagedProcess[] = [];
  let traffic: TrafficSource | undefined;
  let stopping = false;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });

  let finishProgress = (): void => undefined;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    finishProgress();
    print('stopping…');
    await traffic?.stop().catch(() => undefined);
    await Promise.all(services.map((s) => s.stop({ timeoutMs: 20_000 })));
    for (const item of started.reverse()) await item.stop().catch(() => undefined);
    fs.rmSync(endpointsFile, { force: true });
    print('stopped; nothing left running');
    resolveDone(code);
  };
  const onSignal = (): void => void shutdown(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    print(
      `starting redis-server, Apache Kafka (${options.brokers === 3 ? 'three nodes' : 'one node'})` +
        `${options.schemaRegistry ? ' and Apicurio Registry' : ''}…`,
    );
    const onFetchProgress = fetchProgressPrinter(print);
    const redisStarting = startRedis({ logFile: path.join(logDir, 'redis.log') });
    const kafkaStarting = startKafka({
      nodes: options.brokers,
      dir: path.join(stateDir, 'kafka'),
      logDir,
      onFetchProgress,
    });
    const registryStarting = options.schemaRegistry
      ? startSchemaRegistry({
          dir: path.join(stateDir, 'schema-registry'),
          logFile: path.join(logDir, 'schema-registry.log'),
          onFetchProgress,
        })
      : Promise.resolve(undefined);
    const [redisStarted, kafkaStarted, registryStarted] = await Promise.allSettled([
      redisStarting,
      kafkaStarting,
      registryStarting,
    ]);
    for (const result of [redisStarted, kafkaStarted, registryStarted])
      if (result.status === 'fulfilled' && result.value !== undefined) started.push(result.value);
    for (const result of [redisStarted, kafkaStarted, registryStarted])
      if (result.status === 'rejected') throw result.reason;
    const redis = (redisStarted as PromiseFulfilledResult<RedisServer>).value;
    const kafka = (kafkaStarted as PromiseFulfilledResult<KafkaCluster>).value;
    const registry = (registryStarted as PromiseFulfilledResult<SchemaRegistry | undefined>).value;

    const ensured = await ensurePipelineTopics({ ...topics, KAFKA_BROKERS: [...kafka.brokers] });
    if (!ensured.ok) throw new Error('the local topics could not be created as configured');

    const common: NodeJS.ProcessEnv = {
      ...options.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      REDIS_URL: redis.url,
      HTTP_HOST: '127.0.0.1',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      ...(registry === undefined ? {} : { SCHEMA_REGISTRY_URL: registry.url }),
    };
    const readerAccess = localReaderAccess(options.env);
    const spawnService = (
      name: string,
      port: number,
      extra: NodeJS.ProcessEnv = {},
    ): [ManagedProcess, string] => {
      const proc = spawnManaged(name, process.execPath, [serviceEntry(name)], {
        env: { ...common, ...extra, HTTP_PORT: String(port) },
        logFile: path.join(logDir, `${name}.log`),
      });
      services.push(proc);
      void proc.exited.then((status) => {
        if (!stopping) {
          print(
            `${name} exited unexpectedly (${JSON.stringify(status)}); see ${path.join(logDir, `${name}.log`)}`,
          );
          void shutdown(1);
        }
      });
      return [proc, `http://127.0.0.1:${port}`];
    };
    print('starting the services…');
    const [aggregator, aggregatorUrl] = spawnService('aggregator', await freePort());
    const [reader, readerUrl] = spawnService(
      'reader',
      options.readerPort ?? (await freePort()),
      readerAccess.env,
    );
    const [sink, sinkUrl] = spawnService('wfm-sink', await freePort());
    const [emitter, emitterUrl] = spawnService('emitter', await freePort(), {
      WFM_STATUS_URL: `${sinkUrl}${WFM_STATUS_PATH}`,
    });
    const exportDir = path.join(stateDir, 'exports');
    const [exporter, exporterUrl] = spawnService('exporter', await freePort(), {
      EXPORT_TARGETS: JSON.stringify(localExportTargets(sinkUrl, exportDir)),
    });
    await Promise.all([
      waitReady(aggregator, aggregatorUrl, 60_000),
      waitReady(reader, readerUrl, 60_000),
      waitReady(sink, sinkUrl, 60_000),
      waitReady(emitter, emitterUrl, 60_000),
      waitReady(exporter, exporterUrl, 60_000),
    ]);

    const endpoints: Endpoints = {
      kafkaBrokers: kafka.brokers,
      redisUrl: redis.url,
      readerUrl,
      readerHeaders: readerAccess.headers,
      wfmSinkUrl: sinkUrl,
      schemaRegistryUrl: registry?.url,
      services: {
        aggregator: {
          pid: aggregator.pid,
          url: aggregatorUrl,
          log: path.join(logDir, 'aggregator.log'),
        },
        reader: { pid: reader.pid, url: readerUrl, log: path.join(logDir, 'reader.log') },
        emitter: { pid: emitter.pid, url: emitterUrl, log: path.join(logDir, 'emitter.log') },
        'wfm-sink': { pid: sink.pid, url: sinkUrl, log: path.join(logDir, 'wfm-sink.log') },
        exporter: { pid: exporter.pid, url: exporterUrl, log: path.join(logDir, 'exporter.log') },
      },
      pids: [
        redis.process.pid,
        ...kafka.nodes.map((n) => n.process()?.pid ?? -1),
        ...(registry === undefined ? [] : [registry.process()?.pid ?? -1]),
        aggregator.pid,
        reader.pid,
        emitter.pid,
        sink.pid,
        exporter.pid,
      ],
    };
    fs.writeFileSync(endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`);

    const source = trafficSource(options.traffic, options.env);
    if (source !== undefined) {
      const client = createKafka(
        {
          KAFKA_BROKERS: kafka.brokers,
          KAFKA_CLIENT_ID: 'wfm-stream-traffic',
          KAFKA_SSL: false,
          KAFKA_CONNECTION_TIMEOUT: 3_000,
        },
        logger,
      );
      const producer = createProducer(client, { idempotent: true });
      await producer.connect();
      const topicNames = {
        directory: topics.TOPIC_DIRECTORY,
        contacts: topics.TOPIC_CONTACT_EVENTS,
        agents: topics.TOPIC_AGENT_EVENTS,
      };
      const encoder =
        registry === undefined
          ? jsonEncoder
          : new AvroEventCodec(
              createSchemaRegistry({ SCHEMA_REGISTRY_URL: registry.url }),
              topicNames,
            );
      const publisher = new EventPublisher(producer, topicNames, encoder);
      const controller = new AbortController();
      let published = 0;
      const playing = play(
        source,
        publisherSink(publisher, () => Promise.resolve()),
        {
          speed: 1,
          catchUp: true,
          signal: controller.signal,
          onProgress: (n) => {
            published = n;
          },
        },
      ).catch((error: unknown) => {
        if (!stopping)
          print(`traffic stopped: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      });
      traffic = {
        published: () => published,
        async stop() {
          controller.abort();
          await playing;
          await producer.disconnect();
        },
      };
    }
    const groupIds = source === undefined ? ['sales', 'support'] : groupIdsOf(source);

    const today = new Date().toISOString().slice(0, 10);
    print('');
    print('wfm-stream is running:');
    print(`  reader (ARGUS WFM CC API)  ${readerUrl}`);
    const loginWith = Object.values(readerAccess.headers)[0];
    print(
      `  dashboard (live)           ${readerUrl}/dashboard${readerAccess.headers['X-API-Key'] === undefined ? '' : `  (sign in with the API key ${loginWith ?? ''})`}`,
    );
    print(`  WFM sink (status pushes)   ${sinkUrl}/_sink/received`);
    print(`  interval exports           ${sinkUrl}/_sink/received and ${exportDir}`);
    print(`  Kafka bootstrap            ${kafka.brokers.join(',')}`);
    if (registry !== undefined) print(`  Schema Registry            ${registry.url}`);
    print(`  Redis                      ${redis.url}`);
    print(`  logs                       ${logDir}`);
    print(`  endpoints file             ${endpointsFile}`);
    print(`  traffic                    ${options.traffic}`);
    print('');
    print('Try:');
    print(
      `  curl ${Object.entries(readerAccess.headers)
        .map(([name, value]) => `-H '${name}: ${value}' `)
        .join(
          '',
        )}'${readerUrl}/historic/serviceGroupData?startDate=${today}T00:00:00Z&endDate=${today}T23:59:00Z&step=900000&groupId=${groupIds.join(',')}'`,
    );
    print('');
    print('Ctrl-C stops everything.');
    const progress = new Progress(options.progress ?? process.stdout);
    const ticker = setInterval(() => {
      if (traffic !== undefined && !stopping)
        progress.update(() => `traffic: ${count(traffic?.published() ?? 0)} events published`);
    }, 1_000);
    finishProgress = () => {
      clearInterval(ticker);
      progress.finish();
    };
    const code = await done;
    finishProgress();
    return code;
  } catch (error) {
    print(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    await shutdown(1);
    return await done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
