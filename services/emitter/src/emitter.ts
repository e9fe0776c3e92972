import { randomUUID } from 'node:crypto';

import { withoutCredentials } from '@wfm-stream/config';
import { connectEventConsumer, EventConsumer } from '@wfm-stream/kafka';
import { type Health, type Logger, redactUrl } from '@wfm-stream/observability';
import {
  GapRecords,
  startConsumerServiceOps,
  startServiceBase,
  StatusClaims,
  StatusOutbox,
} from '@wfm-stream/store';
import type { Registry } from 'prom-client';

import type { EmitterConfig } from './config.js';
import { StatusDelivery } from './delivery.js';
import { emitterHandler } from './handler.js';
import { PushMetrics } from './push-metrics.js';
import { StatusPusher } from './status-pusher.js';

export interface RunningEmitter {
  readonly health: Health;
  readonly registry: Registry;
  /** The address of /healthz, /readyz and /metrics (OPS_HOST). */
  readonly opsHost: string;
  readonly opsPort: number;
  /** Agents whose pushes this process is delivering. */
  pending(): number;
  /**
   * Stops consuming (committing what was claimed), gives the deliveries a moment, then
   * hands what is left to the other emitters (releases the leases).
   */
  stop(): Promise<void>;
}

/** Status records are kept this long after an agent's last change. */
const CLAIM_TTL_SECONDS = 30 * 86_400;
/** How long a stop waits for the deliveries before releasing their leases. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * The Authorization header: a bearer token, basic credentials, or the userinfo of
 * WFM_STATUS_URL (taken out of the URL, which is then logged as it is: docs/security.md).
 */
function authorization(
  config: EmitterConfig,
  fromUrl: { username: string; password: string } | undefined,
): Record<string, string> {
  if (config.WFM_STATUS_TOKEN !== undefined)
    return { authorization: `Bearer ${config.WFM_STATUS_TOKEN}` };
  const username = config.WFM_STATUS_USERNAME ?? fromUrl?.username;
  const password = config.WFM_STATUS_PASSWORD ?? fromUrl?.password;
  if (username !== undefined && password !== undefined) {
    const pair = `${username}:${password}`;
    return { authorization: `Basic ${Buffer.from(pair).toString('base64')}` };
  }
  return {};
}

export async function startEmitter(config: EmitterConfig, logger: Logger): Promise<RunningEmitter> {
  const base = startServiceBase('emitter', config, logger);
  const { health, registry, connection, redis } = base;

  const metrics = new PushMetrics(registry);
  const wfm = withoutCredentials(config.WFM_STATUS_URL);
  const pusher = new StatusPusher(
    {
      url: new URL(wfm.url),
      headers: authorization(config, wfm.basic),
      timeoutMs: config.PUSH_TIMEOUT,
      giveUpAfterMs: config.PUSH_GIVE_UP_AFTER,
      backoffMs: config.PUSH_RETRY_BACKOFF,
      maxBackoffMs: config.PUSH_RETRY_BACKOFF_MAX,
      maxConnections: config.PUSH_MAX_CONNECTIONS,
    },
    metrics,
    logger,
  );
  // this process's name on the outbox leases: a new one every start, so that a restarted
  // emitter never mistakes the leases of its previous life (they run out) for its own
  const owner = randomUUID();
  const claims = new StatusClaims(redis, config.REDIS_KEY_PREFIX, CLAIM_TTL_SECONDS, {
    owner,
    leaseMs: config.PUSH_LEASE,
    maxPending: config.PUSH_MAX_PENDING,
  });
  const delivery = new StatusDelivery(
    new StatusOutbox(redis, config.REDIS_KEY_PREFIX, owner, config.PUSH_LEASE),
    pusher,
    metrics,
    logger,
    { leaseMs: config.PUSH_LEASE, systemId: config.SYSTEM_ID },
  );

  const { producer, options } = await connectEventConsumer(config, { logger, registry, health });
  const { deadLetter } = options;
  const consumer = new EventConsumer({
    ...options,
    topics: [{ topic: config.TOPIC_AGENT_EVENTS, stream: 'agents' }],
    handler: emitterHandler({ claims, delivery, metrics, logger }),
    // what the topic lost before it was read (its claims are not replayed: see
    // docs/architecture.md, "When Redis loses data")
    gaps: new GapRecords(redis, config.REDIS_KEY_PREFIX, 400 * 86_400),
    fromBeginning: config.EMITTER_START_FROM === 'earliest',
  });
  // the dashboard's Pipeline view (docs/dashboard.md)
  const { ops, status } = await startConsumerServiceOps(base, config, {
    deadLetter,
    latencies: { statusPush: { metric: 'wfm_emitter_push_latency_seconds' } },
  });
  await consumer.start();
  logger.info(
    { opsPort: ops.port, group: config.CONSUMER_GROUP, wfm: redactUrl(config.WFM_STATUS_URL) },
    'emitter started',
  );

  return {
    health,
    registry,
    opsHost: ops.host,
    opsPort: ops.port,
    pending: () => delivery.pending,
    async stop() {
      await consumer.stop();
      const released = await delivery.stop(DRAIN_TIMEOUT_MS);
      pusher.close();
      await status.stop();
      await producer.disconnect();
      await ops.close();
      connection.close();
      logger.info({ released }, 'emitter stopped');
    },
  };
}
