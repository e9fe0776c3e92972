import os from 'node:os';

import type { Connections } from './connections.js';
import { describe } from './errors.js';
import type { Report } from './report.js';

/** How long the rebuild lock lives without renewal (renewed every third of it). */
const LOCK_TTL_MS = 30_000;

/** The rebuild lock, held and renewed until released. */
export interface RebuildLock {
  release(): Promise<void>;
}

/**
 * Step 1: one rebuild at a time. Takes the rebuild lock in Redis and connects to Kafka;
 * the exit code when another rebuild holds it (1) or Kafka or Redis does not answer (3).
 */
export async function takeRebuildLock(
  connections: Connections,
  report: Report,
): Promise<{ lock: RebuildLock } | { code: number }> {
  const { pointer, admin } = connections;
  const holder = `${os.hostname()}:${process.pid}:${Date.now()}`;
  const unreachable = (error: unknown): { code: number } => {
    report.say(`cannot reach Kafka or Redis: ${describe(error)}`);
    return { code: 3 };
  };
  try {
    const other = await pointer.lockRebuild(holder, LOCK_TTL_MS);
    if (other !== undefined) {
      report.say(`another rebuild is running (${other}); try again when it has finished`);
      return { code: 1 };
    }
  } catch (error) {
    return unreachable(error);
  }
  const unlock = (): Promise<void> => pointer.unlockRebuild(holder).catch(() => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await unlock();
    return unreachable(error);
  }
  const renewal = setInterval(() => {
    pointer.renewRebuildLock(holder, LOCK_TTL_MS).catch(() => undefined);
  }, LOCK_TTL_MS / 3);
  return {
    lock: {
      async release() {
        clearInterval(renewal);
        await unlock();
      },
    },
  };
}
