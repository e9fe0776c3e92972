import {
  type LabelFilter,
  metricSum,
  MetricWindow,
  STATUS_RECORDS,
  type StatusCollector,
  type StatusOp,
  type WindowQuantiles,
} from '@wfm-stream/observability';
import type { Registry } from 'prom-client';

import type { DeadLetterPublisher } from './dead-letter.js';

/**
 * The consumer section of a service's status snapshot (libs/observability status.ts),
 * from the metrics that EventConsumer records (consumer-metrics.ts): the lag left after
 * the last batch, summed over the partitions this instance holds, valid events per second over the last interval, and
 * the messages it dead-lettered. New dead letters also go into the lasting count per
 * consumer group and the list of the latest ones, which the dashboard shows.
 */
export function consumerStatusCollector(options: {
  readonly registry: Registry;
  readonly window: MetricWindow;
  readonly group: string;
  readonly deadLetter: DeadLetterPublisher;
}): StatusCollector {
  const { registry, window, group, deadLetter } = options;
  let reported = 0;
  return async () => {
    const [lag, eventsPerSecond] = await Promise.all([
      metricSum(registry, 'wfm_consumer_lag_after_batch_messages'),
      window.rate('wfm_events_consumed_total'),
    ]);
    const stats = deadLetter.stats();
    const fresh = Math.min(stats.total - reported, stats.recent.length);
    const ops: StatusOp[] = [];
    if (stats.total > reported) {
      ops.push({
        op: 'inc',
        name: STATUS_RECORDS.deadLetters,
        field: group,
        value: stats.total - reported,
      });
      for (const r of stats.recent.slice(stats.recent.length - fresh))
        ops.push({
          op: 'push',
          name: STATUS_RECORDS.deadLetterRecent,
          value: JSON.stringify({ ...r, group }),
        });
      reported = stats.total;
    }
    return {
      status: {
        consumer: {
          group,
          lag: lag ?? 0,
          eventsPerSecond: Math.round(eventsPerSecond * 10) / 10,
          deadLettered: stats.total,
        },
      },
      ops,
    };
  };
}

/** A latency of the status snapshot: p50/p99 of a seconds histogram over the window. */
export interface LatencyMetric {
  readonly metric: string;
  /** Which series of the histogram count (default: all). */
  readonly filter?: LabelFilter;
}

/**
 * What an event-consuming service (the aggregator, the emitter) puts in its status
 * snapshot: the consumer's section (consumerStatusCollector) and the latencies it names,
 * all read over one window of its metrics (the dashboard's Pipeline view, docs/dashboard.md).
 */
export function eventConsumerCollectors(options: {
  readonly registry: Registry;
  readonly group: string;
  readonly deadLetter: DeadLetterPublisher;
  readonly latencies: Readonly<Record<string, LatencyMetric>>;
}): StatusCollector[] {
  const window = new MetricWindow(options.registry);
  return [
    consumerStatusCollector({ ...options, window }),
    async () => {
      const latencies: Record<string, WindowQuantiles> = {};
      for (const [name, { metric, filter }] of Object.entries(options.latencies))
        latencies[name] = await window.quantiles(metric, filter);
      return { status: { latencies } };
    },
  ];
}
