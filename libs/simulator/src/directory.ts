import type { WfmEvent } from '@wfm-stream/schemas';

import { MODEL } from './model.js';
import type { Random } from './random.js';

/** The simulated contact center's structure: services, groups, agents and their skills. */
export type Channel = 'calls' | 'chats';

export interface SimGroup {
  readonly id: string;
  readonly name: string;
  readonly channel: Channel;
  /** Share of all contacts offered to this group. */
  readonly share: number;
}

export interface SimAgent {
  readonly id: string;
  readonly index: number;
  readonly name: string;
  readonly surname: string;
  readonly channel: Channel;
  readonly skills: readonly string[];
  /** Index into `MODEL.shifts`: the agent's shift template, every working day. */
  readonly shiftTemplate: number;
  /**
   * `weekday`: Monday to Friday. `weekend`: Saturday, Sunday and three weekdays. `night`:
   * the night desk, five nights of seven. Weekend and night crews are skilled in every
   * group of their channel.
   */
  readonly crew: 'weekday' | 'weekend' | 'night';
  /** Place in its team (template and channel), from 0. */
  readonly crewRank: number;
}

/** The template of the night desk: the one that starts latest. */
export const NIGHT_TEMPLATE = MODEL.shifts.length - 1;

const SHIFT_SLOTS = MODEL.shifts.flatMap((shift, template) =>
  Array.from({ length: shift.weight }, () => template),
);

const CALL_GROUP_NAMES = [
  'sales',
  'support',
  'billing',
  'tech',
  'claims',
  'retention',
  'orders',
  'returns',
];
const CHAT_GROUP_NAMES = ['chat-sales', 'chat-support', 'chat-billing', 'chat-tech'];
const FIRST_NAMES = [
  'Anna',
  'Ben',
  'Carla',
  'Dev',
  'Emil',
  'Fay',
  'Gus',
  'Hana',
  'Ivo',
  'Jana',
  'Kai',
  'Lea',
  'Milo',
  'Nora',
  'Omar',
  'Pia',
  'Quin',
  'Rosa',
  'Sami',
  'Tara',
  'Umar',
  'Vera',
  'Wim',
  'Xena',
  'Yuri',
  'Zoe',
];
const SURNAMES = [
  'Ahl',
  'Berg',
  'Costa',
  'Dahl',
  'Eke',
  'Falk',
  'Gold',
  'Holm',
  'Ivers',
  'Jung',
  'Kern',
  'Lund',
  'Moss',
  'Nagy',
  'Ortiz',
  'Park',
];

function nameOf(list: readonly string[], i: number): string {
  const base = list[i % list.length] ?? 'group';
  return i < list.length ? base : `${base}-${Math.floor(i / list.length) + 1}`;
}

export function buildGroups(count: number, chatShare: number): SimGroup[] {
  const chats = count >= 2 ? Math.max(1, Math.round(count / 3)) : 0;
  const calls = count - chats;
  const weights = (n: number): number[] => {
    const raw = Array.from({ length: n }, (_, i) => 1 / (i + 1.5));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / sum);
  };
  const callShare = chats === 0 ? 1 : 1 - chatShare;
  return [
    ...weights(calls).map((w, i): SimGroup => ({
      id: nameOf(CALL_GROUP_NAMES, i),
      name: title(nameOf(CALL_GROUP_NAMES, i)),
      channel: 'calls',
      share: w * callShare,
    })),
    ...weights(chats).map((w, i): SimGroup => ({
      id: nameOf(CHAT_GROUP_NAMES, i),
      name: title(nameOf(CHAT_GROUP_NAMES, i)),
      channel: 'chats',
      share: w * chatShare,
    })),
  ];
}

function title(id: string): string {
  return id
    .split('-')
    .map((w) => `${w.charAt(0).toUpperCase()}${w.slice(1)}`)
    .join(' ');
}

/**
 * Agents split between channels like the volume. The last two agents of a channel with
 * at least six are its night desk; the others are dealt to the day shift templates by
 * their weights, in turn, and a third of every template's team is the weekend crew.
 * Skills: 1–3 in the agent's channel (the primary one by the groups' shares, so every
 * group is covered), every group of the channel for the weekend and night crews.
 */
export function buildAgents(
  count: number,
  groups: readonly SimGroup[],
  prefix: string,
  random: Random,
): SimAgent[] {
  const channelGroups = (channel: Channel): SimGroup[] =>
    groups.filter((g) => g.channel === channel);
  const chatGroups = channelGroups('chats');
  // about a third of the agents handle chats; at least one when there are chats and two agents
  const chatAgents =
    chatGroups.length === 0 ? 0 : Math.min(count - 1, Math.max(1, Math.round(count / 3)));
  const agents: SimAgent[] = [];
  const teamSizes = new Map<string, number>();
  const primaries = new Map<Channel, () => SimGroup>();
  for (let i = 0; i < count; i++) {
    const channel: Channel = i < count - chatAgents ? 'calls' : 'chats';
    const pool = channelGroups(channel).length > 0 ? channelGroups(channel) : groups;
    const inChannel = channel === 'calls' ? count - chatAgents : chatAgents;
    const indexInChannel = channel === 'calls' ? i : i - (count - chatAgents);
    // the last agents of a large enough channel are its night desk
    const night = inChannel >= MODEL.nightDeskMinAgents ? MODEL.nightCrewPerChannel : 0;
    const nightCrew = indexInChannel >= inChannel - night;
    let nextPrimary = primaries.get(channel);
    if (nextPrimary === undefined) {
      nextPrimary = weightedRoundRobin(pool);
      primaries.set(channel, nextPrimary);
    }
    const shiftTemplate = nightCrew
      ? NIGHT_TEMPLATE
      : (SHIFT_SLOTS[(indexInChannel * 7) % SHIFT_SLOTS.length] ?? 0);
    const team = `${channel}/${shiftTemplate}`;
    const rank = teamSizes.get(team) ?? 0;
    teamSizes.set(team, rank + 1);
    const crew = nightCrew ? 'night' : rank % MODEL.weekendCrewEvery === 0 ? 'weekend' : 'weekday';
    // primary skills dealt by the groups' shares of the volume (every group gets some
    // while there are at least as many agents as groups); extra skills at random
    const skills = new Set<string>([nextPrimary().id]);
    const extra = random.int(0, Math.min(2, pool.length - 1));
    while (skills.size < 1 + extra) skills.add(random.pick(pool).id);
    if (crew !== 'weekday') for (const g of pool) skills.add(g.id);
    agents.push({
      id: `${prefix}-a${String(i + 1).padStart(3, '0')}`,
      index: i,
      name: nameOf(FIRST_NAMES, i),
      surname: SURNAMES[i % SURNAMES.length] ?? 'Agent',
      channel,
      skills: [...skills].sort(),
      shiftTemplate,
      crew,
      crewRank: rank,
    });
  }
  return agents;
}

/**
 * Groups in turn by their shares (smooth weighted round-robin): the first turns visit
 * every group once, in order; after that each turn goes to the group furthest behind
 * its share, so any run of turns follows the shares closely.
 */
function weightedRoundRobin(pool: readonly SimGroup[]): () => SimGroup {
  const total = pool.reduce((sum, g) => sum + g.share, 0);
  const credit = pool.map(() => 0);
  let turn = 0;
  return () => {
    let pick = turn < pool.length ? turn : 0;
    pool.forEach((g, i) => {
      credit[i] = (credit[i] ?? 0) + g.share;
      if (turn >= pool.length && (credit[i] ?? 0) > (credit[pick] ?? 0)) pick = i;
    });
    credit[pick] = (credit[pick] ?? 0) - total;
    turn++;
    const group = pool[pick];
    if (group === undefined) throw new RangeError('no group to deal');
    return group;
  };
}

/** The directory events; their ids name the entity, so asking twice gives the same events. */
export function directoryEvents(
  groups: readonly SimGroup[],
  agents: readonly SimAgent[],
  at: string,
  prefix: string,
): WfmEvent[] {
  return [
    {
      eventId: `${prefix}-dir-service-voice`,
      type: 'service.upserted',
      occurredAt: at,
      serviceId: 'voice',
      name: 'Voice',
      status: 'ACTIVE',
    },
    {
      eventId: `${prefix}-dir-service-digital`,
      type: 'service.upserted',
      occurredAt: at,
      serviceId: 'digital',
      name: 'Digital',
      status: 'ACTIVE',
    },
    ...groups.map((g): WfmEvent => ({
      eventId: `${prefix}-dir-group-${g.id}`,
      type: 'group.upserted',
      occurredAt: at,
      groupId: g.id,
      serviceId: g.channel === 'calls' ? 'voice' : 'digital',
      name: g.name,
      status: 'ACTIVE',
      channelType: g.channel === 'calls' ? 'INCOMING_CALLS' : 'CHATS',
    })),
    ...agents.map((a): WfmEvent => ({
      eventId: `${prefix}-dir-agent-${a.id}`,
      type: 'agent.upserted',
      occurredAt: at,
      agentId: a.id,
      name: a.name,
      surname: a.surname,
      agentNumber: String(1000 + a.index),
      groupIds: [...a.skills],
    })),
  ];
}
