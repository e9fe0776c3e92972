/**
 * Every Redis key, built here and nowhere else.
 *
 * Keys are grouped by the entity they describe, and each entity's keys share a hash tag,
 * so a script that updates one entity touches one Redis Cluster slot:
 *
 *   {c:<contactId>}  the merge of a contact's events
 *   {g:<groupId>}    a group's figures, its per-contact contributions, its uniqueness index
 *   {a:<agentId>}    an agent's timelines, its finished state and login spans, its contacts
 *   {online}         the current state of every agent
 *   {dir}            the directory (services, groups, agents)
 *
 * `prefix` carries the deployment's key prefix and the state generation, e.g. `wfm:live`.
 */
export type DirectoryCollection = 'services' | 'groups' | 'agents';

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

  /** Prefix of the keys of a group; scripts append the rest. */
  group(groupId: string): string {
    return `${this.prefix}:{g:${groupId}}:`;
  }

  /** Suffix (after `group()`) of a group's historic sums per UTC day and bucket size. */
  static historicSuffix(bucketMinutes: 1 | 15, utcDay: number): string {
    return `h${bucketMinutes}:${utcDay}`;
  }

  /** Suffix of a group's figures for one local day (in TIMEZONE). */
  static dailySuffix(localDay: number): string {
    return `d:${localDay}`;
  }

  /** Suffix of a group's current figures (waiting, processing). */
  static readonly NOW_SUFFIX = 'now';

  /**
   * Suffix of a group's waiting list: one field per contact waiting now (offered, neither
   * answered nor ended), holding its offer time as a one-entry vector.
   */
  static readonly WAITING_SUFFIX = 'wq';

  historic(groupId: string, bucketMinutes: 1 | 15, utcDay: number): string {
    return this.group(groupId) + Keys.historicSuffix(bucketMinutes, utcDay);
  }

  /** Version of a group's historic sums of one UTC day (incremented on every change). */
  historicVersion(groupId: string, utcDay: number): string {
    return `${this.group(groupId)}hv:${utcDay}`;
  }

  daily(groupId: string, localDay: number): string {
    return this.group(groupId) + Keys.dailySuffix(localDay);
  }

  now(groupId: string): string {
    return this.group(groupId) + Keys.NOW_SUFFIX;
  }

  waiting(groupId: string): string {
    return this.group(groupId) + Keys.WAITING_SUFFIX;
  }

  /** The hash field that holds a vector inside the daily and now keys. */
  static readonly VECTOR_FIELD = 'v';

  /** Prefix of the keys of an agent; scripts append the rest (see lua/agent-apply-1.lua). */
  agent(agentId: string): string {
    return `${this.prefix}:{a:${agentId}}:`;
  }

  /** Prefix of the online index (current state of every agent). */
  online(): string {
    return `${this.prefix}:{online}:`;
  }

  /** Prefix of the directory's keys; `directory(collection)` is one collection's hash. */
  directoryPrefix(): string {
    return `${this.prefix}:{dir}:`;
  }

  directory(collection: DirectoryCollection): string {
    return this.directoryPrefix() + collection;
  }
}
