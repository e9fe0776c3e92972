import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ClientContext, Cluster, Redis, Result } from 'ioredis';

const LUA_DIR = fileURLToPath(new URL('../lua/', import.meta.url));
const INCLUDE = /^--@include "([^"]+)"\s*$/gm;

/**
 * The Lua scripts, one file each under `lua/`, named `<name>-<numberOfKeys>.lua`, each
 * opening with a header that documents KEYS, ARGV and the reply. Shared pieces live in
 * `lua/includes/` and are pulled in with `--@include "includes/x.lua"`.
 */
export const SCRIPTS = {
  wfmContactMerge: 'contact-merge-1.lua',
  wfmGroupApply: 'group-apply-1.lua',
  wfmDirectoryUpsert: 'directory-upsert-1.lua',
  wfmAgentApply: 'agent-apply-1.lua',
  wfmAgentContacts: 'agent-contacts-1.lua',
  wfmOnlineAgents: 'online-agents-1.lua',
  wfmStatusClaim: 'status-claim-5.lua',
  wfmStatusDeliver: 'status-deliver-3.lua',
  wfmStatusTakeover: 'status-takeover-2.lua',
  wfmStatusReport: 'status-report-1.lua',
  wfmProgressRecord: 'progress-record-1.lua',
} as const;

export type ScriptName = keyof typeof SCRIPTS;

function expand(file: string, seen: Set<string>): string {
  const full = path.join(LUA_DIR, file);
  if (seen.has(full)) return '';
  seen.add(full);
  return fs
    .readFileSync(full, 'utf8')
    .replace(INCLUDE, (_line, include: string) => expand(include, seen));
}

/** The full source of a script, includes expanded. */
export function scriptSource(name: ScriptName): string {
  return expand(SCRIPTS[name], new Set());
}

function numberOfKeys(file: string): number {
  const m = /-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`script file ${file} does not end in -<numberOfKeys>.lua`);
  return Number(m[1]);
}

/**
 * Registers every script on a connection. ioredis runs them with EVALSHA, so two
 * versions of a script on one Redis never run each other's code.
 */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, {
      numberOfKeys: numberOfKeys(file),
      lua: scriptSource(name as ScriptName),
    });
  }
}

type ScriptArg = string | number | Buffer;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    wfmContactMerge(key: string, ...args: ScriptArg[]): Result<[string[], string[]], Context>;
    wfmGroupApply(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmDirectoryUpsert(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmAgentApply(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmAgentContacts(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmOnlineAgents(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmStatusClaim(
      key: string,
      cursorKey: string,
      outbox: string,
      entries: string,
      leases: string,
      ...args: ScriptArg[]
    ): Result<string[], Context>;
    wfmStatusDeliver(
      outbox: string,
      entries: string,
      leases: string,
      ...args: ScriptArg[]
    ): Result<string[], Context>;
    wfmStatusTakeover(
      outbox: string,
      leases: string,
      ...args: ScriptArg[]
    ): Result<string[], Context>;
    wfmStatusReport(key: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmProgressRecord(key: string, ...args: ScriptArg[]): Result<number, Context>;
  }
}
