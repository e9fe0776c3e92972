import os from 'node:os';

import { connectRedis } from '@wfm-stream/store';
import type { Admin } from 'kafkajs';

import { committedByTopic, metricTotal, sumOf } from '../support/metrics.js';
import { syntheticTraffic } from '../support/traffic.js';
import { cpuSeconds, machineSeconds } from './common/processes.js';
import { publishTraffic } from './common/publish.js';
import { deletePrefix } from './common/redis.js';
import { type BenchService, startBenchService } from './common/services.js';
import { pipelineTopics, STREAM_TOPICS, TOPIC_SETTINGS } from './common/topics.js';
import { printTable, progress } from './report.js';
import { benchKafka, type BenchStack, startBenchStack } from './stack.js';

/** Enough partitions for every instance to get a fair share at the largest count. */
const PARTITIONS = 12;
const INSTANCE_COUNTS = [1, 2, 4];

type Stack = BenchStack;

type Instance = BenchService;

async function startInstance(
  stack: Stack,
  groupId: string,
  prefix: string,
  index: number,
): Promise<Instance> {
  return startBenchService('aggregator', {
    name: `aggregator-${index}`,
    logName: `scaling-${index}`,
    env: {
      ...TOPIC_SETTINGS,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      REDIS_URL: stack.redisUrl,
      REDIS_KEY_PREFIX: prefix,
      CONSUMER_GROUP: groupId,
      CONSUMER_SESSION_TIMEOUT: '6s',
    },
    notReady: `aggregator ${index} did not join its group`,
  });
}

interface RunResult {
  readonly instances: number;
  readonly eventsPerSecond: number;
  readonly seconds: number;
  readonly joinSeconds: number;
  /** Each instance's part of the events consumed while measured, in %. */
  readonly shares: readonly number[];
  /** Cores in use on average while measured. */
  readonly cores: {
    readonly aggregators: number;
    readonly redis: number;
    readonly broker: number;
    readonly bench: number;
    readonly machine: number;
  };
}

/**
 * One run: `n` aggregator processes in a fresh group and key prefix, from the start of
 * the backlog until the group has committed its end. The clock starts once every
 * instance has joined (the group then has its final assignment) and stops at the first
 * look that finds every partition committed to its end.
 */
async function run(stack: Stack, admin: Admin, n: number, total: number): Promise<RunResult> {
  const groupId = `bench-scaling-${n}-${Date.now().toString(36)}`;
  const prefix = `bench-scaling-${n}`;
  const spawned = performance.now();
  const instances = await Promise.all(
    Array.from({ length: n }, (_, i) => startInstance(stack, groupId, prefix, i + 1)),
  );
  const joinSeconds = (performance.now() - spawned) / 1000;
  const pids = instances.map((i) => i.proc.pid);
  const cpuOf = (): number[] => [
    pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    stack.servers.redis === undefined ? 0 : cpuSeconds(stack.servers.redis),
    stack.servers.broker === undefined ? 0 : cpuSeconds(stack.servers.broker),
    cpuSeconds(process.pid),
  ];
  try {
    const consumed0 = await Promise.all(
      instances.map((i) => metricTotal(i.url, 'wfm_events_consumed_total')),
    );
    const committed0 = sumOf(await committedByTopic(admin, groupId, STREAM_TOPICS));
    const cpu0 = cpuOf();
    const machine0 = machineSeconds();
    const t0 = performance.now();
    let t1 = t0;
    for (;;) {
      if (sumOf(await committedByTopic(admin, groupId, STREAM_TOPICS)) >= total) {
        t1 = performance.now();
        break;
      }
      if (t1 - t0 > 600_000) throw new Error(`${n} instance(s) did not catch up in 10 minutes`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu1 = cpuOf();
    const machine1 = machineSeconds();
    const consumed1 = await Promise.all(
      instances.map((i) => metricTotal(i.url, 'wfm_events_consumed_total')),
    );
    const seconds = (t1 - t0) / 1000;
    const parts = consumed1.map((c, i) => c - (consumed0[i] ?? 0));
    const partsTotal = parts.reduce((a, b) => a + b, 0);
    const used = cpu1.map((c, i) => (c - (cpu0[i] ?? 0)) / seconds);
    const machineCores =
      machine1.all > machine0.all
        ? ((machine1.busy - machine0.busy) / (machine1.all - machine0.all)) * os.cpus().length
        : 0;
    return {
      instances: n,
      eventsPerSecond: (total - committed0) / seconds,
      seconds,
      joinSeconds,
      shares: parts.map((p) => (partsTotal > 0 ? Math.round((p * 100) / partsTotal) : 0)),
      cores: {
        aggregators: used[0] ?? 0,
        redis: used[1] ?? 0,
        broker: used[2] ?? 0,
        bench: used[3] ?? 0,
        machine: machineCores,
      },
    };
  } finally {
    const exits = await Promise.all(instances.map((i) => i.proc.stop({ timeoutMs: 30_000 })));
    const failed = exits.filter((e) => e.code !== 0);
    if (failed.length > 0) progress(`warning: ${failed.length} instance(s) did not stop cleanly`);
    const redis = connectRedis({ url: stack.redisUrl });
    await deletePrefix(redis, prefix, 5000);
    redis.disconnect();
  }
}

/**
 * Aggregate throughput of 1, 2 and 4 aggregator processes in one consumer group, each
 * count on the same pre-published backlog, in a fresh group and key prefix.
 */
export async function benchScaling(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 36_000);
  const traffic = syntheticTraffic({ seed: 42, contacts, groups: 50, agents: 200, hours: 14 });
  const total = traffic.directory.length + traffic.contacts.length + traffic.agents.length;
  const stack = await startBenchStack(pipelineTopics(PARTITIONS), true);
  const kafka = benchKafka(stack);
  const admin = kafka.admin();
  try {
    progress(
      `publishing ${total} events (${contacts} contacts, 50 groups, 200 agents; ${PARTITIONS}+${PARTITIONS} partitions)…`,
    );
    await publishTraffic(kafka, traffic);
    await admin.connect();

    const results: RunResult[] = [];
    for (const n of INSTANCE_COUNTS) {
      progress(`${n} aggregator process(es)…`);
      const result = await run(stack, admin, n, total);
      progress(
        `  ${Math.round(result.eventsPerSecond)} events/s, ${result.seconds.toFixed(1)} s, shares ${result.shares.join('/')} %`,
      );
      results.push(result);
    }

    const single = results[0]?.eventsPerSecond ?? 1;
    const cores = (x: number): string => x.toFixed(2);
    printTable(
      `aggregator scaling: ${total} events pre-published, ${PARTITIONS}+${PARTITIONS} partitions, one consumer group per run (${os.cpus().length} cores shared by the broker, Redis and the aggregators)`,
      [
        [
          'instances',
          'events/s',
          'vs 1',
          'catch-up s',
          'join s',
          'shares %',
          'CPU µs/event',
          'CPU cores: aggregators',
          'redis',
          'broker',
          'machine busy',
        ],
        ...results.map((r) => [
          String(r.instances),
          Math.round(r.eventsPerSecond),
          `${(r.eventsPerSecond / single).toFixed(2)}×`,
          r.seconds.toFixed(1),
          r.joinSeconds.toFixed(1),
          r.shares.join('/'),
          Math.round(cpuPerEvent(r)),
          cores(r.cores.aggregators),
          cores(r.cores.redis),
          cores(r.cores.broker),
          `${cores(r.cores.machine)} of ${os.cpus().length}`,
        ]),
      ],
    );
    process.stdout.write(
      `\n${limitOf(results)
        .map((line) => `  limit: ${line}\n`)
        .join('')}`,
    );
  } finally {
    await admin.disconnect();
    await stack.stop();
  }
}

/** CPU our processes (aggregators, Redis, broker) spend per event, in µs. */
function cpuPerEvent(r: RunResult): number {
  return ((r.cores.aggregators + r.cores.redis + r.cores.broker) * 1e6) / r.eventsPerSecond;
}

/** What holds throughput back, as the CPU figures say. */
function limitOf(results: readonly RunResult[]): string[] {
  const last = results[results.length - 1];
  const first = results[0];
  if (last === undefined || first === undefined) return ['no runs'];
  const available = os.cpus().length;
  const busy = (r: RunResult): number => Math.round((r.cores.machine * 100) / available);
  const { aggregators, redis, broker, machine, bench } = last.cores;
  const others = Math.max(0, machine - aggregators - redis - broker - bench);
  const ceiling = (available * 1e6) / cpuPerEvent(last);
  const facts =
    `with ${last.instances} instances the machine was ${busy(last)} % busy ` +
    `(${machine.toFixed(2)} of ${available} cores: aggregators ${aggregators.toFixed(2)}, ` +
    `Redis ${redis.toFixed(2)}, broker ${broker.toFixed(2)}, this benchmark ${bench.toFixed(2)}, ` +
    `other load ${others.toFixed(2)}); an event costs ${Math.round(cpuPerEvent(last))} µs of CPU ` +
    `(${Math.round(cpuPerEvent(first))} µs with 1 instance: more instances, smaller batches), ` +
    `so ${available} cores cap it near ${Math.round(ceiling).toLocaleString('en-US')} events/s`;
  const verdict =
    machine >= available * 0.8
      ? `CPU: ${facts}; more processes only share the same cores.`
      : redis >= 0.85
        ? `Redis, single-threaded, near one full core: ${facts}.`
        : broker >= 0.85
          ? `the broker, near one full core: ${facts}.`
          : `waits, not CPU: ${facts}.`;
  const lines = [verdict];
  const second = results[1];
  if (second !== undefined && second !== last && first.cores.machine < available * 0.8)
    lines.push(
      `1 instance leaves the machine ${100 - busy(first)} % idle: it is bound by its own waits ` +
        `(at most PARTITIONS_CONSUMED_CONCURRENTLY batches in flight, 4 by default, each ` +
        `waiting for its Redis round trips and offset commit); a 2nd instance fills part of ` +
        `that (${(second.eventsPerSecond / first.eventsPerSecond).toFixed(2)}×, ` +
        `${busy(second)} % busy), beyond which the processes queue for the ${available} cores.`,
    );
  return lines;
}
