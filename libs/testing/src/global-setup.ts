import fs from 'node:fs';

import {
  type RedisCluster,
  type RedisServer,
  startKafka,
  startRedis,
  startRedisCluster,
} from '@wfm-stream/local-stack';
import type { TestProject } from 'vitest/node';

import { makeTestCertificate } from './secure-redis.js';
import type { TestStackInfo } from './stack.js';

type Stop = () => Promise<void>;

async function startContainers(): Promise<[TestStackInfo, Stop]> {
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { RedisContainer } = await import('@testcontainers/redis');
  const network = await new Network().start();
  const kafka = await new KafkaContainer('apache/kafka:4.1.1')
    .withKraft()
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .start();
  const redis = await new RedisContainer('redis:7.0').start();
  const registry = await new GenericContainer('apicurio/apicurio-registry:3.0.9')
    .withNetwork(network)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .start();
  const info: TestStackInfo = {
    kind: 'containers',
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    redisUrl: redis.getConnectionUrl(),
    replicationFactor: 1,
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
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

/** The password of the run's cluster: every node's requirepass and masterauth. */
const CLUSTER_PASSWORD = 'test:cluster@pw';

/**
 * The run's Redis Cluster, with a password as production has one, and TLS only when
 * `tls`: what the services get through `redisEnv()`.
 */
async function startTestCluster(tls: boolean): Promise<[RedisCluster, string | undefined, Stop]> {
  const certificate = tls ? await makeTestCertificate() : undefined;
  const removeCertificate = (): void => {
    if (certificate !== undefined) fs.rmSync(certificate.dir, { recursive: true, force: true });
  };
  try {
    const cluster = await startRedisCluster({
      nodeTimeoutMs: 1_000,
      password: CLUSTER_PASSWORD,
      ...(certificate === undefined ? {} : { tls: certificate }),
    });
    return [
      cluster,
      certificate?.caFile,
      async () => {
        await cluster.stop();
        removeCertificate();
      },
    ];
  } catch (error) {
    removeCertificate();
    throw error;
  }
}

async function startLocal(project: TestProject): Promise<[TestStackInfo, Stop]> {
  // the `cluster` project (vitest.config.ts) is the cluster suites: a cluster, TLS unless
  // TEST_REDIS_TLS=no
  const clusterProject = project.name === 'cluster';
  const tls = (process.env.TEST_REDIS_TLS ?? (clusterProject ? 'yes' : 'no')) === 'yes';
  const [[redis, caFile, stopRedis], kafka] = await Promise.all([
    process.env.TEST_REDIS === 'cluster' || clusterProject
      ? startTestCluster(tls)
      : startRedis().then((r): [RedisServer, undefined, Stop] => [r, undefined, () => r.stop()]),
    startKafka(),
  ]);
  return [
    {
      kind: 'local',
      kafkaBrokers: kafka.brokers,
      redisUrl: redis.url,
      redisClusterNodes: 'nodes' in redis ? redis.nodes : undefined,
      redisTlsCaFile: caFile,
      replicationFactor: kafka.replicationFactor,
    },
    async () => {
      await Promise.all([kafka.stop(), stopRedis()]);
    },
  ];
}

/**
 * One Redis and one Kafka-protocol broker per test run, shared by every test file (each
 * file works in its own key prefix and topics):
 *
 * - default: a private `redis-server` and Apache Kafka (KRaft, one node), on free ports;
 *   `TEST_REDIS=cluster`: a private Redis Cluster (three masters, three replicas, a
 *   password) instead of the single Redis, TLS only with `TEST_REDIS_TLS=yes`; tests reach
 *   it through `redisEnv()`, `redisConnection()` and `redisNamespace()`; the `cluster`
 *   project (the cluster suites, vitest.config.ts) always so, with TLS unless
 *   `TEST_REDIS_TLS=no`;
 * - `TEST_STACK=containers`: Kafka, Schema Registry and Redis images via testcontainers
 *   (needs a Docker engine);
 * - `TEST_KAFKA_BROKERS` and `TEST_REDIS_URL` set: those servers, untouched but for the
 *   test's own topics and keys (`TEST_REDIS_CLUSTER_NODES` too: that cluster).
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
      redisClusterNodes: process.env.TEST_REDIS_CLUSTER_NODES?.split(',').filter((n) => n !== ''),
      replicationFactor: Number(process.env.TEST_REPLICATION_FACTOR ?? '1'),
      schemaRegistryUrl: process.env.TEST_SCHEMA_REGISTRY_URL,
    };
    stop = () => Promise.resolve();
  } else if (process.env.TEST_STACK === 'containers') {
    [info, stop] = await startContainers();
  } else {
    [info, stop] = await startLocal(project);
  }
  project.provide('testStack', info);
  return stop;
}
