import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { spawnManaged } from '@wfm-stream/local-stack';
import { Kafka, logLevel } from 'kafkajs';

import { publishEvents } from '../support/publish.js';
import { syntheticTraffic } from '../support/traffic.js';
import { printTable, progress } from './report.js';
import { KAFKA_VERSION, startBenchStack } from './stack.js';

const CLI = path.join(REPO_DIR, 'services', 'cli', 'dist', 'main.js');
const TOPICS = {
  TOPIC_DIRECTORY: 'cc.directory',
  TOPIC_CONTACT_EVENTS: 'cc.contact-events',
  TOPIC_AGENT_EVENTS: 'cc.agent-events',
  TOPIC_DEAD_LETTER: 'cc.dead-letter',
};

/**
 * `wfm-stream rebuild` of a backlog on the local broker: one rebuild aggregator process
 * reads the topics from their start into a new generation, and the command switches and
 * exits. Beside it, a bare kafkajs consumer reads the same topics (JSON.parse only), so
 * the ratio says how close the rebuild comes to the client's own rate.
 */
export async function benchRebuild(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 30_000);
  const instances = Number(process.env.BENCH_INSTANCES ?? 1);
  const traffic = syntheticTraffic({ seed: 7, contacts, groups: 50, agents: 200, hours: 14 });
  const stack = await startBenchStack(
    [
      { name: TOPICS.TOPIC_DIRECTORY, partitions: 1 },
      { name: TOPICS.TOPIC_CONTACT_EVENTS, partitions: 12 },
      { name: TOPICS.TOPIC_AGENT_EVENTS, partitions: 12 },
      { name: TOPICS.TOPIC_DEAD_LETTER, partitions: 1 },
    ],
    true,
  );
  try {
    const kafka = new Kafka({ brokers: [...stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const total = traffic.directory.length + traffic.contacts.length + traffic.agents.length;
    progress(`publishing ${total} events (${contacts} contacts)…`);
    await publishEvents(kafka, TOPICS.TOPIC_DIRECTORY, traffic.directory);
    await publishEvents(kafka, TOPICS.TOPIC_CONTACT_EVENTS, traffic.contacts);
    await publishEvents(kafka, TOPICS.TOPIC_AGENT_EVENTS, traffic.agents);

    progress('bare kafkajs consumer (consume and JSON.parse)…');
    const bare = await bareRate(kafka, total);

    progress(`wfm-stream rebuild with ${instances} aggregator process(es)…`);
    const t0 = performance.now();
    const rebuild = spawnManaged(
      'rebuild',
      process.execPath,
      [CLI, 'rebuild', '--instances', String(instances), '--max-lag', '0'],
      {
        env: {
          ...process.env,
          ...TOPICS,
          KAFKA_BROKERS: stack.kafkaBrokers.join(','),
          REDIS_URL: stack.redisUrl,
          REDIS_KEY_PREFIX: 'bench-rebuild',
          LOG_LEVEL: 'error',
        },
        pipe: true,
      },
    );
    let output = '';
    rebuild.child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const status = await rebuild.exited;
    const wallSeconds = (performance.now() - t0) / 1000;
    if (status.code !== 0) throw new Error(`rebuild exited ${String(status.code)}:\n${output}`);
    const m = /rebuilt \S+ from ([\d,]+) events in ([\d.]+) s/.exec(output);
    const events = Number((m?.[1] ?? '0').replaceAll(',', ''));
    const seconds = Number(m?.[2] ?? wallSeconds);
    printTable(
      `rebuild from the log, ${total} events over 12+12 partitions (Kafka ${KAFKA_VERSION}, Redis and the processes on one 2-core machine)`,
      [
        ['path', 'events', 'seconds', 'events/s', 'vs bare'],
        ['bare kafkajs consumer: consume + JSON.parse', total, '', Math.round(bare), '100 %'],
        [
          `wfm-stream rebuild, ${instances} process(es): start, catch up, switch, drain, stop`,
          events,
          seconds,
          Math.round(events / seconds),
          `${Math.round((events * 100) / seconds / bare)} %`,
        ],
        [
          '  the same, timed around the whole command',
          events,
          Number(wallSeconds.toFixed(1)),
          Math.round(events / wallSeconds),
          '',
        ],
      ],
    );
  } finally {
    await stack.stop();
  }
}

async function bareRate(kafka: Kafka, total: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: 'bench-rebuild-bare', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: Object.values(TOPICS).slice(0, 3), fromBeginning: true });
  let first = 0;
  let last = 0;
  let seen = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      partitionsConsumedConcurrently: 4,
      eachBatch: ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const m of batch.messages) JSON.parse(m.value?.toString() ?? '{}');
        seen += batch.messages.length;
        last = performance.now();
        if (seen >= total) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return (total * 1000) / (last - first);
}
