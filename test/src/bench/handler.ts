import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

import { type ConsumedEvent, EventDecoder } from '@wfm-stream/kafka';
import { startRedis } from '@wfm-stream/local-stack';
import { messageKey, type Stream, streamOf, type WfmEvent } from '@wfm-stream/schemas';
import { connectRedis, DEFINED_SCRIPTS, type RedisClient } from '@wfm-stream/store';
import type { Redis } from 'ioredis';

import { syntheticTraffic } from '../support/traffic.js';
import { benchAggregatorHandler, infoNumber, scanAll } from './common/redis.js';
import { printTable, progress } from './report.js';

interface Batch {
  readonly stream: Stream;
  readonly partition: number;
  readonly values: readonly Buffer[];
}

function partitionOf(key: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(h, 31) + key.charCodeAt(i)) | 0;
  return Math.abs(h) % partitions;
}

/** The backlog as Kafka would hand it over: per stream and partition, in order, in batches. */
function batchesOf(events: readonly WfmEvent[], batchSize: number): Batch[] {
  const parts = new Map<string, { stream: Stream; partition: number; values: Buffer[] }>();
  for (const event of events) {
    const stream = streamOf(event);
    const partition = stream === 'directory' ? 0 : partitionOf(messageKey(event), 12);
    const id = `${stream}/${partition}`;
    let part = parts.get(id);
    if (part === undefined) parts.set(id, (part = { stream, partition, values: [] }));
    part.values.push(Buffer.from(JSON.stringify(event)));
  }
  const batches: Batch[] = [];
  const queues = [...parts.values()].sort((a, b) =>
    a.stream === 'directory' ? -1 : b.stream === 'directory' ? 1 : 0,
  );
  // round robin over the partitions, as a consumer of a backlog sees them
  for (let from = 0; queues.some((q) => q.values.length > from); from += batchSize)
    for (const q of queues)
      if (q.values.length > from)
        batches.push({
          stream: q.stream,
          partition: q.partition,
          values: q.values.slice(from, from + batchSize),
        });
  return batches;
}

async function runConcurrently<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

/** A value of the online index ends in the time it was written (field-expiry.lua): left out. */
const STAMP = new RegExp(`${String.fromCharCode(30)}\\d+$`);
function withoutStamp(key: string, value: Buffer | undefined): string {
  const text = (value ?? Buffer.alloc(0)).toString('latin1');
  return key.includes('{online}') ? text.replace(STAMP, '') : text;
}

/** Every key and value under the prefix, hashed; stamps of the online index left out. */
async function fingerprint(redis: RedisClient, prefix: string): Promise<string> {
  const keys = (await scanAll(redis, `${prefix}*`)).sort();
  const hash = createHash('sha256');
  const client = redis as Redis;
  for (const key of keys) {
    if (key.endsWith(':sweep')) continue;
    const type = await client.type(key);
    hash.update(`${key}\u0000${type}\u0000`);
    if (type === 'hash') {
      const all = await client.hgetallBuffer(key);
      for (const field of Object.keys(all).sort())
        hash.update(`${field}=${withoutStamp(key, all[field])}\u0000`);
    } else if (type === 'zset') {
      hash.update((await client.zrange(key, 0, -1, 'WITHSCORES')).join('\u0000'));
    } else if (type === 'string') {
      hash.update((await client.get(key)) ?? '');
    } else if (type === 'set') {
      hash.update((await client.smembers(key)).sort().join('\u0000'));
    }
  }
  return `${keys.length} keys, sha256 ${hash.digest('hex').slice(0, 16)}`;
}

async function redisNetBytes(client: Redis): Promise<{ input: number; output: number }> {
  const info = await client.info('stats');
  return {
    input: infoNumber(info, 'total_net_input_bytes'),
    output: infoNumber(info, 'total_net_output_bytes'),
  };
}

/** A CPU profile of the measured pass alone, written to BENCH_CPU_PROFILE when it is set. */
async function startProfile(): Promise<{ stop(): Promise<void> }> {
  const file = process.env.BENCH_CPU_PROFILE;
  const heapFile = process.env.BENCH_HEAP_PROFILE;
  if (file === undefined && heapFile === undefined) return { stop: () => Promise.resolve() };
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  if (file !== undefined) {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
  }
  if (heapFile !== undefined) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  return {
    async stop() {
      if (file !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(file, JSON.stringify(profile));
      }
      if (heapFile !== undefined) {
        const { profile } = await session.post('HeapProfiler.stopSampling');
        writeFileSync(heapFile, JSON.stringify(profile));
      }
      session.disconnect();
    },
  };
}

async function redisCpuUs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  return (infoNumber(info, 'used_cpu_user') + infoNumber(info, 'used_cpu_sys')) * 1e6;
}

/** Calls and time per script, from a SLOWLOG that logged every command. */
async function scriptBreakdown(
  client: Redis,
): Promise<{ name: string; calls: number; usec: number; args: number }[]> {
  const bySha = DEFINED_SCRIPTS;
  const entries = (await client.slowlog('GET', -1)) as [number, number, number, string[]][];
  const rows = new Map<string, { name: string; calls: number; usec: number; args: number }>();
  for (const [, , usec, args] of entries) {
    const command = (args[0] ?? '').toLowerCase();
    const name = command === 'evalsha' ? (bySha.get(args[1] ?? '') ?? 'evalsha ?') : command;
    const row = rows.get(name) ?? { name, calls: 0, usec: 0, args: 0 };
    row.calls += 1;
    row.usec += usec;
    // SLOWLOG keeps at most 32 arguments; the last says how many more there were
    const more = /more arguments/.exec(args[args.length - 1] ?? '');
    row.args += more
      ? 31 + Number(/(\d+) more/.exec(args[args.length - 1] ?? '')?.[1] ?? 0)
      : args.length;
    rows.set(name, row);
  }
  return [...rows.values()].sort((a, b) => b.usec - a.usec);
}

/**
 * The aggregator's own cost without Kafka: the handler and decoder over a backlog held in
 * memory, as batches per partition, against a private Redis; beside it JSON.parse of the
 * same messages (what the bare consumer does). For CPU profiles (`node --cpu-prof`) and
 * for checking that a change leaves the state identical (the fingerprint).
 */
export async function benchHandler(): Promise<void> {
  const contacts = Number(process.env.BENCH_CONTACTS ?? 20_000);
  const batchSize = Number(process.env.BENCH_BATCH ?? 500);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
  const traffic = syntheticTraffic({ seed: 42, contacts, groups: 50, agents: 200, hours: 14 });
  const events = [...traffic.directory, ...traffic.contacts, ...traffic.agents];
  const batches = batchesOf(events, batchSize);
  const server = await startRedis({ settings: ['maxmemory-policy', 'noeviction'] });
  const redis = connectRedis({ url: server.url });
  try {
    progress(`${events.length} events in ${batches.length} batches of at most ${batchSize}…`);
    let t0 = performance.now();
    for (const b of batches) for (const v of b.values) JSON.parse(v.toString('utf8'));
    const bareMs = performance.now() - t0;
    const decodeCpu0 = process.cpuUsage();
    const decoder = new EventDecoder();
    for (const b of batches)
      for (const v of b.values)
        if (decoder.decodeNow(v, b.stream) === undefined) await decoder.decode(v, b.stream);
    const decodeCpu = process.cpuUsage(decodeCpu0);
    const decodeCpuUs = decodeCpu.user + decodeCpu.system;

    const prefix = 'bench:h';
    const handle = benchAggregatorHandler(redis, prefix);
    const context = { heartbeat: () => Promise.resolve(), reject: () => undefined };
    const client = redis as Redis;
    await client.config('RESETSTAT');
    await client.config('SET', 'slowlog-log-slower-than', '0');
    await client.config('SET', 'slowlog-max-len', '1000000');
    await client.slowlog('RESET');
    const net0 = await redisNetBytes(client);
    const profiler = await startProfile();
    const redisCpu0 = await redisCpuUs(client);
    const cpu0 = process.cpuUsage();
    t0 = performance.now();
    await runConcurrently(batches, concurrency, async (b) => {
      const consumed: ConsumedEvent[] = [];
      for (const [i, value] of b.values.entries()) {
        const decoded =
          decoder.decodeNow(value, b.stream) ?? (await decoder.decode(value, b.stream));
        if (!decoded.ok) throw new Error(decoded.reason);
        consumed.push({
          event: decoded.event,
          atMs: decoded.atMs,
          offset: String(i),
          timestampMs: 0,
        });
      }
      await handle(
        { topic: b.stream, partition: b.partition, stream: b.stream, events: consumed },
        context,
      );
    });
    const aggregatorMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await profiler.stop();
    const net = await redisNetBytes(client);
    const nodeCpuUs = cpu.user + cpu.system;
    const redisCpuUsed = (await redisCpuUs(client)) - redisCpu0;
    const perScript = await scriptBreakdown(client);
    const stats = await (redis as Redis).info('commandstats');
    const scripts = [
      ...stats.matchAll(
        /cmdstat_(evalsha|eval|hset|zadd|hget):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/g,
      ),
    ];
    const redisUsec = [...stats.matchAll(/usec=(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    /** A row of time spent: ms in all, events/s where it is wall-clock time, µs per event. */
    const timeRow = (label: string, us: number, wallClock = false): (string | number)[] => [
      label,
      Math.round(us / 1000),
      wallClock ? Math.round((events.length * 1e6) / us) : '',
      Math.round((us / events.length) * 100) / 100,
    ];
    printTable(
      `handler in process, ${events.length} events, batches of ${batchSize}, ${concurrency} at a time`,
      [
        ['path', 'ms', 'events/s', 'µs/event'],
        timeRow('JSON.parse only', bareMs * 1000, true),
        timeRow('aggregator: decode + validate + handler', aggregatorMs * 1000, true),
        timeRow('  decode + validate alone (EventDecoder, node CPU)', decodeCpuUs),
        timeRow('  node CPU of the whole path (process.cpuUsage)', nodeCpuUs),
        timeRow('  Redis CPU (INFO cpu)', redisCpuUsed),
        timeRow('  Redis command time (commandstats)', redisUsec),
      ],
    );
    printTable('bytes to and from Redis', [
      ['direction', 'bytes', 'per event'],
      ['to Redis', net.input - net0.input, Math.round((net.input - net0.input) / events.length)],
      [
        'from Redis',
        net.output - net0.output,
        Math.round((net.output - net0.output) / events.length),
      ],
    ]);
    printTable('Redis commandstats', [
      ['command', 'calls', 'usec', 'usec/call'],
      ...scripts.map((m) => [m[1] ?? '', Number(m[2]), Number(m[3]), m[4] ?? '']),
    ]);
    printTable('Redis time per script (SLOWLOG, every call)', [
      ['script', 'calls', 'usec', 'usec/call', 'args/call', 'usec/event'],
      ...perScript.map((r) => [
        r.name,
        r.calls,
        r.usec,
        Math.round((r.usec / r.calls) * 10) / 10,
        Math.round(r.args / r.calls),
        Math.round((r.usec / events.length) * 100) / 100,
      ]),
    ]);
    process.stdout.write(`\nstate: ${await fingerprint(redis, prefix)}\n`);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
