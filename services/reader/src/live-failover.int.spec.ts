import { loadConfig } from '@wfm-stream/config';
import { type RedisServer, startRedis } from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import { connectRedis } from '@wfm-stream/store';
import { captureLog, readSseEvents, scratchDir, uniqueName, waitFor } from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readerConfigSchema } from './config.js';
import { type RunningReader, startReader } from './reader.js';
import { writeFixture } from './testing/fixture.js';

/**
 * The live stream (GET /online/stream, docs/dashboard.md) while its Redis cannot serve:
 * the hub's recomputation is tried again within READER_REDIS_RETRY_BUDGET, as the
 * endpoints' requests are, so a Redis back within the budget (a failover, a restart)
 * delays the next delta instead of dropping it until the next reconciliation, and the
 * heartbeats never say unhealthy meanwhile. The Redis keeps its data on disk (AOF), so
 * what was written before it stopped is what the retried recomputation finds.
 */
const KEY = 'k';
const PREFIX = uniqueName('live');
const dir = scratchDir('wfm-live-failover');
const settings = ['appendonly', 'yes', 'appendfsync', 'always'];
const log = captureLog();
let server: RedisServer;
let reader: RunningReader;

interface StreamEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** An open live stream and every event it has sent so far. */
async function openStream(query: string): Promise<{ events: StreamEvent[]; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${reader.port}/online/stream?${query}`, {
    headers: { 'x-api-key': KEY },
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const events: StreamEvent[] = [];
  void readSseEvents(response.body as unknown as AsyncIterable<Uint8Array>, (e) => {
    events.push(e as StreamEvent);
  });
  return {
    events,
    close: () => {
      abort.abort();
    },
  };
}

const agentIds = (e: StreamEvent): string[] =>
  ((e.data.upsert as { agentId?: string }[] | undefined) ?? []).map((r) => r.agentId ?? '');

beforeAll(async () => {
  server = await startRedis({ dir, settings });
  reader = await startReader(
    loadConfig(readerConfigSchema, {
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: PREFIX,
      READER_API_KEYS: KEY,
      READER_REDIS_RETRY_BUDGET: '15s',
      // only a change notice or the retry recomputes within the test
      LIVE_RECONCILE_INTERVAL: '10m',
      LIVE_HEARTBEAT_INTERVAL: '200ms',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
    }),
    createLogger('reader', 'debug', log.stream),
  );
});

afterAll(async () => {
  await reader.stop();
  await server.stop();
});

describe('the live stream while Redis cannot serve', () => {
  it('retries the recomputation within READER_REDIS_RETRY_BUDGET: the delta comes once Redis is back, never unhealthy', async () => {
    const watcher = await openStream('topics=agentStatus');
    try {
      await waitFor(() => watcher.events.some((e) => e.event === 'agentStatus'), {
        message: 'the first snapshot',
      });
      // written behind the hub's back: no change notice, so no recomputation yet
      const redis = connectRedis({ url: server.url });
      await writeFixture(redis, PREFIX, {
        directory: [],
        agents: [
          {
            eventId: 'l1',
            type: 'agent.loggedIn',
            occurredAt: new Date().toISOString(),
            agentId: 'a1',
          },
        ],
        contacts: [],
      });
      redis.disconnect();
      await server.stop();
      // a new client makes the hub recompute: it cannot, and tries again
      const second = await openStream('topics=agentStatus');
      second.close();
      await waitFor(() => log.lines.some((l) => l.includes('redis not now; retrying')), {
        message: 'the hub to retry its recomputation',
      });
      server = await startRedis({ port: server.port, dir, settings });
      const delta = await waitFor(
        () => watcher.events.find((e) => e.event === 'agentStatus' && agentIds(e).includes('a1')),
        { timeoutMs: 20_000, message: 'the agent in a delta once Redis is back' },
      );
      expect(delta.data.snapshot).toBeUndefined();
      const heartbeats = watcher.events.filter((e) => e.event === 'heartbeat');
      expect(heartbeats.length).toBeGreaterThan(0);
      expect(heartbeats.map((h) => h.data.healthy)).not.toContain(false);
      expect(log.lines.join('')).not.toContain('could not read the figures');
    } finally {
      watcher.close();
    }
  });
});
