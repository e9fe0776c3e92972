import { formatInstant } from '@wfm-stream/core';

import { connectPublishingOrExit } from '../connection.js';
import { Progress, rate } from '../progress.js';
import { play } from '../traffic/player.js';
import { type EventSink, ndjsonSink, publisherSink } from '../traffic/sink.js';
import type { EventSource } from '../traffic/source.js';

export interface TrafficRunOptions {
  readonly source: EventSource;
  readonly speed: number | 'max';
  readonly catchUp: boolean;
  readonly untilMs?: number | undefined;
  /** NDJSON to this file (or `-` for standard output) instead of Kafka. */
  readonly output?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  /** Stops the run between writes (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * Plays a traffic source into Kafka (or an NDJSON file), with progress on stderr.
 * Returns the exit code: 0 done, 2 configuration error, 3 Kafka failure.
 */
export async function runTraffic(options: TrafficRunOptions): Promise<number> {
  const { stderr } = options;
  let sink: EventSink;
  let target: string;
  if (options.output !== undefined) {
    sink = ndjsonSink(options.output, options.stdout);
    target = options.output === '-' ? 'standard output' : options.output;
  } else {
    const publishing = await connectPublishingOrExit(options.env, 'traffic', stderr);
    if (typeof publishing === 'number') return publishing;
    sink = publisherSink(publishing.publisher, () => publishing.close());
    target = `Kafka (${publishing.encoding})`;
  }
  // on a terminal one line updated in place; in a log a summary every 10 s
  const progress = new Progress(stderr);
  const started = Date.now();
  try {
    const count = await play(options.source, sink, {
      speed: options.speed,
      catchUp: options.catchUp,
      untilMs: options.untilMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onProgress: (published, clockMs) => {
        progress.update(
          (elapsed) =>
            `${published} events to ${target}, ${rate(published, elapsed)}; traffic clock ${formatInstant(Math.floor(clockMs / 1000) * 1000)}`,
        );
      },
    });
    progress.done(
      `${count} events to ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (error) {
    progress.finish();
    stderr.write(`could not publish: ${error instanceof Error ? error.message : String(error)}\n`);
    return 3;
  } finally {
    await sink.close().catch(() => undefined);
  }
}
