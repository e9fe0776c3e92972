import type { WfmEvent } from '@wfm-stream/schemas';

/**
 * A small built-in contact center: two services, three groups, six agents, and a contact
 * every `intervalMs` that waits, is answered (or abandoned), ends and is wrapped up, all
 * stamped with the current time. Enough to see every figure move; `simulate` and
 * `replay` are the realistic sources.
 */
export interface ScenarioClock {
  now(): number;
}

const GROUPS = [
  { groupId: 'sales', serviceId: 'voice', name: 'Sales', channelType: 'INCOMING_CALLS' },
  { groupId: 'support', serviceId: 'voice', name: 'Support', channelType: 'INCOMING_CALLS' },
  { groupId: 'chat', serviceId: 'digital', name: 'Chat', channelType: 'CHATS' },
] as const;

const AGENTS = ['anna', 'ben', 'carla', 'dev', 'emil', 'fay'];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function directoryEvents(now: number): WfmEvent[] {
  const at = iso(now);
  return [
    {
      eventId: 'scn-svc-voice',
      type: 'service.upserted',
      occurredAt: at,
      serviceId: 'voice',
      name: 'Voice',
      status: 'ACTIVE',
    },
    {
      eventId: 'scn-svc-digital',
      type: 'service.upserted',
      occurredAt: at,
      serviceId: 'digital',
      name: 'Digital',
      status: 'ACTIVE',
    },
    ...GROUPS.map((g): WfmEvent => ({
      eventId: `scn-grp-${g.groupId}`,
      type: 'group.upserted',
      occurredAt: at,
      groupId: g.groupId,
      serviceId: g.serviceId,
      name: g.name,
      status: 'ACTIVE',
      channelType: g.channelType,
    })),
    ...AGENTS.map((agentId, i): WfmEvent => ({
      eventId: `scn-agt-${agentId}`,
      type: 'agent.upserted',
      occurredAt: at,
      agentId,
      name: `${agentId.charAt(0).toUpperCase()}${agentId.slice(1)}`,
      groupIds: [GROUPS[i % GROUPS.length]?.groupId ?? 'sales'],
    })),
  ];
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface PendingEvent {
  readonly at: number;
  readonly event: WfmEvent;
}

/** The events of the n-th contact, each due at its own time. */
export function contactEvents(n: number, offeredAt: number, runId: string): PendingEvent[] {
  const rnd = random(n + 1);
  const group = GROUPS[n % GROUPS.length] ?? GROUPS[0];
  const contactId = `${runId}-c${n}`;
  const agentId = AGENTS[Math.floor(rnd() * AGENTS.length)] ?? 'anna';
  const customerId = `cust-${Math.floor(rnd() * 40)}`;
  const wait = Math.floor(1_000 + rnd() * 9_000);
  const out: PendingEvent[] = [
    {
      at: offeredAt,
      event: {
        eventId: `${contactId}-o`,
        type: 'contact.offered',
        occurredAt: iso(offeredAt),
        contactId,
        groupId: group.groupId,
        channel: group.channelType,
        customerId,
      },
    },
  ];
  if (rnd() < 0.15) {
    out.push({
      at: offeredAt + wait,
      event: {
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(offeredAt + wait),
        contactId,
        outcome: 'ABANDONED',
      },
    });
    return out;
  }
  const answeredAt = offeredAt + wait;
  const ringMs = Math.floor(rnd() * 3_000);
  const talkMs = Math.floor(5_000 + rnd() * 25_000);
  const holdMs = rnd() < 0.3 ? Math.floor(rnd() * 5_000) : 0;
  const endedAt = answeredAt + talkMs + holdMs;
  const wrapUpMs = Math.floor(2_000 + rnd() * 5_000);
  out.push(
    {
      at: answeredAt,
      event: {
        eventId: `${contactId}-a`,
        type: 'contact.answered',
        occurredAt: iso(answeredAt),
        contactId,
        agentId,
        ringMs,
      },
    },
    {
      at: endedAt,
      event: {
        eventId: `${contactId}-e`,
        type: 'contact.ended',
        occurredAt: iso(endedAt),
        contactId,
        outcome: 'HANDLED',
        talkMs,
        holdMs,
      },
    },
    {
      at: endedAt + wrapUpMs,
      event: {
        eventId: `${contactId}-w`,
        type: 'contact.wrappedUp',
        occurredAt: iso(endedAt + wrapUpMs),
        contactId,
        agentId,
        wrapUpMs,
      },
    },
  );
  return out;
}
