import type { Logger } from '@wfm-stream/observability';
import { Cluster, type Redis } from 'ioredis';

import type { RedisClient } from '../connection.js';
import { DeploymentKeys } from '../keys.js';

/** What changed: the stream of the batch that the aggregator just made durable. */
export type ChangeStream = 'contacts' | 'agents' | 'directory';

const STREAMS: ReadonlySet<string> = new Set<ChangeStream>(['contacts', 'agents', 'directory']);

/**
 * The pub/sub channel of change notices: `<REDIS_KEY_PREFIX>:changes`. A channel is not a
 * key: classic pub/sub reaches every subscriber whatever node of a Cluster it is on.
 */
export function changeChannel(keyPrefix: string): string {
  return new DeploymentKeys(keyPrefix).changes();
}

/**
 * Tells the readers that figures changed (docs/dashboard.md, "The change feed"): after
 * each batch is durable, the aggregator publishes its stream's name. Notices of one
 * stream leave at most once per `minGapMs` (the first at once, the others coalesced
 * into one at the end of the gap), so a busy aggregator costs readers a bounded number
 * of recomputations. A notice is a hint, never state: a lost one is covered by the
 * readers' periodic reconciliation, and a failed PUBLISH never fails a batch.
 */
export class ChangeNotifier {
  private readonly last = new Map<ChangeStream, number>();
  private readonly pending = new Map<ChangeStream, NodeJS.Timeout>();
  private readonly channel: string;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly options: { readonly minGapMs?: number; readonly logger?: Logger } = {},
  ) {
    this.channel = changeChannel(keyPrefix);
  }

  notify(stream: ChangeStream): void {
    if (this.closed || this.pending.has(stream)) return;
    const gap = this.options.minGapMs ?? 50;
    const wait = (this.last.get(stream) ?? 0) + gap - Date.now();
    if (wait <= 0) {
      this.publish(stream);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(stream);
      this.publish(stream);
    }, wait);
    timer.unref();
    this.pending.set(stream, timer);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  private publish(stream: ChangeStream): void {
    this.last.set(stream, Date.now());
    this.redis.publish(this.channel, stream).catch((error: unknown) => {
      this.options.logger?.debug({ err: error }, 'could not publish a change notice');
    });
  }
}

export interface ChangeSubscription {
  stop(): Promise<void>;
}

/**
 * Listens to change notices on a connection of its own (a subscribed connection can do
 * nothing else). Unknown messages are ignored. It subscribes whenever the connection
 * becomes ready, so a Redis that is down at start-up or restarts is picked up again;
 * notices published meanwhile are lost, which the caller's reconciliation covers.
 */
export async function subscribeToChanges(
  redis: RedisClient,
  keyPrefix: string,
  onChange: (stream: ChangeStream) => void,
  logger?: Logger,
): Promise<ChangeSubscription> {
  const subscriber: Redis | Cluster =
    redis instanceof Cluster ? redis.duplicate() : redis.duplicate({ enableAutoPipelining: false });
  subscriber.on('error', (error: Error) => {
    logger?.debug({ err: error }, 'change subscription connection error');
  });
  const channel = changeChannel(keyPrefix);
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel && STREAMS.has(message)) onChange(message as ChangeStream);
  });
  const subscribe = (): Promise<void> =>
    subscriber.subscribe(channel).then(
      () => undefined,
      (error: unknown) => {
        logger?.debug({ err: error }, 'could not subscribe to change notices yet');
      },
    );
  subscriber.on('ready', () => {
    void subscribe();
  });
  await subscribe();
  return {
    async stop() {
      await subscriber.quit().catch(() => undefined);
      subscriber.disconnect();
    },
  };
}
