import type { RedisClient } from '../connection.js';
import type { DirectoryCollection, Keys } from '../keys.js';
import { defineScript, type ScriptArg } from '../scripts.js';

/** One directory entity (lua/directory-upsert-5.lua): the latest order key wins. */
export interface DirectoryUpsert {
  readonly collection: DirectoryCollection;
  readonly id: string;
  /** versionKey(occurredAt, eventId). */
  readonly order: string;
  /** The JSON document. */
  readonly document: string;
}

export interface DirectoryUpsertArgs {
  readonly keys: Keys;
  readonly ttlSeconds: number;
  readonly entities: readonly DirectoryUpsert[];
}

const directoryUpsert = defineScript<DirectoryUpsertArgs, number>({
  file: 'directory-upsert-5.lua',
  encode({ keys, ttlSeconds, entities }) {
    const argv: ScriptArg[] = [ttlSeconds];
    for (const e of entities) argv.push(e.collection, e.id, e.order, e.document);
    return {
      keys: [
        keys.directoryOrder(),
        keys.directoryVersion(),
        keys.directory('services'),
        keys.directory('groups'),
        keys.directory('agents'),
      ],
      argv,
    };
  },
  decode: Number,
});

/** Upserts directory entities in one script call; returns the number written. */
export function upsertDirectory(redis: RedisClient, args: DirectoryUpsertArgs): Promise<number> {
  return directoryUpsert.run(redis, args);
}
