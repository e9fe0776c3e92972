import {
  aggregatorConfigSchema,
  type RunningAggregator,
  startAggregator,
} from '@wfm-stream/aggregator';
import { loadConfig } from '@wfm-stream/config';
import { emitterConfigSchema, type RunningEmitter, startEmitter } from '@wfm-stream/emitter';
import { type Logger, silentLogger } from '@wfm-stream/observability';
import { readerConfigSchema, type RunningReader, startReader } from '@wfm-stream/reader';
import {
  type RedisNamespace,
  redisNamespace,
  testKafka,
  testStack,
  type TestStackInfo,
} from '@wfm-stream/testing';
import { type Admin, Partitioners, type Producer } from 'kafkajs';
import { afterAll } from 'vitest';

import { type ReferenceAggregator, startReferenceAggregator } from './reference.js';
import { serviceEnv, type ServiceProcess, spawnService, waitForReady } from './services.js';
import {
  createStreamTopics,
  type StreamLayout,
  streamsOf,
  type StreamTopics,
  uniqueTopics,
} from './topics.js';

/** What `spawn` and `start` take besides the service and its settings. */
export interface SpawnOptions {
  /** The process's name in logs and timeouts (the service's by default). */
  readonly name?: string;
  readonly logFile?: string;
  /** With `start`: how long to wait for `/readyz`, and what a timeout says. */
  readonly timeoutMs?: number;
  readonly message?: string;
  /** How the teardown stops it: SIGKILL unless said otherwise. */
  readonly stop?: { readonly signal?: NodeJS.Signals; readonly timeoutMs?: number };
}

/**
 * One test file's deployment on the run's Kafka and Redis (docs/architecture.md, "The local
 * stack"): topics no other test uses, the settings its services share, and everything
 * it starts, undone after the file, last started first stopped, whether or not the test
 * stopped it itself.
 */
export interface PipelineStack<T extends StreamTopics = StreamTopics> {
  /** The Kafka and Redis it runs on. */
  readonly on: TestStackInfo;
  readonly topics: T;
  /** The streams an aggregator consumes, the directory first. */
  readonly streams: string[];
  /** `serviceEnv` of the topics with the file's own settings. */
  readonly env: Record<string, string>;
  /** A key prefix and a Redis connection of the file's own, its keys deleted after the file. */
  namespace(): RedisNamespace;
  /** Creates the stream topics (directory and dead letters on one partition each). */
  createTopics(layout: StreamLayout): Promise<void>;
  /** Spawns the service with `env` as its settings; SIGKILLed after the file (or as `stop` says). */
  spawn(
    service: string,
    env: Readonly<Record<string, string>>,
    options?: SpawnOptions,
  ): Promise<ServiceProcess>;
  /** Spawns the service and waits until it is ready. */
  start(
    service: string,
    env: Readonly<Record<string, string>>,
    options?: SpawnOptions,
  ): Promise<ServiceProcess>;
  /** An aggregator process in consumer group `group`, writing under `prefix` (`env` adds to the stack's). */
  spawnAggregator(
    group: string,
    prefix: string,
    options?: SpawnOptions & { readonly env?: Readonly<Record<string, string>> },
  ): Promise<ServiceProcess>;
  /** `spawnAggregator`, then waits until it is ready (it has joined its group). */
  startAggregator(
    group: string,
    prefix: string,
    options?: SpawnOptions & { readonly env?: Readonly<Record<string, string>> },
  ): Promise<ServiceProcess>;
  /** The uninterrupted run to compare with (startReferenceAggregator), stopped after the file. */
  reference(prefix: string): Promise<ReferenceAggregator>;
  /** An aggregator in this process on `env`; its `stop` may be called more than once. */
  aggregator(env: Readonly<Record<string, string>>, logger?: Logger): Promise<RunningAggregator>;
  /** A reader in this process on `env`. */
  reader(env: Readonly<Record<string, string>>): Promise<RunningReader>;
  /** An emitter in this process on `env`. */
  emitter(env: Readonly<Record<string, string>>): Promise<RunningEmitter>;
  /** A connected admin client of the stack's Kafka, disconnected after the file. */
  admin(): Promise<Admin>;
  /** A connected idempotent producer of the stack's Kafka, disconnected after the file. */
  producer(): Promise<Producer>;
  /** Something else to undo after the file (a producer, a server of the test's own). */
  onTeardown(undo: () => unknown): void;
}

/** What a test file undoes after its tests, last added first. */
export interface Teardown {
  add(undo: () => unknown): void;
}

/**
 * The file's teardown, run by afterAll (so call it at the top of the file): every step
 * runs, even after one failed, and the file fails with what failed.
 */
export function teardownAfterAll(): Teardown {
  const undo: (() => unknown)[] = [];
  afterAll(async () => {
    const failures: unknown[] = [];
    for (const step of undo.splice(0).reverse()) {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'the stack did not stop cleanly');
  });
  return {
    add(step) {
      undo.push(step);
    },
  };
}

/** `stop` once, however often it is called: a test may stop what the teardown stops again. */
function stoppedOnce<S extends { stop(): Promise<void> }>(service: S): S {
  let stopping: Promise<void> | undefined;
  return { ...service, stop: () => (stopping ??= service.stop()) };
}

/**
 * The file's stack; call it at the top of the file (it registers its teardown with
 * afterAll), or anywhere with the file's `teardown`, for a deployment of a test's own.
 * `env` adds to the settings every service shares, `topics` replaces the unique stream
 * topics (with more of the file's own, say), `on` names another Kafka and Redis.
 */
export function pipelineStack<T extends StreamTopics = StreamTopics>(
  options: {
    readonly env?: Readonly<Record<string, string>>;
    readonly topics?: T;
    readonly on?: TestStackInfo;
    readonly teardown?: Teardown;
  } = {},
): PipelineStack<T> {
  const on = options.on ?? testStack();
  const topics = options.topics ?? (uniqueTopics() as T);
  const env = serviceEnv(topics, options.env, on);
  const teardown = options.teardown ?? teardownAfterAll();

  const inProcess = async <S extends { stop(): Promise<void> }>(
    started: Promise<S>,
  ): Promise<S> => {
    const service = stoppedOnce(await started);
    teardown.add(() => service.stop());
    return service;
  };

  const stack: PipelineStack<T> = {
    on,
    topics,
    streams: streamsOf(topics),
    env,
    namespace() {
      const ns = redisNamespace(on);
      teardown.add(() => ns.cleanup());
      return ns;
    },
    createTopics: (layout) => createStreamTopics(topics, layout, on),
    async spawn(service, serviceSettings, spawnOptions = {}) {
      const started = await spawnService(service, serviceSettings, {
        ...(spawnOptions.name === undefined ? {} : { name: spawnOptions.name }),
        ...(spawnOptions.logFile === undefined ? {} : { logFile: spawnOptions.logFile }),
      });
      teardown.add(() => started.proc.stop(spawnOptions.stop ?? { signal: 'SIGKILL' }));
      return started;
    },
    async start(service, serviceSettings, spawnOptions = {}) {
      const started = await stack.spawn(service, serviceSettings, spawnOptions);
      await waitForReady(started, spawnOptions);
      return started;
    },
    spawnAggregator: (group, prefix, spawnOptions = {}) =>
      stack.spawn(
        'aggregator',
        { ...env, ...spawnOptions.env, CONSUMER_GROUP: group, REDIS_KEY_PREFIX: prefix },
        spawnOptions,
      ),
    async startAggregator(group, prefix, spawnOptions = {}) {
      const started = await stack.spawnAggregator(group, prefix, spawnOptions);
      await waitForReady(started, spawnOptions);
      return started;
    },
    async reference(prefix) {
      const started = await startReferenceAggregator(env, prefix);
      const aggregator = await inProcess(Promise.resolve(started.aggregator));
      return { group: started.group, aggregator };
    },
    aggregator: (settings, logger = silentLogger()) =>
      inProcess(startAggregator(loadConfig(aggregatorConfigSchema, settings), logger)),
    reader: (settings) =>
      inProcess(startReader(loadConfig(readerConfigSchema, settings), silentLogger())),
    emitter: (settings) =>
      inProcess(startEmitter(loadConfig(emitterConfigSchema, settings), silentLogger())),
    async admin() {
      const admin = testKafka(on).admin();
      await admin.connect();
      teardown.add(() => admin.disconnect());
      return admin;
    },
    async producer() {
      const producer = testKafka(on).producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: true,
      });
      await producer.connect();
      teardown.add(() => producer.disconnect());
      return producer;
    },
    onTeardown(step) {
      teardown.add(step);
    },
  };
  return stack;
}
