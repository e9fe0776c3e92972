import { loadConfig, setting } from '@wfm-stream/config';
import {
  AvroEventCodec,
  createKafka,
  createProducer,
  createSchemaRegistry,
  EventPublisher,
  jsonEncoder,
} from '@wfm-stream/kafka';
import { createLogger } from '@wfm-stream/observability';
import { z } from 'zod';

import { play } from '../../traffic/player.js';
import { publisherSink } from '../../traffic/sink.js';
import type { EventSource } from '../../traffic/source.js';
import { replaySource, replayToday, simulationSource } from '../../traffic/sources.js';
import type { TopicsConfig } from '../topics.js';
import type { Lifecycle } from './lifecycle.js';
import type { Servers } from './servers.js';

export const TRAFFIC_KINDS = ['simulate', 'replay', 'none'] as const;
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

/** The traffic of `start`: the simulator from 24 hours ago (caught up at once, then live), or the call log's first day moved to today. */
export function trafficSource(kind: TrafficKind, env: NodeJS.ProcessEnv): EventSource | undefined {
  switch (kind) {
    case 'simulate': {
      const { TIMEZONE: zone } = loadConfig(z.object({ TIMEZONE: setting.timeZone('UTC') }), env);
      return simulationSource({ startMs: Date.now() - 86_400_000, zone, idPrefix: 'demo' });
    }
    case 'replay':
      return replaySource({ rebaseTo: replayToday() });
    case 'none':
      return undefined;
  }
}

/** The groups of a source's directory: what the printed `curl` asks for. */
export function groupIdsOf(source: EventSource | undefined): string[] {
  if (source === undefined) return ['sales', 'support'];
  return source.directory().flatMap((e) => (e.type === 'group.upserted' ? [e.groupId] : []));
}

/** The traffic as it plays. */
export interface Traffic {
  published(): number;
  stop(): Promise<void>;
}

/**
 * Plays `source` into the local topics, caught up at once and then in real time: Avro
 * through the local Schema Registry when it runs, JSON otherwise. A failure is printed
 * (unless everything is stopping) and ends the traffic, not the stack.
 */
export async function startTraffic(
  source: EventSource,
  servers: Servers,
  layout: TopicsConfig,
  lifecycle: Lifecycle,
  print: (line: string) => void,
): Promise<Traffic> {
  const { kafka, registry } = servers;
  const client = createKafka(
    {
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_CLIENT_ID: 'wfm-stream-traffic',
      KAFKA_SSL: false,
      KAFKA_CONNECTION_TIMEOUT: 3_000,
    },
    createLogger('wfm-stream', 'warn'),
  );
  const producer = createProducer(client, { idempotent: true });
  await producer.connect();
  const topicNames = {
    directory: layout.TOPIC_DIRECTORY,
    contacts: layout.TOPIC_CONTACT_EVENTS,
    agents: layout.TOPIC_AGENT_EVENTS,
  };
  const encoder =
    registry === undefined
      ? jsonEncoder
      : new AvroEventCodec(createSchemaRegistry({ SCHEMA_REGISTRY_URL: registry.url }), topicNames);
  const publisher = new EventPublisher(producer, topicNames, encoder);
  const controller = new AbortController();
  let published = 0;
  const playing = play(
    source,
    publisherSink(publisher, () => Promise.resolve()),
    {
      speed: 1,
      catchUp: true,
      signal: controller.signal,
      onProgress: (n) => {
        published = n;
      },
    },
  ).catch((error: unknown) => {
    if (!lifecycle.stopping)
      print(`traffic stopped: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  });
  return {
    published: () => published,
    async stop() {
      controller.abort();
      await playing;
      await producer.disconnect();
    },
  };
}
