import fs from 'node:fs';
import path from 'node:path';

import {
  checkKafkaSettings,
  ConfigError,
  kafkaSettings,
  loadConfig,
  topicSettings,
} from '@wfm-stream/config';
import {
  AvroEventCodec,
  createKafka,
  createProducer,
  createSchemaRegistry,
  EventPublisher,
  jsonEncoder,
} from '@wfm-stream/kafka';
import { createLogger, type Logger } from '@wfm-stream/observability';
import type { TopicNames } from '@wfm-stream/schemas';
import { z } from 'zod';

/** The settings of every command that talks to the event topics: the brokers and the topic names. */
export const publishingSettings = { ...kafkaSettings, ...topicSettings };

export const publishingConfigSchema = z.object(publishingSettings).superRefine(checkKafkaSettings);
export type PublishingConfig = z.output<typeof publishingConfigSchema>;

/**
 * The environment for commands that talk to Kafka: when KAFKA_BROKERS is not set and a
 * local stack is running (`npm start`), its brokers (and its Redis, or its Redis
 * Cluster's nodes, unless REDIS_URL or REDIS_CLUSTER_NODES is set), so `wfm-stream publish` works in a second terminal
 * without any setting.
 */
export function withLocalStack(
  env: NodeJS.ProcessEnv,
  stateDir = '.wfm-stream',
): NodeJS.ProcessEnv {
  if (env.KAFKA_BROKERS !== undefined && env.KAFKA_BROKERS.trim() !== '') return env;
  const file = path.resolve(stateDir, 'endpoints.json');
  if (!fs.existsSync(file)) return env;
  try {
    const endpoints = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      kafkaBrokers?: string[];
      redisUrl?: string;
      redisClusterNodes?: string[];
    };
    if (endpoints.kafkaBrokers === undefined) return env;
    // the whole local stack: its Redis too, unless one is named
    const redis =
      endpoints.redisUrl !== undefined &&
      (env.REDIS_URL ?? '').trim() === '' &&
      (env.REDIS_CLUSTER_NODES ?? '').trim() === ''
        ? {
            REDIS_URL: endpoints.redisUrl,
            ...(endpoints.redisClusterNodes === undefined
              ? {}
              : { REDIS_CLUSTER_NODES: endpoints.redisClusterNodes.join(',') }),
          }
        : {};
    return { ...env, KAFKA_BROKERS: endpoints.kafkaBrokers.join(','), ...redis };
  } catch {
    return env;
  }
}

/**
 * Loads a command's settings from the environment with the local stack's addresses
 * (`withLocalStack`), and requires the addresses that the services default to this
 * machine's: a production command run without them says so (exit code 2) instead of
 * trying 127.0.0.1. `required` lists the settings that must be given, each as the names
 * of which one is enough (`['REDIS_URL', 'REDIS_CLUSTER_NODES']`). Returns the
 * environment it read too. A ConfigError names every problem.
 */
export function loadCommandConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  required: readonly (readonly string[])[],
  stateDir = '.wfm-stream',
): { env: NodeJS.ProcessEnv; config: z.output<S> } {
  const resolved = withLocalStack(env, stateDir);
  const absent = required.filter((names) =>
    names.every((name) => (resolved[name] ?? '').trim() === ''),
  );
  const missing = absent.map(
    (names) =>
      `${names.join(' or ')} is required (no \`npm start\` runs here: no ${path.join(stateDir, 'endpoints.json')})`,
  );
  // the schema says so too (no address has a default): the command's own message says more
  const saidHere = (problem: string): boolean =>
    absent.some((names) =>
      names.some((name) => problem.startsWith(`${name} `) && problem.includes('is required')),
    );
  try {
    const config = loadConfig(schema, resolved);
    if (missing.length === 0) return { env: resolved, config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError([...missing, ...error.problems.filter((p) => !saidHere(p))]);
  }
  throw new ConfigError(missing);
}

/** The brokers: what every command that talks to Kafka must be given. */
export const KAFKA_ADDRESS: readonly string[] = ['KAFKA_BROKERS'];

export function topicNames(config: PublishingConfig): TopicNames {
  return {
    directory: config.TOPIC_DIRECTORY,
    contacts: config.TOPIC_CONTACT_EVENTS,
    agents: config.TOPIC_AGENT_EVENTS,
  };
}

export interface Publishing {
  readonly publisher: EventPublisher;
  readonly topics: TopicNames;
  readonly encoding: 'json' | 'avro';
  close(): Promise<void>;
}

/**
 * A connected publisher: Avro through the Schema Registry when SCHEMA_REGISTRY_URL is set,
 * JSON otherwise. The client id sent to the brokers is KAFKA_CLIENT_ID's with `-cli`, or
 * `clientId` when given.
 */
export async function connectPublishing(
  config: PublishingConfig,
  logger: Logger,
  options: { readonly clientId?: string } = {},
): Promise<Publishing> {
  const kafka = createKafka(
    { ...config, KAFKA_CLIENT_ID: options.clientId ?? `${config.KAFKA_CLIENT_ID}-cli` },
    logger,
  );
  const producer = createProducer(kafka, { idempotent: config.KAFKA_IDEMPOTENT_PRODUCER });
  await producer.connect();
  const topics = topicNames(config);
  const url = config.SCHEMA_REGISTRY_URL;
  const encoder =
    url === undefined
      ? jsonEncoder
      : new AvroEventCodec(createSchemaRegistry({ ...config, SCHEMA_REGISTRY_URL: url }), topics);
  return {
    publisher: new EventPublisher(producer, topics, encoder),
    topics,
    encoding: url === undefined ? 'json' : 'avro',
    close: () => producer.disconnect(),
  };
}

/**
 * Connects a publisher for the command `name` from `env`, or says on `stderr` why it could
 * not and gives the exit code: 2 for a configuration error, 3 for a Kafka failure.
 */
export async function connectPublishingOrExit(
  env: NodeJS.ProcessEnv,
  name: string,
  stderr: NodeJS.WritableStream,
): Promise<Publishing | 2 | 3> {
  try {
    return await connectPublishing(loadPublishingConfig(env), createLogger(name, 'error'));
  } catch (error) {
    stderr.write(
      error instanceof ConfigError
        ? `${error.message}\n`
        : `cannot connect to Kafka: ${String(error)}\n`,
    );
    return error instanceof ConfigError ? 2 : 3;
  }
}

export function loadPublishingConfig(env: NodeJS.ProcessEnv): PublishingConfig {
  return loadCommandConfig(publishingConfigSchema, env, [KAFKA_ADDRESS]).config;
}
