#!/usr/bin/env node
import { benchAggregator, benchConsumerTuning } from './aggregator.js';
import { benchHandler } from './handler.js';
import { benchMemory } from './memory.js';
import { benchOnline } from './online.js';
import { benchPublish } from './publish.js';
import { benchReader } from './reader.js';
import { benchRebuild } from './rebuild.js';
import { benchScaling } from './scaling.js';
import { benchSoak } from './soak.js';

/**
 * Benchmarks print figures; they are not tests (machines are shared and noisy). Each
 * compares against a bare-client baseline measured in the same run.
 *
 *   npm run bench -- publish aggregator reader online scaling rebuild memory soak
 */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  publish: benchPublish,
  aggregator: benchAggregator,
  handler: benchHandler,
  reader: benchReader,
  online: benchOnline,
  scaling: benchScaling,
  rebuild: benchRebuild,
  tuning: benchConsumerTuning,
  memory: benchMemory,
  soak: benchSoak,
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (names.length === 0 || unknown.length > 0) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>...\n`);
  process.exitCode = 2;
} else {
  for (const name of names) await BENCHMARKS[name]?.();
}
