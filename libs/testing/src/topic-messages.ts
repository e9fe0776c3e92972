import type { Kafka, KafkaMessage } from 'kafkajs';

import { testKafka, uniqueName, waitFor } from './helpers.js';

/**
 * The records of a one-partition topic from its start: `count` of them, or every record up
 * to the topic's end as it is now when `count` is not given. Reads with a group of its
 * own, so no other reader's offsets move.
 */
export async function readTopicMessages(
  topic: string,
  options: { count?: number; kafka?: Kafka } = {},
): Promise<KafkaMessage[]> {
  const kafka = options.kafka ?? testKafka();
  const count = options.count ?? (await endOffsets(kafka, topic));
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: KafkaMessage[] = [];
  await consumer.run({
    eachMessage: ({ message }) => {
      messages.push(message);
      return Promise.resolve();
    },
  });
  await waitFor(() => messages.length >= count, { message: `${count} records of ${topic}` });
  await consumer.disconnect();
  return messages;
}

/** How many records a topic holds now: the sum of its partitions' end offsets. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}
