import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { loadConfig, setting, topicSettings } from '@wfm-stream/config';
import { exportQueueSettings } from '@wfm-stream/export';
import { createKafka, createProducer, EventPublisher } from '@wfm-stream/kafka';
import {
  describeMissingPackages,
  freePort,
  type ManagedProcess,
  type MockKafka,
  type RedisServer,
  spawnManaged,
  startMockKafka,
  startRedis,
} from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import { z } from 'zod';

import { serviceEntry } from '../paths.js';
import { play } from '../traffic/player.js';
import { publisherSink } from '../traffic/sink.js';
import type { EventSource } from '../traffic/source.js';
import { replaySource, replayToday, simulationSource } from '../traffic/sources.js';

export const TRAFFIC_KINDS = ['simulate', 'replay', 'none'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

interface TrafficSource {
  published(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly traffic: TrafficKind;
  readonly partitions: number;
  readonly stateDir: string;
  readonly readerPort?: number | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (line: string) => void;
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
  readonly mockKafkaControlPort: number;
  readonly services: Record<string, { pid: number; url: string; log: string }>;
  readonly pids: readonly number[];
}

const topicsSchema = z.object({ ...topicSettings, ...exportQueueSettings });

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
 * Runs the whole pipeline locally: a private redis-server and Kafka-protocol broker on
 * free ports, every service, and a traffic source; Ctrl-C stops all of it. Returns the
 * process exit code.
 */
export async function runStart(options: StartOptions): Promise<number> {
  const { print } = options;
  const missing = describeMissingPackages();
  if (missing !== undefined) {
    print(missing);
    return 1;
  }
  const topics = loadConfig(topicsSchema, options.env);
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

  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
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
      `starting redis-server and the Kafka-protocol broker (${options.partitions} partitions per event topic)…`,
    );
    const redis: RedisServer = await startRedis({ logFile: path.join(logDir, 'redis.log') });
    started.push(redis);
    const kafka: MockKafka = await startMockKafka({
      logFile: path.join(logDir, 'mock-kafka.log'),
      topics: [
        { name: topics.TOPIC_DIRECTORY, partitions: 1 },
        { name: topics.TOPIC_CONTACT_EVENTS, partitions: options.partitions },
        { name: topics.TOPIC_AGENT_EVENTS, partitions: options.partitions },
        { name: topics.TOPIC_DEAD_LETTER, partitions: 1 },
        { name: topics.TOPIC_EXPORT_JOBS, partitions: 4 },
        { name: topics.TOPIC_EXPORT_DEAD_LETTER, partitions: 1 },
      ],
    });
    started.push(kafka);

    const common: NodeJS.ProcessEnv = {
      ...options.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      REDIS_URL: redis.url,
      HTTP_HOST: '127.0.0.1',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
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
      mockKafkaControlPort: kafka.control.port,
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
        kafka.process.pid,
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
      const producer = createProducer(client, { idempotent: false });
      await producer.connect();
      const publisher = new EventPublisher(producer, {
        directory: topics.TOPIC_DIRECTORY,
        contacts: topics.TOPIC_CONTACT_EVENTS,
        agents: topics.TOPIC_AGENT_EVENTS,
      });
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
    const progress = setInterval(() => {
      if (traffic !== undefined && !stopping)
        print(`traffic: ${traffic.published()} events published`);
    }, 15_000);
    const code = await done;
    clearInterval(progress);
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
