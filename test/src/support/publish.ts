import { messageKey, type TopicNames, topicOf, type WfmEvent } from '@wfm-stream/schemas';
import { type Kafka, Partitioners, type Producer } from 'kafkajs';

/** Sends the events to one topic as JSON, keyed as the publish CLI keys them, in batches. */
export async function sendEvents(
  producer: Pick<Producer, 'send'>,
  topic: string,
  events: readonly WfmEvent[],
  batchSize = 2_000,
): Promise<void> {
  for (let i = 0; i < events.length; i += batchSize) {
    await producer.send({
      topic,
      messages: events
        .slice(i, i + batchSize)
        .map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
    });
  }
}

/** A producer of its own: connects, sends the events to the topic, disconnects. */
export async function publishEvents(
  kafka: Kafka,
  topic: string,
  events: readonly WfmEvent[],
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await sendEvents(producer, topic, events);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Publishes events of every stream in their order (a replay plan's directory then its
 * events), each to its stream's topic, keyed as the publish CLI keys them.
 */
export async function publishReplay(
  kafka: Kafka,
  events: readonly WfmEvent[],
  topics: TopicNames,
  batchSize = 2_000,
): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < events.length; i += batchSize) {
      const batch = events.slice(i, i + batchSize);
      await producer.sendBatch({
        topicMessages: [topics.directory, topics.contacts, topics.agents].map((topic) => ({
          topic,
          messages: batch
            .filter((e) => topicOf(e, topics) === topic)
            .map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
