import { randomBytes } from 'node:crypto';
import os from 'node:os';

import type {
  Health,
  Logger,
  ServiceStatus,
  StatusCollector,
  StatusOp,
} from '@wfm-stream/observability';

import type { RedisClient } from '../connection.js';
import { RECORD_NAME, StatusKeys } from '../keys.js';
import { reportStatus } from '../scripts/status-report.js';

/** Largest snapshot written; a larger one keeps only its health (sections are bounded). */
export const MAX_SNAPSHOT_BYTES = 16 * 1024;
/** Most lasting changes one report makes. */
const MAX_OPS = 100;
/** Lasting records live this long after their last change. */
const RECORD_TTL_SECONDS = 30 * 86_400;

export interface StatusReporterOptions {
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  /** `aggregator`, `reader`, … */
  readonly service: string;
  readonly health: Health;
  /** How often to report (default 2 s); a snapshot lives three of these. */
  readonly intervalMs?: number;
  readonly collectors?: readonly StatusCollector[];
  readonly logger?: Logger;
  readonly clock?: () => number;
}

export interface StatusReporter {
  readonly member: string;
  /** Reports once more at once (tests, and right after start-up). */
  report(): Promise<void>;
  /** Stops reporting and removes this instance's snapshot, so the board drops it at once. */
  stop(): Promise<void>;
}

/** The changes a report makes: at most MAX_OPS, each naming a valid record. */
function boundedOps(ops: readonly StatusOp[]): StatusOp[] {
  return ops.slice(0, MAX_OPS).filter((op) => RECORD_NAME.test(op.name));
}

/**
 * Writes the instance's status snapshot (libs/observability status.ts) every few seconds,
 * with a time to live of three intervals, plus the lasting changes its collectors report
 * (dead-letter counts, an export target's last failure), in one script call
 * (lua/status-report-n.lua). A failed report is logged and tried again next interval: the
 * board is an operator's view, never a reason for a service to stop.
 */
export function startStatusReporter(options: StatusReporterOptions): StatusReporter {
  const { redis, health, logger } = options;
  const clock = options.clock ?? Date.now;
  const intervalMs = options.intervalMs ?? 2_000;
  const ttlMs = Math.max(3 * intervalMs, 5_000);
  const keys = new StatusKeys(options.keyPrefix);
  const member = `${options.service}/${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const startedAtMs = clock();
  let running: Promise<void> | undefined;
  let stopped = false;

  const write = async (): Promise<void> => {
    const contributions = await Promise.all((options.collectors ?? []).map((c) => c()));
    const atMs = clock();
    const report = health.report();
    const base: ServiceStatus = {
      service: options.service,
      instance: member,
      startedAtMs,
      atMs,
      intervalMs,
      // the detailed states (redacted, bounded), for the dashboard behind its login
      health: { live: report.live, ready: report.ready, components: health.components() },
    };
    let snapshot = JSON.stringify(
      Object.assign({}, ...contributions.map((c) => c.status ?? {}), base) as ServiceStatus,
    );
    if (Buffer.byteLength(snapshot) > MAX_SNAPSHOT_BYTES) snapshot = JSON.stringify(base);
    const ops = contributions.flatMap((c) => c.ops ?? []);
    await reportStatus(redis, {
      keys,
      member,
      snapshot,
      ttlMs,
      nowMs: atMs,
      recordTtlSeconds: RECORD_TTL_SECONDS,
      ops: boundedOps(ops),
    });
  };
  const report = async (): Promise<void> => {
    await running;
    running = write().catch((error: unknown) => {
      logger?.warn({ err: error }, 'could not write the status snapshot');
    });
    await running;
  };
  void report();
  const timer = setInterval(() => {
    if (!stopped) void report();
  }, intervalMs);
  timer.unref();
  return {
    member,
    report,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all([redis.zrem(keys.index(), member), redis.del(keys.instance(member))]).catch(
        () => undefined,
      );
    },
  };
}
