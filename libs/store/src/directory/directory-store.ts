import { versionKey } from '@wfm-stream/core';
import type { DirectoryEvent, GroupUpserted, ServiceUpserted } from '@wfm-stream/schemas';

import type { RedisClient } from '../connection.js';
import { occurredAtMs } from '../contacts/codec.js';
import type { DirectoryCollection, Keys } from '../keys.js';

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
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly retentionSeconds: number,
  ) {}

  /** Applies upserts in one script call: the directory shares one hash tag. */
  async apply(events: readonly DirectoryEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    const args: string[] = [String(this.retentionSeconds)];
    for (const event of events) {
      const [collection, id, doc] = entryOf(event);
      args.push(
        collection,
        id,
        versionKey(occurredAtMs(event), event.eventId),
        JSON.stringify(doc),
      );
    }
    return this.redis.wfmDirectoryUpsert(this.keys.directoryPrefix(), ...args);
  }

  /** Changes whenever the directory does. */
  async version(): Promise<string> {
    return (await this.redis.get(`${this.keys.directoryPrefix()}version`)) ?? '0';
  }

  async groups(): Promise<Map<string, GroupEntry>> {
    return parseMap<GroupEntry>(await this.redis.hgetall(this.keys.directory('groups')));
  }

  async read(): Promise<Directory> {
    const [services, groups, agents] = await Promise.all([
      this.redis.hgetall(this.keys.directory('services')),
      this.redis.hgetall(this.keys.directory('groups')),
      this.redis.hgetall(this.keys.directory('agents')),
    ]);
    return {
      services: parseMap<ServiceEntry>(services),
      groups: parseMap<GroupEntry>(groups),
      agents: parseMap<AgentEntry>(agents),
    };
  }
}
