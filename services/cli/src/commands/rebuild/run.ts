import { ConfigError } from '@wfm-stream/config';
import { deleteGeneration } from '@wfm-stream/store';

import { RebuildAggregators } from './aggregators.js';
import { catchUp } from './catch-up.js';
import { loadRebuildConfig, type RebuildConfig } from './config.js';
import { type Connections, openConnections } from './connections.js';
import { drain, reportRebuilt } from './drain.js';
import { describe, RebuildFailed, Stopped } from './errors.js';
import { type RebuildLock, takeRebuildLock } from './lock.js';
import { retireOldGeneration } from './old-generation.js';
import { chooseGenerations, planRebuild } from './plan.js';
import { Report } from './report.js';
import { switchGeneration, waitForLiveAggregators } from './switch.js';

export interface RebuildOptions {
  /** Contact and agent events from this time on; unset: the beginning of the topics. */
  readonly fromMs: number | undefined;
  /** Keep the previous generation's keys. */
  readonly keepOld: boolean;
  /** Aggregator processes that rebuild. */
  readonly instances: number;
  /** Switch once the rebuild is this few events behind the live end. */
  readonly maxLag: number;
  /** How long the live aggregators get to follow the switch. */
  readonly switchTimeoutMs: number;
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: NodeJS.WriteStream;
  /** Stops the rebuild; honoured until the switch, after which it finishes. */
  readonly signal?: AbortSignal;
}

/**
 * `wfm-stream rebuild`: fills a fresh state generation from the topics with aggregators
 * in a consumer group of their own, switches the generation pointer once they are close
 * to the live end, lets the live aggregators follow, drains what they wrote to the old
 * generation meanwhile into the new one (duplicates change nothing), and deletes the old
 * generation. See docs/architecture.md#rebuilding-the-state. Returns the exit code.
 */
export async function runRebuild(options: RebuildOptions): Promise<number> {
  const { stderr, signal } = options;
  const report = new Report(stderr);
  let env: NodeJS.ProcessEnv;
  let config: RebuildConfig;
  try {
    ({ env, config } = loadRebuildConfig(options.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return 2;
  }
  const connections = openConnections(config);
  let lock: RebuildLock | undefined;
  let target: string | undefined;
  let aggregators: RebuildAggregators | undefined;
  let switched = false;
  try {
    // 1. lock: one rebuild at a time
    const locked = await takeRebuildLock(connections, report);
    if ('code' in locked) return locked.code;
    lock = locked.lock;

    // 2. plan: the next generation, a consumer group of its own, the history to rebuild
    const generations = await chooseGenerations(connections);
    target = generations.next;
    const plan = await planRebuild(config, connections, generations, options.fromMs, report);
    if ('code' in plan) return plan.code;

    // 3. start the rebuild aggregators, writing the new generation
    aggregators = await RebuildAggregators.start(
      env,
      plan.next,
      plan.group,
      options.instances,
      stderr,
    );
    const startedMs = Date.now();

    // 4. catch up: all the history there was at the start, and close to the live end
    await catchUp(plan, aggregators, options.maxLag, report, signal);

    // 5. switch: readers and live aggregators move within their polling interval
    await switchGeneration(connections.pointer, plan, report);
    switched = true;

    // 6. the live aggregators follow
    const behind = await waitForLiveAggregators(
      connections.pointer,
      plan,
      aggregators,
      options.switchTimeoutMs,
      report,
    );

    // 7. drain what the live aggregators wrote to the old generation before they followed
    const clean = await drain(plan, aggregators, report);
    aggregators = undefined;

    // 8. done: the consumer group goes
    await reportRebuilt(plan, connections.admin, startedMs, clean, report);

    // 9. clean up the old generation
    await retireOldGeneration(connections, plan, { keepOld: options.keepOld, behind }, report);
    return 0;
  } catch (error) {
    if (switched) return failedAfterSwitch(error, target, report);
    const built = aggregators;
    aggregators = undefined;
    return await rollBack(error, { connections, target, aggregators: built }, report);
  } finally {
    report.finish();
    await aggregators?.stop();
    await lock?.release();
    await connections.close();
  }
}

/**
 * A failure after the switch: the new generation is served, but may lack what the live
 * aggregators wrote to the old one around the switch.
 */
function failedAfterSwitch(error: unknown, target: string | undefined, report: Report): number {
  const reason = error instanceof RebuildFailed ? error.message : describe(error);
  report.say(
    `rebuild failed after the switch to ${target ?? '?'}: ${reason}. ` +
      'Run the rebuild again to make sure no event of the switch is missing.',
  );
  return error instanceof RebuildFailed ? 1 : 3;
}

/**
 * A failure or Ctrl-C before the switch: stops the rebuild aggregators and deletes what
 * they built; readers saw none of it.
 */
async function rollBack(
  error: unknown,
  built: {
    readonly connections: Connections;
    readonly target: string | undefined;
    readonly aggregators: RebuildAggregators | undefined;
  },
  report: Report,
): Promise<number> {
  const { connections, target } = built;
  report.say(
    error instanceof Stopped ? 'stopped before the switch' : `rebuild failed: ${describe(error)}`,
  );
  await built.aggregators?.stop();
  if (target !== undefined)
    await deleteGeneration(connections.redis, connections.prefix, target).catch(() => 0);
  if (error instanceof Stopped) return 130;
  return error instanceof RebuildFailed ? 1 : 3;
}
