import os from 'node:os';
import { parseArgs } from 'node:util';

import {
  checkKafkaSettings,
  ConfigError,
  kafkaSettings,
  loadConfig,
  redisSettings,
  topicSettings,
} from '@wfm-stream/config';
import { parseOffsetInstant } from '@wfm-stream/core';
import {
  createKafka,
  endsOf,
  type PartitionPosition,
  reached,
  readGroupPositions,
  startGroupAt,
  summarizeProgress,
} from '@wfm-stream/kafka';
import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/local-stack';
import { createLogger } from '@wfm-stream/observability';
import {
  connectRedis,
  deleteGeneration,
  generationExists,
  GenerationPointer,
  nextGeneration,
  redisConnectionOptions,
} from '@wfm-stream/store';
import { z } from 'zod';

import { parseDuration, UsageError } from '../args.js';
import { withLocalStack } from '../connection.js';
import { serviceEntry } from '../paths.js';
import { Progress, rate } from '../progress.js';

export const REBUILD_USAGE = `  rebuild     recompute the Redis state from the topics into a new state generation, then switch
              readers and live aggregators over to it, while the live pipeline keeps running
                --from DATE-TIME            contact and agent events from this time on (default: the
                                            topics' beginning); the directory is always read whole
                --keep-old                  keep the previous generation's keys (default: deleted)
                --instances N               aggregator processes that rebuild (default 1)
                --max-lag N                 switch once the rebuild is this few events behind (default 1000)
                --switch-timeout DURATION   how long live aggregators get to follow (default 60s)
              Run it with the aggregators' settings (TIMEZONE, SERVICE_LEVEL_*, DEDUPE_WINDOW,
              RETENTION_DAYS, REDIS_*, KAFKA_*, TOPIC_*): it runs the aggregator with them.
              Exit code 0 when switched, 1 when the rebuild failed or another one runs,
              2 for a usage error, 3 when Kafka or Redis fails, 130 when stopped before the switch.
`;

const rebuildConfigSchema = z
  .object({ ...kafkaSettings, ...topicSettings, ...redisSettings })
  .superRefine(checkKafkaSettings);
type RebuildConfig = z.output<typeof rebuildConfigSchema>;

export interface RebuildOptions {
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: NodeJS.WriteStream;
  /** Stops the rebuild; honoured until the switch, after which it finishes. */
  readonly signal?: AbortSignal;
}

/** How long the rebuild lock lives without renewal (renewed every third of it). */
const LOCK_TTL_MS = 30_000;
const POLL_MS = 500;

class RebuildFailed extends Error {}
class Stopped extends Error {}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

interface Settings {
  readonly fromMs: number | undefined;
  readonly keepOld: boolean;
  readonly instances: number;
  readonly maxLag: number;
  readonly switchTimeoutMs: number;
}

function parseSettings(args: readonly string[]): Settings {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      'keep-old': { type: 'boolean', default: false },
      instances: { type: 'string', default: '1' },
      'max-lag': { type: 'string', default: '1000' },
      'switch-timeout': { type: 'string', default: '60s' },
    },
  });
  if (positionals.length > 0) throw new UsageError(`rebuild takes no argument: ${positionals[0]}`);
  let fromMs: number | undefined;
  if (values.from !== undefined) {
    const parsed = parseOffsetInstant(values.from);
    if (parsed === undefined)
      throw new UsageError(
        `--from must be a date-time with offset, e.g. 2026-03-29T00:00:00Z, not "${values.from}"`,
      );
    fromMs = parsed.ms;
  }
  const instances = Number(values.instances);
  if (!Number.isInteger(instances) || instances < 1 || instances > 64)
    throw new UsageError('--instances must be a whole number from 1 to 64');
  const maxLag = Number(values['max-lag']);
  if (!Number.isInteger(maxLag) || maxLag < 0)
    throw new UsageError('--max-lag must be a whole number of events, 0 or more');
  return {
    fromMs,
    keepOld: values['keep-old'],
    instances,
    maxLag,
    switchTimeoutMs: parseDuration(values['switch-timeout'], '--switch-timeout') ?? 60_000,
  };
}

/** The aggregator processes that fill the new generation, in their own consumer group. */
class RebuildAggregators {
  private stopping = false;
  private failure: string | undefined;

  private constructor(private readonly procs: readonly ManagedProcess[]) {}

  static async start(
    env: NodeJS.ProcessEnv,
    generation: string,
    group: string,
    instances: number,
    stderr: NodeJS.WriteStream,
  ): Promise<RebuildAggregators> {
    const procs: ManagedProcess[] = [];
    for (let i = 0; i < instances; i++) {
      const proc = spawnManaged(
        `rebuild-aggregator-${i + 1}`,
        process.execPath,
        [serviceEntry('aggregator')],
        {
          env: {
            ...env,
            STATE_GENERATION: generation,
            CONSUMER_GROUP: group,
            OPS_HOST: '127.0.0.1',
            HTTP_PORT: String(await freePort()),
            LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
          },
          pipe: true,
        },
      );
      // its warnings and errors (JSON lines) go where the operator looks
      proc.child.stdout?.pipe(stderr, { end: false });
      proc.child.stderr?.pipe(stderr, { end: false });
      procs.push(proc);
    }
    const running = new RebuildAggregators(procs);
    for (const proc of procs)
      void proc.exited.then((status) => {
        if (!running.stopping)
          running.failure ??= `${proc.name} exited (code ${String(status.code)}, signal ${String(status.signal)})`;
      });
    return running;
  }

  /** Throws when one of them has died. */
  check(): void {
    if (this.failure !== undefined) throw new RebuildFailed(this.failure);
  }

  /** Stops them gracefully (finish the batch, commit, leave); true when all exited with 0. */
  async stop(): Promise<boolean> {
    this.stopping = true;
    const statuses = await Promise.all(this.procs.map((p) => p.stop({ timeoutMs: 30_000 })));
    return statuses.every((s) => s.code === 0);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * `wfm-stream rebuild`: fills a fresh state generation from the topics with aggregators
 * in a consumer group of their own, switches the generation pointer once they are close
 * to the live end, lets the live aggregators follow, drains what they wrote to the old
 * generation meanwhile into the new one (duplicates change nothing), and deletes the old
 * generation. See docs/architecture.md#rebuilding-the-state.
 */
export async function runRebuild(options: RebuildOptions): Promise<number> {
  const { stderr, signal } = options;
  const progress = new Progress(stderr, stderr.isTTY ? 250 : 5_000);
  const say = (line: string): void => {
    progress.finish();
    stderr.write(`${line}\n`);
  };
  const settings = parseSettings(options.args);
  const env = withLocalStack(options.env);
  let config: RebuildConfig;
  try {
    config = loadConfig(rebuildConfigSchema, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return 2;
  }

  const redis = connectRedis(redisConnectionOptions(config, 'wfm-rebuild'));
  redis.on('error', () => undefined);
  const kafka = createKafka(
    { ...config, KAFKA_CLIENT_ID: `${config.KAFKA_CLIENT_ID}-rebuild` },
    createLogger('rebuild', 'error'),
  );
  const admin = kafka.admin();
  const pointer = new GenerationPointer(redis, config.REDIS_KEY_PREFIX);
  const holder = `${os.hostname()}:${process.pid}:${Date.now()}`;
  let locked = false;
  let lockTimer: NodeJS.Timeout | undefined;
  let aggregators: RebuildAggregators | undefined;
  let switched = false;
  let target: string | undefined;
  try {
    try {
      const other = await pointer.lockRebuild(holder, LOCK_TTL_MS);
      if (other !== undefined) {
        say(`another rebuild is running (${other}); try again when it has finished`);
        return 1;
      }
      locked = true;
      await admin.connect();
    } catch (error) {
      say(`cannot reach Kafka or Redis: ${describe(error)}`);
      return 3;
    }
    lockTimer = setInterval(() => {
      pointer.renewRebuildLock(holder, LOCK_TTL_MS).catch(() => undefined);
    }, LOCK_TTL_MS / 3);

    const current = await pointer.read();
    const next = nextGeneration(current);
    target = next;
    if (await generationExists(redis, config.REDIS_KEY_PREFIX, next)) {
      // what an interrupted rebuild left: nobody reads it
      const removed = await deleteGeneration(redis, config.REDIS_KEY_PREFIX, next);
      say(`removed ${count(removed)} keys that an unfinished rebuild left in ${next}`);
    }
    const group = `wfm-rebuild-${next}-${Date.now().toString(36)}`;
    const topics = [config.TOPIC_DIRECTORY, config.TOPIC_CONTACT_EVENTS, config.TOPIC_AGENT_EVENTS];
    let starts = new Map<string, number>();
    if (settings.fromMs !== undefined) {
      try {
        starts = await startGroupAt(
          admin,
          group,
          [config.TOPIC_CONTACT_EVENTS, config.TOPIC_AGENT_EVENTS],
          settings.fromMs,
        );
      } catch (error) {
        say(
          `cannot start the rebuild at ${new Date(settings.fromMs).toISOString()}: ${describe(error)} ` +
            '(the broker must answer offsets by timestamp and take offset commits for an empty group)',
        );
        return 3;
      }
    }
    const positions = (): Promise<PartitionPosition[]> =>
      readGroupPositions(admin, group, topics, starts);
    const history = endsOf(await positions());
    say(
      `rebuilding ${next} (now serving ${current}) from ${topics.join(', ')}` +
        (settings.fromMs === undefined ? '' : ` from ${new Date(settings.fromMs).toISOString()}`) +
        ` in consumer group ${group}`,
    );
    aggregators = await RebuildAggregators.start(env, next, group, settings.instances, stderr);
    const running = aggregators;
    const started = Date.now();
    const show = (p: { total: number; done: number; lag: number }, phase: string): void => {
      progress.update((elapsed) => {
        const pct = p.total === 0 ? 100 : Math.floor((p.done * 100) / p.total);
        return `${phase} ${next}: ${pct}% of ${count(p.total)} events, ${rate(p.done, elapsed)}, lag ${count(p.lag)}`;
      });
    };

    // 1. catch up: all the history there was at the start, and close to the live end
    for (;;) {
      if (signal?.aborted === true) throw new Stopped();
      running.check();
      const now = await positions();
      const p = summarizeProgress(now);
      show(p, 'rebuilding');
      if (reached(now, history) && p.lag <= settings.maxLag) break;
      await pause(POLL_MS, signal);
    }

    // 2. switch: readers and live aggregators move within their polling interval
    const previous = await pointer.switchTo(next);
    switched = true;
    say(
      `switched the generation pointer to ${next}` +
        (previous === current ? '' : ` (it named ${previous}, not ${current}, just before)`),
    );
    const deadline = Date.now() + settings.switchTimeoutMs;
    let behind: string[] = [];
    for (;;) {
      running.check();
      behind = [...(await pointer.seen())]
        .filter(([, g]) => g !== next)
        .map(([m, g]) => `${m} (${g})`);
      if (behind.length === 0 || Date.now() > deadline) break;
      await pause(250);
    }
    if (behind.length > 0)
      say(`these live aggregators did not follow within the timeout: ${behind.join(', ')}`);

    // 3. drain: whatever the live aggregators wrote to the old generation before they
    //    followed lies below these offsets; the rebuild applies it to the new one too
    const drainTo = endsOf(await positions());
    for (;;) {
      running.check();
      const now = await positions();
      show(summarizeProgress(now), 'draining');
      if (reached(now, drainTo)) break;
      await pause(POLL_MS);
    }
    const clean = await running.stop();
    aggregators = undefined;
    const applied = summarizeProgress(await positions()).done;
    await admin.deleteGroups([group]).catch((error: unknown) => {
      say(`could not delete the finished consumer group ${group}: ${describe(error)}`);
    });
    say(
      `rebuilt ${next} from ${count(applied)} events in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `readers and live aggregators use ${next}` +
        (clean ? '' : ' (a rebuild aggregator did not stop cleanly: its last batch is applied)'),
    );

    // 4. the old generation
    if (settings.keepOld) {
      say(
        `kept ${current}; delete it later with: redis-cli --scan --pattern '${config.REDIS_KEY_PREFIX}:${current}:*' | xargs -r redis-cli unlink`,
      );
    } else if (behind.length > 0) {
      say(`kept ${current}, because some live aggregators may still write it`);
    } else {
      const deleted = await deleteGeneration(redis, config.REDIS_KEY_PREFIX, current, (n) => {
        progress.update(() => `deleting ${current}: ${count(n)} keys`);
      });
      say(`deleted ${count(deleted)} keys of ${current}`);
    }
    return 0;
  } catch (error) {
    const reason = error instanceof RebuildFailed ? error.message : describe(error);
    if (switched) {
      // the new generation is served, but may lack what the live aggregators wrote to the
      // old one around the switch
      say(
        `rebuild failed after the switch to ${target ?? '?'}: ${reason}. ` +
          'Run the rebuild again to make sure no event of the switch is missing.',
      );
      return error instanceof RebuildFailed ? 1 : 3;
    }
    say(error instanceof Stopped ? 'stopped before the switch' : `rebuild failed: ${reason}`);
    await aggregators?.stop();
    aggregators = undefined;
    if (target !== undefined)
      await deleteGeneration(redis, config.REDIS_KEY_PREFIX, target).catch(() => 0);
    if (error instanceof Stopped) return 130;
    return error instanceof RebuildFailed ? 1 : 3;
  } finally {
    progress.finish();
    await aggregators?.stop();
    clearInterval(lockTimer);
    if (locked) await pointer.unlockRebuild(holder).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    redis.disconnect();
  }
}
