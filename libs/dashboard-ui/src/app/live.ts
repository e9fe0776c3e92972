import type { HeartbeatEvent, HelloEvent } from '../protocol.js';
import type { Store } from './store.js';

const TOPICS = ['queues', 'agents', 'today', 'exports', 'pipeline'] as const;

export interface LiveOptions {
  readonly store: Store;
  /** Called when the stream is refused: the session may have ended. */
  readonly onRefused: () => void;
}

/**
 * The page's connection to GET /online/stream (Server-Sent Events, with the session
 * cookie). It says when it is stale: after an error, or when no heartbeat came for
 * two and a half heartbeat intervals. It reconnects by itself, waiting 0.5 s, then
 * doubling up to 5 s; every reconnection starts again from snapshots.
 */
export class LiveConnection {
  private source: EventSource | undefined;
  private step = 900_000;
  private heartbeatMs = 10_000;
  private lastHeard = 0;
  private retryMs = 500;
  private reconnectTimer: number | undefined;
  private watchdog: number | undefined;
  private stopped = false;

  constructor(private readonly options: LiveOptions) {}

  start(step: number): void {
    this.step = step;
    this.stopped = false;
    this.connect();
    this.watchdog = window.setInterval(() => {
      this.checkStale();
    }, 1000);
  }

  /** Another Today step: the stream is opened again with it. */
  setStep(step: number): void {
    if (step === this.step) return;
    this.step = step;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.clearInterval(this.watchdog);
    window.clearTimeout(this.reconnectTimer);
    this.source?.close();
    this.source = undefined;
  }

  private connect(): void {
    window.clearTimeout(this.reconnectTimer);
    this.source?.close();
    const url = `/online/stream?topics=${TOPICS.join(',')}&step=${this.step}`;
    const source = new EventSource(url);
    this.source = source;
    const heard = (): void => {
      this.lastHeard = Date.now();
    };
    source.addEventListener('hello', (event) => {
      heard();
      const hello = JSON.parse((event as MessageEvent<string>).data) as HelloEvent;
      this.heartbeatMs = hello.heartbeatMs;
      this.retryMs = 500;
      this.options.store.set({
        connection: 'live',
        staleSince: undefined,
        lastHeardAt: this.lastHeard,
        clockOffsetMs: hello.serverTime - Date.now(),
        timeZone: hello.timeZone,
      });
    });
    source.addEventListener('heartbeat', (event) => {
      heard();
      const beat = JSON.parse((event as MessageEvent<string>).data) as HeartbeatEvent & {
        healthy?: boolean;
      };
      this.options.store.set({
        lastHeardAt: this.lastHeard,
        clockOffsetMs: beat.serverTime - Date.now(),
        serverHealthy: beat.healthy !== false,
      });
    });
    for (const topic of TOPICS) {
      source.addEventListener(topic, (event) => {
        heard();
        this.options.store.apply(topic, JSON.parse((event as MessageEvent<string>).data));
      });
    }
    source.onerror = () => {
      if (this.source !== source) return;
      source.close();
      this.source = undefined;
      this.markStale();
      this.scheduleReconnect();
    };
  }

  private markStale(): void {
    const state = this.options.store.state;
    if (state.connection === 'stale') return;
    this.options.store.set({ connection: 'stale', staleSince: this.lastHeard || Date.now() });
  }

  private checkStale(): void {
    if (this.stopped || this.source === undefined) return;
    if (this.lastHeard > 0 && Date.now() - this.lastHeard > this.heartbeatMs * 2.5) {
      this.markStale();
      this.connect();
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
    this.reconnectTimer = window.setTimeout(() => {
      void fetch('/dashboard/session', { credentials: 'same-origin' })
        .then((r) => (r.ok ? (r.json() as Promise<{ authenticated: boolean }>) : undefined))
        .then((session) => {
          if (session?.authenticated === false) {
            this.stop();
            this.options.onRefused();
            return;
          }
          this.connect();
        })
        .catch(() => {
          // the server is still away: try again later
          this.scheduleReconnect();
        });
    }, wait);
  }
}
