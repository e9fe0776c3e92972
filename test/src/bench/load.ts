#!/usr/bin/env node
import fs from 'node:fs';
import http from 'node:http';

/**
 * A closed-loop HTTP load: `concurrency` clients each send the next request as soon as
 * the previous answer is read, for `seconds` after a warm-up. Prints latency figures as
 * JSON. Run as its own process so it does not share the server's event loop.
 *
 *   node load.js <url> <concurrency> <seconds> [header:value]...
 *
 * `@<file>#<base url>` in place of the url: one path a line, each request the next one
 * after the base url (`wrapped` says whether the list ran out and started again).
 */
const [url = '', concurrencyText = '32', secondsText = '10', ...headerArgs] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const seconds = Number(secondsText);
const headers = Object.fromEntries(
  headerArgs.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1)]),
);
const [file, base = ''] = url.startsWith('@') ? url.slice(1).split('#') : [];
const urls =
  file === undefined
    ? [url]
    : fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => base + line);
let next = 0;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function request(): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const target = urls[next++ % urls.length] ?? url;
    const req = http.get(target, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, bytes });
      });
    });
    req.on('error', reject);
  });
}

const latencies: number[] = [];
let bytes = 0;
let totalBytes = 0;
let errors = 0;
const warmupEnd = performance.now() + 2_000;
const end = warmupEnd + seconds * 1_000;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const answer = await request().catch(() => ({ status: 0, bytes: 0 }));
      const t1 = performance.now();
      if (t0 < warmupEnd) continue;
      if (answer.status !== 200) errors++;
      latencies.push(t1 - t0);
      bytes = answer.bytes;
      totalBytes += answer.bytes;
    }
  }),
);
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p: number): number =>
  latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, errors, rps: latencies.length / seconds, p50: at(50), p90: at(90), p99: at(99), max: at(100), responseBytes: bytes, meanBytes: Math.round(totalBytes / Math.max(1, latencies.length)), wrapped: urls.length > 1 && next > urls.length })}\n`,
);
