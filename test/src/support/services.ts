import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { freePort, type ManagedProcess, spawnManaged } from '@wfm-stream/local-stack';
import { redisEnv, testStack, type TestStackInfo, waitFor } from '@wfm-stream/testing';

import type { StreamTopics } from './topics.js';

/** A service's built entry point (the e2e global setup builds dist first). */
export const serviceMain = (service: string): string =>
  path.join(REPO_DIR, 'services', service, 'dist', 'main.js');

export const AGGREGATOR_MAIN = serviceMain('aggregator');
export const CLI_MAIN = serviceMain('cli');

/**
 * The settings every service of a test's deployment shares: its topics, the run's Kafka and
 * Redis, HTTP on 127.0.0.1, warnings only, and the smallest consumer session the broker
 * allows (its group.min.session.timeout.ms, 6 s), so that a stopped member's partitions move
 * on soon. `extra` adds to them or overrides them; `stack`, another Kafka and Redis.
 */
export function serviceEnv(
  topics: Partial<StreamTopics>,
  extra: Readonly<Record<string, string>> = {},
  stack: TestStackInfo = testStack(),
): Record<string, string> {
  return {
    ...topics,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    // the run's Redis, or its cluster's nodes under TEST_REDIS=cluster
    ...redisEnv(stack),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CONSUMER_SESSION_TIMEOUT: '6s',
    ...extra,
  };
}

/** A service running as a process of its own, and the base URL of its HTTP server. */
export interface ServiceProcess {
  readonly name: string;
  readonly proc: ManagedProcess;
  readonly url: string;
}

/**
 * Spawns `services/<service>/dist/main.js` with `env` added to this process's environment,
 * on a free port of 127.0.0.1 (HTTP_PORT). `running`, where given, collects the process
 * for the test file's afterAll.
 */
export async function spawnService(
  service: string,
  env: Readonly<Record<string, string>>,
  options: { name?: string; running?: ManagedProcess[]; logFile?: string } = {},
): Promise<ServiceProcess> {
  const name = options.name ?? service;
  const port = await freePort();
  const proc = spawnManaged(name, process.execPath, [serviceMain(service)], {
    env: { ...process.env, ...env, HTTP_PORT: String(port) },
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  });
  options.running?.push(proc);
  return { name, proc, url: `http://127.0.0.1:${port}` };
}

/** Waits until the service's `/readyz` answers 200 (a process that exited says so in the timeout). */
export async function waitForReady(
  service: ServiceProcess,
  options: { timeoutMs?: number; message?: string } = {},
): Promise<void> {
  await waitFor(
    async () => {
      if (service.proc.hasExited()) throw new Error(`${service.name} exited`);
      return (await fetch(`${service.url}/readyz`).catch(() => undefined))?.ok === true;
    },
    {
      timeoutMs: options.timeoutMs ?? 30_000,
      message: options.message ?? `${service.name} to be ready`,
    },
  );
}

/** Spawns the service and waits until it is ready. */
export async function startService(
  service: string,
  env: Readonly<Record<string, string>>,
  options: Parameters<typeof spawnService>[2] & { timeoutMs?: number; message?: string } = {},
): Promise<ServiceProcess> {
  const started = await spawnService(service, env, options);
  await waitForReady(started, options);
  return started;
}
