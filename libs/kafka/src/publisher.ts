import { messageKey, type TopicNames, topicOf, type WfmEvent } from '@wfm-stream/schemas';
import type { Message, TopicMessages } from 'kafkajs';

import type { KafkaProducer } from './producer.js';

/** Encodes an event for the wire: JSON by default, Avro through a Schema Registry when configured. */
export interface EventEncoder {
  encode(event: WfmEvent): Promise<Buffer>;
}

export const jsonEncoder: EventEncoder = {
  encode: (event) => Promise.resolve(Buffer.from(JSON.stringify(event))),
};

/**
 * Publishes events to their topics (docs/events.md, "The event contract"): each event
 * goes to its stream's topic with its key, so one contact's (or agent's) events stay in
 * one partition, in order.
 */
export class EventPublisher {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly topics: TopicNames,
    private readonly encoder: EventEncoder = jsonEncoder,
  ) {}

  /** Sends the events in one request per call; resolves when the broker has them all. */
  async publish(events: readonly WfmEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byTopic = new Map<string, Message[]>();
    const encoded = await Promise.all(events.map((event) => this.encoder.encode(event)));
    events.forEach((event, i) => {
      const topic = topicOf(event, this.topics);
      let list = byTopic.get(topic);
      if (list === undefined) {
        list = [];
        byTopic.set(topic, list);
      }
      list.push({ key: messageKey(event), value: encoded[i] ?? null });
    });
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    await this.producer.sendBatch({ topicMessages, acks: -1 });
  }
}
