import { aggregatorConfigSchema, startAggregator } from '@wfm-stream/aggregator';
import { loadConfig } from '@wfm-stream/config';
import { REDIS_DEFAULT_LISTPACK_SETTINGS, REDIS_LISTPACK_SETTINGS } from '@wfm-stream/local-stack';
import { silentLogger } from '@wfm-stream/observability';
import { loadBundledCallLog, planReplay } from '@wfm-stream/replay';
import type { WfmEvent } from '@wfm-stream/schemas';
import { connectRedis } from '@wfm-stream/store';
import type { Admin } from 'kafkajs';

import { committedByTopic, endsByTopic, sumOf } from '../support/metrics.js';
import { publishReplay } from '../support/publish.js';
import { random } from '../support/traffic.js';
import { forEachKeyBatch, infoNumber, scanAll } from './common/redis.js';
import { pipelineTopics, STREAM_TOPICS, TOPICS } from './common/topics.js';
import { printTable, progress } from './report.js';
import { benchKafka, startBenchStack } from './stack.js';

const PREFIX = 'bench';
const GROUP = 'bench-memory';
/** A family with more keys than this is measured on a seeded sample of this many. */
const SAMPLE_ABOVE = 50_000;
const SAMPLE_SIZE = 10_000;
/** Keys of a family whose entries are read for their count and longest element. */
const SHAPE_SAMPLE = 500;
/** The targets (wfm-stream issue 16). */
const CLOSED_DAY_TARGET_PER_1000 = 100 * 1024;
const WORKING_TARGET_PER_CONTACT = 300;

type Redis = ReturnType<typeof connectRedis>;

interface Family {
  keys: string[];
  bytes: number;
  measured: number;
  encodings: Map<string, number>;
  minTtl: number;
  /** Most entries (fields, members) of a key, and the longest field, value or member, bytes. */
  maxEntries: number;
  maxElement: number;
  maxTtl: number;
}

/**
 * Redis memory of the bundled month of the bank's calls (@wfm-stream/replay), aggregated
 * by the aggregator with its default settings on the bench's own Kafka and Redis: keys,
 * bytes (MEMORY USAGE) and encodings per key family, split into working state (it lives
 * for DEDUPE_WINDOW after its last change) and what stays for closed days (RETENTION_DAYS).
 * Memory figures do not depend on the machine's load.
 */
export async function benchMemory(): Promise<void> {
  const plan = planReplay(loadBundledCallLog());
  const events: WfmEvent[] = [...plan.directory, ...plan.events];
  const contacts = plan.stats.contacts;
  const stack = await startBenchStack(pipelineTopics(12), true);
  try {
    const redis = connectRedis({ url: stack.redisUrl });
    const kafka = benchKafka(stack);
    const before = await memoryInfo(redis);
    progress(
      `publishing ${events.length} events (${contacts} contacts over ${plan.stats.days} days, ${plan.stats.agents} agents)…`,
    );
    await publishReplay(kafka, events, TOPICS);

    progress('aggregating with the aggregator (default settings, TIMEZONE Asia/Jerusalem)…');
    const env = {
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      REDIS_URL: stack.redisUrl,
      REDIS_KEY_PREFIX: PREFIX,
      CONSUMER_GROUP: GROUP,
      TIMEZONE: 'Asia/Jerusalem',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    };
    const config = loadConfig(aggregatorConfigSchema, env);
    const t0 = performance.now();
    const aggregator = await startAggregator(config, silentLogger());
    const admin = kafka.admin();
    await admin.connect();
    try {
      await caughtUp(admin, GROUP, STREAM_TOPICS, 600_000);
    } finally {
      await admin.disconnect();
      await aggregator.stop();
    }
    progress(`aggregated in ${Math.round((performance.now() - t0) / 1000)} s; measuring keys…`);
    const after = await memoryInfo(redis);

    const dedupeSeconds = Math.ceil(config.DEDUPE_WINDOW / 1000);
    const families = await measureFamilies(redis, `${PREFIX}:*`);
    const rows: (string | number)[][] = [
      [
        'family',
        'state',
        'keys',
        'bytes',
        'bytes/contact',
        'measured',
        'TTL days',
        'entries ≤',
        'element ≤ B',
        'encodings',
      ],
    ];
    const totals = { working: 0, closed: 0, other: 0 };
    const sorted = [...families].sort(
      ([a, x], [b, y]) =>
        kindOrder(x, dedupeSeconds) - kindOrder(y, dedupeSeconds) ||
        y.bytes - x.bytes ||
        a.localeCompare(b),
    );
    for (const [name, f] of sorted) {
      const kind = kindOf(f, dedupeSeconds);
      totals[kind] += f.bytes;
      rows.push([
        name,
        kind === 'working' ? 'working' : kind === 'closed' ? 'retained' : 'no TTL',
        f.keys.length,
        Math.round(f.bytes),
        round1(f.bytes / contacts),
        f.measured === f.keys.length ? 'every key' : `${f.measured} sampled`,
        f.minTtl < 0 ? 'none' : ttlDays(f.minTtl, f.maxTtl),
        f.maxEntries,
        f.maxElement,
        [...f.encodings]
          .sort((a, b) => b[1] - a[1])
          .map(([e, n]) => `${e} ${n}`)
          .join(', '),
      ]);
    }
    printTable(
      `Redis keys of the bundled month (${contacts} contacts over ${plan.stats.days} days, ${events.length} events), by family: working state lives DEDUPE_WINDOW after its last change, retained state RETENTION_DAYS; bytes from MEMORY USAGE … SAMPLES 0; entries and element: the largest in ${SHAPE_SAMPLE} keys of the family`,
      rows,
    );

    const settings = (await redis.config('GET', '*-max-listpack-*')) as string[];
    const thresholds: string[] = [];
    for (let i = 0; i + 1 < settings.length; i += 2)
      thresholds.push(`${settings[i]} ${settings[i + 1]}`);
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    process.stdout.write(`  Redis ${version}; ${thresholds.sort().join(', ')}\n`);

    const working = totals.working / contacts;
    const closed = (totals.closed * 1000) / contacts;
    printTable('Redis memory against the issue targets', [
      ['', 'bytes', 'measured', 'target', 'met'],
      [
        'working state (DEDUPE_WINDOW), per contact',
        round1(working),
        `${Math.round(totals.working)} B in all`,
        WORKING_TARGET_PER_CONTACT,
        working <= WORKING_TARGET_PER_CONTACT ? 'yes' : 'no',
      ],
      [
        'closed days (RETENTION_DAYS), per 1,000 contacts',
        Math.round(closed),
        `${Math.round(totals.closed)} B in all`,
        CLOSED_DAY_TARGET_PER_1000,
        closed <= CLOSED_DAY_TARGET_PER_1000 ? 'yes' : 'no',
      ],
      ['keys without a TTL', Math.round(totals.other), '', '', ''],
      ['INFO memory used_memory, before', before.used, '', '', ''],
      ['INFO memory used_memory, after', after.used, '', '', ''],
      ['  difference', after.used - before.used, '', '', ''],
      ['  difference per contact', round1((after.used - before.used) / contacts), '', '', ''],
      ['INFO memory used_memory_dataset, after', after.dataset, '', '', ''],
    ]);
    await compareThresholds(redis, contacts, dedupeSeconds);
    redis.disconnect();
  } finally {
    await stack.stop();
  }
}

/**
 * The same keys at Redis's own listpack thresholds and at the ones the project runs
 * (REDIS_LISTPACK_SETTINGS, docs/configuration.md): each key is re-encoded by DUMP and
 * RESTORE, which picks the encoding the thresholds allow, TTL kept.
 */
async function compareThresholds(
  redis: Redis,
  contacts: number,
  dedupeSeconds: number,
): Promise<void> {
  const passes = [
    { name: 'Redis defaults', settings: REDIS_DEFAULT_LISTPACK_SETTINGS },
    { name: 'project settings', settings: REDIS_LISTPACK_SETTINGS },
  ];
  const results: Map<string, Family>[] = [];
  for (const pass of passes) {
    for (let i = 0; i + 1 < pass.settings.length; i += 2)
      await redis.config('SET', pass.settings[i] ?? '', pass.settings[i + 1] ?? '');
    await reencodeAll(redis, `${PREFIX}:*`);
    results.push(await measureFamilies(redis, `${PREFIX}:*`));
  }
  const [base, tuned] = results as [Map<string, Family>, Map<string, Family>];
  const rows: (string | number)[][] = [
    ['family', 'state', ...passes.flatMap((p) => [`B/contact, ${p.name}`, 'encodings'])],
  ];
  const totals = passes.map(() => ({ working: 0, closed: 0, other: 0 }));
  const names = [...base.keys()].sort(
    (a, b) => (base.get(b)?.bytes ?? 0) - (base.get(a)?.bytes ?? 0) || a.localeCompare(b),
  );
  for (const name of names) {
    const row: (string | number)[] = [name, ''];
    [base, tuned].forEach((families, k) => {
      const f = families.get(name);
      if (f === undefined) return;
      const kind = kindOf(f, dedupeSeconds);
      row[1] = kind === 'working' ? 'working' : kind === 'closed' ? 'retained' : 'no TTL';
      const total = totals[k];
      if (total !== undefined) total[kind] += f.bytes;
      row.push(
        round1(f.bytes / contacts),
        [...f.encodings]
          .sort((a, b) => b[1] - a[1])
          .map(([e, n]) => `${e} ${n}`)
          .join(', '),
      );
    });
    if (row.length === 6 && Number(row[2]) >= 1) rows.push(row);
  }
  const working = totals.map((t) => round1(t.working / contacts));
  const closed = totals.map((t) => Math.round((t.closed * 1000) / contacts));
  rows.push(['working state, per contact', '', working[0] ?? 0, '', working[1] ?? 0, '']);
  rows.push(['closed days, per 1,000 contacts', '', closed[0] ?? 0, '', closed[1] ?? 0, '']);
  printTable(
    `The same keys re-encoded (DUMP, RESTORE) at Redis's listpack thresholds and at the project's (${REDIS_LISTPACK_SETTINGS.join(' ')}); families of 1 B/contact or more`,
    rows,
  );
}

async function reencodeAll(redis: Redis, pattern: string): Promise<void> {
  const all = await scanAll(redis, pattern);
  for (let from = 0; from < all.length; from += 500) {
    const keys = all.slice(from, from + 500);
    const read = redis.pipeline();
    for (const key of keys) {
      read.dumpBuffer(key);
      read.pttl(key);
    }
    const replies = (await read.exec()) ?? [];
    const write = redis.pipeline();
    keys.forEach((key, i) => {
      const dump = replies[2 * i]?.[1];
      const ttl = Number(replies[2 * i + 1]?.[1] ?? -1);
      if (Buffer.isBuffer(dump)) write.restore(key, ttl > 0 ? ttl : 0, dump, 'REPLACE');
    });
    await write.exec();
  }
}

function kindOf(f: Family, dedupeSeconds: number): 'working' | 'closed' | 'other' {
  if (f.minTtl < 0) return 'other';
  return f.maxTtl <= dedupeSeconds ? 'working' : 'closed';
}

function kindOrder(f: Family, dedupeSeconds: number): number {
  return { working: 0, closed: 1, other: 2 }[kindOf(f, dedupeSeconds)];
}

function ttlDays(min: number, max: number): string {
  const a = Math.round(min / 86_400);
  const b = Math.round(max / 86_400);
  return a === b ? String(a) : `${a}–${b}`;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The family of a key, as a pattern: its entity's hash tag and what follows it, a
 * trailing day number written `<day>` (`bench:g0:{g:PS}:cs:10623` → `{g:*}:cs:<day>`,
 * `bench:g0:{gm:202403:PS}:h1:19800` → `{gm:*}:h1:<day>`, `bench:g0:{online}:state` →
 * `{online}:state`); keys outside a generation keep their text after the prefix.
 */
export function familyOf(key: string, prefix: string): string {
  const rest = key.slice(prefix.length + 1).replace(/^g\d+:/, '');
  return rest.replace(/^\{([^}:]*):[^}]*\}/, '{$1:*}').replace(/:-?\d+$/, ':<day>');
}

async function measureFamilies(redis: Redis, pattern: string): Promise<Map<string, Family>> {
  const families = new Map<string, Family>();
  await forEachKeyBatch(redis, pattern, 1000, (keys) => {
    for (const key of keys) {
      const name = familyOf(key, PREFIX);
      let f = families.get(name);
      if (f === undefined) {
        f = {
          keys: [],
          bytes: 0,
          measured: 0,
          encodings: new Map(),
          minTtl: Infinity,
          maxTtl: -Infinity,
          maxEntries: 0,
          maxElement: 0,
        };
        families.set(name, f);
      }
      f.keys.push(key);
    }
    return Promise.resolve();
  });

  for (const f of families.values()) {
    f.keys.sort();
    const sample = f.keys.length <= SAMPLE_ABOVE ? f.keys : seededSample(f.keys, SAMPLE_SIZE, 16);
    let bytes = 0;
    for (let i = 0; i < sample.length; i += 500) {
      const pipeline = redis.pipeline();
      for (const key of sample.slice(i, i + 500)) {
        pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
        pipeline.object('ENCODING', key);
        pipeline.ttl(key);
      }
      const replies = (await pipeline.exec()) ?? [];
      for (let j = 0; j + 2 < replies.length; j += 3) {
        bytes += Number(replies[j]?.[1] ?? 0);
        const reply = replies[j + 1]?.[1];
        const encoding = typeof reply === 'string' ? reply : '?';
        f.encodings.set(encoding, (f.encodings.get(encoding) ?? 0) + 1);
        const ttl = Number(replies[j + 2]?.[1] ?? -1);
        f.minTtl = Math.min(f.minTtl, ttl);
        f.maxTtl = Math.max(f.maxTtl, ttl);
      }
    }
    f.measured = sample.length;
    await measureShapes(redis, f, seededSample(sample, SHAPE_SAMPLE, 17));
    const scale = f.keys.length / sample.length;
    f.bytes = bytes * scale;
    if (scale !== 1) for (const [e, n] of f.encodings) f.encodings.set(e, Math.round(n * scale));
  }
  return families;
}

/** The most entries and the longest element of `keys` (hashes, sorted sets, strings). */
async function measureShapes(redis: Redis, f: Family, keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const type = await redis.type(key);
    // as bytes: a binary value read as UTF-8 text would count each invalid byte as three
    let elements: (string | Buffer)[] = [];
    if (type === 'hash')
      elements = Object.entries(await redis.hgetallBuffer(key)).flatMap(([k, v]) => [k, v]);
    else if (type === 'zset') elements = await redis.zrangeBuffer(key, 0, -1);
    else if (type === 'string') elements = [(await redis.getBuffer(key)) ?? ''];
    const entries = type === 'hash' ? elements.length / 2 : elements.length;
    f.maxEntries = Math.max(f.maxEntries, entries);
    for (const e of elements) f.maxElement = Math.max(f.maxElement, Buffer.byteLength(e));
  }
}

/** `size` of `items`, chosen by a seeded generator (mulberry32): the same sample every run. */
function seededSample<T>(items: readonly T[], size: number, seed: number): T[] {
  const next = random(seed);
  const copy = [...items];
  for (let i = 0; i < Math.min(size, copy.length); i++) {
    const j = i + Math.floor(next() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, size);
}

async function memoryInfo(redis: Redis): Promise<{ used: number; dataset: number }> {
  const info = await redis.info('memory');
  return {
    used: infoNumber(info, 'used_memory'),
    dataset: infoNumber(info, 'used_memory_dataset'),
  };
}

/** Resolves when the group has committed every partition's end; rejects after `timeoutMs`. */
async function caughtUp(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // a partition's committed offset is at most its end: equal sums, every partition's end
    const [ends, committed] = await Promise.all([
      endsByTopic(admin, topics),
      committedByTopic(admin, groupId, topics),
    ]);
    if (sumOf(committed) >= sumOf(ends)) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not catch up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
