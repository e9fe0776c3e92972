import type { WfmEvent } from '@wfm-stream/schemas';

/** mulberry32: a small deterministic PRNG for test data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface Traffic {
  readonly directory: WfmEvent[];
  readonly contacts: WfmEvent[];
  readonly agents: WfmEvent[];
  readonly groupIds: string[];
  readonly agentIds: string[];
}

/**
 * Deterministic traffic for end-to-end tests: `groups` groups (every third one chats),
 * `agents` agents each in a session with state changes around every contact it answers,
 * and `contacts` contacts over `hours` hours with repeat customers and every outcome.
 */
export function syntheticTraffic(options: {
  seed: number;
  contacts: number;
  groups?: number;
  agents?: number;
  startMs?: number;
  hours?: number;
}): Traffic {
  const rnd = random(options.seed);
  const groups = options.groups ?? 10;
  const agents = options.agents ?? 20;
  const start = options.startMs ?? Date.UTC(2024, 0, 8, 6, 0);
  const span = (options.hours ?? 12) * 3_600_000;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const groupIds = Array.from({ length: groups }, (_, i) => `g${i}`);
  const agentIds = Array.from({ length: agents }, (_, i) => `a${i}`);
  const channel = (g: number): 'CHATS' | 'INCOMING_CALLS' =>
    g % 3 === 2 ? 'CHATS' : 'INCOMING_CALLS';
  const directory: WfmEvent[] = [
    {
      eventId: 'svc',
      type: 'service.upserted',
      occurredAt: iso(start),
      serviceId: 's1',
      name: 'Service',
      status: 'ACTIVE',
    },
    ...groupIds.map((groupId, g): WfmEvent => ({
      eventId: `grp-${groupId}`,
      type: 'group.upserted',
      occurredAt: iso(start),
      groupId,
      ...(g % 4 === 3 ? {} : { serviceId: 's1' }),
      name: `Group ${g}`,
      status: 'ACTIVE',
      channelType: channel(g),
    })),
    ...agentIds.map((agentId, a): WfmEvent => ({
      eventId: `agt-${agentId}`,
      type: 'agent.upserted',
      occurredAt: iso(start),
      agentId,
      name: `Agent ${a}`,
      groupIds: [groupIds[a % groups] ?? 'g0', groupIds[(a + 1) % groups] ?? 'g0'],
    })),
  ];
  const contacts: WfmEvent[] = [];
  const agentEvents: WfmEvent[] = agentIds.map((agentId, a) => ({
    eventId: `${agentId}-in`,
    type: 'agent.loggedIn',
    occurredAt: iso(start + a * 1_000),
    agentId,
  }));
  for (let n = 0; n < options.contacts; n++) {
    const contactId = `c${n}`;
    const g = Math.floor(rnd() * groups);
    const offeredAt = start + 60_000 + Math.floor(rnd() * span);
    const customerId =
      rnd() < 0.1 ? undefined : `cust${Math.floor(rnd() * options.contacts * 0.6)}`;
    contacts.push({
      eventId: `${contactId}-o`,
      type: 'contact.offered',
      occurredAt: iso(offeredAt),
      contactId,
      groupId: groupIds[g] ?? 'g0',
      channel: channel(g),
      customerId,
    });
    const roll = rnd();
    if (roll < 0.1) {
      contacts.push({
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(offeredAt + Math.floor(rnd() * 300_000)),
        contactId,
        outcome: 'ABANDONED',
      });
      continue;
    }
    if (roll < 0.13) {
      contacts.push({
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(offeredAt + 5_000),
        contactId,
        outcome: 'BOT_CLOSED',
      });
      continue;
    }
    if (roll < 0.16) continue; // still open
    const agentId = agentIds[Math.floor(rnd() * agents)] ?? 'a0';
    const answeredAt = offeredAt + Math.floor(rnd() * 120_000);
    const talkMs = 20_000 + Math.floor(rnd() * 600_000);
    const endedAt = answeredAt + talkMs;
    contacts.push(
      {
        eventId: `${contactId}-a`,
        type: 'contact.answered',
        occurredAt: iso(answeredAt),
        contactId,
        agentId,
        ringMs: Math.floor(rnd() * 5_000),
      },
      {
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(endedAt),
        contactId,
        outcome: rnd() < 0.05 ? 'TRANSFERRED' : 'HANDLED',
        talkMs,
        holdMs: Math.floor(rnd() * 20_000),
      },
      {
        eventId: `${contactId}-w`,
        type: 'contact.wrappedUp',
        occurredAt: iso(endedAt + 30_000),
        contactId,
        agentId,
        wrapUpMs: 30_000,
        relaxMs: Math.floor(rnd() * 10_000),
      },
    );
    agentEvents.push(
      {
        eventId: `${contactId}-busy`,
        type: 'agent.stateChanged',
        occurredAt: iso(answeredAt),
        agentId,
        stateCode: 'TALKING',
        stateName: 'Talking',
        category: 'BUSY',
        groupId: groupIds[g] ?? 'g0',
      },
      {
        eventId: `${contactId}-acw`,
        type: 'agent.stateChanged',
        occurredAt: iso(endedAt),
        agentId,
        stateCode: 'WRAPUP',
        stateName: 'Wrap-up',
        category: 'AFTER_CONTACT_WORK',
      },
      {
        eventId: `${contactId}-ready`,
        type: 'agent.stateChanged',
        occurredAt: iso(endedAt + 30_000),
        agentId,
        stateCode: 'READY',
        stateName: 'Ready',
        reasonCode: rnd() < 0.2 ? 'BACK' : undefined,
        reasonName: undefined,
        category: 'AVAILABLE',
      },
    );
  }
  for (const [a, agentId] of agentIds.entries()) {
    agentEvents.push({
      eventId: `${agentId}-out`,
      type: 'agent.loggedOut',
      occurredAt: iso(start + span + 3_600_000 + a * 1_000),
      agentId,
    });
  }
  return { directory, contacts, agents: agentEvents, groupIds, agentIds };
}
