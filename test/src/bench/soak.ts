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
/** A process's RSS is flat when its second half grows less than this, in MB/hour (SOAK_RSS_FLAT_MB_PER_HOUR). */
const RSS_FLAT_MB_PER_HOUR = Number(process.env.SOAK_RSS_FLAT_MB_PER_HOUR ?? 20);
/**
 * Redis keeps every contact by design (docs/architecture.md#retention: `DEDUPE_WINDOW` and
 * `RETENTION_DAYS`), so its memory cannot be flat under new contacts; it is bounded when it
 * grows by no more than this per contact started in the second half (SOAK_REDIS_BYTES_PER_CONTACT).
 * The `memory` benchmark measured 1,490 bytes of used_memory per contact of the bank's month.
 */
const REDIS_BYTES_PER_CONTACT = Number(process.env.SOAK_REDIS_BYTES_PER_CONTACT ?? 2_000);
/** Lag is bounded when no group's lag in the second half exceeds this many seconds of traffic (SOAK_MAX_LAG_SECONDS). */
const MAX_LAG_SECONDS = Number(process.env.SOAK_MAX_LAG_SECONDS ?? 10);

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
  return startBenchService(name, { env, logName: `soak-${name}`, readyAttempts: 1_200 });
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

interface Sample {
  readonly seconds: number;
  readonly sent: number;
  readonly contacts: number;
  readonly rss: Record<string, number>;
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
 * each a process; every SOAK_SAMPLE_SECONDS each one's RSS and CPU, Redis used_memory, each
 * consumer group's lag and the error counts. Prints the series and a verdict, and writes a
 * PNG plot.
 */
export async function benchSoak(): Promise<void> {
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
      // a quarter of the run, so that the second half sees its steady state
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
    try {
      for (let i = 0; ; i++) {
        const due = t0 + i * SAMPLE_SECONDS * 1000;
        if (due > end) break;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const s = await sampleOnce(t0, poller);
        samples.push(s);
        loads.push(os.loadavg()[0] ?? 0);
        progress(
          `  ${Math.round(s.seconds)} s: sent ${s.sent}, aggregator RSS ${s.rss.aggregator?.toFixed(0)} MB, Redis ${s.redisMb.toFixed(1)} MB, lag ${Object.values(s.lag).join('/')}, errors ${Object.values(s.errors).join('/')}`,
        );
      }
    } finally {
      await run.stop();
      await poller.stop();
    }

    report(samples, services, loads, poller.counts);
    await plot(samples, loads);
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

function report(
  samples: readonly Sample[],
  services: readonly Service[],
  loads: readonly number[],
  counts: Record<string, number>,
): void {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || samples.length < 4) {
    process.stdout.write('\nsoak: too few samples for a verdict\n');
    return;
  }
  const groups = Object.keys(GROUP_TOPICS);
  const errorNames = Object.keys(first.errors);
  const mb = (x: number | undefined): string => (x ?? 0).toFixed(1);
  printTable(
    `soak: ${RATE} events/s offered for ${MINUTES} min, a sample every ${SAMPLE_SECONDS} s (RSS and Redis in MB; lag in messages; errors cumulative); ${os.cpus().length} cores shared with other work, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
    [
      [
        's',
        'sent',
        'events/s',
        ...SERVICES.map((s) => `RSS ${s}`),
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
          mb(s.rss.redis),
          mb(s.rss.broker),
          mb(s.redisMb),
          ...groups.map((g) => s.lag[g] ?? 0),
          ...errorNames.map((e) => s.errors[e] ?? 0),
        ];
      }),
    ],
  );

  // the second half, after warm-up
  const half = samples.filter((s) => s.seconds >= last.seconds / 2);
  const hours = (s: Sample): number => s.seconds / 3_600;
  const halfMinutes = ((last.seconds - (half[0]?.seconds ?? 0)) / 60).toFixed(1);
  const lines: string[] = [];
  let ok = true;
  // Redis's RSS follows its used_memory, judged below
  const rssSlopes = SERVICES.map((name) => ({
    name,
    slope: slope(half.map((s) => [hours(s), s.rss[name] ?? 0])),
  }));
  const rssFlat = rssSlopes.every((r) => r.slope <= RSS_FLAT_MB_PER_HOUR);
  ok &&= rssFlat;
  lines.push(
    `RSS over the second half (${halfMinutes} min): ${rssSlopes.map((r) => `${r.name} ${r.slope >= 0 ? '+' : ''}${r.slope.toFixed(1)} (${r.slope >= 0 ? '+' : ''}${((r.slope * Number(halfMinutes)) / 60).toFixed(1)} MB over it)`).join(', ')} MB/hour: ${rssFlat ? 'flat' : 'NOT flat'} (limit ${RSS_FLAT_MB_PER_HOUR} MB/hour, SOAK_RSS_FLAT_MB_PER_HOUR)`,
  );
  const redisSlope = slope(half.map((s) => [hours(s), s.redisMb]));
  const h0 = half[0] ?? first;
  const contactsInHalf = last.contacts - h0.contacts;
  const bytesPerContact =
    contactsInHalf > 0 ? ((last.redisMb - h0.redisMb) * 1_048_576) / contactsInHalf : 0;
  const redisBounded = bytesPerContact <= REDIS_BYTES_PER_CONTACT;
  ok &&= redisBounded;
  lines.push(
    `Redis used_memory over the second half: ${redisSlope >= 0 ? '+' : ''}${redisSlope.toFixed(1)} MB/hour, ${Math.round(bytesPerContact)} bytes per contact started (${contactsInHalf} contacts): ${redisBounded ? 'bounded' : 'NOT bounded'} by the state kept per contact (limit ${REDIS_BYTES_PER_CONTACT} bytes, SOAK_REDIS_BYTES_PER_CONTACT; it keeps contacts DEDUPE_WINDOW and figures RETENTION_DAYS, so it is not flat while contacts arrive)`,
  );
  const lagLimit = MAX_LAG_SECONDS * RATE;
  const maxLag = Object.fromEntries(
    groups.map((g) => [g, Math.max(...half.map((s) => s.lag[g] ?? 0))]),
  );
  const lagBounded = Object.values(maxLag).every((l) => l <= lagLimit);
  ok &&= lagBounded;
  lines.push(
    `lag over the second half, most: ${groups.map((g) => `${g} ${maxLag[g] ?? 0}`).join(', ')} messages: ${lagBounded ? 'bounded' : 'NOT bounded'} (limit ${lagLimit}, SOAK_MAX_LAG_SECONDS ${MAX_LAG_SECONDS} s of traffic)`,
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
  process.stdout.write(`  verdict: ${ok ? 'steady' : 'NOT steady (see above)'}\n`);
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
    `<line x1="${px(xMax / 2)}" y1="${top}" x2="${px(xMax / 2)}" y2="${py(0)}" stroke="#999" stroke-dasharray="4 4"/>`,
    `<text x="${px(xMax / 2) + 4}" y="${top + 10}" font-size="10" fill="#666">second half →</text>`,
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

/** Renders the series as four SVG charts in Chromium and writes the PNG. */
async function plot(samples: readonly Sample[], loads: readonly number[]): Promise<void> {
  const minutes = (s: Sample): number => s.seconds / 60;
  const rss: Series[] = [...SERVICES, 'redis'].map((name) => ({
    name,
    points: samples.map((s) => [minutes(s), s.rss[name] ?? 0]),
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
    '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="960" font-family="sans-serif">',
    '<rect width="1200" height="960" fill="white"/>',
    chart('Process RSS', 'MB', rss, 0, 0),
    chart('Redis used_memory', 'MB', memory, 600, 0),
    chart('Consumer lag', 'messages', lag, 0, 320),
    chart('Throughput', 'events/s', rates, 600, 320),
    chart('Errors (cumulative)', 'count', errors, 0, 640),
    chart(`Machine load (${os.cpus().length} cores)`, '1-min load average', load, 600, 640),
    '</svg>',
  ].join('\n');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ width: 1200, height: 960 });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    await page.screenshot({ path: PNG, fullPage: true });
  } finally {
    await browser.close();
  }
}
