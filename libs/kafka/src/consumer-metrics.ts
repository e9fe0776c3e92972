import { MetricDeclarations } from '@wfm-stream/observability';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What every consumer reports on /metrics. */
export class ConsumerMetrics {
  readonly consumed: Counter<'topic'>;
  readonly rejected: Counter<'topic' | 'kind'>;
  readonly batchSize: Histogram<'topic'>;
  readonly batchSeconds: Histogram<'topic'>;
  readonly eventAgeSeconds: Histogram<'topic'>;
  readonly retries: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly gapRecords: Counter<'topic'>;
  readonly stateLosses: Counter<'topic'>;
  readonly lagAfter: Gauge<'topic' | 'partition'>;

  constructor(registry: Registry) {
    const declare = new MetricDeclarations(registry);
    this.consumed = declare.counter(
      'wfm_events_consumed_total',
      'Valid events handed to processing.',
      ['topic'],
    );
    this.rejected = declare.counter(
      'wfm_events_rejected_total',
      'Messages sent to the dead-letter topic, by why.',
      ['topic', 'kind'],
    );
    this.batchSize = declare.histogram('wfm_batch_size_messages', 'Messages per processed batch.', {
      labels: ['topic'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    });
    this.batchSeconds = declare.histogram(
      'wfm_batch_processing_seconds',
      'Time to process a batch, dead-letters and state writes included.',
      {
        labels: ['topic'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      },
    );
    this.eventAgeSeconds = declare.histogram(
      'wfm_event_processing_delay_seconds',
      'From the message timestamp to the end of its batch processing.',
      { labels: ['topic'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 300] },
    );
    this.retries = declare.counter(
      'wfm_batch_retries_total',
      'Batches retried after a processing failure (Redis unavailable, say).',
      ['topic'],
    );
    this.lag = declare.gauge(
      'wfm_consumer_lag_messages',
      'Messages behind the partition end, as of the last fetched batch.',
      ['topic', 'partition'],
    );
    this.lagAfter = declare.gauge(
      'wfm_consumer_lag_after_batch_messages',
      'Messages behind the partition end once the last fetched batch was processed.',
      ['topic', 'partition'],
    );
    this.gapRecords = declare.counter(
      'wfm_consumer_gap_records_total',
      'Records the broker no longer had when the group needed them (retention passed while it lagged): their figures are incomplete.',
      ['topic'],
    );
    this.stateLosses = declare.counter(
      'wfm_consumer_state_losses_total',
      'Partitions consumed again because Redis had lost effects it had acknowledged.',
      ['topic'],
    );
  }
}
