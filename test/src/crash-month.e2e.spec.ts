import { loadBundledCallLog, planReplay } from '@wfm-stream/replay';
import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { answersOn } from './support/answers.js';
import { committedByTopic, endsByTopic, metricTotal, sumOf } from './support/metrics.js';
import { publishReplay } from './support/publish.js';
import { pipelineStack } from './support/stack.js';
import { random } from './support/traffic.js';

/**
 * docs/architecture.md, "Exactly once: offsets after Redis": an aggregator SIGKILLed at
 * random moments of a replay of the bank's whole month, restarted each time, ends with
 * every reader answer equal to an uninterrupted run's, and no life taking the crash for a
 * Redis that lost data. The kills and the time each phase took are the test's
 * annotations (`--reporter=verbose` prints them).
 */
const KILLS = 20;
const ZONE = { TIMEZONE: 'Asia/Jerusalem' };
// the smallest consumer session (serviceEnv): a killed member is evicted, and its
// partitions move to the next life, 6 s after its last heartbeat
const stack = pipelineStack({ env: ZONE });
const { topics, streams } = stack;
const reference = stack.namespace();
const crashed = stack.namespace();

/** The events a life has consumed so far; 0 while its HTTP server is not up yet. */
async function consumedBy(url: string): Promise<number> {
  return metricTotal(url, 'wfm_events_consumed_total').catch(() => 0);
}

/**
 * `kills` shares of `total`, strictly increasing, one at a random point of each
 * `kills`-th of the first 90 %: a life consumes whole batches (thousands of events when
 * it catches up), so a point close to the end would be passed by the end itself.
 */
function killPoints(total: number, kills: number, seed: number): number[] {
  const rnd = random(seed);
  const points: number[] = [];
  for (let k = 0; k < kills; k++) {
    const share = Math.floor((0.9 * total * (k + 0.05 + rnd() * 0.9)) / kills);
    points.push(Math.max(share, (points.at(-1) ?? 0) + 1));
  }
  return points;
}

/** Local midnight (Israel, +02:00 in February) of a day of 1999-02, URL-encoded. */
const midnight = (day: number): string =>
  day > 28
    ? '1999-03-01T00:00:00%2B02:00'
    : `1999-02-${String(day).padStart(2, '0')}T00:00:00%2B02:00`;

describe('an aggregator killed mid-stream', () => {
  it(`replaying the bank's month, killed ${KILLS} times, answers as an uninterrupted run`, async ({
    annotate,
  }) => {
    const started = Date.now();
    await stack.createTopics({ contacts: 4, agents: 2 });
    const plan = planReplay(loadBundledCallLog());
    await publishReplay(testKafka(), [...plan.directory, ...plan.events], {
      directory: topics.TOPIC_DIRECTORY,
      contacts: topics.TOPIC_CONTACT_EVENTS,
      agents: topics.TOPIC_AGENT_EVENTS,
    });
    const published = Date.now();
    const admin = testKafka().admin();
    await admin.connect();
    const total = sumOf(await endsByTopic(admin, streams));
    expect(total).toBe(plan.directory.length + plan.events.length);

    // the uninterrupted run, in process, alongside the crashing one
    const { group: referenceGroup, aggregator } = await stack.reference(reference.prefix);

    // The crashing run. Life k is SIGKILLed once the group's position (its committed
    // offsets when the life started, plus what the life consumed) reaches the k-th kill
    // point; a life that starts past its point is killed at once, before it has even
    // joined the group. The next life starts straight away: its start-up overlaps the
    // wait for the dead member's session to expire.
    const crashGroup = uniqueName('crashing');
    const points = killPoints(total, KILLS, 15);
    const landed: { point: number; committedAtStart: number; consumed: boolean }[] = [];
    let stateLosses = 0;
    for (const point of points) {
      const committedAtStart = sumOf(await committedByTopic(admin, crashGroup, streams));
      const { proc, url } = await stack.spawnAggregator(crashGroup, crashed.prefix);
      if (committedAtStart < point) {
        await waitFor(async () => committedAtStart + (await consumedBy(url)) >= point, {
          timeoutMs: 60_000,
          intervalMs: 5,
          message: `the crashing run to reach event ${point} of ${total}`,
        });
      }
      stateLosses += await metricTotal(url, 'wfm_consumer_state_losses_total').catch(() => 0);
      await proc.stop({ signal: 'SIGKILL' });
      landed.push({ point, committedAtStart, consumed: committedAtStart < point });
    }
    const killedMs = Date.now();
    const beforeConsuming = landed.filter((l) => !l.consumed).length;
    await annotate(
      `${KILLS} SIGKILLs over ${total} events (${beforeConsuming} before the life consumed anything) in ${Math.round((killedMs - published) / 1000)} s; committed before each life: ${landed.map((l) => l.committedAtStart).join(', ')}`,
      'kills',
    );
    // the kills landed mid-stream: some state was written, but not all of it was committed
    const committed = sumOf(await committedByTopic(admin, crashGroup, streams));
    await admin.disconnect();
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(total);
    const [progressKey] = await crashed.redis.keys(`${crashed.prefix}:*:{progress}`);
    expect(progressKey).toBeDefined();
    const progress = await crashed.redis.hgetall(progressKey ?? '');
    expect(Object.keys(progress).filter((f) => f.startsWith(crashGroup)).length).toBeGreaterThan(0);
    // most lives reached their kill point consuming, not by starting past it
    expect(landed.filter((l) => l.consumed).length).toBeGreaterThan(KILLS / 2);

    const { proc: last, url: lastUrl } = await stack.spawnAggregator(crashGroup, crashed.prefix);
    await waitForGroupCaughtUp(referenceGroup, streams, { timeoutMs: 120_000 });
    await waitForGroupCaughtUp(crashGroup, streams, { timeoutMs: 120_000 });
    stateLosses += await metricTotal(lastUrl, 'wfm_consumer_state_losses_total');
    const caughtUpMs = Date.now();
    await aggregator.stop();
    expect((await last.stop()).code).toBe(0);

    const directory = plan.directory;
    const groupIds = directory.flatMap((e) => (e.type === 'group.upserted' ? [e.groupId] : []));
    const agentIds = directory.flatMap((e) => (e.type === 'agent.upserted' ? [e.agentId] : []));
    // the whole month, its first day, a mid-month day and the month's last two days
    const periods: [number, number][] = [
      [1, 29],
      [1, 2],
      [15, 16],
      [27, 28],
      [28, 29],
    ];
    const answersOf = (prefix: string) =>
      answersOn(
        prefix,
        periods.map(([from, to]) => ({
          groupIds,
          agentIds,
          startDate: midnight(from),
          endDate: midnight(to),
        })),
        ZONE,
      );
    const expected = await answersOf(reference.prefix);
    const actual = await answersOf(crashed.prefix);
    expect(Object.keys(expected)).toHaveLength(periods.length * 6 + 1);
    for (const [url, answer] of Object.entries(expected)) {
      // the bank takes calls only: no agent has chat time
      const status = url.startsWith('/historic/agentChatsWorkTime') ? 404 : 200;
      expect(answer.status, url).toBe(status);
      expect(actual[url], url).toEqual(answer);
    }
    // a crash is not a loss of Redis: no life found the state short of the committed offsets
    expect(stateLosses).toBe(0);

    const seconds = (from: number, to: number): number => Math.round((to - from) / 1000);
    await annotate(
      `${KILLS} SIGKILLs, ${seconds(started, Date.now())} s in all: publishing ${seconds(started, published)} s, kills ${seconds(published, killedMs)} s, the last life ${seconds(killedMs, caughtUpMs)} s, answers ${seconds(caughtUpMs, Date.now())} s`,
      'figures',
    );
  }, 420_000);
});
