import http from 'node:http';
import https from 'node:https';

import type { StatusPush } from '@wfm-stream/core';
import type { Logger } from '@wfm-stream/observability';
import { backoffMs } from '@wfm-stream/retry';

import type { PushMetrics } from './push-metrics.js';

export interface PusherSettings {
  readonly url: URL;
  /** Extra request headers (authorization). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** A push not delivered this long after its first attempt is dropped (PUSH_GIVE_UP_AFTER). */
  readonly giveUpAfterMs: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxConnections: number;
  readonly maxPending: number;
}

interface QueuedPush {
  readonly body: string;
  readonly push: StatusPush;
  readonly appendedAtMs: number;
}

/** A push that could not reach the WFM: refused, reset, timed out. */
class ConnectionFailure extends Error {}

/**
 * Delivers status pushes to the WFM: one FIFO per agent, so an agent's pushes arrive in
 * order while agents never wait for each other; keep-alive connections; retries with
 * exponential backoff on connection failures for at most PUSH_GIVE_UP_AFTER (the WFM's answer itself carries
 * nothing: any HTTP status counts as delivered, docs/api.md); what cannot be delivered is
 * dropped, counted and logged. Enqueueing never blocks.
 */
export class StatusPusher {
  private readonly queues = new Map<string, QueuedPush[]>();
  private readonly loops = new Map<string, Promise<void>>();
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private pendingCount = 0;
  private closed = false;

  constructor(
    private readonly settings: PusherSettings,
    private readonly metrics: PushMetrics,
    private readonly logger: Logger,
  ) {
    const secure = settings.url.protocol === 'https:';
    const options = { keepAlive: true, maxSockets: settings.maxConnections };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
    this.request = secure ? https.request : http.request;
  }

  get pending(): number {
    return this.pendingCount;
  }

  enqueue(pushes: readonly StatusPush[], appendedAtMs: number): void {
    for (const push of pushes) {
      if (this.closed || this.pendingCount >= this.settings.maxPending) {
        this.drop(push, this.closed ? 'emitter stopping' : 'too many pushes pending');
        continue;
      }
      let queue = this.queues.get(push.workerId);
      if (queue === undefined) {
        queue = [];
        this.queues.set(push.workerId, queue);
      }
      queue.push({ body: JSON.stringify(push), push, appendedAtMs });
      this.pendingCount++;
      if (!this.loops.has(push.workerId)) this.startLoop(push.workerId, queue);
    }
    this.metrics.pending.set(this.pendingCount);
  }

  /**
   * Waits up to `timeoutMs` for every queued push, then drops what is left and closes
   * the connections. Returns the number dropped.
   */
  async close(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.loops.values()),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    let dropped = 0;
    for (const queue of this.queues.values()) {
      for (const item of queue.splice(0)) {
        this.drop(item.push, 'emitter stopping');
        dropped++;
      }
    }
    this.pendingCount = 0;
    this.metrics.pending.set(0);
    this.agent.destroy();
    return dropped;
  }

  private startLoop(agentId: string, queue: QueuedPush[]): void {
    const loop = (async () => {
      for (let item = queue[0]; item !== undefined; item = queue[0]) {
        await this.deliver(item);
        if (queue[0] === item) {
          queue.shift();
          this.pendingCount--;
          this.metrics.pending.set(this.pendingCount);
        }
      }
      this.queues.delete(agentId);
      this.loops.delete(agentId);
    })();
    this.loops.set(agentId, loop);
  }

  private async deliver(item: QueuedPush): Promise<void> {
    const firstAttempt = Date.now();
    const policy = { initialMs: this.settings.backoffMs, maxMs: this.settings.maxBackoffMs };
    for (let attempt = 1; ; attempt++) {
      if (this.closed) return;
      try {
        await this.post(item.body);
        this.metrics.pushes.inc({ outcome: 'sent' });
        this.metrics.latency.observe(Math.max(0, Date.now() - item.appendedAtMs) / 1000);
        return;
      } catch (error) {
        const delay = backoffMs(policy, attempt);
        if (Date.now() + delay - firstAttempt > this.settings.giveUpAfterMs) {
          this.drop(item.push, error instanceof Error ? error.message : String(error));
          return;
        }
        this.metrics.pushes.inc({ outcome: 'retried' });
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  private drop(push: StatusPush, reason: string): void {
    this.metrics.pushes.inc({ outcome: 'dropped' });
    this.logger.warn({ push, reason }, 'status push dropped');
  }

  private post(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this.request(this.settings.url, {
        method: 'POST',
        agent: this.agent,
        timeout: this.settings.timeoutMs,
        headers: {
          ...this.settings.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      });
      request.on('timeout', () => {
        request.destroy(new ConnectionFailure(`no answer within ${this.settings.timeoutMs} ms`));
      });
      request.on('error', (error) => {
        reject(error instanceof ConnectionFailure ? error : new ConnectionFailure(error.message));
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          resolve();
        });
        response.on('error', (error) => {
          reject(new ConnectionFailure(error.message));
        });
      });
      request.end(body);
    });
  }
}
