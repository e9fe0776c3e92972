import {
  Consumer,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';

/**
 * Bare @platformatic/kafka, beside bare kafkajs: the project keeps kafkajs behind its own
 * narrow interface (libs/kafka), and these figures say whether that interface should one
 * day switch clients. Same broker, same topics, same batches.
 */
export interface RoutedMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

/** Events/s of an idempotent, acks=all producer sending `batchSize` messages per awaited send. */
export async function platformaticProduceRate(
  brokers: readonly string[],
  routed: readonly RoutedMessage[],
  batchSize: number,
): Promise<number> {
  const producer = new Producer({
    clientId: 'bench-platformatic',
    bootstrapBrokers: [...brokers],
    serializers: stringSerializers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    autocreateTopics: false,
  });
  try {
    const t0 = performance.now();
    for (let i = 0; i < routed.length; i += batchSize) {
      await producer.send({
        messages: routed.slice(i, i + batchSize).map((m) => ({ ...m })),
      });
    }
    return (routed.length * 1000) / (performance.now() - t0);
  } finally {
    await producer.close();
  }
}

/** Events/s of a consumer group reading `total` messages from the start and JSON-parsing each. */
export async function platformaticConsumeRate(
  brokers: readonly string[],
  topics: readonly string[],
  total: number,
  groupId: string,
): Promise<number> {
  const consumer = new Consumer({
    clientId: 'bench-platformatic',
    groupId,
    bootstrapBrokers: [...brokers],
    deserializers: stringDeserializers,
    maxWaitTime: 100,
  });
  try {
    const stream = await consumer.consume({
      topics: [...topics],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: true,
    });
    let seen = 0;
    let first = 0;
    let last = 0;
    for await (const message of stream) {
      if (first === 0) first = performance.now();
      JSON.parse(message.value);
      seen += 1;
      last = performance.now();
      if (seen >= total) break;
    }
    await stream.close();
    return (total * 1000) / (last - first);
  } finally {
    await consumer.close();
  }
}
