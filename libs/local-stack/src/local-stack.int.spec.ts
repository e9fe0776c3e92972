import net from 'node:net';

import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import {
  isProcessAlive,
  REDIS_LISTPACK_SETTINGS,
  startKafka,
  startRedis,
  startRedisCluster,
} from './index.js';

/** `CONFIG GET <pattern>` over a bare socket, as name → value. */
function configGet(port: number, pattern: string): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`CONFIG GET ${pattern}\r\n`));
    socket.on('data', (chunk: string) => {
      answer += chunk;
      const lines = answer.split('\r\n');
      const count = Number(/^\*(\d+)/.exec(answer)?.[1] ?? -1);
      // *<n>, then $<len> and the text of each of the n strings
      if (count < 0 || lines.length < 1 + 2 * count) return;
      socket.destroy();
      const values = lines.slice(1, 1 + 2 * count).filter((_, i) => i % 2 === 1);
      const result = new Map<string, string>();
      for (let i = 0; i + 1 < values.length; i += 2)
        result.set(values[i] ?? '', values[i + 1] ?? '');
      resolve(result);
    });
    socket.once('error', reject);
  });
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 200 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !isProcessAlive(pid);
}

describe('local stack', () => {
  it('runs a private redis-server and stops it', async () => {
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(isProcessAlive(redis.process.pid)).toBe(true);
    // with the listpack thresholds the project recommends (docs/configuration.md)
    const settings = await configGet(redis.port, '*-max-listpack-*');
    for (let i = 0; i + 1 < REDIS_LISTPACK_SETTINGS.length; i += 2)
      expect(settings.get(REDIS_LISTPACK_SETTINGS[i] ?? '')).toBe(REDIS_LISTPACK_SETTINGS[i + 1]);
    await redis.stop();
    expect(await gone(redis.process.pid)).toBe(true);
  });

  it('runs a private redis-server with a password', async () => {
    const redis = await startRedis({ password: 'p@ss:w/rd' });
    expect(redis.url).toBe(`redis://:p%40ss%3Aw%2Frd@127.0.0.1:${redis.port}`);
    await redis.stop();
    expect(await gone(redis.process.pid)).toBe(true);
  });

  it('runs a private Redis Cluster of three masters and three replicas, with a password, and stops all six', async () => {
    const cluster = await startRedisCluster({ password: 'p@ss:w/rd' });
    try {
      expect(cluster.nodes).toHaveLength(6);
      expect(cluster.url).toBe(`redis://:p%40ss%3Aw%2Frd@${cluster.nodes[0] ?? ''}`);
      for (const node of cluster.nodes)
        expect(await cluster.cli(node, ['CLUSTER', 'INFO'])).toContain('cluster_state:ok');
      const roles = await Promise.all(
        cluster.nodes.map(
          async (n) => /role:(\w+)/.exec(await cluster.cli(n, ['INFO', 'replication']))?.[1],
        ),
      );
      expect(roles.filter((r) => r === 'master')).toHaveLength(3);
      expect(roles.filter((r) => r === 'slave')).toHaveLength(3);
      // every slot has a master: the first, the last, one in between
      for (const slot of [0, 8_000, 16_383])
        expect(cluster.nodes).toContain(await cluster.masterOf(slot));
      // the password is required
      await expect(
        cluster.cli(cluster.nodes[0] ?? '', ['--user', 'default', '--pass', 'wrong', 'PING']),
      ).resolves.not.toContain('PONG');
    } finally {
      await cluster.stop();
    }
    for (const server of cluster.servers) expect(await gone(server.process.pid)).toBe(true);
  }, 90_000);

  it('runs Apache Kafka in KRaft mode that creates no topic by itself, and stops it', async () => {
    const kafka = await startKafka();
    const pid = kafka.nodes[0]?.process()?.pid ?? -1;
    expect(isProcessAlive(pid)).toBe(true);
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => b.nodeId)).toEqual([1]);
    expect(await admin.createTopics({ topics: [{ topic: 'later', numPartitions: 3 }] })).toBe(true);
    const producer = client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    await producer.send({ topic: 'later', acks: -1, messages: [{ key: 'k', value: 'v' }] });
    // auto.create.topics.enable=false: a producer that asks for a topic does not create it
    const eager = client.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await eager.connect();
    await expect(
      eager.send({ topic: 'never-created', messages: [{ value: 'v' }] }),
    ).rejects.toThrow(/does not host this topic-partition|unknown topic/i);
    await eager.disconnect();
    expect(await admin.listTopics()).not.toContain('never-created');
    await producer.disconnect();
    await admin.disconnect();
    await kafka.stop();
    expect(await gone(pid)).toBe(true);
  });
});
