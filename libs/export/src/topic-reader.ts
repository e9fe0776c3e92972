import { randomUUID } from 'node:crypto';

import type { IHeaders, Kafka } from 'kafkajs';

export interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
  readonly timestampMs: number;
}

/** A header's value as text (the first value when repeated), or undefined. */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Every message of a topic from its start up to its end as of the call, in offset order
 * per partition. Reads with a throw-away consumer group that commits nothing, so it
 * leaves no trace but an empty group the broker forgets.
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  options: { timeoutMs?: number } = {},
): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const highs = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  // partitions with messages still there (retention may have deleted all of some)
  const pending = new Set(
    ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => e.partition),
  );
  if (pending.size === 0) return [];

  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({
    groupId: `wfm-export-reader-${randomUUID()}`,
    maxWaitTimeInMs: 100,
  });
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const high = highs.get(partition) ?? 0;
        const offset = Number(message.offset);
        if (offset < high) {
          messages.push({
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
            timestampMs: Number(message.timestamp),
          });
        }
        if (offset + 1 >= high) pending.delete(partition);
        if (pending.size === 0) finish();
        return Promise.resolve();
      },
    });
    await Promise.race([
      finished,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`could not read ${topic} to its end within ${timeoutMs} ms`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
