import type { ManagedProcess } from '@wfm-stream/local-stack';
import { startWfmSink } from '@wfm-stream/wfm-sink';
import { Partitioners, type Producer } from 'kafkajs';

import { waitUntil } from './common/consume.js';
import { eventMessage, wfmEvent } from './common/events.js';
import { startBenchService } from './common/services.js';
import { pipelineTopics, TOPICS } from './common/topics.js';
import { percentile, printTable, progress } from './report.js';
import { benchKafka, startBenchStack } from './stack.js';

const STATUS_PATH = '/ccwfm/api/rest/status';
/** Part 2's agent topic: empty, so the aggregator does not first work through part 1's. */
const QUIET_AGENTS_TOPIC = 'cc.agent-events.quiet';
/** The same load, read by a bare kafkajs consumer: what the broker and kafkajs alone cost. */
const BASELINE_TOPIC = 'bench.baseline';
/** The load is sent in ticks: each tick is one produce request. */
const TICK_MS = 50;

/** Sends `perTick` messages every `tickMs` for `seconds`; `make(i, sentAt)` builds message i. */
async function paced(
  producer: Producer,
  topic: string,
  ratePerSecond: number,
  seconds: number,
  make: (i: number) => { key: string; value: string },
  onSent: (i: number, sentAtMs: number) => void,
  tickMs = 10,
): Promise<number> {
  const perTick = Math.max(1, Math.round((ratePerSecond * tickMs) / 1000));
  const total = ratePerSecond * seconds;
  const start = performance.now();
  const sends: Promise<unknown>[] = [];
  let i = 0;
  for (let tick = 0; i < total; tick++) {
    const due = start + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const messages = [];
    const sentAt = Date.now();
    for (let k = 0; k < perTick && i < total; k++, i++) {
      messages.push(make(i));
      onSent(i, sentAt);
    }
    sends.push(producer.send({ topic, messages, acks: 1 }));
  }
  await Promise.all(sends);
  return i;
}

/** A call offered to `groupId`, keyed by its contact. */
function offeredMessage(
  contactId: string,
  eventId: string,
  atMs: number,
  groupId: string,
): { key: string; value: string } {
  return eventMessage(
    contactId,
    wfmEvent('contact.offered', eventId, atMs, { contactId, groupId, channel: 'INCOMING_CALLS' }),
  );
}

function stats(values: readonly number[]): (string | number)[] {
  return [
    values.length,
    Math.round(percentile(values, 50) * 10) / 10,
    Math.round(percentile(values, 99) * 10) / 10,
    Math.round(Math.max(...values) * 10) / 10,
  ];
}

/**
 * The live side, on the local stack (broker, Redis, services and this load: one 2-core
 * machine): status push latency at 1,000 changes/s, from the producer's send to the
 * sink's receipt of the entry push; and freshness of /online/groupsOnlineLoad, from a
 * contact event's send to the first answer that shows it.
 */
export async function benchOnline(): Promise<void> {
  const partitions = 6;
  const stack = await startBenchStack(
    [
      ...pipelineTopics(partitions),
      { name: QUIET_AGENTS_TOPIC, partitions },
      { name: BASELINE_TOPIC, partitions },
    ],
    true,
  );
  const sink = await startWfmSink();
  const services: ManagedProcess[] = [];
  const kafka = benchKafka(stack, 'bench-online');
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const common = {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    REDIS_URL: stack.redisUrl,
    REDIS_KEY_PREFIX: 'bench',
  };
  try {
    const rows: (string | number)[][] = [['measure', 'samples', 'p50 ms', 'p99 ms', 'max ms']];

    // 0. baseline: a bare kafkajs consumer's send → receive latency under the same load
    const rate = Number(process.env.BENCH_STATUS_RATE ?? 1_000);
    const seconds = Number(process.env.BENCH_SECONDS ?? 10);
    progress(`baseline: bare kafkajs consumer, ${rate} messages/s for ${seconds} s…`);
    const bare = kafka.consumer({ groupId: 'bench-bare', maxWaitTimeInMs: 20 });
    await bare.connect();
    await bare.subscribe({ topic: BASELINE_TOPIC, fromBeginning: true });
    const bareLatencies: number[] = [];
    await bare.run({
      partitionsConsumedConcurrently: 4,
      eachMessage: ({ message }) => {
        bareLatencies.push(Date.now() - Number(message.value?.toString()));
        return Promise.resolve();
      },
    });
    const bareSent = await paced(
      producer,
      BASELINE_TOPIC,
      rate,
      seconds,
      (i) => ({ key: `b${i % 500}`, value: String(Date.now()) }),
      () => undefined,
      TICK_MS,
    );
    await waitUntil(() => bareLatencies.length >= bareSent, 60_000, 'the bare consumer');
    await bare.disconnect();
    rows.push([`bare kafkajs consumer: send → eachMessage (${rate}/s)`, ...stats(bareLatencies)]);

    // 1. status pushes
    const emitter = await startBenchService('emitter', {
      env: {
        ...common,
        WFM_STATUS_URL: `${sink.url}${STATUS_PATH}`,
        EMITTER_START_FROM: 'earliest',
      },
    });
    services.push(emitter.proc);
    const agents = 500;
    const base = Date.now();
    // every agent logged in first, so each change is an exit and an entry
    await producer.send({
      topic: TOPICS.agents,
      messages: Array.from({ length: agents }, (_, a) =>
        eventMessage(`b${a}`, wfmEvent('agent.loggedIn', `login-${a}`, base, { agentId: `b${a}` })),
      ),
    });
    await waitUntil(() => sink.received(STATUS_PATH).length >= agents, 60_000, 'logins pushed');
    sink.clear();
    progress(`emitter: ${rate} status changes/s for ${seconds} s over ${agents} agents…`);
    const sentAt = new Map<string, number>();
    const sent = await paced(
      producer,
      TOPICS.agents,
      rate,
      seconds,
      (i) =>
        eventMessage(
          `b${i % agents}`,
          wfmEvent('agent.stateChanged', `change-${i}`, base + 1_000 + i, {
            agentId: `b${i % agents}`,
            stateCode: `S${i}`,
            stateName: 'Bench',
            category: 'AVAILABLE',
          }),
        ),
      (i, at) => sentAt.set(`S${i}`, at),
      TICK_MS,
    );
    await waitUntil(
      () => sink.received(STATUS_PATH).length >= 2 * sent,
      60_000,
      'every push at the sink',
    );
    const latencies: number[] = [];
    for (const r of sink.received(STATUS_PATH)) {
      const body = r.body as { action: number; stateCode: string };
      const at = sentAt.get(body.stateCode);
      if (body.action === 1 && at !== undefined) latencies.push(r.atMs - at);
    }
    rows.push([`status push: send → sink (${rate}/s, 2 POSTs each)`, ...stats(latencies)]);
    await emitter.proc.stop();
    services.pop();

    // 2. freshness of groupsOnlineLoad
    const part2 = {
      ...common,
      TOPIC_AGENT_EVENTS: QUIET_AGENTS_TOPIC,
      FETCH_MAX_WAIT: process.env.BENCH_FETCH_MAX_WAIT ?? '20ms',
    };
    const aggregator = await startBenchService('aggregator', { env: part2 });
    services.push(aggregator.proc);
    const reader = await startBenchService('reader', {
      env: { ...part2, READER_API_KEYS: 'bench' },
    });
    services.push(reader.proc);
    await producer.send({
      topic: TOPICS.directory,
      messages: [
        eventMessage(
          'group:probe',
          wfmEvent('group.upserted', 'dir-probe', base, {
            groupId: 'probe',
            name: 'Probe',
            status: 'ACTIVE',
          }),
        ),
      ],
    });
    const probes = Number(process.env.BENCH_PROBES ?? 100);
    const backgroundRate = Number(process.env.BENCH_CONTACT_RATE ?? 500);
    progress(
      `freshness: ${probes} probes while ${backgroundRate} contact events/s flow to 50 other groups…`,
    );
    let stopBackground = false;
    const background = (async () => {
      for (let round = 0; !stopBackground; round++) {
        await paced(
          producer,
          TOPICS.contacts,
          backgroundRate,
          1,
          (i) => {
            const n = round * backgroundRate + i;
            return offeredMessage(`bg${n}`, `bg-${n}`, Date.now(), `g${n % 50}`);
          },
          () => undefined,
          100,
        );
      }
    })().catch((error: unknown) => {
      if (!stopBackground) throw error;
    });
    const url = `${reader.url}/online/groupsOnlineLoad?groupId=probe`;
    const received = async (): Promise<number> => {
      const response = await fetch(url, { headers: { 'x-api-key': 'bench' } });
      if (response.status !== 200) return 0;
      const [row] = (await response.json()) as { callReceived: number }[];
      return row?.callReceived ?? 0;
    };
    const freshness: number[] = [];
    try {
      // the first probe waits out the backlog (the agent events of part 1)
      for (let p = -1; p < probes; p++) {
        const before = await received();
        const t0 = Date.now();
        await producer.send({
          topic: TOPICS.contacts,
          acks: 1,
          messages: [offeredMessage(`probe${p}`, `probe-${p}`, t0, 'probe')],
        });
        for (;;) {
          if ((await received()) > before) break;
          await new Promise((r) => setTimeout(r, 5));
          if (Date.now() - t0 > (p < 0 ? 120_000 : 10_000)) {
            progress(await (await fetch(`${aggregator.url}/readyz`)).text());
            const metrics = await (await fetch(`${aggregator.url}/metrics`)).text();
            progress(
              metrics
                .split('\n')
                .filter(
                  (l) => /consumed|retr|reject|lag|batch_size_count/.test(l) && !l.startsWith('#'),
                )
                .join('\n'),
            );
            throw new Error(`probe ${p} never showed (before ${before}, now ${await received()})`);
          }
        }
        if (p >= 0) freshness.push(Date.now() - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      stopBackground = true;
      await background;
    }
    rows.push([
      `groupsOnlineLoad freshness: send → answer (${backgroundRate} contact events/s behind)`,
      ...stats(freshness),
    ]);
    printTable(
      'online: status pushes and groupsOnlineLoad freshness (broker, Redis, services and load share 2 cores)',
      rows,
    );
  } finally {
    await producer.disconnect();
    for (const s of services.reverse()) await s.stop();
    await sink.stop();
    await stack.stop();
  }
}
