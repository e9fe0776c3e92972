#!/usr/bin/env node
import {
  ensureRuntime,
  formatFetchProgress,
  isRuntimeCached,
  KAFKA_RUNTIME,
  runtimeDir,
  SCHEMA_REGISTRY_RUNTIME,
} from './java-runtime.js';

/**
 * Fetches the local stack's Java programs into the cache when they are not there yet
 * (deploy/local/bootstrap.sh runs it): Apache Kafka (about 45 MB) and Apicurio Registry
 * (about 110 MB). Silent when both are cached. Progress goes to stderr: one line
 * rewritten in place on a terminal, a line every 5 s otherwise.
 */
const out = process.stderr;
for (const spec of [KAFKA_RUNTIME, SCHEMA_REGISTRY_RUNTIME]) {
  if (isRuntimeCached(spec)) continue;
  out.write(`fetching ${spec.title} from Maven Central, once, into ${runtimeDir(spec)}\n`);
  let last = 0;
  const started = Date.now();
  try {
    await ensureRuntime(spec, {
      onProgress: (progress) => {
        const now = Date.now();
        if (out.isTTY) out.write(`\r\u001b[K${formatFetchProgress(progress)}`);
        else if (now - last >= 5_000) {
          last = now;
          out.write(`${formatFetchProgress(progress)}\n`);
        }
      },
    });
  } catch (error) {
    if (out.isTTY) out.write('\n');
    out.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  if (out.isTTY) out.write('\n');
  out.write(`${spec.title}: fetched in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
