import type { RedisClient } from '../connection.js';
import type { Keys } from '../keys.js';
import { defineScript, KeyList, type ScriptArg } from '../scripts.js';

/** A contact as the agent that answered it keeps it (lua/agent-contacts-n.lua). */
export interface AnsweredContact {
  readonly groupId: string | null;
  readonly channel: string | null;
  readonly answeredAtMs: number;
  /** null while the contact is open. */
  readonly endedAtMs: number | null;
  /** null while the contact is open. */
  readonly outcome: string | null;
  readonly wrappedUp: boolean;
}

/** One contact's snapshot as one agent hears it. */
export interface AgentContactUpdate {
  readonly contactId: string;
  /** Snapshot version: an update not newer than the stored one is skipped. */
  readonly version: number;
  /** UTC day of the answer: where the record lives. */
  readonly utcDay: number;
  /** The contact left this agent or day (or a bot closed it): its record is taken back. */
  readonly tombstone: boolean;
  /** The contact, unless a tombstone. */
  readonly contact?: AnsweredContact;
}

export interface AgentContactsArgs {
  readonly keys: Keys;
  readonly agentId: string;
  readonly ttlSeconds: number;
  /** Most UTC days a chat is indexed in, from its answer (CONTACT_MAX_SPAN). */
  readonly maxChatDays: number;
  readonly updates: readonly AgentContactUpdate[];
}

const agentContacts = defineScript<AgentContactsArgs, number>({
  file: 'agent-contacts-n.lua',
  encode({ keys, agentId, ttlSeconds, maxChatDays, updates }) {
    const list = new KeyList();
    const callDays = new Set(updates.map((u) => u.utcDay));
    const chatDays = new Set<number>();
    // a record of day d, stored or new, was answered on day d: its chat is indexed from d on
    for (const day of callDays) for (let d = day; d < day + maxChatDays; d++) chatDays.add(d);
    const argv: ScriptArg[] = [ttlSeconds, maxChatDays, callDays.size, chatDays.size];
    for (const day of callDays)
      argv.push(
        day,
        list.add(keys.agentCalls(agentId, day)),
        list.add(keys.agentCallsByTime(agentId, day)),
      );
    for (const day of chatDays) argv.push(day, list.add(keys.agentChats(agentId, day)));
    for (const u of updates) {
      const c = u.contact;
      argv.push(
        u.contactId,
        u.version,
        u.utcDay,
        u.tombstone ? '1' : '0',
        c?.groupId ?? '',
        c?.channel ?? '',
        c === undefined ? '' : c.answeredAtMs,
        c?.endedAtMs ?? '',
        c?.outcome ?? '',
        c?.wrappedUp === true ? '1' : '0',
      );
    }
    return { keys: list.keys, argv };
  },
  decode: Number,
});

/** Records one agent's answered contacts in one script call. */
export function applyAgentContacts(redis: RedisClient, args: AgentContactsArgs): Promise<number> {
  return agentContacts.run(redis, args);
}
