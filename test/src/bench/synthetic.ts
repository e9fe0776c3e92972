import type { WfmEvent } from '@wfm-stream/schemas';

import { wfmEvent } from './common/events.js';

/**
 * A quick stream of realistic-sized events for throughput benchmarks: each contact
 * offered, answered, ended and wrapped up, over 50 groups and 500 agents, one per second.
 */
export function syntheticContactEvents(
  contacts: number,
  startMs = Date.UTC(2024, 0, 8, 7, 0),
): WfmEvent[] {
  const events: WfmEvent[] = [];
  for (let n = 0; n < contacts; n++) {
    const contactId = `bench-c${n}`;
    const agentId = `a${(n * 7) % 500}`;
    const t = startMs + n * 1_000;
    events.push(
      wfmEvent('contact.offered', `${contactId}-o`, t, {
        contactId,
        groupId: `g${n % 50}`,
        channel: 'INCOMING_CALLS',
        customerId: `cust${n % 5_000}`,
      }),
      wfmEvent('contact.answered', `${contactId}-a`, t + 12_000, {
        contactId,
        agentId,
        ringMs: 2_000,
      }),
      wfmEvent('contact.ended', `${contactId}-e`, t + 200_000, {
        contactId,
        outcome: 'HANDLED',
        talkMs: 180_000,
        holdMs: 8_000,
      }),
      wfmEvent('contact.wrappedUp', `${contactId}-w`, t + 230_000, {
        contactId,
        agentId,
        wrapUpMs: 30_000,
      }),
    );
  }
  return events;
}
