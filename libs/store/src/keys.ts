import { DAY_MS } from '@wfm-stream/core';

/**
 * Every Redis key, built here and nowhere else: in TypeScript and for the Lua scripts,
 * which get every key they touch in KEYS (docs/architecture.md, "Key layout").
 *
 * Keys are grouped by the entity they describe, and each entity's keys share a hash tag,
 * so a script that updates one entity touches one Redis Cluster slot:
 *
 *   {c:<contactId>}  the merge of a contact's events
 *   {gm:<yyyymm>:<groupId>}  a group's history of one month: the historic and daily
 *                    figures, the per-contact contributions and the uniqueness index of
 *                    the contacts offered on that month's local days ({@link Keys.termMonth});
 *                    its own letters, so no group id (which may hold `:`) names another's month
 *   {g:<groupId>}    a group's current state: its `now` figures, its waiting list, and
 *                    each contact's contribution to them
 *   {a:<agentId>}    an agent's timelines, its finished state and login spans, its contacts
 *   {online}         the current state of every agent
 *   {dir}            the directory (services, groups, agents)
 *   {progress}       the consumer groups' applied offsets
 *
 * `prefix` carries the deployment's key prefix and the state generation, e.g. `wfm:live`.
 * The keys outside the generations are built by {@link DeploymentKeys}.
 */
export type DirectoryCollection = 'services' | 'groups' | 'agents';

/** The two parts of the online index (lua/online-agents-6.lua). */
export type OnlinePart = 'state' | 'session';

/** An agent's timelines by UTC day: states (`tl`), sessions (`se`), direct outgoing contacts (`do`). */
export type AgentTimeline = 'tl' | 'se' | 'do';

/** The keys a term of a group's contribution counts in (lua/includes/vectors.lua). */
export interface TermKeys {
  readonly sums: string;
  /** For a historic term: the 15-minute buckets and the version of the day. */
  readonly historic?: { readonly sums15: string; readonly version: string };
}

/**
 * A slot of a group's keys: {@link Keys.CURRENT} (its current state) or a month, `yyyymm`.
 */
export type GroupSlot = string;

/** How many days around a day its readers look for the months holding it (Keys.historyMonths). */
const HISTORY_REACH_DAYS = 2;

export class Keys {
  private readonly prefixOf: () => string;

  /**
   * @param prefix the deployment's prefix and generation, or a function giving them, for
   *   a reader that follows the generation pointer (see generation.ts)
   */
  constructor(prefix: string | (() => string)) {
    this.prefixOf = typeof prefix === 'string' ? () => prefix : prefix;
  }

  get prefix(): string {
    return this.prefixOf();
  }

  contact(contactId: string): string {
    return `${this.prefix}:{c:${contactId}}`;
  }

  /** The keys of a group's current state (`now`, `wq` and their per-contact records). */
  private group(groupId: string): string {
    return `${this.prefix}:{g:${groupId}}:`;
  }

  /** The keys of a group's history of one month (`yyyymm`, see {@link Keys.month}). */
  private groupMonth(groupId: string, month: string): string {
    return `${this.prefix}:{gm:${month}:${groupId}}:`;
  }

  private groupSlot(groupId: string, slot: GroupSlot): string {
    return slot === Keys.CURRENT ? this.group(groupId) : this.groupMonth(groupId, slot);
  }

  /**
   * The slot of a group's current state: `now`, `wq` and the records of each contact's
   * contribution to them. Any other slot is a month, `yyyymm`.
   */
  static readonly CURRENT = '';

  /** The month (`yyyymm`) of a day number, UTC or local: the calendar date it numbers. */
  static month(day: number): string {
    const date = new Date(day * DAY_MS);
    return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
  }

  /**
   * The months whose slots may hold a group's figures of day `day` (a UTC day for the
   * historic sums, a local day for the daily ones), oldest first: the months of the days
   * from two before to two after, so one or two (docs/architecture.md, "A group's months").
   */
  static historyMonths(day: number): string[] {
    const months: string[] = [];
    for (let d = day - HISTORY_REACH_DAYS; d <= day + HISTORY_REACH_DAYS; d++) {
      const month = Keys.month(d);
      if (months[months.length - 1] !== month) months.push(month);
    }
    return months;
  }

  /**
   * The month slot a contact's term of day `termDay` counts in, for a contact offered on
   * local day `offerDay`: the month of its offer day, where its record and its uniqueness
   * live, whenever a reader of `termDay` reads that month ({@link Keys.historyMonths});
   * else (a term more than two days from the offer, across a month's end) the month of
   * `termDay` itself, where the contact then keeps a record of its own.
   */
  static termMonth(termDay: number, offerDay: number): string {
    const home = Keys.month(offerDay);
    return Keys.historyMonths(termDay).includes(home) ? home : Keys.month(termDay);
  }

  /** The day a term of a group's contribution is counted on, or undefined for `now`/`wq`. */
  static termDay(term: string): number | undefined {
    const day = /^[hd]:(-?\d+)$/.exec(term)?.[1];
    return day === undefined ? undefined : Number(day);
  }

  /** The name a group's historic term carries (lua/includes/vectors.lua): `h:<utcDay>`. */
  static historicTerm(utcDay: number): string {
    return `h:${utcDay}`;
  }

  /** The name a group's daily term carries: `d:<localDay>`, also its key's suffix. */
  static dailyTerm(localDay: number): string {
    return `d:${localDay}`;
  }

  /** The name of the term of a group's current figures (waiting, processing). */
  static readonly NOW_TERM = 'now';

  /**
   * The name of the term of a group's waiting list: one field per contact waiting now
   * (offered, neither answered nor ended), holding its offer time as a one-entry vector.
   */
  static readonly WAITING_TERM = 'wq';

  /**
   * Where a term of a group's contribution counts in one slot, by the name it carries:
   * `now` and `wq` in {@link Keys.CURRENT}, `h:` and `d:` terms in a month.
   */
  termKeys(groupId: string, term: string, slot: GroupSlot): TermKeys {
    const day = /^h:(-?\d+)$/.exec(term)?.[1];
    if (day === undefined) return { sums: this.groupSlot(groupId, slot) + term };
    const utcDay = Number(day);
    return {
      sums: this.historic(groupId, 1, utcDay, slot),
      historic: {
        sums15: this.historic(groupId, 15, utcDay, slot),
        version: this.historicVersion(groupId, utcDay, slot),
      },
    };
  }

  /** A group's historic sums per UTC day and bucket size, in one month's slot. */
  historic(groupId: string, bucketMinutes: 1 | 15, utcDay: number, month: string): string {
    return `${this.groupMonth(groupId, month)}h${bucketMinutes}:${utcDay}`;
  }

  /** Version of a group's historic sums of one UTC day in one month's slot (incremented on every change). */
  historicVersion(groupId: string, utcDay: number, month: string): string {
    return `${this.groupMonth(groupId, month)}hv:${utcDay}`;
  }

  /** A group's figures for one local day (in TIMEZONE), in one month's slot. */
  daily(groupId: string, localDay: number, month: string): string {
    return this.groupMonth(groupId, month) + Keys.dailyTerm(localDay);
  }

  now(groupId: string): string {
    return this.group(groupId) + Keys.NOW_TERM;
  }

  waiting(groupId: string): string {
    return this.group(groupId) + Keys.WAITING_TERM;
  }

  /**
   * Each contact's last contribution to the keys of one slot, for the contacts offered on
   * one local day.
   */
  contributions(groupId: string, localDay: number, slot: GroupSlot): string {
    return `${this.groupSlot(groupId, slot)}cs:${localDay}`;
  }

  /** A group's uniqueness index of one local day, in the slot of the day's month. */
  uniqueness(groupId: string, localDay: number): string {
    return `${this.groupMonth(groupId, Keys.month(localDay))}uq:${localDay}`;
  }

  /**
   * The month slots other than its offer day's where a contact offered on one local day
   * has ever had terms (kept in the offer day's month slot).
   */
  farMonths(groupId: string, localDay: number): string {
    return `${this.groupMonth(groupId, Keys.month(localDay))}cf:${localDay}`;
  }

  /** The hash field that holds a vector inside the daily and now keys. */
  static readonly VECTOR_FIELD = 'v';

  private agent(agentId: string): string {
    return `${this.prefix}:{a:${agentId}}:`;
  }

  /** An agent's timeline of one UTC day (a zset by occurredAt). */
  timeline(agentId: string, family: AgentTimeline, utcDay: number): string {
    return `${this.agent(agentId)}${family}:${utcDay}`;
  }

  /** The days an agent's state (`tl`) or session (`se`) timeline has events on. */
  timelineDays(agentId: string, family: 'tl' | 'se'): string {
    return `${this.agent(agentId)}${family}d`;
  }

  /** An agent's state timeline of a closed day, packed into one string. */
  packedTimeline(agentId: string, utcDay: number): string {
    return `${this.agent(agentId)}tlp:${utcDay}`;
  }

  /** The days whose state timeline of an agent is not packed yet. */
  unpackedDays(agentId: string): string {
    return `${this.agent(agentId)}tlu`;
  }

  /** Ids of an agent's events of one UTC day (de-duplication). */
  agentEventIds(agentId: string, utcDay: number): string {
    return `${this.agent(agentId)}ids:${utcDay}`;
  }

  /** The contacts an agent answered on one UTC day. */
  agentCalls(agentId: string, utcDay: number): string {
    return `${this.agent(agentId)}calls:${utcDay}`;
  }

  /**
   * The index by time of {@link agentCalls}: a zset of the same contacts (tombstones left
   * out), each scored by its answer instant, so that a period shorter than the day reads
   * only its own contacts (docs/capacity.md, "Soak").
   */
  agentCallsByTime(agentId: string, utcDay: number): string {
    return `${this.agent(agentId)}callsat:${utcDay}`;
  }

  /** The finished chats an agent worked on during one UTC day. */
  agentChats(agentId: string, utcDay: number): string {
    return `${this.agent(agentId)}chats:${utcDay}`;
  }

  /** The SCAN pattern of an agent's chats keys. */
  agentChatsPattern(agentId: string): string {
    return `${escapePattern(this.agent(agentId))}chats:*`;
  }

  /** One part of the online index: agentId → its latest state or session. */
  online(part: OnlinePart): string {
    return `${this.prefix}:{online}:${part}`;
  }

  /** The order keys of a part of the online index (field-expiry.lua stamps them). */
  onlineOrder(part: OnlinePart): string {
    return `${this.online(part)}:order`;
  }

  /** The expiry cursor of a part of the online index. */
  onlineSweep(part: OnlinePart): string {
    return `${this.online(part)}:sweep`;
  }

  /** Where the consumer groups' applied offsets stand in this generation (progress.ts). */
  progress(): string {
    return `${this.prefix}:{progress}`;
  }

  private directoryPrefix(): string {
    return `${this.prefix}:{dir}:`;
  }

  directory(collection: DirectoryCollection): string {
    return this.directoryPrefix() + collection;
  }

  /** The order key of every directory entry (field `<collection>:<id>`). */
  directoryOrder(): string {
    return `${this.directoryPrefix()}order`;
  }

  /** Incremented on every change of the directory. */
  directoryVersion(): string {
    return `${this.directoryPrefix()}version`;
  }
}

/** `text` with SCAN's pattern characters escaped. */
export function escapePattern(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * The keys outside the state generations, under `<REDIS_KEY_PREFIX>:` directly
 * (docs/architecture.md, "Key layout").
 */
export class DeploymentKeys {
  constructor(readonly keyPrefix: string) {}

  /** The key prefix of a state generation, as `Keys` takes it. */
  generation(generation: string): string {
    return `${this.keyPrefix}:${generation}`;
  }

  /** The SCAN pattern of every key of a generation (`<prefix>:<generation>:…`). */
  generationPattern(generation: string): string {
    return `${escapePattern(`${this.generation(generation)}:`)}*`;
  }

  /** The generation pointer: the generation readers and live aggregators use. */
  generationPointer(): string {
    return `${this.keyPrefix}:generation`;
  }

  /** Hash: each live aggregator → the generation it writes and when it said so. */
  generationSeen(): string {
    return `${this.keyPrefix}:generation:seen`;
  }

  /** The rebuild lock. */
  rebuildLock(): string {
    return `${this.keyPrefix}:rebuild`;
  }

  /** The pub/sub channel of the aggregators' change notices. */
  changes(): string {
    return `${this.keyPrefix}:changes`;
  }

  /** The emitter's claims: agentId → its last claimed status change (lua/status-claim-5.lua). */
  statusClaims(): string {
    return `${this.keyPrefix}:{emitter}:status`;
  }

  /** The expiry cursor of the emitter's claims. */
  statusClaimsSweep(): string {
    return `${this.statusClaims()}:sweep`;
  }

  /** The emitter's outbox: per agent its header (lease holder, head, tail), in `{emitter}`. */
  statusOutbox(): string {
    return `${this.keyPrefix}:{emitter}:outbox`;
  }

  /** The outbox's entries (the claimed changes waiting to be delivered). */
  statusOutboxEntries(): string {
    return `${this.statusOutbox()}:entries`;
  }

  /** The outbox's leases by their end (zset: agentId → end of its holder's lease, ms). */
  statusOutboxLeases(): string {
    return `${this.statusOutbox()}:leases`;
  }
}

/**
 * Every key of the service status board. They live outside the state generations, under
 * one hash tag, so a report is one script on one Cluster slot and the board is read in
 * two round trips:
 *
 *   <REDIS_KEY_PREFIX>:{status}:index           zset: instance → time of its last report
 *   <REDIS_KEY_PREFIX>:{status}:i:<instance>    its snapshot (JSON), with a time to live
 *   <REDIS_KEY_PREFIX>:{status}:r:<name>        lasting hashes and lists (STATUS_RECORDS)
 *
 * An instance is `<service>/<host>-<pid>-<random>`.
 */
export class StatusKeys {
  readonly prefix: string;

  constructor(keyPrefix: string) {
    this.prefix = `${keyPrefix}:{status}:`;
  }

  index(): string {
    return `${this.prefix}index`;
  }

  instance(member: string): string {
    return `${this.prefix}i:${member}`;
  }

  record(name: string): string {
    return `${this.prefix}r:${name}`;
  }
}

/** Names of lasting records: what a status op may name (StatusKeys.record builds the key). */
export const RECORD_NAME = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * Every Redis key of the exporter. Its own state lives under `<REDIS_KEY_PREFIX>:export`,
 * outside the state generations (what a target received does not change when the figures
 * are rebuilt):
 *
 *   {export}        the scheduler: lease, fencing token, cursors, fingerprints
 *   {xd:<target>}   what was delivered to a target, per interval
 *
 * The figures themselves are read under `<REDIS_KEY_PREFIX>:<generation>` through
 * `Keys`, following the generation pointer (generation.ts).
 */
export class ExportKeys {
  readonly prefix: string;

  constructor(keyPrefix: string) {
    this.prefix = `${keyPrefix}:export`;
  }

  /** The scheduler lease: "<token>:<owner>". */
  lease(): string {
    return `${this.prefix}:{export}:lease`;
  }

  /** The fencing token counter. */
  leaseToken(): string {
    return `${this.prefix}:{export}:lease-token`;
  }

  /** Hash target → start (epoch ms) of the next interval to enqueue. */
  cursors(): string {
    return `${this.prefix}:{export}:cursors`;
  }

  /** Hash interval start (epoch ms) → content hash when last enqueued (restate window only). */
  fingerprints(): string {
    return `${this.prefix}:{export}:fingerprints`;
  }

  /** The content hash last delivered to the target for the interval. */
  delivered(target: string, intervalStartMs: number): string {
    return `${this.prefix}:{xd:${target}}:${intervalStartMs}`;
  }
}
