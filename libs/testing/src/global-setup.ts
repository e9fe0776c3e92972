import { startMockKafka, startRedis } from '@wfm-stream/local-stack';
import type { TestProject } from 'vitest/node';

import type { TestStackInfo } from './stack.js';

type Stop = () => Promise<void>;

async function startContainers(): Promise<[TestStackInfo, Stop]> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { RedisContainer } = await import('@testcontainers/redis');
  const network = await new Network().start();
  const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.7.1')
    .withKraft()
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .start();
  const redis = await new RedisContainer('redis:7.0').start();
  const registry = await new GenericContainer('confluentinc/cp-schema-registry:7.7.1')
    .withNetwork(network)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:9092',
    })
    .withExposedPorts(8081)
    .withWaitStrategy(Wait.forHttp('/subjects', 8081))
    .start();
  const info: TestStackInfo = {
    kind: 'containers',
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    redisUrl: redis.getConnectionUrl(),
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
  };
  return [
    info,
    async () => {
      await registry.stop();
      await redis.stop();
      await kafka.stop();
      await network.stop();
    },
  ];
}

async function startLocal(): Promise<[TestStackInfo, Stop]> {
  const [redis, kafka] = await Promise.all([startRedis(), startMockKafka()]);
  return [
    {
      kind: 'local',
      kafkaBrokers: kafka.brokers,
      redisUrl: redis.url,
      mockKafkaControlPort: kafka.control.port,
    },
    async () => {
      await Promise.all([kafka.stop(), redis.stop()]);
    },
  ];
}

/**
 * One Redis and one Kafka-protocol broker per test run, shared by every test file (each
 * file works in its own key prefix and topics):
 *
 * - default: a private `redis-server` and librdkafka's mock cluster, on free ports;
 * - `TEST_STACK=containers`: Kafka, Schema Registry and Redis images via testcontainers
 *   (needs a Docker engine);
 * - `TEST_KAFKA_BROKERS` and `TEST_REDIS_URL` set: those servers, untouched but for the
 *   test's own topics and keys.
 */
export async function setup(project: TestProject): Promise<Stop> {
  let info: TestStackInfo;
  let stop: Stop;
  const brokers = process.env.TEST_KAFKA_BROKERS;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (brokers !== undefined && redisUrl !== undefined) {
    info = {
      kind: 'external',
      kafkaBrokers: brokers.split(','),
      redisUrl,
      schemaRegistryUrl: process.env.TEST_SCHEMA_REGISTRY_URL,
    };
    stop = () => Promise.resolve();
  } else if (process.env.TEST_STACK === 'containers') {
    [info, stop] = await startContainers();
  } else {
    [info, stop] = await startLocal();
  }
  project.provide('testStack', info);
  return stop;
}
