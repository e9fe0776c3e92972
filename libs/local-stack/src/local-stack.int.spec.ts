import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { isProcessAlive, startMockKafka, startRedis } from './index.js';

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !isProcessAlive(pid);
}

describe('local stack', () => {
  it('runs a private redis-server and stops it', async () => {
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(isProcessAlive(redis.process.pid)).toBe(true);
    await redis.stop();
    expect(await gone(redis.process.pid)).toBe(true);
  });

  it('runs a Kafka-protocol broker whose topics the control port creates', async () => {
    const kafka = await startMockKafka({ topics: [{ name: 'preset', partitions: 2 }] });
    await kafka.control.createTopic({ name: 'later', partitions: 3 });
    await expect(kafka.control.command('nonsense')).rejects.toThrow(/unknown command/);
    const client = new Kafka({ brokers: [...kafka.brokers], logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: ['preset', 'later'] });
    const partitions = Object.fromEntries(
      metadata.topics.map((t) => [t.name, t.partitions.length]),
    );
    expect(partitions).toEqual({ preset: 2, later: 3 });
    const producer = client.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: 'later', messages: [{ key: 'k', value: 'v' }] });
    await producer.disconnect();
    await admin.disconnect();
    await kafka.stop();
    expect(await gone(kafka.process.pid)).toBe(true);
  });
});
