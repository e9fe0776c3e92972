import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { runPublish } from '@wfm-stream/cli';
import { messageKey, topicOf } from '@wfm-stream/schemas';
import { Partitioners } from 'kafkajs';

import { pipelineTopics, TOPICS } from './common/topics.js';
import { platformaticProduceRate } from './platformatic.js';
import { median, printTable, progress } from './report.js';
import { benchKafka, KAFKA_VERSION, startBenchStack } from './stack.js';
import { syntheticContactEvents } from './synthetic.js';

/**
 * `wfm-stream publish` (read NDJSON, validate, route, batch, the idempotent producer)
 * against bare producers sending the same lines, already routed, in batches of the same
 * size, on the same broker, interleaved: kafkajs plain and idempotent (what the project
 * uses), and @platformatic/kafka idempotent.
 */
export async function benchPublish(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 25_000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const stack = await startBenchStack(pipelineTopics(12, false), false);
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

    const kafka = benchKafka(stack);
    const plain = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const idempotent = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await plain.connect();
    await idempotent.connect();
    const raw = async (producer: typeof plain): Promise<number> => {
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
    const rates = {
      plain: [] as number[],
      idempotent: [] as number[],
      platformatic: [] as number[],
      publish: [] as number[],
    };
    for (let round = 1; round <= rounds; round++) {
      rates.plain.push(await raw(plain));
      rates.idempotent.push(await raw(idempotent));
      rates.platformatic.push(await platformaticProduceRate(stack.kafkaBrokers, routed, 500));
      rates.publish.push(await viaPublish());
      progress(
        `round ${round}: kafkajs ${Math.round(rates.plain.at(-1) ?? 0)}/s, idempotent ${Math.round(rates.idempotent.at(-1) ?? 0)}/s, ` +
          `@platformatic/kafka ${Math.round(rates.platformatic.at(-1) ?? 0)}/s, publish ${Math.round(rates.publish.at(-1) ?? 0)}/s`,
      );
    }
    await plain.disconnect();
    await idempotent.disconnect();
    const base = median(rates.idempotent);
    const row = (label: string, values: number[]): (string | number)[] => [
      label,
      Math.round(median(values)),
      `${Math.round((median(values) * 100) / base)} %`,
    ];
    printTable(
      `publish throughput, ${events.length} events × ${rounds} rounds, Kafka ${KAFKA_VERSION} (one node), acks=all, 500 per send, interleaved (median events/s)`,
      [
        ['path', 'events/s', 'vs idempotent kafkajs'],
        row('bare kafkajs producer, not idempotent (pre-routed, no validation)', rates.plain),
        row('bare kafkajs producer, idempotent (what the project uses)', rates.idempotent),
        row('bare @platformatic/kafka producer, idempotent', rates.platformatic),
        row('wfm-stream publish (read, parse, validate, route, batch, verify)', rates.publish),
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await stack.stop();
  }
}
