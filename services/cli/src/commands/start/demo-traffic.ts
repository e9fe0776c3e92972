import { loadConfig, setting } from '@wfm-stream/config';
import { createLogger } from '@wfm-stream/observability';
import { z } from 'zod';

import { connectPublishing } from '../../connection.js';
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
  // the local cluster as the stack started it: no TLS, no SASL (libs/local-stack)
  const publishing = await connectPublishing(
    {
      ...layout,
      KAFKA_BROKERS: [...kafka.brokers],
      KAFKA_SSL: false,
      KAFKA_SASL_MECHANISM: undefined,
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_IDEMPOTENT_PRODUCER: true,
      KAFKA_CONNECTION_TIMEOUT: 3_000,
      SCHEMA_REGISTRY_URL: registry?.url,
      SCHEMA_REGISTRY_USERNAME: undefined,
      SCHEMA_REGISTRY_PASSWORD: undefined,
    },
    createLogger('wfm-stream', 'warn'),
    { clientId: 'wfm-stream-traffic' },
  );
  const controller = new AbortController();
  let published = 0;
  const playing = play(
    source,
    publisherSink(publishing.publisher, () => Promise.resolve()),
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
      await publishing.close();
    },
  };
}
