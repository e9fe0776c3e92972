import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The emitter's Prometheus metrics. */
export class PushMetrics {
  /** POSTs by outcome: sent (the WFM answered), retried (a connection failure, tried again), dropped. */
  readonly pushes: Counter<'outcome'>;
  /**
   * Status changes by what became of them: claimed (in the outbox), stale (history or
   * duplicate), full (not queued: PUSH_MAX_PENDING changes wait already).
   */
  readonly changes: Counter<'result'>;
  /** Agents whose outbox lease this process took over (its holder died or stopped). */
  readonly takeovers: Counter;
  /** From the event's append to Kafka to the WFM's answer. */
  readonly latency: Histogram;
  /** Agents whose outbox lease this process holds and delivers. */
  readonly pending: Gauge;

  constructor(registry: Registry) {
    this.pushes = new Counter({
      name: 'wfm_emitter_pushes_total',
      help: 'Status POSTs to the WFM by outcome (sent, retried, dropped)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    for (const outcome of ['sent', 'retried', 'dropped']) this.pushes.inc({ outcome }, 0);
    this.changes = new Counter({
      name: 'wfm_emitter_changes_total',
      help: 'Agent status changes by result (claimed for pushing, stale, full)',
      labelNames: ['result'],
      registers: [registry],
    });
    for (const result of ['claimed', 'stale', 'full']) this.changes.inc({ result }, 0);
    this.takeovers = new Counter({
      name: 'wfm_emitter_lease_takeovers_total',
      help: 'Agents whose outbox lease this emitter took over from one that died or stopped',
      registers: [registry],
    });
    this.latency = new Histogram({
      name: 'wfm_emitter_push_latency_seconds',
      help: "From the event's append to Kafka to the WFM's answer",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.pending = new Gauge({
      name: 'wfm_emitter_pending_pushes',
      help: 'Agents whose pushes this emitter is delivering (holds the outbox lease of)',
      registers: [registry],
    });
  }
}
