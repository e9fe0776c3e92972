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
}

/** What became of a push: the WFM answered, it was given up, or the caller halted it. */
export type SendOutcome = 'sent' | 'dropped' | 'halted';

/** A push that could not reach the WFM: refused, reset, timed out. */
class ConnectionFailure extends Error {}

/**
 * Sends one status push to the WFM: keep-alive connections; retries with exponential
 * backoff on connection failures for at most PUSH_GIVE_UP_AFTER (the WFM's answer itself
 * carries nothing: any HTTP status counts as delivered, docs/api.md); what cannot be
 * delivered is dropped, counted and logged. Every attempt carries the push's
 * Idempotency-Key. Which push goes when is the caller's (delivery.ts).
 */
export class StatusPusher {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;

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

  get timeoutMs(): number {
    return this.settings.timeoutMs;
  }

  /**
   * Sends the push, retrying until it is delivered or given up. Before every attempt it
   * asks `mayAttempt` (the caller's lease still covers an attempt, the emitter is not
   * stopping): 'halted' when it says no.
   */
  async send(
    push: StatusPush,
    key: string,
    appendedAtMs: number,
    mayAttempt: () => boolean,
  ): Promise<SendOutcome> {
    const body = JSON.stringify(push);
    const firstAttempt = Date.now();
    const policy = { initialMs: this.settings.backoffMs, maxMs: this.settings.maxBackoffMs };
    for (let attempt = 1; ; attempt++) {
      if (!mayAttempt()) return 'halted';
      try {
        await this.post(body, key);
        this.metrics.pushes.inc({ outcome: 'sent' });
        this.metrics.latency.observe(Math.max(0, Date.now() - appendedAtMs) / 1000);
        return 'sent';
      } catch (error) {
        const delay = backoffMs(policy, attempt);
        if (Date.now() + delay - firstAttempt > this.settings.giveUpAfterMs) {
          this.drop(push, error instanceof Error ? error.message : String(error));
          return 'dropped';
        }
        this.metrics.pushes.inc({ outcome: 'retried' });
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }

  /** Closes the connections (a request in flight fails). */
  close(): void {
    this.agent.destroy();
  }

  private drop(push: StatusPush, reason: string): void {
    this.metrics.pushes.inc({ outcome: 'dropped' });
    this.logger.warn({ push, reason }, 'status push dropped');
  }

  private post(body: string, key: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = this.request(this.settings.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.settings.headers,
          'content-type': 'application/json',
          'idempotency-key': key,
          'content-length': Buffer.byteLength(body),
        },
      });
      // PUSH_TIMEOUT bounds the whole attempt, the wait for a free connection included, so
      // that an attempt never outlasts the lease it started under (docs/architecture.md,
      // "The emitter")
      const deadline = setTimeout(() => {
        request.destroy(new ConnectionFailure(`no answer within ${this.settings.timeoutMs} ms`));
      }, this.settings.timeoutMs);
      request.on('close', () => {
        clearTimeout(deadline);
      });
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(error instanceof ConnectionFailure ? error : new ConnectionFailure(error.message));
      });
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          clearTimeout(deadline);
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
