import { PartitionGuard } from '@wfm-stream/kafka';
import { silentLogger } from '@wfm-stream/observability';
import {
  createTopics,
  redisNamespace,
  testKafka,
  testStack,
  uniqueName,
} from '@wfm-stream/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { connectRedis, Keys, PartitionProgress, type RedisClient } from './index.js';

/**
 * The partition guard on a real Redis (docs/architecture.md, "When Redis loses data"): the
 * cases the end-to-end suite (test/src/redis-loss.e2e.spec.ts) reaches only by timing,
 * driven step by step. Losing the record is a DEL of this test's progress key.
 */

const ns = redisNamespace();
const admin = testKafka().admin();
const topic = uniqueName('progress');
let redis: RedisClient;
let run = 0;

beforeAll(async () => {
  redis = connectRedis({ url: testStack().redisUrl });
  await createTopics([{ name: topic, partitions: 2 }]);
  await admin.connect();
});

afterAll(async () => {
  await admin.disconnect();
  redis.disconnect();
  await ns.cleanup();
});

/** A guard as one process of a group has it, its timers out of the way: the test drives it. */
function guardOf(group: string, prefix: string) {
  const seeks: { partition: number; offset: string }[] = [];
  const losses: number[] = [];
  const keys = new Keys(prefix);
  const guard = new PartitionGuard({
    group,
    admin: () => Promise.resolve(admin),
    progress: new PartitionProgress(redis, () => keys, group, 3_600),
    compacted: new Set(),
    seek: (_topic, partition, offset) => seeks.push({ partition, offset }),
    onStateLoss: (_topic, partition) => losses.push(partition),
    logger: silentLogger(),
    flushEveryMs: 3_600_000,
    verifyEveryMs: 3_600_000,
  });
  const progressKey = keys.progress();
  /** The offset the record holds for a partition of this group's topic. */
  const recorded = (partition: number) =>
    redis.hget(progressKey, `${group}\u0000${topic}\u0000${partition}`);
  return { guard, seeks, losses, progressKey, recorded };
}

function fresh(): { group: string; prefix: string } {
  run++;
  return { group: `group-${run}`, prefix: `${ns.prefix}:r${run}` };
}

async function apply(
  guard: PartitionGuard,
  partition: number,
  first: number,
  last: number,
): Promise<boolean> {
  return guard.applied(guard.begin(topic, partition), first, last, 1_000 + first, 1_000 + last);
}

/** A new group's guard holding partition 0, with offsets 0 to 9 applied and recorded. */
async function recordedGuard() {
  const { group, prefix } = fresh();
  const held = guardOf(group, prefix);
  await held.guard.assigned({ [topic]: [0] });
  await apply(held.guard, 0, 0, 9);
  await held.guard.flush();
  return held;
}

describe('the partition guard on a Redis that loses its progress record', () => {
  it('consumes again a partition applied but not yet recorded', async () => {
    const { group, prefix } = fresh();
    const { guard, seeks, losses, progressKey } = guardOf(group, prefix);
    await guard.assigned({ [topic]: [0, 1] });
    expect(await apply(guard, 0, 0, 9)).toBe(true);
    await guard.flush();
    // partition 1's batch is applied; its progress is not written yet when Redis empties
    expect(await apply(guard, 1, 0, 4)).toBe(true);
    await redis.del(progressKey);
    await guard.verify(false);
    expect(seeks.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ]);
    expect(losses.sort()).toEqual([0, 1]);
    await guard.stop();
  });

  it('consumes again an idle partition a restarted process holds but never wrote', async () => {
    const { group, prefix } = fresh();
    const before = guardOf(group, prefix);
    await before.guard.assigned({ [topic]: [0, 1] });
    await apply(before.guard, 0, 0, 9);
    await apply(before.guard, 1, 0, 4);
    await before.guard.stop();

    // the next life reads nothing more (the partitions are idle), and then Redis empties
    const after = guardOf(group, prefix);
    await after.guard.assigned({ [topic]: [0, 1] });
    expect(after.seeks).toEqual([]);
    await redis.del(after.progressKey);
    await after.guard.verify(false);
    expect(after.seeks.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '0' },
      { partition: 1, offset: '0' },
    ]);
    await after.guard.stop();
  });

  it('does not count a batch that straddles the seek back, and resumes from the seek', async () => {
    const { guard, seeks, progressKey, recorded } = await recordedGuard();
    // a batch is in hand when the loss is found
    const inHand = guard.begin(topic, 0);
    await redis.del(progressKey);
    await guard.verify(false);
    expect(seeks).toEqual([{ partition: 0, offset: '0' }]);
    expect(await guard.applied(inHand, 10, 19, 1_010, 1_019)).toBe(false);
    // what the store says now is what was applied again since the seek, nothing more
    expect(await apply(guard, 0, 0, 4)).toBe(true);
    await guard.flush();
    expect(await recorded(0)).toBe('4');
    await guard.stop();
  });

  it('finds a loss however the checks and the writes of the record interleave', async () => {
    const { guard, seeks, progressKey, recorded } = await recordedGuard();
    await apply(guard, 0, 10, 19);
    await redis.del(progressKey);
    // a check and writes at once: the writes must not claim offsets in the record the
    // check begins again
    await Promise.all([guard.verify(false), guard.flush(), guard.verify(false), guard.flush()]);
    expect(seeks).toEqual([{ partition: 0, offset: '0' }]);
    expect(await recorded(0)).toBe('-1');
    await guard.stop();
  });
});
