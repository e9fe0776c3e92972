import {
  endsOf,
  type PartitionPosition,
  readGroupPositions,
  startGroupAt,
} from '@wfm-stream/kafka';
import {
  deleteGeneration,
  generationExists,
  GenerationPointer,
  Keys,
  nextGeneration,
  PartitionProgress,
} from '@wfm-stream/store';

import type { RebuildConfig } from './config.js';
import type { Connections } from './connections.js';
import { describe } from './errors.js';
import { count, type Report } from './report.js';

/** The generation readers use now, and the one the rebuild fills. */
export interface Generations {
  readonly current: string;
  readonly next: string;
}

/** What the rebuild fills, from where, and how far it has to go. */
export interface RebuildPlan extends Generations {
  /** The rebuild aggregators' consumer group. */
  readonly group: string;
  readonly topics: readonly string[];
  /** The log ends when the rebuild started: the history it must have applied before the switch. */
  readonly history: ReadonlyMap<string, number>;
  /** Where the group stands now. */
  positions(): Promise<PartitionPosition[]>;
}

/** Step 2a: the generation after the one the pointer names. */
export async function chooseGenerations(connections: Connections): Promise<Generations> {
  const current = await connections.pointer.read();
  return { current, next: nextGeneration(current) };
}

/** How long the begun record lives before the rebuild's aggregators write (and refresh) it. */
const PROGRESS_RECORD_TTL_SECONDS = 7 * 86_400;

/**
 * Step 2b: the next generation (cleared of what an interrupted rebuild left), a consumer
 * group of its own, started at `fromMs` on the contact and agent topics when given, and
 * the history to rebuild. The exit code 3 when the broker cannot start the group there.
 */
export async function planRebuild(
  config: RebuildConfig,
  connections: Connections,
  { current, next }: Generations,
  fromMs: number | undefined,
  report: Report,
): Promise<RebuildPlan | { code: number }> {
  const { redis, admin, prefix } = connections;
  if (await generationExists(redis, prefix, next)) {
    // what an interrupted rebuild left: nobody reads it
    const removed = await deleteGeneration(redis, prefix, next);
    report.say(`removed ${count(removed)} keys that an unfinished rebuild left in ${next}`);
  }
  const group = `wfm-rebuild-${next}-${Date.now().toString(36)}`;
  const topics = [config.TOPIC_DIRECTORY, config.TOPIC_CONTACT_EVENTS, config.TOPIC_AGENT_EVENTS];
  let starts = new Map<string, number>();
  if (fromMs !== undefined) {
    try {
      starts = await startGroupAt(
        admin,
        group,
        [config.TOPIC_CONTACT_EVENTS, config.TOPIC_AGENT_EVENTS],
        fromMs,
      );
    } catch (error) {
      report.say(
        `cannot start the rebuild at ${new Date(fromMs).toISOString()}: ${describe(error)} ` +
          '(the broker must answer offsets by timestamp and take offset commits for an empty group)',
      );
      return { code: 3 };
    }
    // The new generation's progress record begins now, so the rebuild's aggregators take
    // the group's starting offsets as where the state stands: an empty state whose group
    // has committed offsets would otherwise look like one that lost everything, and be
    // consumed again from the log start (docs/architecture.md, "When Redis loses data").
    const nextPrefix = new GenerationPointer(redis, prefix).prefixOf(next);
    await new PartitionProgress(
      redis,
      () => new Keys(nextPrefix),
      group,
      PROGRESS_RECORD_TTL_SECONDS,
    ).begin(false);
  }
  const positions = (): Promise<PartitionPosition[]> =>
    readGroupPositions(admin, group, topics, starts);
  const history = endsOf(await positions());
  report.say(
    `rebuilding ${next} (now serving ${current}) from ${topics.join(', ')}` +
      (fromMs === undefined ? '' : ` from ${new Date(fromMs).toISOString()}`) +
      ` in consumer group ${group}`,
  );
  return { current, next, group, topics, history, positions };
}
