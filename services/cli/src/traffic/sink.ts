import fs from 'node:fs';

import type { EventPublisher } from '@wfm-stream/kafka';
import type { WfmEvent } from '@wfm-stream/schemas';

/** Where played events go: Kafka, or NDJSON for `publish` later. */
export interface EventSink {
  write(events: readonly WfmEvent[]): Promise<void>;
  close(): Promise<void>;
}

const BATCH = 1_000;

export function publisherSink(publisher: EventPublisher, close: () => Promise<void>): EventSink {
  return {
    async write(events) {
      for (let i = 0; i < events.length; i += BATCH)
        await publisher.publish(events.slice(i, i + BATCH));
    },
    close,
  };
}

/** NDJSON to a file, or to standard output for `-`. */
export function ndjsonSink(target: string, stdout: NodeJS.WritableStream): EventSink {
  const stream = target === '-' ? stdout : fs.createWriteStream(target);
  const write = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.write(text, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  return {
    async write(events) {
      if (events.length > 0) await write(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    },
    close: () =>
      target === '-'
        ? Promise.resolve()
        : new Promise((resolve) => {
            stream.end(() => {
              resolve();
            });
          }),
  };
}
