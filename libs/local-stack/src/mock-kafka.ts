import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { type ManagedProcess, spawnManaged } from './process.js';
import { describeMissingPackages } from './system.js';

const execFileAsync = promisify(execFile);

const SOURCE = fileURLToPath(new URL('../native/mock-kafka.c', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('../.build/', import.meta.url));

/**
 * Builds the launcher of librdkafka's mock cluster with gcc, once per source version.
 * Concurrent callers (parallel test workers) are safe: each compiles to its own file and
 * renames it into place.
 */
export async function buildMockKafka(): Promise<string> {
  const source = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const binary = path.join(BUILD_DIR, `mock-kafka-${hash}`);
  if (fs.existsSync(binary)) return binary;
  const problem = describeMissingPackages();
  if (problem !== undefined) throw new Error(problem);
  fs.mkdirSync(BUILD_DIR, { recursive: true });
  const temporary = `${binary}.${process.pid}.tmp`;
  try {
    await execFileAsync('gcc', ['-O2', '-Wall', '-o', temporary, SOURCE, '-lrdkafka']);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`could not build the mock Kafka launcher with gcc:\n${stderr}`);
  }
  fs.renameSync(temporary, binary);
  return binary;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

/** Talks to a running launcher's control port: topics and fault injection. */
export class MockKafkaControl {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  /** Sends one command and resolves with its answer; rejects when the launcher refuses it. */
  command(line: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`mock Kafka did not answer "${line}" within ${timeoutMs} ms`));
      }, timeoutMs);
      let buffer = '';
      socket.setEncoding('utf8');
      socket.once('error', (error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.on('data', (chunk: string) => {
        buffer += chunk;
        const end = buffer.indexOf('\n');
        if (end < 0) return;
        clearTimeout(timer);
        socket.end();
        const answer = JSON.parse(buffer.slice(0, end)) as { ok: boolean; error?: string };
        if (answer.ok) resolve();
        else reject(new Error(`mock Kafka refused "${line}": ${answer.error ?? 'unknown error'}`));
      });
      socket.write(`${line}\n`);
    });
  }

  createTopic(topic: TopicSpec): Promise<void> {
    if (/\s/.test(topic.name)) return Promise.reject(new Error('topic names cannot hold spaces'));
    return this.command(`topic ${topic.name} ${topic.partitions}`);
  }

  brokerDown(brokerId: number): Promise<void> {
    return this.command(`broker-down ${brokerId}`);
  }

  brokerUp(brokerId: number): Promise<void> {
    return this.command(`broker-up ${brokerId}`);
  }

  /** The next `count` requests of the Kafka API `apiKey` fail with `errorCode`. */
  requestErrors(apiKey: number, errorCode: number, count: number): Promise<void> {
    return this.command(`request-errors ${apiKey} ${errorCode} ${count}`);
  }
}

export interface MockKafka {
  readonly brokers: readonly string[];
  readonly control: MockKafkaControl;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface MockKafkaOptions {
  readonly topics?: readonly TopicSpec[];
  readonly brokers?: number;
  readonly logFile?: string;
}

/** Starts a Kafka-protocol broker (librdkafka's mock cluster) on free loopback ports. */
export async function startMockKafka(options: MockKafkaOptions = {}): Promise<MockKafka> {
  const binary = await buildMockKafka();
  const args = ['--brokers', String(options.brokers ?? 1)];
  for (const topic of options.topics ?? [])
    args.push('--topic', `${topic.name}:${topic.partitions}`);
  const proc = spawnManaged('mock-kafka', binary, args, {
    pipe: true,
    ...(options.logFile === undefined ? {} : { logFile: options.logFile }),
  });
  const stdout = proc.child.stdout;
  if (stdout === null) throw new Error('mock Kafka has no stdout');
  const lines = readline.createInterface({ input: stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    void proc.exited.then((status) => {
      reject(new Error(`mock Kafka exited before it was ready (${JSON.stringify(status)})`));
    });
  });
  lines.close();
  stdout.resume();
  const ready = JSON.parse(first) as { bootstraps: string; control: number };
  return {
    brokers: ready.bootstraps.split(','),
    control: new MockKafkaControl('127.0.0.1', ready.control),
    process: proc,
    async stop() {
      proc.child.stdin?.end();
      await proc.stop({ timeoutMs: 5_000 });
    },
  };
}
