import { setTimeout as pace } from 'node:timers/promises';

import {
  redisEnv,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
  waitForGroupStable,
} from '@wfm-stream/testing';
import { type RunningSink, startWfmSink } from '@wfm-stream/wfm-sink';
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';

import { allAnswers } from './support/answers.js';
import { sendEvents } from './support/publish.js';
import type { ServiceProcess } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { SteadyPublisher } from './support/steady-publisher.js';
import { syntheticTraffic } from './support/traffic.js';
import { WFM_STATUS_PATH } from './support/wfm-receiver.js';

/*
 * Elastic consumers on real Kafka (docs/architecture.md, "Scaling out and in"): steady
 * traffic at a fixed rate while aggregator processes go 1 → 4 → 2 (one of the leaving ones
 * SIGKILLed) and emitter processes go 1 → 3 → 1. After every membership change the group's
 * lag comes back under 1 s; the answers equal an undisturbed reference's, and the WFM gets
 * every status push of an undisturbed emitter, once and in order per agent.
 */

const PARTITIONS = 12;
/** Events a second, over both topics, from the first change to the last. */
const RATE = 150;
/** A membership change is over once every record published this long ago is committed. */
const LAG_BOUND_MS = 1_000;
/** How often the test samples end offsets and the groups' committed offsets. */
const SAMPLE_EVERY_MS = 150;

// serviceEnv's settings: the smallest consumer session the broker allows, so that a
// SIGKILLed member's partitions move on soon
const stack = pipelineStack({ env: { OPS_HOST: '127.0.0.1', SYSTEM_ID: 'Test system' } });
const { topics, env: base } = stack;
const namespaces = {
  referenceAggregator: stack.namespace(),
  elasticAggregator: stack.namespace(),
  referenceEmitter: stack.namespace(),
  elasticEmitter: stack.namespace(),
};
const aggregatorEnv = { ...base, PARTITIONS_CONSUMED_CONCURRENTLY: '2' };
const emitterEnv = (sink: RunningSink): Record<string, string> => ({
  ...base,
  EMITTER_START_FROM: 'earliest',
  WFM_STATUS_URL: `${sink.url}${WFM_STATUS_PATH}`,
});

type Member = ServiceProcess;

const spawnMember = (
  kind: 'aggregator' | 'emitter',
  name: string,
  env: Record<string, string>,
): Promise<Member> => stack.spawn(kind, env, { name: `${kind}-${name}` });

/** `${topic}/${partition}` → offset. */
type Offsets = Map<string, number>;

interface Sample {
  readonly t: number;
  readonly ends: Offsets;
  readonly committed: ReadonlyMap<string, Offsets>;
  /** Per group: its state and member count, `Stable/2` say. */
  readonly membership: ReadonlyMap<string, string>;
}

/**
 * Samples, every SAMPLE_EVERY_MS, the topics' end offsets and the groups' committed ones:
 * the lag of a group in time is how long ago the oldest record it has not committed
 * appeared at a partition's end.
 */
class LagSampler {
  readonly samples: Sample[] = [];
  lost = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly admin: Admin,
    private readonly groups: ReadonlyMap<string, readonly string[]>,
    private readonly topicNames: readonly string[],
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t = Date.now();
      try {
        const [described, ends, ...committed] = await Promise.all([
          this.admin.describeGroups([...this.groups.keys()]),
          Promise.all(this.topicNames.map((topic) => this.admin.fetchTopicOffsets(topic))),
          ...[...this.groups].map(([groupId, groupTopics]) =>
            this.admin.fetchOffsets({ groupId, topics: [...groupTopics] }),
          ),
        ]);
        const endOffsets: Offsets = new Map();
        ends.forEach((partitions, i) => {
          for (const p of partitions)
            endOffsets.set(`${this.topicNames[i] ?? ''}/${p.partition}`, Number(p.high));
        });
        const byGroup = new Map<string, Offsets>();
        [...this.groups.keys()].forEach((groupId, i) => {
          const offsets: Offsets = new Map();
          for (const topic of committed[i] ?? [])
            for (const p of topic.partitions)
              offsets.set(`${topic.topic}/${p.partition}`, Math.max(0, Number(p.offset)));
          byGroup.set(groupId, offsets);
        });
        const membership = new Map(
          described.groups.map((g) => [g.groupId, `${g.state}/${g.members.length}`]),
        );
        this.samples.push({ t, ends: endOffsets, committed: byGroup, membership });
      } catch {
        // a sample lost to a slow broker: the next one comes soon (and the lost ones are counted)
        this.lost++;
      }
      await pace(SAMPLE_EVERY_MS);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private partitionsOf(groupId: string): string[] {
    const groupTopics = this.groups.get(groupId) ?? [];
    return [...(this.samples.at(-1)?.ends.keys() ?? [])].filter((key) =>
      groupTopics.some((topic) => key.startsWith(`${topic}/`)),
    );
  }

  /** The group's lag in ms at sample `i`: the age of its oldest uncommitted record. */
  lagMs(groupId: string, i: number): number {
    const sample = this.samples[i];
    if (sample === undefined) return Number.POSITIVE_INFINITY;
    let lag = 0;
    for (const key of this.partitionsOf(groupId)) {
      const done = sample.committed.get(groupId)?.get(key) ?? 0;
      if ((sample.ends.get(key) ?? 0) <= done) continue;
      // the first sample whose end was past `done` (ends only grow: binary search)
      let lo = 0;
      let hi = i;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((this.samples[mid]?.ends.get(key) ?? 0) > done) hi = mid;
        else lo = mid + 1;
      }
      lag = Math.max(lag, sample.t - (this.samples[lo]?.t ?? sample.t));
    }
    return lag;
  }

  /** Resolves with the time of the first sample after `afterMs` with the group's lag under the bound. */
  lagUnderBound(groupId: string, afterMs: number, timeoutMs = 60_000): Promise<number> {
    let from = 0;
    return waitFor(
      () => {
        for (; from < this.samples.length; from++) {
          const sample = this.samples[from];
          if (sample === undefined || sample.t <= afterMs) continue;
          if (this.lagMs(groupId, from) < LAG_BOUND_MS) return sample.t;
        }
        return undefined;
      },
      { timeoutMs, intervalMs: 50, message: `${groupId}'s lag under ${LAG_BOUND_MS} ms` },
    );
  }

  /** The time of the first sample after `afterMs` where the group's membership differs from `before`. */
  membershipChanged(groupId: string, afterMs: number, before: string): number | undefined {
    return this.samples.find((s) => s.t > afterMs && s.membership.get(groupId) !== before)?.t;
  }

  /** Over [fromMs, toMs]: the group's highest lag, and the longest time a partition with work did not commit. */
  window(
    groupId: string,
    fromMs: number,
    toMs: number,
  ): { maxLagMs: number; gapMs: number; samples: number; sampleGapMs: number } {
    let maxLagMs = 0;
    let gapMs = 0;
    let samples = 0;
    let sampleGapMs = 0;
    let last: number | undefined;
    const idle = new Map<string, number>();
    for (let i = 0; i < this.samples.length; i++) {
      const sample = this.samples[i];
      const previous = this.samples[i - 1];
      if (sample === undefined || sample.t < fromMs || sample.t > toMs) continue;
      maxLagMs = Math.max(maxLagMs, this.lagMs(groupId, i));
      samples++;
      if (last !== undefined) sampleGapMs = Math.max(sampleGapMs, sample.t - last);
      last = sample.t;
      for (const key of this.partitionsOf(groupId)) {
        const done = sample.committed.get(groupId)?.get(key) ?? 0;
        const before = previous?.committed.get(groupId)?.get(key) ?? 0;
        if (done !== before || (sample.ends.get(key) ?? 0) <= done || !idle.has(key))
          idle.set(key, sample.t);
        gapMs = Math.max(gapMs, sample.t - (idle.get(key) ?? sample.t));
      }
    }
    return { maxLagMs, gapMs, samples, sampleGapMs };
  }
}

interface Push {
  workerId: string;
  action: number;
  stateCode: string;
  stateName: string;
  actionTime: number;
}
const pushesOf = (sink: RunningSink): Push[] =>
  sink.received(WFM_STATUS_PATH).map((r) => r.body as Push);
function byAgent(pushes: readonly Push[]): Map<string, string[]> {
  const agents = new Map<string, string[]>();
  for (const p of pushes)
    agents.set(p.workerId, [
      ...(agents.get(p.workerId) ?? []),
      `${p.action}:${p.stateCode}:${p.stateName}:${p.actionTime}`,
    ]);
  return agents;
}
/** The longest time between two pushes the sink received within [fromMs, toMs]. */
function longestReceiptGap(sink: RunningSink, fromMs: number, toMs: number): number {
  const times = sink
    .received(WFM_STATUS_PATH)
    .map((r) => r.atMs)
    .filter((t) => t >= fromMs && t <= toMs);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return gap;
}

describe('consumers joining and leaving under steady traffic', () => {
  // about a minute on a loaded 2-core machine (load average 15); the bound leaves room for worse
  it(
    'catch up within a second after every change, with the answers and pushes of undisturbed ones',
    {
      timeout: 170_000,
    },
    async ({ annotate }) => {
      const started = Date.now();
      await stack.createTopics({ contacts: PARTITIONS, agents: PARTITIONS });
      const traffic = syntheticTraffic({ seed: 19, contacts: 2_000, groups: 12, agents: 30 });
      // a live stream: every event in the order it happened, each to its stream's topic
      const live = [
        ...traffic.contacts.map((event) => ({ topic: topics.TOPIC_CONTACT_EVENTS, event })),
        ...traffic.agents.map((event) => ({ topic: topics.TOPIC_AGENT_EVENTS, event })),
      ].sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt));

      const groups = {
        referenceAggregator: uniqueName('ref-aggregator'),
        elasticAggregator: uniqueName('elastic-aggregator'),
        referenceEmitter: uniqueName('ref-emitter'),
        elasticEmitter: uniqueName('elastic-emitter'),
      };
      const streams = [topics.TOPIC_CONTACT_EVENTS, topics.TOPIC_AGENT_EVENTS];

      // the references: one in-process aggregator and one emitter, never disturbed
      const referenceSink = await startWfmSink();
      stack.onTeardown(() => referenceSink.stop());
      const elasticSink = await startWfmSink();
      stack.onTeardown(() => elasticSink.stop());
      const referenceAggregator = await stack.aggregator({
        ...aggregatorEnv,
        CONSUMER_GROUP: groups.referenceAggregator,
        REDIS_KEY_PREFIX: namespaces.referenceAggregator.prefix,
        HTTP_PORT: '0',
      });
      const referenceEmitter = await stack.emitter({
        ...emitterEnv(referenceSink),
        CONSUMER_GROUP: groups.referenceEmitter,
        REDIS_KEY_PREFIX: namespaces.referenceEmitter.prefix,
        HTTP_PORT: '0',
      });

      const admin = await stack.admin();
      const producer = await stack.producer();
      await sendEvents(producer, topics.TOPIC_DIRECTORY, traffic.directory);

      const aggregatorMember = (name: string): Promise<Member> =>
        spawnMember('aggregator', name, {
          ...aggregatorEnv,
          CONSUMER_GROUP: groups.elasticAggregator,
          REDIS_KEY_PREFIX: namespaces.elasticAggregator.prefix,
        });
      const emitterMember = (name: string): Promise<Member> =>
        spawnMember('emitter', name, {
          ...emitterEnv(elasticSink),
          CONSUMER_GROUP: groups.elasticEmitter,
          REDIS_KEY_PREFIX: namespaces.elasticEmitter.prefix,
        });
      const stable = (groupId: string, members: number): Promise<number> =>
        waitForGroupStable(admin, groupId, members);

      const sampler = new LagSampler(
        admin,
        new Map([
          [groups.elasticAggregator, streams],
          [groups.elasticEmitter, [topics.TOPIC_AGENT_EVENTS]],
        ]),
        streams,
      );
      stack.onTeardown(() => sampler.stop());

      const aggregators = [await aggregatorMember('a')];
      const emitters = [await emitterMember('e1')];
      await stable(groups.elasticAggregator, 1);
      await stable(groups.elasticEmitter, 1);
      const publisher = new SteadyPublisher(producer, live, RATE);
      stack.onTeardown(() => publisher.stop());
      const steadyFrom = Date.now();
      await sampler.lagUnderBound(groups.elasticAggregator, steadyFrom);
      await sampler.lagUnderBound(groups.elasticEmitter, steadyFrom);
      // a stretch of undisturbed consumption, for comparison
      const steadyUntil = await sampler.lagUnderBound(groups.elasticAggregator, Date.now() + 3_000);

      interface Change {
        readonly what: string;
        readonly groupId: string;
        readonly recoveryMs: number;
        readonly rebalanceToRecoveryMs: number;
        readonly maxLagMs: number;
        readonly gapMs: number;
        readonly samples: number;
        readonly sampleGapMs: number;
        readonly pushGapMs?: number;
      }
      const changes: Change[] = [];
      /** Makes a membership change, awaits the group stable with `members`, then its lag under the bound. */
      async function change(
        what: string,
        groupId: string,
        members: number,
        make: () => Promise<void>,
      ): Promise<void> {
        const before = `Stable/${
          (await admin.describeGroups([groupId])).groups[0]?.members.length ?? 0
        }`;
        const at = Date.now();
        await make();
        const stableAt = await stable(groupId, members);
        const recovered = await sampler.lagUnderBound(groupId, stableAt);
        const { maxLagMs, gapMs, samples, sampleGapMs } = sampler.window(groupId, at, recovered);
        changes.push({
          what,
          groupId,
          recoveryMs: recovered - at,
          // the rebalance began when the broker first showed the group otherwise than before
          rebalanceToRecoveryMs: recovered - (sampler.membershipChanged(groupId, at, before) ?? at),
          maxLagMs,
          gapMs,
          samples,
          sampleGapMs,
          ...(groupId === groups.elasticEmitter
            ? { pushGapMs: longestReceiptGap(elasticSink, at, recovered) }
            : {}),
        });
      }

      // aggregators 1 → 4: three processes join at once
      await change('aggregators 1 → 4 (3 join)', groups.elasticAggregator, 4, async () => {
        aggregators.push(...(await Promise.all(['b', 'c', 'd'].map(aggregatorMember))));
      });
      // emitters 1 → 3
      await change('emitters 1 → 3 (2 join)', groups.elasticEmitter, 3, async () => {
        emitters.push(...(await Promise.all(['e2', 'e3'].map(emitterMember))));
      });
      // aggregators 4 → 3: one leaves gracefully (SIGTERM: it commits and leaves the group)
      const [, b, c] = aggregators;
      if (b === undefined || c === undefined) throw new Error('aggregators b and c');
      await change('aggregators 4 → 3 (SIGTERM)', groups.elasticAggregator, 3, async () => {
        expect(await b.proc.stop({ signal: 'SIGTERM', timeoutMs: 30_000 })).toEqual({
          code: 0,
          signal: null,
        });
      });
      // aggregators 3 → 2: one is SIGKILLed mid-batch; the group notices when its session times out
      await change('aggregators 3 → 2 (SIGKILL)', groups.elasticAggregator, 2, async () => {
        await c.proc.stop({ signal: 'SIGKILL' });
      });
      // emitters 3 → 1: two leave gracefully (emitters SIGKILLed while they deliver:
      // test/src/emitter-crash.e2e.spec.ts, docs/architecture.md, "Scaling out and in")
      await change('emitters 3 → 1 (2 SIGTERM)', groups.elasticEmitter, 1, async () => {
        const leaving = emitters.splice(1);
        const exits = await Promise.all(
          leaving.map((e) => e.proc.stop({ signal: 'SIGTERM', timeoutMs: 30_000 })),
        );
        for (const exit of exits) expect(exit).toEqual({ code: 0, signal: null });
      });
      // the traffic was steady throughout: it had not run out when the last change was over
      expect(publisher.exhausted).toBe(false);
      await publisher.stop();
      const steadilyPublished = publisher.sent;
      // the rest of the day at once, so that the answers cover every kind of event
      const tail = live.slice(steadilyPublished);
      for (const topic of streams)
        await sendEvents(
          producer,
          topic,
          tail.filter((e) => e.topic === topic).map((e) => e.event),
        );

      const steady = sampler.window(groups.elasticAggregator, steadyFrom, steadyUntil);
      await annotate(
        [
          `${RATE} events/s over ${PARTITIONS}+${PARTITIONS} partitions; lag bound ${LAG_BOUND_MS} ms (offsets committed every 1 s); undisturbed: max lag ${steady.maxLagMs} ms, longest partition gap ${steady.gapMs} ms; samples lost: ${sampler.lost}`,
          ...changes.map(
            (c) =>
              `${c.what}: lag back under ${LAG_BOUND_MS} ms ${c.recoveryMs} ms after the change, ${c.rebalanceToRecoveryMs} ms after the rebalance began; max lag ${c.maxLagMs} ms; longest partition without a commit ${c.gapMs} ms (${c.samples} samples, at most ${c.sampleGapMs} ms apart)${c.pushGapMs === undefined ? '' : `; longest gap between pushes ${c.pushGapMs} ms`}`,
          ),
        ].join('\n'),
        'membership changes',
      );

      for (const [groupId, groupTopics] of [
        [groups.referenceAggregator, streams],
        [groups.elasticAggregator, streams],
        [groups.referenceEmitter, [topics.TOPIC_AGENT_EVENTS]],
        [groups.elasticEmitter, [topics.TOPIC_AGENT_EVENTS]],
      ] as const)
        await waitForGroupCaughtUp(groupId, groupTopics, { timeoutMs: 60_000 });
      for (const c of changes) expect(c.recoveryMs, c.what).toBeLessThan(30_000);

      // every status push once, in order per agent: what the undisturbed emitter pushed
      const expectedPushes = await waitFor(
        () => {
          const pushes = pushesOf(referenceSink);
          return referenceEmitter.pending() === 0 && pushes.length > 0 ? pushes : undefined;
        },
        { message: 'the reference emitter to push everything' },
      );
      await waitFor(() => pushesOf(elasticSink).length >= expectedPushes.length, {
        timeoutMs: 30_000,
        message: `${expectedPushes.length} pushes at the elastic emitters' sink`,
      });
      const [lastEmitter] = emitters;
      if (lastEmitter === undefined) throw new Error('the remaining emitter');
      expect(await lastEmitter.proc.stop({ timeoutMs: 30_000 })).toEqual({ code: 0, signal: null });
      expect(pushesOf(elasticSink)).toHaveLength(expectedPushes.length);
      expect(byAgent(pushesOf(elasticSink))).toEqual(byAgent(expectedPushes));

      for (const a of aggregators.filter((m) => m !== b && m !== c))
        expect(await a.proc.stop({ timeoutMs: 30_000 })).toEqual({ code: 0, signal: null });
      await referenceAggregator.stop();

      const answersOf = async (
        prefix: string,
      ): Promise<Record<string, { status: number; body: unknown }>> => {
        const reader = await stack.reader({
          ...redisEnv(stack.on),
          REDIS_KEY_PREFIX: prefix,
          READER_API_KEYS: 'k',
          HTTP_PORT: '0',
          HTTP_HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
        });
        try {
          return await allAnswers(
            reader.app,
            { 'x-api-key': 'k' },
            {
              groupIds: traffic.groupIds,
              agentIds: traffic.agentIds,
              startDate: '2024-01-08T00:00:00Z',
              endDate: '2024-01-10T00:00:00Z',
            },
          );
        } finally {
          await reader.stop();
        }
      };
      const expected = await answersOf(namespaces.referenceAggregator.prefix);
      const actual = await answersOf(namespaces.elasticAggregator.prefix);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      for (const [url, answer] of Object.entries(expected)) {
        expect(answer.status, url).toBe(200);
        expect(actual[url], url).toEqual(answer);
      }
      await annotate(
        `${steadilyPublished} of ${live.length} events published at ${RATE}/s, the rest at once; ${expectedPushes.length} status pushes; ${Math.round((Date.now() - started) / 1000)} s in all`,
        'run',
      );
    },
  );
});
