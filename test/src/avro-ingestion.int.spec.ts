import {
  AvroEventCodec,
  createProducer,
  createSchemaRegistry,
  DeadLetterPublisher,
  EventConsumer,
  EventDecoder,
  EventPublisher,
  jsonEncoder,
  subjectOf,
} from '@wfm-stream/kafka';
import { silentLogger } from '@wfm-stream/observability';
import {
  EVENT_DEFINITIONS,
  EVENT_EXAMPLES,
  type TopicNames,
  type WfmEvent,
} from '@wfm-stream/schemas';
import { createTopics, testKafka, testStack, uniqueName, waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type SchemaRegistryStandIn,
  startSchemaRegistryStandIn,
} from './schema-registry/stand-in.js';

const stack = testStack();
const kafka = testKafka();
const producer = createProducer(kafka, { idempotent: false });
const topics: TopicNames = {
  directory: uniqueName('directory'),
  contacts: uniqueName('contacts'),
  agents: uniqueName('agents'),
};
let standIn: SchemaRegistryStandIn | undefined;
let registryUrl: string;
const consumers: EventConsumer[] = [];

beforeAll(async () => {
  if (stack.schemaRegistryUrl === undefined) {
    standIn = await startSchemaRegistryStandIn();
    registryUrl = standIn.url;
  } else {
    registryUrl = stack.schemaRegistryUrl;
  }
  await createTopics(Object.values(topics).map((name: string) => ({ name, partitions: 2 })));
  await producer.connect();
});

afterAll(async () => {
  for (const c of consumers) await c.stop();
  await producer.disconnect();
  await standIn?.close();
});

describe('Avro through a Schema Registry', () => {
  it('round-trips every event type, detected per message next to plain JSON', async () => {
    const codec = new AvroEventCodec(
      createSchemaRegistry({ SCHEMA_REGISTRY_URL: registryUrl }),
      topics,
    );
    const examples = EVENT_DEFINITIONS.map((d) => EVENT_EXAMPLES[d.type]);
    const asJson = examples.map((e) => ({ ...e, eventId: `json-${e.eventId}` }));
    await new EventPublisher(producer, topics, codec).publish(examples);
    await new EventPublisher(producer, topics, jsonEncoder).publish(asJson);

    const received: WfmEvent[] = [];
    const groupId = uniqueName('group');
    const consumer = new EventConsumer({
      kafka,
      groupId,
      topics: [
        { topic: topics.directory, stream: 'directory' },
        { topic: topics.contacts, stream: 'contacts' },
        { topic: topics.agents, stream: 'agents' },
      ],
      handler: (batch) => {
        received.push(...batch.events.map((e) => e.event));
        return Promise.resolve();
      },
      decoder: new EventDecoder(codec),
      deadLetter: new DeadLetterPublisher(producer, uniqueName('dlq'), groupId),
      logger: silentLogger(),
    });
    consumers.push(consumer);
    await consumer.start();
    await waitFor(() => received.length >= examples.length * 2, { message: 'every event back' });

    const byId = new Map(received.map((e) => [e.eventId, e]));
    for (const event of [...examples, ...asJson]) expect(byId.get(event.eventId)).toEqual(event);
    expect(received).toHaveLength(examples.length * 2);

    if (standIn !== undefined) {
      const registered = standIn.requests.filter((r) => r.startsWith('POST /subjects/'));
      expect(registered.sort()).toEqual(
        examples
          .map((e) => {
            const stream = EVENT_DEFINITIONS.find((d) => d.type === e.type)?.stream ?? 'contacts';
            return `POST /subjects/${subjectOf(topics[stream], e)}/versions`;
          })
          .sort(),
      );
    }
  });
});
