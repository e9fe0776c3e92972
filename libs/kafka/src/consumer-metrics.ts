import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What every consumer reports on /metrics. */
export class ConsumerMetrics {
  readonly consumed: Counter<'topic'>;
  readonly rejected: Counter<'topic' | 'kind'>;
  readonly batchSize: Histogram<'topic'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly eventAgeSeconds: Histogram<'topic'>;
  readonly retries: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly lagAfter: Gauge<'topic' | 'partition'>;

  constructor(registry: Registry) {
    this.consumed = new Counter({
      name: 'wfm_events_consumed_total',
      help: 'Valid events handed to processing.',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'wfm_events_rejected_total',
      help: 'Messages sent to the dead-letter topic, by why.',
      labelNames: ['topic', 'kind'],
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'wfm_batch_size_messages',
      help: 'Messages per processed batch.',
      labelNames: ['topic'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'wfm_batch_processing_seconds',
      help: 'Time to process a batch, dead-letters and state writes included.',
      labelNames: ['topic'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.eventAgeSeconds = new Histogram({
      name: 'wfm_event_processing_delay_seconds',
      help: 'From the message timestamp to the end of its batch processing.',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'wfm_batch_retries_total',
      help: 'Batches retried after a processing failure (Redis unavailable, say).',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.lag = new Gauge({
      name: 'wfm_consumer_lag_messages',
      help: 'Messages behind the partition end, as of the last fetched batch.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
    this.lagAfter = new Gauge({
      name: 'wfm_consumer_lag_after_batch_messages',
      help: 'Messages behind the partition end once the last fetched batch was processed.',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    });
  }
}
