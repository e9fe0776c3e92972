import os from 'node:os';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/local-stack';

/** A service's built entry point. */
export const serviceMain = (name: string): string =>
  path.join(REPO_DIR, 'services', name, 'dist', 'main.js');

/** A service a benchmark runs as a process of its own, and the base URL of its HTTP server. */
export interface BenchService {
  readonly name: string;
  readonly proc: ManagedProcess;
  readonly url: string;
  readonly logFile: string;
}

export interface BenchServiceOptions {
  /** The process's name (for logs and its log file); the service's by default. */
  readonly name?: string;
  /** Settings added to this process's environment. */
  readonly env: NodeJS.ProcessEnv;
  /** Node options before the entry point (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  /** Where its output goes: `wfm-bench-<logName>.log` in the temporary directory. */
  readonly logName?: string;
  /** Looks at /readyz, 100 ms apart, before it gives up. */
  readonly readyAttempts?: number;
  /** What the error says when it never becomes ready. */
  readonly notReady?: string;
}

/**
 * Spawns `services/<service>/dist/main.js` on a free port of 127.0.0.1, warnings only, and
 * waits for its /readyz; one that exits or never answers is killed and rejects.
 */
export async function startBenchService(
  service: string,
  options: BenchServiceOptions,
): Promise<BenchService> {
  const name = options.name ?? service;
  const port = await freePort();
  const logFile = path.join(os.tmpdir(), `wfm-bench-${options.logName ?? name}.log`);
  const proc = spawnManaged(
    name,
    process.execPath,
    [...(options.nodeArgs ?? []), serviceMain(service)],
    {
      env: {
        ...process.env,
        ...options.env,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      logFile,
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < (options.readyAttempts ?? 600); i++) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { name, proc, url, logFile };
    if (proc.hasExited()) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop({ signal: 'SIGKILL' });
  throw new Error(`${options.notReady ?? `${name} did not become ready`} (log: ${logFile})`);
}
