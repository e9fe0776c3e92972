import { spawnManaged } from '@wfm-stream/local-stack';

import { syntheticTraffic } from '../support/traffic.js';
import { bareConsumeRate } from './common/consume.js';
import { publishTraffic } from './common/publish.js';
import { serviceMain } from './common/services.js';
import { pipelineTopics, STREAM_TOPICS, TOPIC_SETTINGS } from './common/topics.js';
import { printTable, progress } from './report.js';
import { benchKafka, KAFKA_VERSION, startBenchStack } from './stack.js';

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
  const stack = await startBenchStack(pipelineTopics(12), true);
  try {
    const kafka = benchKafka(stack);
    const total = traffic.directory.length + traffic.contacts.length + traffic.agents.length;
    progress(`publishing ${total} events (${contacts} contacts)…`);
    await publishTraffic(kafka, traffic);

    progress('bare kafkajs consumer (consume and JSON.parse)…');
    const bare = await bareConsumeRate(kafka, STREAM_TOPICS, total, 'bench-rebuild-bare');

    progress(`wfm-stream rebuild with ${instances} aggregator process(es)…`);
    const t0 = performance.now();
    const rebuild = spawnManaged(
      'rebuild',
      process.execPath,
      [serviceMain('cli'), 'rebuild', '--instances', String(instances), '--max-lag', '0'],
      {
        env: {
          ...process.env,
          ...TOPIC_SETTINGS,
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
