import { MetricDeclarations } from '@wfm-stream/observability';
import type { Counter, Histogram, Registry } from 'prom-client';

/** Labels of a finished request: the route pattern (not the URL) and the status code. */
export interface RequestLabels {
  /** The matched route, `unmatched` for unknown paths (so bad URLs cannot grow the series). */
  readonly route: string;
  readonly status: number;
}

/** What the reader reports on /metrics about the requests it answered. */
export class RequestMetrics {
  private readonly requests: Counter<'route' | 'status'>;
  private readonly seconds: Histogram<'route'>;

  constructor(registry: Registry) {
    const declare = new MetricDeclarations(registry);
    this.requests = declare.counter(
      'wfm_http_requests_total',
      'Requests answered, by route and status code.',
      ['route', 'status'],
    );
    this.seconds = declare.histogram(
      'wfm_http_request_duration_seconds',
      'Time from receiving a request to sending its answer, by route.',
      {
        labels: ['route'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      },
    );
  }

  record(labels: RequestLabels, seconds: number): void {
    this.requests.inc({ route: labels.route, status: String(labels.status) });
    this.seconds.observe({ route: labels.route }, seconds);
  }
}
