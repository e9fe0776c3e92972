import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { RedisClient } from '@wfm-stream/store';
import type { ClientContext, Result } from 'ioredis';

const LUA_DIR = new URL('../lua/', import.meta.url);

/**
 * The exporter's Lua scripts, one file each under `lua/`, named
 * `<name>-<numberOfKeys>.lua`, each opening with a header that documents KEYS, ARGV and
 * the reply. Registered under versioned command names, so two versions on one Redis
 * never run each other's code.
 */
const SCRIPTS = {
  wfmExportLeaseAcquire1: 'lease-acquire-2.lua',
  wfmExportLeaseRenew1: 'lease-renew-1.lua',
  wfmExportLeaseRelease1: 'lease-release-1.lua',
  wfmExportSchedulerCommit1: 'scheduler-commit-3.lua',
} as const;

function numberOfKeys(file: string): number {
  const m = /-(\d+)\.lua$/.exec(file);
  if (!m) throw new Error(`script file ${file} does not end in -<numberOfKeys>.lua`);
  return Number(m[1]);
}

/** Registers the scripts on a connection (once; ioredis runs them with EVALSHA). */
export function defineExportScripts(client: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, {
      numberOfKeys: numberOfKeys(file),
      lua: fs.readFileSync(fileURLToPath(new URL(file, LUA_DIR)), 'utf8'),
    });
  }
}

type ScriptArg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    wfmExportLeaseAcquire1(
      lease: string,
      token: string,
      ...args: ScriptArg[]
    ): Result<string | null, Context>;
    wfmExportLeaseRenew1(lease: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmExportLeaseRelease1(lease: string, ...args: ScriptArg[]): Result<number, Context>;
    wfmExportSchedulerCommit1(
      lease: string,
      cursors: string,
      fingerprints: string,
      ...args: ScriptArg[]
    ): Result<number, Context>;
  }
}
