import type {
  AgentRow,
  CollectionEvent,
  ExportRow,
  PipelineEvent,
  QueueRow,
  TodayEvent,
  TodayRow,
} from '../protocol.js';
import { applyEvent } from './model.js';

export type ConnectionState = 'connecting' | 'live' | 'stale';

export interface DashboardState {
  readonly connection: ConnectionState;
  /** When the page last heard from the server (epoch ms, the browser's clock). */
  readonly lastHeardAt?: number;
  /** Since when the data may be old (epoch ms), while not live. */
  readonly staleSince?: number;
  /** The server says it cannot read the figures (Redis down, say). */
  readonly serverHealthy: boolean;
  /** Server clock minus the browser's: durations tick on the server's time. */
  readonly clockOffsetMs: number;
  readonly timeZone: string;
  readonly queues: ReadonlyMap<string, QueueRow>;
  readonly agents: ReadonlyMap<string, AgentRow>;
  readonly today: ReadonlyMap<string, TodayRow>;
  readonly todayStep: number;
  readonly todayDay: string;
  /** The local midnight that starts today's grid, epoch ms. */
  readonly todayStart?: number;
  readonly exports: ReadonlyMap<string, ExportRow>;
  readonly pipeline?: PipelineEvent;
  /** When the last change of each topic was computed (server clock). */
  readonly updatedAt: Readonly<Record<string, number>>;
}

type Listener = () => void;

/** The page's one store: the stream writes it, the views read it. */
export class Store {
  private value: DashboardState = {
    connection: 'connecting',
    serverHealthy: true,
    clockOffsetMs: 0,
    timeZone: 'UTC',
    queues: new Map(),
    agents: new Map(),
    today: new Map(),
    todayStep: 900_000,
    todayDay: '',
    exports: new Map(),
    updatedAt: {},
  };
  private readonly listeners = new Set<Listener>();

  get state(): DashboardState {
    return this.value;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<DashboardState>): void {
    this.value = { ...this.value, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** Server time now, by the offset measured from the stream. */
  serverNow(): number {
    return Date.now() + this.value.clockOffsetMs;
  }

  apply(topic: string, data: unknown): void {
    const s = this.value;
    const updatedAt = (at: number): Record<string, number> => ({ ...s.updatedAt, [topic]: at });
    switch (topic) {
      case 'queues': {
        const e = data as CollectionEvent<QueueRow>;
        this.set({ queues: applyEvent(s.queues, e, (r) => r.groupId), updatedAt: updatedAt(e.at) });
        return;
      }
      case 'agents': {
        const e = data as CollectionEvent<AgentRow>;
        this.set({ agents: applyEvent(s.agents, e, (r) => r.agentId), updatedAt: updatedAt(e.at) });
        return;
      }
      case 'today': {
        const e = data as TodayEvent;
        this.set({
          today: applyEvent(s.today, e, (r) => `${r.groupId}|${r.startInterval}`),
          todayStep: e.step,
          todayDay: e.day,
          todayStart: Date.parse(e.start),
          updatedAt: updatedAt(e.at),
        });
        return;
      }
      case 'exports': {
        const e = data as CollectionEvent<ExportRow>;
        this.set({
          exports: applyEvent(s.exports, e, (r) => r.target),
          updatedAt: updatedAt(e.at),
        });
        return;
      }
      case 'pipeline': {
        const e = data as PipelineEvent;
        this.set({ pipeline: e, updatedAt: updatedAt(e.at) });
        return;
      }
    }
  }
}
