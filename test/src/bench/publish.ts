import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { runPublish } from '@wfm-stream/cli';
import { messageKey, topicOf } from '@wfm-stream/schemas';
import { Kafka, logLevel, Partitioners } from 'kafkajs';

import { median, printTable, progress } from './report.js';
import { startBenchStack } from './stack.js';
import { syntheticContactEvents } from './synthetic.js';

const TOPICS = {
  directory: 'cc.directory',
  contacts: 'cc.contact-events',
  agents: 'cc.agent-events',
};

/**
 * `wfm-stream publish` (read NDJSON, validate, route, batch) against a bare kafkajs
 * producer sending the same lines, already routed, in batches of the same size, on the
 * same broker, interleaved.
 */
export async function benchPublish(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 25_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const stack = await startBenchStack(
    [
      { name: TOPICS.directory, partitions: 1 },
      { name: TOPICS.contacts, partitions: 12 },
      { name: TOPICS.agents, partitions: 12 },
    ],
    false,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-bench-'));
  try {
    const events = syntheticContactEvents(contacts);
    const lines = events.map((e) => JSON.stringify(e));
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const routed = events.map((e, i) => ({
      topic: topicOf(e, TOPICS),
      key: messageKey(e),
      value: lines[i] ?? '',
    }));
    progress(`${events.length} events, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB of NDJSON`);

    const kafka = new Kafka({ brokers: [...stack.kafkaBrokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const raw = async (): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < routed.length; i += 500) {
        const batch = routed.slice(i, i + 500);
        const byTopic = new Map<string, { key: string; value: string }[]>();
        for (const m of batch)
          byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), { key: m.key, value: m.value }]);
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
      return (routed.length * 1000) / (performance.now() - t0);
    };
    const sink = (): Writable =>
      new Writable({
        write: (_c, _e, done) => {
          done();
        },
      });
    const viaPublish = async (): Promise<number> => {
      const t0 = performance.now();
      const code = await runPublish({
        input: file,
        batchSize: 500,
        check: false,
        env: { ...process.env, KAFKA_BROKERS: stack.kafkaBrokers.join(',') },
        stdin: process.stdin,
        stdout: sink(),
        stderr: Object.assign(sink(), { isTTY: false }) as unknown as NodeJS.WriteStream,
      });
      if (code !== 0) throw new Error(`publish exited ${code}`);
      return (events.length * 1000) / (performance.now() - t0);
    };
    const rawRates: number[] = [];
    const publishRates: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      rawRates.push(await raw());
      publishRates.push(await viaPublish());
      progress(
        `round ${round}: raw ${Math.round(rawRates.at(-1) ?? 0)}/s, publish ${Math.round(publishRates.at(-1) ?? 0)}/s`,
      );
    }
    await producer.disconnect();
    const rawMedian = median(rawRates);
    const publishMedian = median(publishRates);
    printTable(
      `publish throughput, ${events.length} events × ${rounds} rounds, same broker, interleaved (median events/s)`,
      [
        ['path', 'events/s', 'vs raw'],
        ['bare kafkajs producer (pre-routed, no validation)', Math.round(rawMedian), '100 %'],
        [
          'wfm-stream publish (read, parse, validate, route, batch)',
          Math.round(publishMedian),
          `${Math.round((publishMedian * 100) / rawMedian)} %`,
        ],
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  }
}
