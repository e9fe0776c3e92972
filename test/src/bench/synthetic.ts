import type { WfmEvent } from '@wfm-stream/schemas';

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
    const groupId = `g${n % 50}`;
    const agentId = `a${(n * 7) % 500}`;
    const t = startMs + n * 1_000;
    const iso = (ms: number): string => new Date(ms).toISOString();
    events.push(
      {
        eventId: `${contactId}-o`,
        type: 'contact.offered',
        occurredAt: iso(t),
        contactId,
        groupId,
        channel: 'INCOMING_CALLS',
        customerId: `cust${n % 5_000}`,
      },
      {
        eventId: `${contactId}-a`,
        type: 'contact.answered',
        occurredAt: iso(t + 12_000),
        contactId,
        agentId,
        ringMs: 2_000,
      },
      {
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(t + 200_000),
        contactId,
        outcome: 'HANDLED',
        talkMs: 180_000,
        holdMs: 8_000,
      },
      {
        eventId: `${contactId}-w`,
        type: 'contact.wrappedUp',
        occurredAt: iso(t + 230_000),
        contactId,
        agentId,
        wrapUpMs: 30_000,
      },
    );
  }
  return events;
}
