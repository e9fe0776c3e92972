import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { RedisClient } from './connection.js';

/** Where the store's scripts live: one file each, shared pieces under `includes/`. */
export const STORE_LUA_DIR = new URL('../lua/', import.meta.url);

const INCLUDE = /^--@include "([^"]+)"\s*$/gm;

export type ScriptArg = string | number | Buffer;

/** What one call sends: every key the script touches, then its other arguments. */
export interface ScriptCall {
  readonly keys: readonly string[];
  readonly argv: readonly ScriptArg[];
}

/**
 * A Lua script and the one place its arguments are encoded and its reply decoded. Every
 * key the script touches is in `keys` (KEYS), as Redis Cluster requires: the keys of one
 * call share one hash tag (docs/architecture.md, "Redis Cluster"), and a script builds no
 * key name itself.
 */
export interface Script<Args, Reply> {
  /** The file under its directory, e.g. `group-apply.lua`. */
  readonly file: string;
  /** The full source, includes expanded. */
  readonly source: string;
  /** SHA1 of `source`, as EVALSHA and SLOWLOG name it. */
  readonly sha: string;
  encode(args: Args): ScriptCall;
  run(redis: RedisClient, args: Args): Promise<Reply>;
}

export interface ScriptSpec<Args, Reply> {
  /** The directory of the script file (a file URL ending in `/`); the store's by default. */
  readonly dir?: URL;
  /**
   * The file, opening with a header that documents KEYS, ARGV and the reply. Shared
   * pieces are pulled in with `--@include "includes/x.lua"`.
   */
  readonly file: string;
  readonly encode: (args: Args) => ScriptCall;
  readonly decode: (reply: unknown) => Reply;
}

function expand(dir: string, file: string, seen: Set<string>): string {
  const full = path.join(dir, file);
  if (seen.has(full)) return '';
  seen.add(full);
  return fs
    .readFileSync(full, 'utf8')
    .replace(INCLUDE, (_line, include: string) => expand(dir, include, seen));
}

/** Scripts by SHA, for tools that name what a SLOWLOG shows (test/src/bench). */
export const DEFINED_SCRIPTS = new Map<string, string>();

/** Whether Redis does not know a script (EVALSHA before the script was sent to that node). */
function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/**
 * Defines a script. A call is one EVALSHA (EVAL the first time a node does not know the
 * script), routed by its keys like any command (a Cluster's node of their slot) and
 * pipelined with the commands around it; two versions of a script on one Redis never
 * run each other's code.
 */
export function defineScript<Args, Reply>(spec: ScriptSpec<Args, Reply>): Script<Args, Reply> {
  const source = expand(fileURLToPath(spec.dir ?? STORE_LUA_DIR), spec.file, new Set());
  // `<name>-<numberOfKeys>.lua`, or `<name>-n.lua` for a script whose keys vary
  const fixedKeys = /-(\d+)\.lua$/.exec(spec.file)?.[1];
  const sha = createHash('sha1').update(source).digest('hex');
  DEFINED_SCRIPTS.set(sha, spec.file);
  return {
    file: spec.file,
    source,
    sha,
    encode: spec.encode,
    async run(redis, args) {
      const { keys, argv } = spec.encode(args);
      if (fixedKeys !== undefined && keys.length !== Number(fixedKeys))
        throw new Error(`${spec.file} takes ${fixedKeys} keys, not ${keys.length}`);
      let reply: unknown;
      try {
        reply = await redis.evalsha(sha, keys.length, ...keys, ...argv);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        reply = await redis.eval(source, keys.length, ...keys, ...argv);
      }
      return spec.decode(reply);
    },
  };
}

/** Replies decoded as what they are: an integer. */
export function integerReply(reply: unknown): number {
  return Number(reply);
}

/**
 * The keys of one call, each once, numbered as Lua's KEYS numbers them (from 1), for the
 * scripts that name their keys by index in ARGV.
 */
export class KeyList {
  readonly keys: string[] = [];
  private readonly indexes = new Map<string, number>();

  /** The key's index in KEYS, adding it when new. */
  add(key: string): number {
    let index = this.indexes.get(key);
    if (index === undefined) {
      this.keys.push(key);
      index = this.keys.length;
      this.indexes.set(key, index);
    }
    return index;
  }
}
