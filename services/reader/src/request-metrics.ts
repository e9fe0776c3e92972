import { Counter, Histogram, type Registry } from 'prom-client';

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
    this.requests = new Counter({
      name: 'wfm_http_requests_total',
      help: 'Requests answered, by route and status code.',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'wfm_http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by route.',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
  }

  record(labels: RequestLabels, seconds: number): void {
    this.requests.inc({ route: labels.route, status: String(labels.status) });
    this.seconds.observe({ route: labels.route }, seconds);
  }
}
