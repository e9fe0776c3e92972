import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/process';

import { ensureRuntime, type FetchProgress, SCHEMA_REGISTRY_RUNTIME } from './java-runtime.js';
import { describeMissingPackages } from './system.js';

/**
 * Apicurio Registry from its Maven Central distribution (`deploy/local/schema-registry/pom.xml`),
 * serving the Confluent Schema Registry API under `/apis/ccompat/v7`, which
 * @kafkajs/confluent-schema-registry speaks. Its schemas are kept in an H2 file in the
 * registry's directory, so a registry stopped and started again (an outage) still knows
 * every schema id it gave out.
 */
export interface SchemaRegistryOptions {
  /** Working directory (its database), emptied at start and deleted at stop; a temporary one by default. */
  readonly dir?: string;
  readonly logFile?: string;
  readonly port?: number;
  readonly heapMb?: number;
  readonly onFetchProgress?: (progress: FetchProgress) => void;
  readonly readyTimeoutMs?: number;
}

export interface SchemaRegistry {
  /** The Confluent-compatible API: `http://127.0.0.1:<port>/apis/ccompat/v7`. */
  readonly url: string;
  readonly port: number;
  /** The running process; undefined while stopped. */
  process(): ManagedProcess | undefined;
  /** Stops the registry (an outage); `start()` brings it back on the same port and data. */
  pause(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  stop(): Promise<void>;
}

export const CCOMPAT_PATH = '/apis/ccompat/v7';

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

function jarOf(runtime: string): string {
  const app = path.join(runtime, 'app');
  const jar = fs.readdirSync(app).find((name) => name.endsWith('-runner.jar'));
  if (jar === undefined) throw new Error(`no Apicurio runner jar in ${app}`);
  return path.join(app, jar);
}

/** Starts Apicurio Registry on a free loopback port; fetches it from Maven Central the first time. */
export async function startSchemaRegistry(
  options: SchemaRegistryOptions = {},
): Promise<SchemaRegistry> {
  const problem = describeMissingPackages();
  if (problem !== undefined) throw new Error(problem);
  const runtime = await ensureRuntime(SCHEMA_REGISTRY_RUNTIME, {
    ...(options.onFetchProgress === undefined ? {} : { onProgress: options.onFetchProgress }),
  });
  const jar = jarOf(runtime);
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-registry-'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}${CCOMPAT_PATH}`;
  const logFile = options.logFile ?? path.join(dir, 'registry.log');
  if (options.logFile !== undefined)
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const args = [
    `-Xmx${options.heapMb ?? 256}m`,
    '-XX:+UseSerialGC',
    '-Djava.awt.headless=true',
    `-Dquarkus.http.host=127.0.0.1`,
    `-Dquarkus.http.port=${port}`,
    '-Dquarkus.log.level=WARN',
    '-Dquarkus.log.console.color=false',
    '-Dquarkus.http.access-log.enabled=false',
    `-Dapicurio.datasource.url=jdbc:h2:file:${path.join(dir, 'registry')}`,
    '-jar',
    jar,
  ];
  let proc: ManagedProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = spawnManaged('schema-registry', 'java', args, { logFile });
    proc = started;
    const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
    while (!(await answers(url))) {
      if (started.hasExited())
        throw new Error(`Apicurio Registry exited during start-up; see ${logFile}`);
      if (Date.now() > deadline) {
        await started.stop({ signal: 'SIGKILL' });
        throw new Error(`Apicurio Registry did not answer on ${url} within the time allowed`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await launch();
  return {
    url,
    port,
    process: () => proc,
    async pause(signal = 'SIGTERM') {
      const running = proc;
      proc = undefined;
      await running?.stop({ signal, timeoutMs: 10_000 });
    },
    async start() {
      if (proc !== undefined) return;
      await launch();
    },
    async stop() {
      await proc?.stop({ timeoutMs: 10_000 });
      proc = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
