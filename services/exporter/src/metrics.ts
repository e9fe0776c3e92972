import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the exporter reports on /metrics. */
export class ExporterMetrics {
  readonly enqueued: Counter<'target' | 'reason'>;
  readonly outcomes: Counter<'target' | 'outcome'>;
  readonly attempts: Counter<'target' | 'result'>;
  readonly deliverySeconds: Histogram<'target'>;
  readonly lastDelivered: Gauge<'target'>;
  readonly leader: Gauge;

  constructor(registry: Registry) {
    this.enqueued = new Counter({
      name: 'wfm_export_jobs_enqueued_total',
      help: 'Export jobs the scheduler enqueued, by target and reason (scheduled, restated).',
      labelNames: ['target', 'reason'],
      registers: [registry],
    });
    this.outcomes = new Counter({
      name: 'wfm_export_jobs_total',
      help: 'Export jobs the worker finished, by outcome: delivered, unchanged (content already delivered), parked.',
      labelNames: ['target', 'outcome'],
      registers: [registry],
    });
    this.attempts = new Counter({
      name: 'wfm_export_delivery_attempts_total',
      help: 'Delivery attempts, by result: ok, retry (failed, will retry), failed (last attempt or refused).',
      labelNames: ['target', 'result'],
      registers: [registry],
    });
    this.deliverySeconds = new Histogram({
      name: 'wfm_export_delivery_seconds',
      help: 'Time of a successful delivery attempt.',
      labelNames: ['target'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.lastDelivered = new Gauge({
      name: 'wfm_export_last_delivered_interval_end_seconds',
      help: 'End (Unix seconds) of the latest interval delivered to the target.',
      labelNames: ['target'],
      registers: [registry],
    });
    this.leader = new Gauge({
      name: 'wfm_export_scheduler_leader',
      help: '1 while this process holds the scheduler lease.',
      registers: [registry],
    });
  }
}
