import { uniqueName, waitFor, waitForGroupCaughtUp, waitForGroupStable } from '@wfm-stream/testing';
import { describe, expect, it } from 'vitest';

import { metricTotal } from './support/metrics.js';
import { sendEvents } from './support/publish.js';
import type { ServiceProcess } from './support/services.js';
import { pipelineStack } from './support/stack.js';
import { SteadyPublisher } from './support/steady-publisher.js';
import { syntheticTraffic } from './support/traffic.js';
import {
  deliveryReport,
  firstDifference,
  pushesByAgent,
  startWfmReceiver,
  WFM_STATUS_PATH,
  withoutResends,
} from './support/wfm-receiver.js';

/*
 * Emitters SIGKILLed while they deliver (docs/architecture.md, "The emitter"): steady agent
 * traffic on 12 partitions while emitter processes go 1 → 4 → 3 → 2 → 3 → 2, the three
 * leaving ones SIGKILLed each while it holds pushes it has not delivered, and a WFM that
 * takes a while to answer (so pushes queue behind the one in flight). The WFM must get
 * every push of an undisturbed emitter, in order per agent; a push it gets twice must
 * carry the Idempotency-Key it came with the first time (docs/api.md).
 */

const PARTITIONS = 12;
/** Agent events a second while the membership changes. */
const RATE = 80;
/** How long the test WFM takes to answer a push. */
const WFM_LATENCY_MS = 25;

const stack = pipelineStack({
  env: {
    OPS_HOST: '127.0.0.1',
    SYSTEM_ID: 'Test system',
    EMITTER_START_FROM: 'earliest',
    // a dead emitter's leases expire soon (PUSH_LEASE must exceed twice PUSH_TIMEOUT)
    PUSH_TIMEOUT: '1s',
    PUSH_LEASE: '3s',
  },
});
const { topics, env: base } = stack;
const reference = stack.namespace();
const elastic = stack.namespace();

describe('emitters SIGKILLed while they deliver', () => {
  it(
    'lose no status push and send none twice but as a recognisable re-send, in order per agent',
    { timeout: 240_000 },
    async ({ annotate }) => {
      const started = Date.now();
      await stack.createTopics({ contacts: 1, agents: PARTITIONS });
      const traffic = syntheticTraffic({ seed: 23, contacts: 2_000, groups: 6, agents: 30 });
      // a live stream: the agent events in the order they happened
      const agentEvents = [...traffic.agents].sort(
        (a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt),
      );

      const referenceWfm = await startWfmReceiver(0);
      stack.onTeardown(() => referenceWfm.stop());
      const wfm = await startWfmReceiver(WFM_LATENCY_MS);
      stack.onTeardown(() => wfm.stop());
      const referenceGroup = uniqueName('ref-emitter');
      const elasticGroup = uniqueName('elastic-emitter');
      const referenceEmitter = await stack.emitter({
        ...base,
        WFM_STATUS_URL: `${referenceWfm.url}${WFM_STATUS_PATH}`,
        CONSUMER_GROUP: referenceGroup,
        REDIS_KEY_PREFIX: reference.prefix,
        HTTP_PORT: '0',
      });

      const admin = await stack.admin();
      const producer = await stack.producer();

      let lives = 0;
      const emitter = (): Promise<ServiceProcess> =>
        stack.spawn(
          'emitter',
          {
            ...base,
            WFM_STATUS_URL: `${wfm.url}${WFM_STATUS_PATH}`,
            CONSUMER_GROUP: elasticGroup,
            REDIS_KEY_PREFIX: elastic.prefix,
          },
          { name: `emitter-${++lives}` },
        );
      const stable = (members: number): Promise<number> =>
        waitForGroupStable(admin, elasticGroup, members);
      /** SIGKILLs an emitter as soon as it holds pushes it has not delivered. */
      const kill = async (victim: ServiceProcess): Promise<number> => {
        const holding = await waitFor(
          async () => {
            const pending = await metricTotal(victim.url, 'wfm_emitter_pending_pushes');
            return pending > 0 ? pending : undefined;
          },
          {
            timeoutMs: 30_000,
            intervalMs: 5,
            message: `${victim.name} to hold pushes (${wfm.received.length} received so far)`,
          },
        );
        await victim.proc.stop({ signal: 'SIGKILL' });
        return holding;
      };

      const members = [await emitter()];
      await stable(1);
      const publisher = new SteadyPublisher(
        producer,
        agentEvents.map((event) => ({ topic: topics.TOPIC_AGENT_EVENTS, event })),
        RATE,
      );
      stack.onTeardown(() => publisher.stop());
      await waitFor(() => wfm.received.length > 100, { message: 'the first pushes' });

      const steps: string[] = [];
      // 1 → 4: three join
      members.push(...(await Promise.all([emitter(), emitter(), emitter()])));
      await stable(4);
      steps.push('1 → 4 (3 join)');
      // 4 → 3 → 2: two SIGKILLed, one after the other
      let size = 4;
      for (const victim of members.splice(1, 2)) {
        const holding = await kill(victim);
        await stable(--size);
        steps.push(`${victim.name} SIGKILLed holding ${holding}`);
      }
      // 2 → 3 → 2: one joins, then the first one is SIGKILLed
      members.push(await emitter());
      await stable(3);
      steps.push('2 → 3 (1 joins)');
      const [first] = members.splice(0, 1);
      if (first === undefined) throw new Error('the first emitter');
      const holding = await kill(first);
      await stable(2);
      steps.push(`${first.name} SIGKILLed holding ${holding}`);

      // the traffic was steady throughout; then the rest at once
      expect(publisher.exhausted).toBe(false);
      await publisher.stop();
      const steadilyPublished = publisher.sent;
      await sendEvents(producer, topics.TOPIC_AGENT_EVENTS, agentEvents.slice(steadilyPublished));

      // everything consumed, and nothing left to deliver: the live emitters hold no push
      // and the outbox in Redis is empty (a dead emitter's leases ran out and were taken over)
      await waitForGroupCaughtUp(referenceGroup, [topics.TOPIC_AGENT_EVENTS], {
        timeoutMs: 90_000,
      });
      await waitForGroupCaughtUp(elasticGroup, [topics.TOPIC_AGENT_EVENTS], { timeoutMs: 90_000 });
      const expected = await waitFor(
        () => (referenceEmitter.pending() === 0 ? [...referenceWfm.received] : undefined),
        { timeoutMs: 60_000, message: 'the reference emitter to deliver everything' },
      );
      const outbox = `${elastic.prefix}:{emitter}:outbox`;
      await waitFor(
        async () => {
          for (const m of members)
            if ((await metricTotal(m.url, 'wfm_emitter_pending_pushes')) > 0) return false;
          return (await elastic.redis.exists(`${outbox}:entries`, `${outbox}:leases`)) === 0;
        },
        { timeoutMs: 60_000, message: 'the elastic emitters to deliver everything' },
      );
      for (const m of members)
        expect(await m.proc.stop({ signal: 'SIGTERM', timeoutMs: 30_000 })).toEqual({
          code: 0,
          signal: null,
        });

      // the undisturbed emitter may also send a push again (a POST that timed out after the
      // WFM had it): what it meant to send is each key once
      const expectedByAgent = pushesByAgent(withoutResends(expected));
      const referenceResends = expected.length - withoutResends(expected).length;
      const report = deliveryReport(wfm.received, expectedByAgent);
      await annotate(
        [
          `${steadilyPublished} of ${agentEvents.length} agent events at ${RATE}/s, the rest at once; WFM latency ${WFM_LATENCY_MS} ms`,
          ...steps,
          `${expected.length - referenceResends} pushes expected (the undisturbed emitter re-sent ${referenceResends} more with their key); ${wfm.received.length} received: ${report.lost} lost, ${report.extra} extra, ${report.keyedDuplicates} re-sent with their key, ${report.keyCollisions} keys reused; ${report.agentsDiffering.length} agents differing`,
          ...(report.agentsDiffering.length > 0
            ? [`first difference: ${firstDifference(wfm.received, expectedByAgent) ?? ''}`]
            : []),
          `${Math.round((Date.now() - started) / 1000)} s in all`,
        ].join('\n'),
        'emitter kills',
      );
      expect(expected.length - referenceResends).toBeGreaterThan(5_000);
      expect(report).toEqual({
        lost: 0,
        extra: 0,
        keyedDuplicates: report.keyedDuplicates,
        keyCollisions: 0,
        agentsDiffering: [],
      });
      // a re-send is the exception: a push in flight when its emitter died, or a POST that
      // timed out after the WFM had it (PUSH_TIMEOUT, on a loaded machine)
      expect(report.keyedDuplicates).toBeLessThan((expected.length - referenceResends) / 20);
    },
  );
});
