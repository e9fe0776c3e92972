import type { ServiceStatus } from '@wfm-stream/observability';

import type { RedisClient } from '../connection.js';
import { StatusKeys } from '../keys.js';
import { settleAll } from '../settle.js';

/** Every live instance's snapshot, and the lasting records the dashboard shows. */
export interface StatusBoardReading {
  readonly instances: readonly ServiceStatus[];
  /** Lasting hashes by record name (STATUS_RECORDS), field → value. */
  readonly records: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Lasting lists by record name, newest first. */
  readonly lists: ReadonlyMap<string, readonly string[]>;
}

/**
 * Reads the status board that every service writes (status-reporter.ts): the instances
 * whose last report is within its time to live, and the named lasting records. Two
 * round trips: the index, then the snapshots and records together.
 */
export class StatusBoard {
  private readonly keys: StatusKeys;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = new StatusKeys(keyPrefix);
  }

  async read(
    hashes: readonly string[] = [],
    lists: readonly string[] = [],
  ): Promise<StatusBoardReading> {
    const members = await this.redis.zrangebyscore(
      this.keys.index(),
      this.clock() - 60_000,
      '+inf',
    );
    const [snapshots, hashValues, listValues] = await Promise.all([
      members.length === 0
        ? Promise.resolve([])
        : this.redis.mget(...members.map((m) => this.keys.instance(m))),
      settleAll(hashes.map((name) => this.redis.hgetall(this.keys.record(name)))),
      settleAll(lists.map((name) => this.redis.lrange(this.keys.record(name), 0, -1))),
    ]);
    const instances: ServiceStatus[] = [];
    for (const text of snapshots) {
      if (text === null) continue; // expired: the instance stopped reporting
      try {
        instances.push(JSON.parse(text) as ServiceStatus);
      } catch {
        // a snapshot that is not JSON is not shown
      }
    }
    instances.sort((a, b) =>
      a.service === b.service ? (a.instance < b.instance ? -1 : 1) : a.service < b.service ? -1 : 1,
    );
    return {
      instances,
      records: new Map(hashes.map((name, i) => [name, hashValues[i] ?? {}])),
      lists: new Map(lists.map((name, i) => [name, listValues[i] ?? []])),
    };
  }
}
