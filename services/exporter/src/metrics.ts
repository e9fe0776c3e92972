import { MetricDeclarations } from '@wfm-stream/observability';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the exporter reports on /metrics. */
export class ExporterMetrics {
  readonly enqueued: Counter<'target' | 'reason'>;
  readonly outcomes: Counter<'target' | 'outcome'>;
  readonly attempts: Counter<'target' | 'result'>;
  readonly deliverySeconds: Histogram<'target'>;
  readonly lastDelivered: Gauge<'target'>;
  readonly leader: Gauge;

  constructor(registry: Registry) {
    const declare = new MetricDeclarations(registry);
    this.enqueued = declare.counter(
      'wfm_export_jobs_enqueued_total',
      'Export jobs the scheduler enqueued, by target and reason (scheduled, restated).',
      ['target', 'reason'],
    );
    this.outcomes = declare.counter(
      'wfm_export_jobs_total',
      'Export jobs the worker finished, by outcome: delivered, unchanged (content already delivered), parked.',
      ['target', 'outcome'],
    );
    this.attempts = declare.counter(
      'wfm_export_delivery_attempts_total',
      'Delivery attempts, by result: ok, retry (failed, will retry), failed (last attempt or refused).',
      ['target', 'result'],
    );
    this.deliverySeconds = declare.histogram(
      'wfm_export_delivery_seconds',
      'Time of a successful delivery attempt.',
      {
        labels: ['target'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      },
    );
    this.lastDelivered = declare.gauge(
      'wfm_export_last_delivered_interval_end_seconds',
      'End (Unix seconds) of the latest interval delivered to the target.',
      ['target'],
    );
    this.leader = declare.gauge(
      'wfm_export_scheduler_leader',
      '1 while this process holds the scheduler lease.',
    );
  }
}
