import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles when the process has exited, however that happened. */
  readonly exited: Promise<ExitStatus>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Asks it to stop (SIGTERM), waits, and kills it (SIGKILL) after `timeoutMs`. */
  stop(options?: { signal?: NodeJS.Signals; timeoutMs?: number }): Promise<ExitStatus>;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Append stdout and stderr to this file; otherwise they are ignored unless piped. */
  readonly logFile?: string;
  /** Keep stdin/stdout as pipes the caller reads and writes. */
  readonly pipe?: boolean;
}

let setprivAvailable: boolean | undefined;

function hasSetpriv(): boolean {
  setprivAvailable ??= fs.existsSync('/usr/bin/setpriv') || fs.existsSync('/bin/setpriv');
  return setprivAvailable;
}

/**
 * Starts a child process that cannot outlive this one: on Linux it is started through
 * `setpriv --pdeathsig TERM`, so the kernel signals it if this process dies, even by
 * SIGKILL. Nothing we start is ever left running.
 *
 * The child gets its own process group, so a Ctrl-C in the terminal reaches only us and
 * we stop children in order (traffic, services, then the broker and Redis they use).
 */
export function spawnManaged(
  name: string,
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ManagedProcess {
  const [file, argv] = hasSetpriv()
    ? ['setpriv', ['--pdeathsig', 'TERM', '--', command, ...args]]
    : [command, [...args]];
  const logFd = options.logFile === undefined ? undefined : fs.openSync(options.logFile, 'a');
  const out: number | 'ignore' | 'pipe' = options.pipe === true ? 'pipe' : (logFd ?? 'ignore');
  const child = spawn(file, argv, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    detached: true,
    stdio: [options.pipe === true ? 'pipe' : 'ignore', out, logFd ?? out],
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
    child.once('error', () => {
      exitStatus ??= { code: null, signal: null };
      resolve(exitStatus);
    });
  });
  const pid = child.pid ?? -1;
  return {
    name,
    pid,
    child,
    exited,
    hasExited: () => exitStatus !== undefined,
    async stop({ signal = 'SIGTERM', timeoutMs = 10_000 } = {}) {
      if (exitStatus !== undefined) return exitStatus;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** True while a process with this pid exists (and is not a zombie we could reap). */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
