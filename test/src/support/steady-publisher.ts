import { setTimeout as pace } from 'node:timers/promises';

import { messageKey, type WfmEvent } from '@wfm-stream/schemas';
import type { Producer } from 'kafkajs';

/**
 * Publishes `events` (in order, each to its topic) at `rate` events a second from the
 * moment it is made until `stop()` or until they run out: steady traffic while a test
 * changes what consumes it.
 */
export class SteadyPublisher {
  sent = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly producer: Producer,
    private readonly events: readonly { topic: string; event: WfmEvent }[],
    private readonly rate: number,
  ) {
    this.loop = this.run();
  }

  get exhausted(): boolean {
    return this.sent >= this.events.length;
  }

  private async run(): Promise<void> {
    const started = Date.now();
    while (this.running && !this.exhausted) {
      const due = Math.min(
        this.events.length,
        Math.floor(((Date.now() - started) / 1000) * this.rate),
      );
      if (due > this.sent) {
        const batch = this.events.slice(this.sent, due);
        const byTopic = new Map<string, WfmEvent[]>();
        for (const { topic, event } of batch)
          byTopic.set(topic, [...(byTopic.get(topic) ?? []), event]);
        await this.producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, events]) => ({
            topic,
            messages: events.map((e) => ({ key: messageKey(e), value: JSON.stringify(e) })),
          })),
        });
        this.sent = due;
      }
      await pace(50);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
