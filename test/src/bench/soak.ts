import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type { AgentEvent, ContactEvent, WfmEvent } from '@wfm-stream/schemas';
import { Redis } from 'ioredis';
import { type Admin, Partitioners, type Producer } from 'kafkajs';

import { launchBrowser } from '../support/browser.js';
import { metricByLabel, metricTotal } from '../support/metrics.js';
import { sendEvents } from '../support/publish.js';
import { random, syntheticTraffic } from '../support/traffic.js';
import { wfmEvent } from './common/events.js';
import { cpuSeconds, rssMb } from './common/processes.js';
import { infoNumber } from './common/redis.js';
import { type BenchService, startBenchService } from './common/services.js';
import { pipelineTopics, TOPIC_SETTINGS } from './common/topics.js';
import { printTable, progress } from './report.js';
import { benchKafka, startBenchStack } from './stack.js';

/*
 * The soak (issue 19): the whole pipeline as processes on the bench's own stack, fed live
 * synthetic traffic at a steady rate, sampled at a fixed interval. Its settings are named
 * in docs/configuration.md (Benchmarks), and docs/capacity.md uses its CPU figures.
 */

/** Minutes of traffic (SOAK_MINUTES). */
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
/** Events per second offered to the pipeline, contact and agent events together (SOAK_RATE). */
const RATE = Number(process.env.SOAK_RATE ?? 1_000);
/** Seconds between samples (SOAK_SAMPLE_SECONDS). */
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10);
/** Where the plot goes (SOAK_PNG). */
const PNG = process.env.SOAK_PNG ?? path.join(os.tmpdir(), 'wfm-soak.png');
/** Where the samples go as JSON, rewritten after each sample (SOAK_SAMPLES); SOAK_REPLOT=<that file> prints and plots them again. */
const SAMPLES_JSON = process.env.SOAK_SAMPLES ?? path.join(os.tmpdir(), 'wfm-soak.json');
/** Minutes of warm-up the verdict leaves out (SOAK_WARMUP_MINUTES; a third of the run). */
const WARMUP_MINUTES = Number(process.env.SOAK_WARMUP_MINUTES ?? MINUTES / 3);
/** A process's RSS is flat when after warm-up it grows less than this, in MB per 10 minutes (SOAK_RSS_FLAT_MB_PER_10_MIN). */
const RSS_FLAT_MB_PER_10_MIN = Number(process.env.SOAK_RSS_FLAT_MB_PER_10_MIN ?? 5);
/**
 * A service's heap after its major collections (its least in each FLOOR_WINDOW_MINUTES) is
 * flat when after warm-up it grows less than this, in MB per 10 minutes
 * (SOAK_LIVE_HEAP_FLAT_MB_PER_10_MIN): what a leak would move.
 */
const LIVE_HEAP_FLAT_MB_PER_10_MIN = Number(process.env.SOAK_LIVE_HEAP_FLAT_MB_PER_10_MIN ?? 1);
/** Minutes over which the heap after major collections is reduced to its least, for the verdict. */
const FLOOR_WINDOW_MINUTES = 2;
/**
 * A consumer's heap floor leaves out the samples where its group lags more than this many
 * seconds of traffic (SOAK_FLOOR_MAX_LAG_SECONDS): behind, it holds the fetched batches it
 * has not applied yet (kafkajs fetches up to 10 MB a response), which is work in hand,
 * bounded by the fetch size, not what it keeps. A soak on a loaded machine falls behind
 * for minutes at a time, so without this its floor follows the machine's load.
 */
const FLOOR_MAX_LAG_SECONDS = Number(process.env.SOAK_FLOOR_MAX_LAG_SECONDS ?? 2);
/** The consumer group of each service that has one. */
const GROUP_OF: Record<string, string> = {
  aggregator: 'wfm-aggregator',
  emitter: 'wfm-emitter',
  exporter: 'wfm-exporter',
};
/**
 * Redis keeps every contact by design (docs/architecture.md#retention: `DEDUPE_WINDOW` and
 * `RETENTION_DAYS`), so its memory cannot be flat under new contacts; it is bounded when it
 * grows by no more than this per contact started after warm-up (SOAK_REDIS_BYTES_PER_CONTACT).
 * The `memory` benchmark measured 1,490 bytes of used_memory per contact of the bank's month.
 */
const REDIS_BYTES_PER_CONTACT = Number(process.env.SOAK_REDIS_BYTES_PER_CONTACT ?? 2_000);
/** Lag is bounded when no group's lag after warm-up exceeds this many seconds of traffic (SOAK_MAX_LAG_SECONDS). */
const MAX_LAG_SECONDS = Number(process.env.SOAK_MAX_LAG_SECONDS ?? 10);
/**
 * Minutes into the traffic at which every Node service writes a heap snapshot
 * (SOAK_HEAP_SNAPSHOTS, comma-separated, e.g. `3,7`; none by default), into
 * SOAK_HEAP_SNAPSHOT_DIR (`$TMPDIR/wfm-soak-heap`): two of them, compared in DevTools'
 * comparison view, name what a growing heap retains.
 */
const HEAP_SNAPSHOT_MINUTES = (process.env.SOAK_HEAP_SNAPSHOTS ?? '')
  .split(',')
  .filter((m) => m.trim() !== '')
  .map(Number)
  .sort((a, b) => a - b);
const HEAP_SNAPSHOT_DIR =
  process.env.SOAK_HEAP_SNAPSHOT_DIR ?? path.join(os.tmpdir(), 'wfm-soak-heap');

const TOPICS = {
  ...TOPIC_SETTINGS,
  TOPIC_EXPORT_JOBS: 'cc.export-jobs',
  TOPIC_EXPORT_DEAD_LETTER: 'cc.export-dead-letter',
};
const PARTITIONS = 12;
const GROUPS = 50;
const AGENTS = 500;
const API_KEY = 'bench';
const STATUS_PATH = '/ccwfm/api/rest/status';
/** Ticks of the traffic generator. */
const TICK_MS = 100;
/** Events per contact on average: 90 % handled (4 contact + 3 agent events), 10 % abandoned (2). */
const EVENTS_PER_CONTACT = 0.9 * 7 + 0.1 * 2;

/** The consumer groups and the topics each reads (the services' default groups). */
const GROUP_TOPICS: Record<string, readonly string[]> = {
  'wfm-aggregator': [
    TOPICS.TOPIC_DIRECTORY,
    TOPICS.TOPIC_CONTACT_EVENTS,
    TOPICS.TOPIC_AGENT_EVENTS,
  ],
  'wfm-emitter': [TOPICS.TOPIC_AGENT_EVENTS],
  'wfm-exporter': [TOPICS.TOPIC_EXPORT_JOBS],
};

type Service = BenchService;

/** A service of the soak, each a process with its log in the temporary directory. */
function startService(name: string, env: NodeJS.ProcessEnv): Promise<Service> {
  // the log is appended to: a fresh one, so that its error lines and collections are this run's
  fs.rmSync(path.join(os.tmpdir(), `wfm-bench-soak-${name}.log`), { force: true });
  // --trace-gc: V8 writes a line per collection to the log; after each major one (Mark-Compact)
  // the heap holds only what is reachable, which is what a leak makes grow
  return startBenchService(name, {
    env,
    nodeArgs: [
      '--trace-gc',
      // SIGUSR2 writes a snapshot (Node's own flag), at SOAK_HEAP_SNAPSHOTS
      ...(HEAP_SNAPSHOT_MINUTES.length > 0
        ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`]
        : []),
    ],
    logName: `soak-${name}`,
    readyAttempts: 1_200,
  });
}

/** `… ms: Mark-Compact 95.2 (120.1) -> 20.3 (60.0) MB, …`: heap used (committed) before -> after. */
const MARK_COMPACT =
  /(?<!Minor )Mark-Compact(?: \([a-z ]+\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g;

/**
 * The heap after each major collection, from a log written with --trace-gc: each call reads
 * what the log gained since the last and returns the heap after the latest major collection
 * (MB), or the previous figure when there was none since.
 */
class LiveHeap {
  private offset = 0;
  private last = 0;

  constructor(private readonly file: string) {}

  read(): number {
    let text: string;
    try {
      const fd = fs.openSync(this.file, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        const buffer = Buffer.alloc(Math.max(0, size - this.offset));
        fs.readSync(fd, buffer, 0, buffer.length, this.offset);
        text = buffer.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return this.last;
    }
    const complete = text.lastIndexOf('\n') + 1;
    this.offset += Buffer.byteLength(text.slice(0, complete));
    for (const match of text.slice(0, complete).matchAll(MARK_COMPACT))
      this.last = Number(match[1]);
    return this.last;
  }
}

/** Per group: the end offsets of its topics minus its committed offsets, summed over partitions. */
async function lagByGroup(admin: Admin): Promise<Record<string, number>> {
  const lag: Record<string, number> = {};
  for (const [groupId, topics] of Object.entries(GROUP_TOPICS)) {
    let total = 0;
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const topic of committed) {
      const ends = await admin.fetchTopicOffsets(topic.topic);
      for (const end of ends) {
        const done = Number(topic.partitions.find((p) => p.partition === end.partition)?.offset);
        total += Math.max(0, Number(end.high) - Math.max(0, Number.isFinite(done) ? done : 0));
      }
    }
    lag[groupId] = total;
  }
  return lag;
}

interface Message {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
}

/**
 * Live traffic: contacts start at a steady pace, each offered, then (90 %) answered a few
 * seconds later, ended after 20–90 s of talk and wrapped up 5 s after, with its agent's
 * state changes (busy, after-contact work, ready), or (10 %) abandoned. Every event carries
 * the time it is sent.
 */
class LiveTraffic {
  private readonly due = new Map<number, Message[]>();
  private readonly rnd = random(19);
  private contacts = 0;
  private carry = 0;
  private tick = 0;
  sent = 0;

  constructor(private readonly contactsPerSecond: number) {}

  get contactsStarted(): number {
    return this.contacts;
  }

  /** The messages of the next tick. */
  next(): Message[] {
    const tick = this.tick++;
    this.carry += (this.contactsPerSecond * TICK_MS) / 1000;
    for (; this.carry >= 1; this.carry--) this.start(tick);
    const out = this.due.get(tick) ?? [];
    this.due.delete(tick);
    this.sent += out.length;
    return out;
  }

  private at(tick: number, topic: string, key: string, event: WfmEvent): void {
    const list = this.due.get(tick) ?? [];
    list.push({ topic, key, value: JSON.stringify(event) });
    this.due.set(tick, list);
  }

  private start(tick: number): void {
    const n = this.contacts++;
    const contactId = `soak-c${n}`;
    const g = Math.floor(this.rnd() * GROUPS);
    const groupId = `g${g}`;
    const channel = g % 3 === 2 ? 'CHATS' : 'INCOMING_CALLS';
    const seconds = (s: number): number => tick + Math.round((s * 1000) / TICK_MS);
    // occurredAt is the wall-clock time the tick is due, set when the contact starts
    const when = (t: number): number => Date.now() + (t - tick) * TICK_MS;
    const contact = (t: number, event: ContactEvent): void => {
      this.at(t, TOPICS.TOPIC_CONTACT_EVENTS, contactId, event);
    };
    const agent = (t: number, event: AgentEvent): void => {
      this.at(t, TOPICS.TOPIC_AGENT_EVENTS, event.agentId, event);
    };
    /** The agent's state from tick `t` on. */
    const state = (
      t: number,
      suffix: string,
      stateCode: string,
      stateName: string,
      category: 'BUSY' | 'AFTER_CONTACT_WORK' | 'AVAILABLE',
      more: { groupId?: string } = {},
    ): void => {
      agent(
        t,
        wfmEvent('agent.stateChanged', `${contactId}-${suffix}`, when(t), {
          agentId,
          stateCode,
          stateName,
          category,
          ...more,
        }),
      );
    };
    contact(
      tick,
      wfmEvent('contact.offered', `${contactId}-o`, when(tick), {
        contactId,
        groupId,
        channel,
        customerId: `cust${Math.floor(this.rnd() * 50_000)}`,
      }),
    );
    if (this.rnd() < 0.1) {
      const t = seconds(5 + this.rnd() * 25);
      contact(
        t,
        wfmEvent('contact.ended', `${contactId}-e`, when(t), { contactId, outcome: 'ABANDONED' }),
      );
      return;
    }
    const agentId = `a${n % AGENTS}`;
    const ringMs = Math.floor(1_000 + this.rnd() * 7_000);
    const talkMs = Math.floor(20_000 + this.rnd() * 70_000);
    const answered = seconds(ringMs / 1000);
    const ended = seconds((ringMs + talkMs) / 1000);
    const wrapped = seconds((ringMs + talkMs + 5_000) / 1000);
    contact(
      answered,
      wfmEvent('contact.answered', `${contactId}-a`, when(answered), {
        contactId,
        agentId,
        ringMs,
      }),
    );
    state(answered, 'busy', 'TALKING', 'Talking', 'BUSY', { groupId });
    contact(
      ended,
      wfmEvent('contact.ended', `${contactId}-e`, when(ended), {
        contactId,
        outcome: 'HANDLED',
        talkMs,
        holdMs: Math.floor(this.rnd() * 10_000),
      }),
    );
    state(ended, 'acw', 'WRAPUP', 'Wrap-up', 'AFTER_CONTACT_WORK');
    contact(
      wrapped,
      wfmEvent('contact.wrappedUp', `${contactId}-w`, when(wrapped), {
        contactId,
        agentId,
        wrapUpMs: 5_000,
      }),
    );
    state(wrapped, 'ready', 'READY', 'Ready', 'AVAILABLE');
  }
}

/** Runs the traffic until `stop()`; sends each tick as one batch over both topics. */
function runTraffic(producer: Producer, traffic: LiveTraffic): { stop(): Promise<void> } {
  let stopping = false;
  const done = (async () => {
    const start = performance.now();
    for (let tick = 0; !stopping; tick++) {
      const wait = start + tick * TICK_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const messages = traffic.next();
      if (messages.length === 0) continue;
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const m of messages) {
        const list = byTopic.get(m.topic) ?? [];
        list.push({ key: m.key, value: m.value });
        byTopic.set(m.topic, list);
      }
      await producer.sendBatch({
        acks: 1,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
    }
  })();
  return {
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/** A reader client: a few online and historic requests every second; counts answers by class. */
function runPoller(reader: Service): { counts: Record<string, number>; stop(): Promise<void> } {
  const counts: Record<string, number> = { '2xx': 0, '404': 0, '4xx': 0, '5xx': 0, failed: 0 };
  let stopping = false;
  const groups = Array.from({ length: 5 }, (_, i) => `g${i}`).join(',');
  const done = (async () => {
    while (!stopping) {
      const started = Date.now();
      const day = new Date(started).toISOString().slice(0, 10);
      const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
      const urls = [
        `/online/groupsOnlineLoad?groupId=${groups}`,
        '/online/agentStatus',
        `/historic/serviceGroupData?startDate=${day}T00:00:00Z&endDate=${next}T00:00:00Z&step=900000&groupId=${groups}`,
        `/historic/agentCallsData?startDate=${day}T00:00:00Z&endDate=${next}T00:00:00Z&step=900000&agentId=a1,a2,a3`,
      ];
      for (const url of urls) {
        try {
          const response = await fetch(`${reader.url}${url}`, {
            headers: { 'x-api-key': API_KEY },
          });
          await response.arrayBuffer();
          // 404: no data yet for what was asked (before the first contacts reach it)
          const kind = response.status === 404 ? '404' : `${Math.floor(response.status / 100)}xx`;
          counts[kind] = (counts[kind] ?? 0) + 1;
        } catch {
          counts.failed = (counts.failed ?? 0) + 1;
        }
      }
      const wait = 1_000 - (Date.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    counts,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

interface HeapSample {
  readonly used: number;
  readonly total: number;
  readonly external: number;
}

/** The V8 heap figures of a service's /metrics (prom-client's default metrics), MB. */
async function heapOf(url: string): Promise<HeapSample> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const mbOf = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`wfm_nodejs_${name}_bytes`));
    return Number(line?.split(' ').at(-1) ?? 0) / 1_048_576;
  };
  return {
    used: mbOf('heap_size_used'),
    total: mbOf('heap_size_total'),
    external: mbOf('external_memory'),
  };
}

interface Sample {
  readonly seconds: number;
  readonly sent: number;
  readonly contacts: number;
  readonly rss: Record<string, number>;
  /** Per service with a /metrics: its V8 heap and external memory (process.memoryUsage()), MB. */
  readonly heap: Record<string, HeapSample>;
  /** Per service: the V8 heap after its latest major collection (--trace-gc), MB. */
  readonly live: Record<string, number>;
  readonly cpu: Record<string, number>;
  readonly redisMb: number;
  readonly lag: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly consumed: Record<string, number>;
  readonly pushesSent: number;
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/** Lines at level error (50) or fatal (60) in a pino log. */
function errorLines(file: string): number {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => /"level":(50|60)/.test(l)).length;
  } catch {
    return 0;
  }
}

/**
 * The whole pipeline for SOAK_MINUTES at SOAK_RATE events/s: the aggregator, the emitter
 * pushing to a wfm-sink, the reader with a polling client and the exporter dropping files,
 * each a process; every SOAK_SAMPLE_SECONDS each one's RSS, V8 heap (used, committed, and
 * after its latest major collection) and CPU, Redis used_memory, each consumer group's lag
 * and the error counts. Prints the series and a verdict on the run after its warm-up, and
 * writes a PNG plot.
 */
export async function benchSoak(): Promise<void> {
  const replot = process.env.SOAK_REPLOT;
  if (replot !== undefined) {
    // the figures and plot of an earlier run, from its SOAK_SAMPLES file (error log lines not read)
    const saved = JSON.parse(fs.readFileSync(replot, 'utf8')) as {
      samples: Sample[];
      loads: number[];
      counts?: Record<string, number>;
    };
    const verdict = report(saved.samples, [], saved.loads, saved.counts ?? {});
    await plot(saved.samples, saved.loads, verdict);
    process.stdout.write(`\n  plot: ${PNG}\n`);
    return;
  }
  const stack = await startBenchStack(
    [
      ...pipelineTopics(PARTITIONS),
      { name: TOPICS.TOPIC_EXPORT_JOBS, partitions: 4 },
      { name: TOPICS.TOPIC_EXPORT_DEAD_LETTER, partitions: 1 },
    ],
    true,
  );
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-soak-export-'));
  const services: Service[] = [];
  const kafka = benchKafka(stack, 'bench-soak');
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const admin = kafka.admin();
  const redis = new Redis(stack.redisUrl);
  const common = {
    ...TOPICS,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: 'soak',
  };
  try {
    await producer.connect();
    await admin.connect();
    progress('starting the wfm-sink, aggregator, emitter, reader and exporter…');
    const sink = await startService('wfm-sink', {
      SINK_MAX_KEPT: '1000',
    });
    services.push(sink);
    const aggregator = await startService('aggregator', common);
    services.push(aggregator);
    const emitter = await startService('emitter', {
      ...common,
      WFM_STATUS_URL: `${sink.url}${STATUS_PATH}`,
      EMITTER_START_FROM: 'earliest',
    });
    services.push(emitter);
    const reader = await startService('reader', {
      ...common,
      READER_API_KEYS: API_KEY,
    });
    services.push(reader);
    const exporter = await startService('exporter', {
      ...common,
      EXPORT_TARGETS: JSON.stringify([{ name: 'drop', kind: 'file-drop', directory: exportDir }]),
      EXPORT_STEP: '1m',
      // the scheduler looks again at every interval closed within EXPORT_RESTATE_WINDOW
      // (docs/architecture.md#the-exporter), so its work grows until the window is full:
      // a quarter of the run, so that it is full before the warm-up (a third) ends
      EXPORT_RESTATE_WINDOW: `${Math.max(1, Math.floor(MINUTES / 4))}m`,
      EXPORT_DELAY: '5s',
      EXPORT_TICK: '5s',
    });
    services.push(exporter);

    // the directory and every agent logged in, then the live traffic
    const directory = syntheticTraffic({ seed: 19, contacts: 0, groups: GROUPS, agents: AGENTS });
    const now = new Date().toISOString();
    const restamp = (e: WfmEvent): WfmEvent => ({ ...e, occurredAt: now });
    await sendEvents(producer, TOPICS.TOPIC_DIRECTORY, directory.directory.map(restamp));
    await sendEvents(
      producer,
      TOPICS.TOPIC_AGENT_EVENTS,
      directory.agents.filter((e) => e.type === 'agent.loggedIn').map(restamp),
    );

    const traffic = new LiveTraffic(RATE / EVENTS_PER_CONTACT);
    const pids: Record<string, number | undefined> = {
      ...Object.fromEntries(services.map((s) => [s.name, s.proc.pid])),
      redis: stack.servers.redis,
      broker: stack.servers.broker,
    };
    const liveHeaps = new Map(services.map((s) => [s.name, new LiveHeap(s.logFile)]));
    const sampleOnce = async (t0: number, poller: { counts: Record<string, number> }) => {
      const usedMemory = infoNumber(await redis.info('memory'), 'used_memory');
      const rejected = async (s: Service): Promise<number> =>
        metricTotal(s.url, 'wfm_events_rejected_total');
      const pushes = await metricByLabel(emitter.url, 'wfm_emitter_pushes_total', 'outcome');
      const attempts = await metricByLabel(
        exporter.url,
        'wfm_export_delivery_attempts_total',
        'result',
      );
      const jobs = await metricByLabel(exporter.url, 'wfm_export_jobs_total', 'outcome');
      const sample: Sample = {
        seconds: (performance.now() - t0) / 1000,
        sent: traffic.sent,
        contacts: traffic.contactsStarted,
        rss: Object.fromEntries(
          Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? 0 : rssMb(pid)]),
        ),
        heap: Object.fromEntries(
          await Promise.all(
            services
              .filter((s) => s.name !== 'wfm-sink')
              .map(async (s) => [s.name, await heapOf(s.url)] as const),
          ),
        ),
        live: Object.fromEntries(services.map((s) => [s.name, liveHeaps.get(s.name)?.read() ?? 0])),
        cpu: Object.fromEntries(
          Object.entries(pids).map(([name, pid]) => [
            name,
            pid === undefined ? 0 : cpuSeconds(pid),
          ]),
        ),
        redisMb: usedMemory / 1_048_576,
        lag: await lagByGroup(admin),
        errors: {
          'dead letters': (await rejected(aggregator)) + (await rejected(emitter)),
          'push failures': (pushes.get('retried') ?? 0) + (pushes.get('dropped') ?? 0),
          'export failures':
            (attempts.get('retry') ?? 0) +
            (attempts.get('failed') ?? 0) +
            (jobs.get('parked') ?? 0),
          'reader 5xx': (poller.counts['5xx'] ?? 0) + (poller.counts.failed ?? 0),
        },
        consumed: {
          aggregator: await metricTotal(aggregator.url, 'wfm_events_consumed_total'),
          emitter: await metricTotal(emitter.url, 'wfm_events_consumed_total'),
        },
        pushesSent: pushes.get('sent') ?? 0,
      };
      return sample;
    };

    progress(
      `soak: ${RATE} events/s for ${MINUTES} min (${Math.round(RATE / EVENTS_PER_CONTACT)} contacts/s, ${GROUPS} groups, ${AGENTS} agents), a sample every ${SAMPLE_SECONDS} s; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} on ${os.cpus().length} cores`,
    );
    const poller = runPoller(reader);
    const run = runTraffic(producer, traffic);
    const samples: Sample[] = [];
    const t0 = performance.now();
    const end = t0 + MINUTES * 60_000;
    const loads: number[] = [];
    const snapshotsDue = [...HEAP_SNAPSHOT_MINUTES];
    if (snapshotsDue.length > 0) fs.mkdirSync(HEAP_SNAPSHOT_DIR, { recursive: true });
    try {
      for (let i = 0; ; i++) {
        const due = t0 + i * SAMPLE_SECONDS * 1000;
        if (due > end) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (snapshotsDue.length > 0 && (snapshotsDue[0] ?? 0) * 60_000 <= performance.now() - t0) {
          const minute = snapshotsDue.shift();
          for (const s of services) if (s.proc.pid > 0) process.kill(s.proc.pid, 'SIGUSR2');
          progress(`  heap snapshots of minute ${minute} requested into ${HEAP_SNAPSHOT_DIR}`);
        }
        const s = await sampleOnce(t0, poller);
        samples.push(s);
        loads.push(os.loadavg()[0] ?? 0);
        fs.writeFileSync(
          SAMPLES_JSON,
          JSON.stringify({ rate: RATE, minutes: MINUTES, samples, loads, counts: poller.counts }),
        );
        progress(
          `  ${Math.round(s.seconds)} s: sent ${s.sent}, RSS/heap used MB ${Object.keys(s.heap)
            .map((n) => `${n} ${s.rss[n]?.toFixed(0)}/${s.heap[n]?.used.toFixed(0)}`)
            .join(
              ' ',
            )}, Redis ${s.redisMb.toFixed(1)} MB, lag ${Object.values(s.lag).join('/')}, errors ${Object.values(s.errors).join('/')}`,
        );
      }
    } finally {
      await run.stop();
      await poller.stop();
    }

    const verdict = report(samples, services, loads, poller.counts);
    await plot(samples, loads, verdict);
    process.stdout.write(`\n  plot: ${PNG}\n`);
  } finally {
    redis.disconnect();
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    for (const s of services.reverse()) await s.proc.stop({ timeoutMs: 30_000 });
    await stack.stop();
    fs.rmSync(exportDir, { recursive: true, force: true });
  }
}

const SERVICES = ['aggregator', 'emitter', 'reader', 'exporter', 'wfm-sink'];

/**
 * One process's memory after warm-up in a word: `growing` when its heap after major
 * collections rises (what it keeps grows: a leak, or work that grows with the day);
 * `flat` when neither that nor its RSS does; otherwise its RSS alone grows while what it
 * keeps is flat, which is V8 sizing its committed heap and the allocator keeping pages it
 * had (a high-water mark, which levels off), not a leak.
 */
function verdictOf(m: {
  readonly floor: number;
  readonly floorWindows: number;
  readonly rss: number;
}): string {
  if (m.floorWindows < 2) return `no verdict: lagged through the run (SOAK_FLOOR_MAX_LAG_SECONDS)`;
  if (m.floor > LIVE_HEAP_FLAT_MB_PER_10_MIN) return 'growing (heap after GC)';
  if (m.rss > RSS_FLAT_MB_PER_10_MIN) return 'heap flat, RSS grows (committed heap)';
  return 'flat';
}

function report(
  samples: readonly Sample[],
  services: readonly Service[],
  loads: readonly number[],
  counts: Record<string, number>,
): string {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || samples.length < 4) {
    process.stdout.write('\nsoak: too few samples for a verdict\n');
    return 'too few samples for a verdict';
  }
  const groups = Object.keys(GROUP_TOPICS);
  const errorNames = Object.keys(first.errors);
  const mb = (x: number | undefined): string => (x ?? 0).toFixed(1);
  printTable(
    `soak: ${RATE} events/s offered for ${MINUTES} min, a sample every ${SAMPLE_SECONDS} s (RSS, V8 heap used / after the latest major collection, and Redis in MB; lag in messages; errors cumulative); ${os.cpus().length} cores shared with other work, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
    [
      [
        's',
        'sent',
        'events/s',
        ...SERVICES.map((s) => `RSS ${s}`),
        ...SERVICES.map((s) => `heap ${s}`),
        'RSS redis',
        'RSS broker',
        'Redis used',
        ...groups.map((g) => `lag ${g.replace('wfm-', '')}`),
        ...errorNames,
      ],
      ...samples.map((s, i) => {
        const prev = samples[i - 1];
        const rate =
          prev === undefined ? 0 : Math.round((s.sent - prev.sent) / (s.seconds - prev.seconds));
        return [
          String(Math.round(s.seconds)),
          s.sent,
          rate,
          ...SERVICES.map((name) => mb(s.rss[name])),
          ...SERVICES.map(
            (name) =>
              `${s.heap[name] === undefined ? '—' : s.heap[name].used.toFixed(0)}/${(s.live[name] ?? 0).toFixed(1)}`,
          ),
          mb(s.rss.redis),
          mb(s.rss.broker),
          mb(s.redisMb),
          ...groups.map((g) => s.lag[g] ?? 0),
          ...errorNames.map((e) => s.errors[e] ?? 0),
        ];
      }),
    ],
  );

  // after warm-up: slopes per 10 minutes
  const steady = samples.filter((s) => s.seconds >= WARMUP_MINUTES * 60);
  if (steady.length < 4) {
    process.stdout.write(
      `\nsoak: too few samples after ${WARMUP_MINUTES} min of warm-up for a verdict\n`,
    );
    return 'too few samples after warm-up for a verdict';
  }
  const tens = (s: Sample): number => s.seconds / 600;
  const steadyMinutes = ((last.seconds - (steady[0]?.seconds ?? 0)) / 60).toFixed(1);
  const signed = (x: number, digits = 1): string => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  const range = (values: readonly number[]): string =>
    `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  const range1 = (values: readonly number[]): string =>
    values.length === 0
      ? '—'
      : `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
  const lines: string[] = [];
  let ok = true;
  // the least of each FLOOR_WINDOW_MINUTES: a major collection during a burst of work (the
  // exporter's scheduler tick) counts that work's objects as live; a leak raises the floor
  const caughtUp = (name: string, s: Sample): boolean => {
    const group = GROUP_OF[name];
    return group === undefined || (s.lag[group] ?? 0) <= FLOOR_MAX_LAG_SECONDS * RATE;
  };
  const floors = (name: string): [number, number][] => {
    const windows = new Map<number, Sample[]>();
    for (const s of steady.filter((x) => caughtUp(name, x))) {
      const w = Math.floor(s.seconds / (FLOOR_WINDOW_MINUTES * 60));
      windows.set(w, [...(windows.get(w) ?? []), s]);
    }
    return [...windows.values()]
      .filter((w) => w.length >= 2)
      .map((w) => [
        w.reduce((sum, s) => sum + tens(s), 0) / w.length,
        Math.min(...w.map((s) => s.live[name] ?? 0)),
      ]);
  };
  // Redis's RSS follows its used_memory, judged below
  const memory = SERVICES.map((name) => ({
    name,
    rss: slope(steady.map((s) => [tens(s), s.rss[name] ?? 0])),
    rssRange: range(steady.map((s) => s.rss[name] ?? 0)),
    live: slope(steady.map((s) => [tens(s), s.live[name] ?? 0])),
    floor: slope(floors(name)),
    floorSamples: steady.filter((s) => caughtUp(name, s)).length,
    floorRange: range1(floors(name).map((f) => f[1])),
    floorWindows: floors(name).length,
    liveRange: `${Math.min(...steady.map((s) => s.live[name] ?? 0)).toFixed(1)}–${Math.max(...steady.map((s) => s.live[name] ?? 0)).toFixed(1)}`,
    heapTotal: range(steady.map((s) => s.heap[name]?.total ?? 0)),
    native: range(steady.map((s) => (s.rss[name] ?? 0) - (s.heap[name]?.total ?? 0))),
  }));
  printTable(
    `soak: memory after ${WARMUP_MINUTES.toFixed(1)} min of warm-up (${steadyMinutes} min, ${steady.length} samples): least-squares slopes in MB per 10 minutes, ranges in MB`,
    [
      [
        'process',
        'RSS slope',
        'RSS range',
        'heap after major GC: slope',
        'its range',
        `its floor (least per ${FLOOR_WINDOW_MINUTES} min, lag ≤ ${FLOOR_MAX_LAG_SECONDS} s): slope`,
        'samples in it',
        'floor range',
        'V8 heap total range',
        'RSS − heap total range',
        'verdict',
      ],
      ...memory.map((m) => [
        m.name,
        signed(m.rss),
        m.rssRange,
        signed(m.live, 2),
        m.liveRange,
        signed(m.floor, 2),
        `${m.floorSamples}/${steady.length}`,
        m.floorRange,
        m.name === 'wfm-sink' ? '—' : m.heapTotal,
        m.name === 'wfm-sink' ? '—' : m.native,
        verdictOf(m),
      ]),
    ],
  );
  for (const m of memory)
    lines.push(
      `${m.name}: heap after major GC (floor) ${signed(m.floor, 2)}, RSS ${signed(m.rss)} MB/10 min: ${verdictOf(m)} (limits ${LIVE_HEAP_FLAT_MB_PER_10_MIN} and ${RSS_FLAT_MB_PER_10_MIN} MB/10 min; load average ${range(steady.map((s) => loads[samples.indexOf(s)] ?? 0))})`,
    );
  const rssFlat = memory.every((m) => m.rss <= RSS_FLAT_MB_PER_10_MIN);
  const liveFlat = memory.every(
    (m) => m.floorWindows >= 2 && m.floor <= LIVE_HEAP_FLAT_MB_PER_10_MIN,
  );
  ok &&= rssFlat && liveFlat;
  lines.push(
    `RSS after warm-up (${steadyMinutes} min): ${memory.map((m) => `${m.name} ${signed(m.rss)}`).join(', ')} MB/10 min: ${rssFlat ? 'flat' : 'NOT flat'} (limit ${RSS_FLAT_MB_PER_10_MIN} MB/10 min, SOAK_RSS_FLAT_MB_PER_10_MIN)`,
    `V8 heap after major collections, its floor (least per ${FLOOR_WINDOW_MINUTES} min, samples where the service's group lags ≤ ${FLOOR_MAX_LAG_SECONDS} s of traffic) after warm-up: ${memory.map((m) => `${m.name} ${signed(m.floor, 2)}`).join(', ')} MB/10 min: ${liveFlat ? 'flat, no leak' : 'NOT flat'} (limit ${LIVE_HEAP_FLAT_MB_PER_10_MIN} MB/10 min, SOAK_LIVE_HEAP_FLAT_MB_PER_10_MIN)`,
  );
  const redisSlope = slope(steady.map((s) => [tens(s), s.redisMb]));
  const h0 = steady[0] ?? first;
  const contactsInSteady = last.contacts - h0.contacts;
  const bytesPerContact =
    contactsInSteady > 0 ? ((last.redisMb - h0.redisMb) * 1_048_576) / contactsInSteady : 0;
  const redisBounded = bytesPerContact <= REDIS_BYTES_PER_CONTACT;
  ok &&= redisBounded;
  lines.push(
    `Redis used_memory after warm-up: ${signed(redisSlope)} MB/10 min (${mb(h0.redisMb)} → ${mb(last.redisMb)} MB), ${Math.round(bytesPerContact)} bytes per contact started (${contactsInSteady} contacts): ${redisBounded ? 'bounded' : 'NOT bounded'} by the state kept per contact (limit ${REDIS_BYTES_PER_CONTACT} bytes, SOAK_REDIS_BYTES_PER_CONTACT; it keeps contacts DEDUPE_WINDOW and figures RETENTION_DAYS, so it is not flat while contacts arrive)`,
  );
  const lagLimit = MAX_LAG_SECONDS * RATE;
  const maxLag = Object.fromEntries(
    groups.map((g) => [g, Math.max(...steady.map((s) => s.lag[g] ?? 0))]),
  );
  const lagBounded = Object.values(maxLag).every((l) => l <= lagLimit);
  ok &&= lagBounded;
  lines.push(
    `lag after warm-up, most: ${groups.map((g) => `${g} ${maxLag[g] ?? 0}`).join(', ')} messages: ${lagBounded ? 'bounded' : 'NOT bounded'} (limit ${lagLimit}, SOAK_MAX_LAG_SECONDS ${MAX_LAG_SECONDS} s of traffic)`,
  );
  const logErrors = Object.fromEntries(services.map((s) => [s.name, errorLines(s.logFile)]));
  const errorTotal =
    errorNames.reduce((sum, e) => sum + (last.errors[e] ?? 0), 0) +
    Object.values(logErrors).reduce((a, b) => a + b, 0);
  ok &&= errorTotal === 0;
  lines.push(
    `errors: ${errorNames.map((e) => `${e} ${last.errors[e] ?? 0}`).join(', ')}; error log lines ${Object.entries(
      logErrors,
    )
      .map(([n, c]) => `${n} ${c}`)
      .join(', ')}; reader answers ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}: ${errorTotal === 0 ? 'none' : 'SOME'}`,
  );

  // CPU per unit of work over the whole run, for docs/capacity.md
  const seconds = last.seconds - first.seconds;
  const cpu = (name: string): number => (last.cpu[name] ?? 0) - (first.cpu[name] ?? 0);
  const aggregated = (last.consumed.aggregator ?? 0) - (first.consumed.aggregator ?? 0);
  const emitted = (last.consumed.emitter ?? 0) - (first.consumed.emitter ?? 0);
  const requests = ['2xx', '404', '4xx', '5xx'].reduce((sum, k) => sum + (counts[k] ?? 0), 0);
  const perCore = (work: number, name: string): string =>
    cpu(name) > 0 ? Math.round(work / cpu(name)).toLocaleString('en-US') : '—';
  /** A process's CPU over the run and its work in units (none where it is not per event). */
  const cpuRow = (name: string, work: string, units: number | undefined): (string | number)[] => [
    name,
    work,
    units ?? '—',
    cpu(name).toFixed(1),
    (cpu(name) / seconds).toFixed(2),
    units === undefined ? '—' : perCore(units, name),
  ];
  printTable(
    'soak: CPU per unit of work over the whole run (process CPU time from /proc/<pid>/stat, so meaningful on a loaded machine)',
    [
      ['process', 'work', 'units', 'CPU s', 'cores in use', 'units per CPU-second'],
      cpuRow('aggregator', 'events consumed', aggregated),
      cpuRow('emitter', 'agent events consumed', emitted),
      cpuRow('reader', 'requests answered', requests),
      cpuRow('exporter', `${GROUPS} groups' intervals (not per event)`, undefined),
      cpuRow('redis', 'events aggregated', aggregated),
      cpuRow('broker', 'events offered', last.sent - first.sent),
    ],
  );
  process.stdout.write(`\n${lines.map((l) => `  ${l}\n`).join('')}`);
  const verdict = ok ? 'steady' : 'NOT steady (see above)';
  process.stdout.write(`  verdict: ${verdict}\n`);
  return verdict;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** A chart's size and its margins around the plot, in px. */
const CHART = { width: 600, height: 300, left: 60, right: 150, top: 30, bottom: 40 };

/** One line chart as SVG: x in minutes. */
function chart(
  title: string,
  unit: string,
  series: readonly Series[],
  x0: number,
  y0: number,
): string {
  const { width, height, left, right, top, bottom } = CHART;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMax = Math.max(1e-9, ...xs);
  const warmup = Math.min(WARMUP_MINUTES, xMax);
  const yMax = Math.max(1, ...ys) * 1.1;
  const px = (x: number): number => left + (x / xMax) * (width - left - right);
  const py = (y: number): number => top + (1 - y / yMax) * (height - top - bottom);
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const parts: string[] = [
    `<g transform="translate(${x0},${y0})">`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${left}" y1="${py(0)}" x2="${width - right}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${py(0)}" stroke="#333"/>`,
    ...ticks.map(
      (t) =>
        `<line x1="${left}" y1="${py(t * yMax)}" x2="${width - right}" y2="${py(t * yMax)}" stroke="#ddd"/>` +
        `<text x="${left - 5}" y="${py(t * yMax) + 4}" font-size="11" text-anchor="end">${formatTick(t * yMax)}</text>`,
    ),
    ...ticks.map(
      (t) =>
        `<text x="${px(t * xMax)}" y="${py(0) + 15}" font-size="11" text-anchor="middle">${(t * xMax).toFixed(1)}</text>`,
    ),
    `<line x1="${px(warmup)}" y1="${top}" x2="${px(warmup)}" y2="${py(0)}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<text x="${px(warmup) + 4}" y="${top + 10}" font-size="10" fill="#666">after warm-up →</text>`,
    `<text x="${(left + width - right) / 2}" y="${height - 5}" font-size="11" text-anchor="middle">minutes</text>`,
    `<text x="12" y="${(top + height - bottom) / 2}" font-size="11" transform="rotate(-90 12 ${(top + height - bottom) / 2})" text-anchor="middle">${unit}</text>`,
  ];
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${s.points.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`,
      `<rect x="${width - right + 10}" y="${top + i * 18}" width="12" height="3" fill="${colour}"/>`,
      `<text x="${width - right + 26}" y="${top + i * 18 + 5}" font-size="11">${s.name}</text>`,
    );
  });
  parts.push('</g>');
  return parts.join('\n');
}

function formatTick(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

/** Height of the plot: a title line and four rows of charts. */
const TITLE = 30;
const HEIGHT = TITLE + 1280;

/** Renders the series as eight SVG charts in Chromium and writes the PNG. */
async function plot(
  samples: readonly Sample[],
  loads: readonly number[],
  verdict: string,
): Promise<void> {
  const minutes = (s: Sample): number => s.seconds / 60;
  const rss: Series[] = [...SERVICES, 'redis'].map((name) => ({
    name,
    points: samples.map((s) => [minutes(s), s.rss[name] ?? 0]),
  }));
  const live: Series[] = SERVICES.map((name) => ({
    name,
    points: samples.map((s) => [minutes(s), s.live[name] ?? 0]),
  }));
  const heapTotal: Series[] = SERVICES.filter((name) => name !== 'wfm-sink').map((name) => ({
    name,
    points: samples.map((s) => [minutes(s), s.heap[name]?.total ?? 0]),
  }));
  const memory: Series[] = [
    { name: 'used_memory', points: samples.map((s) => [minutes(s), s.redisMb]) },
  ];
  const lag: Series[] = Object.keys(GROUP_TOPICS).map((g) => ({
    name: g.replace('wfm-', ''),
    points: samples.map((s) => [minutes(s), s.lag[g] ?? 0]),
  }));
  const errorNames = Object.keys(samples[0]?.errors ?? {});
  const rates: Series[] = [
    {
      name: 'events/s sent',
      points: samples.slice(1).map((s, i) => {
        const prev = samples[i] ?? s;
        return [minutes(s), (s.sent - prev.sent) / Math.max(1e-9, s.seconds - prev.seconds)];
      }),
    },
    {
      name: 'aggregated/s',
      points: samples.slice(1).map((s, i) => {
        const prev = samples[i] ?? s;
        return [
          minutes(s),
          ((s.consumed.aggregator ?? 0) - (prev.consumed.aggregator ?? 0)) /
            Math.max(1e-9, s.seconds - prev.seconds),
        ];
      }),
    },
  ];
  const errors: Series[] = errorNames.map((e) => ({
    name: e,
    points: samples.map((s) => [minutes(s), s.errors[e] ?? 0]),
  }));
  const load: Series[] = [
    { name: 'load average', points: samples.map((s, i) => [minutes(s), loads[i] ?? 0]) },
  ];
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="${HEIGHT}" font-family="sans-serif" shape-rendering="crispEdges">`,
    `<rect width="1200" height="${HEIGHT}" fill="white"/>`,
    `<text x="20" y="22" font-size="15">wfm-stream soak (plotted ${new Date().toISOString().slice(0, 16)} UTC): ${RATE} events/s offered for ${MINUTES} min, ${os.cpus().length} shared cores, load average ${Math.min(...loads).toFixed(0)}–${Math.max(...loads).toFixed(0)}; verdict after ${WARMUP_MINUTES.toFixed(0)} min of warm-up: ${verdict.replace(' (see above)', '')}</text>`,
    chart('Process RSS', 'MB', rss, 0, TITLE),
    chart('V8 heap after each major GC (live)', 'MB', live, 600, TITLE),
    chart('V8 heap total (committed)', 'MB', heapTotal, 0, TITLE + 320),
    chart('Redis used_memory', 'MB', memory, 600, TITLE + 320),
    chart('Consumer lag', 'messages', lag, 0, TITLE + 640),
    chart('Throughput', 'events/s', rates, 600, TITLE + 640),
    chart('Errors (cumulative)', 'count', errors, 0, TITLE + 960),
    chart(`Machine load (${os.cpus().length} cores)`, '1-min load average', load, 600, TITLE + 960),
    '</svg>',
  ].join('\n');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ width: 1200, height: HEIGHT });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: PNG, fullPage: true });
  } finally {
    await browser.close();
  }
}
