import type {
  AgentRow,
  AgentStatusRow,
  ExportRow,
  GroupLoadRow,
  QueueRow,
  StreamTopic,
  TodayRow,
} from '@wfm-stream/dashboard-ui';
import type { Logger } from '@wfm-stream/observability';
import { backoffMs, classifyError } from '@wfm-stream/retry';
import type { ChangeStream } from '@wfm-stream/store';

import { Coalescer } from './coalescer.js';
import { type Delta, diffRows, isEmptyDelta, type SentRows } from './diff.js';
import type { LiveSource } from './live-source.js';
import {
  agentRows,
  exportRows,
  pipelineView,
  queueRows,
  type ServiceLevelSettings,
  todayKey,
} from './views.js';

/** A client of the live stream: what it asked for, and where its events go. */
export interface LiveClient {
  readonly topics: ReadonlySet<StreamTopic>;
  /** groupsOnlineLoad: only these groups, in this order (all of the directory's when absent). */
  readonly groupIds?: readonly string[] | undefined;
  /** The Today topic's step, ms. */
  readonly step: number;
  send(event: string, data: unknown): void;
}

interface Collection<R> {
  rows: readonly R[];
  sent: SentRows;
}

interface ClientState {
  /** Topics whose snapshot the client has had. */
  readonly snapshots: Set<string>;
  readonly groupFilter?: ReadonlySet<string> | undefined;
}

export interface LiveHubOptions {
  readonly source: LiveSource;
  readonly serviceLevel: ServiceLevelSettings;
  /** Everything is recomputed this often, whatever the notices said. */
  readonly reconcileMs: number;
  /** The status board (Exports, Pipeline) is read this often while someone watches it. */
  readonly boardMs?: number;
  /** At most one recomputation of a view per this gap. */
  readonly minGapMs?: number;
  /**
   * How long a recomputation that Redis says "not now" to (a failover, a lost
   * connection) is tried again before the hub reports itself unhealthy: the reader's
   * READER_REDIS_RETRY_BUDGET. 0 (the default): one attempt.
   */
  readonly retryBudgetMs?: number;
  readonly logger: Logger;
  readonly now?: () => number;
}

/** The waits between attempts of a recomputation: 100 ms, doubling, at most 1 s (jittered). */
const RETRY_BACKOFF = { initialMs: 100, maxMs: 1_000 };

const ONLINE_TOPICS = new Set<StreamTopic>(['groupsOnlineLoad', 'agentStatus', 'queues', 'agents']);

/** The "today" view of one step: its day, the rows sent, the computation in hand. */
interface TodayView {
  day: string;
  start: string;
  end: string;
  collection: Collection<TodayRow>;
  runner: Coalescer;
  computed: boolean;
}

/**
 * The live stream's engine, one per reader process (docs/dashboard.md). It keeps the
 * current rows of every watched topic, recomputes a view when the aggregator's change
 * notices (or the reconciliation timer) say it may have changed, and sends each client
 * the difference: a snapshot first, then deltas. However many clients watch, a view is
 * read from Redis once per change, never once per client.
 */
export class LiveHub {
  private readonly clients = new Map<LiveClient, ClientState>();
  private readonly online: {
    groupsOnlineLoad: Collection<GroupLoadRow>;
    agentStatus: Collection<AgentStatusRow>;
    queues: Collection<QueueRow>;
    agents: Collection<AgentRow>;
    groupIds: readonly string[];
    computed: boolean;
  } = {
    groupsOnlineLoad: { rows: [], sent: new Map() },
    agentStatus: { rows: [], sent: new Map() },
    queues: { rows: [], sent: new Map() },
    agents: { rows: [], sent: new Map() },
    groupIds: [],
    computed: false,
  };
  private readonly today = new Map<number, TodayView>();
  private readonly board: {
    exports: Collection<ExportRow>;
    pipeline: string;
    pipelineValue: unknown;
    computed: boolean;
  } = {
    exports: { rows: [], sent: new Map() },
    pipeline: '',
    pipelineValue: undefined,
    computed: false,
  };
  private readonly onlineRunner: Coalescer;
  private readonly boardRunner: Coalescer;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly now: () => number;
  private healthy = true;
  private stopped = false;

  constructor(private readonly options: LiveHubOptions) {
    this.now = options.now ?? Date.now;
    const gap = options.minGapMs ?? 100;
    this.onlineRunner = new Coalescer(() => this.guard(() => this.computeOnline()), gap);
    this.boardRunner = new Coalescer(() => this.guard(() => this.computeBoard()), gap);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Whether the last recomputation of every view succeeded (false: Redis unreachable, say). */
  get isHealthy(): boolean {
    return this.healthy;
  }

  start(): void {
    this.timers.push(
      setInterval(() => {
        this.reconcile();
      }, this.options.reconcileMs),
      setInterval(() => {
        if (this.watches('exports') || this.watches('pipeline')) this.boardRunner.trigger();
      }, this.options.boardMs ?? 1_000),
    );
    for (const timer of this.timers) timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all([
      this.onlineRunner.stop(),
      this.boardRunner.stop(),
      ...[...this.today.values()].map((t) => t.runner.stop()),
    ]);
  }

  /** A change notice from the aggregator. */
  changed(stream: ChangeStream): void {
    if ([...ONLINE_TOPICS].some((t) => this.watches(t))) this.onlineRunner.trigger();
    if (stream !== 'agents') for (const t of this.today.values()) t.runner.trigger();
  }

  /** Everything watched, recomputed (the timer: a missed notice, a generation switch, midnight). */
  reconcile(): void {
    if ([...ONLINE_TOPICS].some((t) => this.watches(t))) this.onlineRunner.trigger();
    for (const t of this.today.values()) t.runner.trigger();
    if (this.watches('exports') || this.watches('pipeline')) this.boardRunner.trigger();
  }

  subscribe(client: LiveClient): void {
    this.clients.set(client, {
      snapshots: new Set(),
      groupFilter: client.groupIds === undefined ? undefined : new Set(client.groupIds),
    });
    if ([...ONLINE_TOPICS].some((t) => client.topics.has(t))) {
      if (this.online.computed) this.sendOnline(client);
      this.onlineRunner.trigger();
    }
    if (client.topics.has('today')) {
      const today = this.todayOf(client.step);
      if (today.computed) this.sendToday(client, client.step);
      today.runner.trigger();
    }
    if (client.topics.has('exports') || client.topics.has('pipeline')) {
      if (this.board.computed) this.sendBoard(client);
      this.boardRunner.trigger();
    }
  }

  unsubscribe(client: LiveClient): void {
    this.clients.delete(client);
    for (const [step, today] of this.today) {
      if ([...this.clients.keys()].some((c) => c.topics.has('today') && c.step === step)) continue;
      void today.runner.stop();
      this.today.delete(step);
    }
  }

  private watches(topic: StreamTopic): boolean {
    for (const client of this.clients.keys()) if (client.topics.has(topic)) return true;
    return false;
  }

  /**
   * Runs a recomputation; one that fails with a Redis error that says "not now"
   * (`classifyError`: a failover, CLUSTERDOWN, a lost connection) runs again after a
   * backoff until `retryBudgetMs` has passed, as the endpoints' requests do
   * (docs/dashboard.md, "The change feed"). So a failover delays the clients' next delta
   * rather than leaving them without one until the next reconciliation. An attempt is
   * never abandoned (its commands have REDIS_COMMAND_TIMEOUT), so two never overlap.
   */
  private async guard(work: () => Promise<void>): Promise<void> {
    // real time, whatever clock the views are computed for
    const deadline = Date.now() + (this.options.retryBudgetMs ?? 0);
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        this.healthy = true;
        return;
      } catch (error) {
        const wait = Math.min(backoffMs(RETRY_BACKOFF, attempt), deadline - Date.now());
        if (this.stopped || classifyError(error) !== 'retriable' || wait <= 0) {
          this.healthy = false;
          this.options.logger.warn({ err: error }, 'live stream: could not read the figures');
          return;
        }
        this.options.logger.debug({ err: error, attempt }, 'live stream: redis not now; retrying');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private todayOf(step: number): TodayView {
    let today = this.today.get(step);
    if (today === undefined) {
      const entry = {
        day: '',
        start: '',
        end: '',
        collection: { rows: [] as readonly TodayRow[], sent: new Map<string, string>() },
        runner: new Coalescer(
          () => this.guard(() => this.computeToday(step)),
          this.options.minGapMs ?? 100,
        ),
        computed: false,
      };
      this.today.set(step, entry);
      today = entry;
    }
    return today;
  }

  private extraGroupIds(): Set<string> {
    const extra = new Set<string>();
    for (const client of this.clients.keys())
      if (client.topics.has('groupsOnlineLoad'))
        for (const id of client.groupIds ?? []) extra.add(id);
    return extra;
  }

  private async computeOnline(): Promise<void> {
    const reading = await this.options.source.online(this.extraGroupIds());
    const at = this.now();
    const o = this.online;
    const deltas = {
      groupsOnlineLoad: update(o.groupsOnlineLoad, reading.loads, (r) => r.groupId),
      agentStatus: update(o.agentStatus, reading.agentStatus, (r) => r.agentId),
      queues: update(
        o.queues,
        queueRows(
          reading.loads,
          reading.directory,
          reading.agents,
          reading.oldestWaiting,
          this.options.serviceLevel,
        ),
        (r) => r.groupId,
      ),
      agents: update(o.agents, agentRows(reading.directory, reading.agents), (r) => r.agentId),
    };
    o.groupIds = [...reading.directory.groups.keys()].sort();
    o.computed = true;
    const directoryGroups = new Set(o.groupIds);
    for (const [client, state] of this.clients) {
      for (const topic of ['groupsOnlineLoad', 'agentStatus', 'queues', 'agents'] as const) {
        if (!client.topics.has(topic)) continue;
        if (!state.snapshots.has(topic)) {
          this.sendOnlineTopic(client, state, topic);
          continue;
        }
        // a client that named no groups gets the directory's, not the ones others asked for
        const delta =
          topic === 'groupsOnlineLoad'
            ? filterDelta(
                deltas.groupsOnlineLoad,
                state.groupFilter ?? directoryGroups,
                (r) => r.groupId,
                state.groupFilter === undefined,
              )
            : deltas[topic];
        if (!isEmptyDelta(delta)) client.send(topic, { ...delta, at });
      }
    }
  }

  private sendOnline(client: LiveClient): void {
    const state = this.clients.get(client);
    if (state === undefined) return;
    for (const topic of ['groupsOnlineLoad', 'agentStatus', 'queues', 'agents'] as const)
      if (client.topics.has(topic)) this.sendOnlineTopic(client, state, topic);
  }

  private sendOnlineTopic(
    client: LiveClient,
    state: ClientState,
    topic: 'groupsOnlineLoad' | 'agentStatus' | 'queues' | 'agents',
  ): void {
    let rows: readonly unknown[] = this.online[topic].rows;
    if (topic === 'groupsOnlineLoad' && client.groupIds === undefined) {
      const directoryGroups = new Set(this.online.groupIds);
      rows = this.online.groupsOnlineLoad.rows.filter((r) => directoryGroups.has(r.groupId));
    } else if (topic === 'groupsOnlineLoad' && client.groupIds !== undefined) {
      const byId = new Map(this.online.groupsOnlineLoad.rows.map((r) => [r.groupId, r]));
      rows = client.groupIds.flatMap((id) => {
        const row = byId.get(id);
        return row === undefined ? [] : [row];
      });
    }
    client.send(topic, { snapshot: true, upsert: rows, remove: [], at: this.now() });
    state.snapshots.add(topic);
  }

  private async computeToday(step: number): Promise<void> {
    const today = this.today.get(step);
    if (today === undefined) return; // nobody watches this step any more
    let groupIds = this.online.groupIds;
    if (!this.online.computed) {
      groupIds = [...(await this.options.source.online(new Set())).directory.groups.keys()].sort();
    }
    const reading = await this.options.source.today(step, groupIds);
    const newDay = reading.day !== today.day;
    if (newDay) today.collection.sent = new Map();
    const delta = update(today.collection, reading.rows, todayKey);
    today.day = reading.day;
    today.start = reading.start;
    today.end = reading.end;
    today.computed = true;
    const at = this.now();
    for (const [client, state] of this.clients) {
      if (!client.topics.has('today') || client.step !== step) continue;
      if (newDay || !state.snapshots.has('today')) {
        this.sendToday(client, step);
        continue;
      }
      if (!isEmptyDelta(delta))
        client.send('today', {
          ...delta,
          step,
          day: today.day,
          start: today.start,
          end: today.end,
          at,
        });
    }
  }

  private sendToday(client: LiveClient, step: number): void {
    const today = this.today.get(step);
    const state = this.clients.get(client);
    if (today === undefined || state === undefined) return;
    client.send('today', {
      snapshot: true,
      upsert: today.collection.rows,
      remove: [],
      step,
      day: today.day,
      start: today.start,
      end: today.end,
      at: this.now(),
    });
    state.snapshots.add('today');
  }

  private async computeBoard(): Promise<void> {
    const reading = await this.options.source.board();
    const at = this.now();
    const delta = update(this.board.exports, exportRows(reading), (r) => r.target);
    const pipeline = pipelineView(reading, at);
    const { at: _at, ...comparable } = pipeline;
    const pipelineJson = JSON.stringify(comparable);
    const pipelineChanged = pipelineJson !== this.board.pipeline;
    this.board.pipeline = pipelineJson;
    this.board.pipelineValue = pipeline;
    this.board.computed = true;
    for (const [client, state] of this.clients) {
      if (client.topics.has('exports')) {
        if (!state.snapshots.has('exports')) this.sendBoard(client);
        else if (!isEmptyDelta(delta)) client.send('exports', { ...delta, at });
      }
      if (client.topics.has('pipeline') && (pipelineChanged || !state.snapshots.has('pipeline'))) {
        client.send('pipeline', pipeline);
        state.snapshots.add('pipeline');
      }
    }
  }

  private sendBoard(client: LiveClient): void {
    const state = this.clients.get(client);
    if (state === undefined) return;
    if (client.topics.has('exports') && !state.snapshots.has('exports')) {
      client.send('exports', {
        snapshot: true,
        upsert: this.board.exports.rows,
        remove: [],
        at: this.now(),
      });
      state.snapshots.add('exports');
    }
    if (client.topics.has('pipeline') && !state.snapshots.has('pipeline')) {
      client.send('pipeline', this.board.pipelineValue);
      state.snapshots.add('pipeline');
    }
  }
}

function update<R>(
  collection: Collection<R>,
  rows: readonly R[],
  keyOf: (r: R) => string,
): Delta<R> {
  const { delta, state } = diffRows(collection.sent, rows, keyOf);
  collection.rows = rows;
  collection.sent = state;
  return delta;
}

function filterDelta<R>(
  delta: Delta<R>,
  filter: ReadonlySet<string>,
  keyOf: (r: R) => string,
  keepRemovals = false,
): Delta<R> {
  return {
    upsert: delta.upsert.filter((r) => filter.has(keyOf(r))),
    remove: keepRemovals ? delta.remove : delta.remove.filter((k) => filter.has(k)),
  };
}
