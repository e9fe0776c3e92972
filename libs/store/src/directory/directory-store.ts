import { versionKey } from '@wfm-stream/core';
import type { DirectoryEvent, GroupUpserted, ServiceUpserted } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { occurredAtMs } from '../contacts/codec.js';
import type { DirectoryCollection, Keys } from '../keys.js';
import { upsertDirectory } from '../scripts/directory-upsert.js';

export interface ServiceEntry {
  readonly id: string;
  readonly name: string;
  readonly status: ServiceUpserted['status'];
}

export interface GroupEntry {
  readonly id: string;
  readonly name: string;
  readonly status: GroupUpserted['status'];
  readonly serviceId?: string | undefined;
  readonly channelType?: GroupUpserted['channelType'];
}

export interface AgentEntry {
  readonly id: string;
  readonly name: string;
  readonly surname?: string | undefined;
  readonly secondName?: string | undefined;
  readonly agentNumber?: string | undefined;
  readonly loginSSO?: string | undefined;
  readonly groupIds: readonly string[];
}

/** The directory as it stands: services, groups and agents by id. */
export interface Directory {
  readonly services: ReadonlyMap<string, ServiceEntry>;
  readonly groups: ReadonlyMap<string, GroupEntry>;
  readonly agents: ReadonlyMap<string, AgentEntry>;
}

function entryOf(event: DirectoryEvent): [DirectoryCollection, string, object] {
  switch (event.type) {
    case 'service.upserted':
      return [
        'services',
        event.serviceId,
        { id: event.serviceId, name: event.name, status: event.status },
      ];
    case 'group.upserted':
      return [
        'groups',
        event.groupId,
        {
          id: event.groupId,
          name: event.name,
          status: event.status,
          serviceId: event.serviceId,
          channelType: event.channelType,
        },
      ];
    case 'agent.upserted':
      return [
        'agents',
        event.agentId,
        {
          id: event.agentId,
          name: event.name,
          surname: event.surname,
          secondName: event.secondName,
          agentNumber: event.agentNumber,
          loginSSO: event.loginSSO,
          groupIds: event.groupIds,
        },
      ];
  }
}

function parseMap<T>(flat: Record<string, string>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [id, json] of Object.entries(flat)) map.set(id, JSON.parse(json) as T);
  return map;
}

export class DirectoryStore {
  /**
   * The directory last read, with the generation and version it was read at. The upsert
   * script increments the version on every change (lua/directory-upsert-5.lua), so while
   * the version stands the copy is the directory as it stands (docs/architecture.md,
   * "The directory").
   */
  private snapshot: { prefix: string; version: string; directory: Promise<Directory> } | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {}

  /** Applies upserts in one script call: the directory shares one hash tag. */
  async apply(events: readonly DirectoryEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return upsertDirectory(this.redis, {
      keys: this.keys,
      ttlSeconds: this.retentionSeconds,
      entities: events.map((event) => {
        const [collection, id, doc] = entryOf(event);
        return {
          collection,
          id,
          order: versionKey(occurredAtMs(event), event.eventId),
          document: JSON.stringify(doc),
        };
      }),
    });
  }

  /** Changes whenever the directory does. */
  async version(): Promise<string> {
    return (await this.redis.get(this.keys.directoryVersion())) ?? '0';
  }

  /** `version`: as for {@link read}. */
  async groups(version?: string): Promise<ReadonlyMap<string, GroupEntry>> {
    return (await this.read(version)).groups;
  }

  /**
   * The directory as it stands: one GET of its version, and the whole directory only when
   * the version (or the generation) moved since the last read. Callers must not change
   * what they get: it is shared until the directory changes. `version`: one the caller
   * has just read (with {@link version}), which saves the GET; the directory is then the
   * one of that version or a later one.
   */
  async read(version?: string): Promise<Directory> {
    const prefix = this.keys.prefix;
    version ??= await this.version();
    const current = this.snapshot;
    if (current?.prefix === prefix && current.version === version) return current.directory;
    const read = this.readAll();
    const directory = read.then((r) => r.directory);
    directory.catch(() => undefined); // its failure reaches the callers awaiting it
    const entry = { prefix, version, directory };
    this.snapshot = entry;
    try {
      const r = await read;
      // kept under the version it was read at: a change may have come after the GET
      if (this.snapshot === entry) this.snapshot = { prefix, version: r.version, directory };
      return r.directory;
    } catch (error) {
      if (this.snapshot === entry) this.snapshot = undefined;
      throw error;
    }
  }

  /** The version and the three collections in one transaction: the version names what was read. */
  private async readAll(): Promise<{ version: string; directory: Directory }> {
    const { keys } = this;
    const replies = await this.redis
      .multi()
      .get(keys.directoryVersion())
      .hgetall(keys.directory('services'))
      .hgetall(keys.directory('groups'))
      .hgetall(keys.directory('agents'))
      .exec();
    const values = (replies ?? []).map(([error, value]) => {
      if (error !== null) throw error;
      return value;
    });
    const [version, services, groups, agents] = values as [
      string | null,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    return {
      version: version ?? '0',
      directory: {
        services: parseMap<ServiceEntry>(services),
        groups: parseMap<GroupEntry>(groups),
        agents: parseMap<AgentEntry>(agents),
      },
    };
  }
}
