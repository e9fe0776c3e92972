import { describe, expect, it } from 'vitest';

import { promqlReferences, withGrafanaVariables } from './promql.js';

const refs = (expression: string) => {
  const r = promqlReferences(expression);
  return { metrics: [...r.metrics].sort(), labels: [...r.labels].sort(), matchers: r.matchers };
};

describe('promqlReferences', () => {
  it('finds the metrics, not the functions, aggregations, keywords or durations', () => {
    expect(
      refs(
        'sum by (namespace, topic) (max by (topic, partition) (wfm_consumer_lag_messages)) > 10000',
      ),
    ).toEqual({
      metrics: ['wfm_consumer_lag_messages'],
      labels: ['namespace', 'partition', 'topic'],
      matchers: [],
    });
    expect(
      refs(
        'histogram_quantile(0.99, sum(rate(wfm_x_seconds_bucket[5m])) by (le)) > 30 and on (service) wfm_up offset 1h == bool 1',
      ).metrics,
    ).toEqual(['wfm_up', 'wfm_x_seconds_bucket']);
    expect(refs('time() - max without (instance) (wfm_last_seconds) > 2700')).toEqual({
      metrics: ['wfm_last_seconds'],
      labels: ['instance'],
      matchers: [],
    });
    expect(refs('rate(a_total[5m:30s]) / ignoring (kind) group_left (topic) b').metrics).toEqual([
      'a_total',
      'b',
    ]);
  });

  it('reads matchers: their labels and values, for the metric they belong to', () => {
    expect(
      refs(
        `absent(wfm_ready{service="exporter"}) or count(wfm_http_requests_total{status=~'5..', route!="unmatched"}) or {__name__="wfm_other", job="x"}`,
      ),
    ).toEqual({
      metrics: ['wfm_http_requests_total', 'wfm_other', 'wfm_ready'],
      labels: ['job', 'route', 'service', 'status'],
      matchers: [
        { metric: 'wfm_ready', label: 'service', op: '=', value: 'exporter' },
        { metric: 'wfm_http_requests_total', label: 'status', op: '=~', value: '5..' },
        { metric: 'wfm_http_requests_total', label: 'route', op: '!=', value: 'unmatched' },
        { metric: undefined, label: 'job', op: '=', value: 'x' },
      ],
    });
    expect(refs('x{a="say \\"hi\\"",b=`raw\\`}').matchers.map((m) => m.value)).toEqual([
      'say "hi"',
      'raw\\',
    ]);
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(() => promqlReferences('x{a=1}')).toThrow(/unexpected matcher/);
    expect(() => promqlReferences('x ? y')).toThrow(/cannot read PromQL/);
  });
});

describe('withGrafanaVariables', () => {
  it('gives ranges where ranges go and regexes for the other variables', () => {
    expect(
      withGrafanaVariables(
        'rate(x{namespace=~"$namespace",pod=~"${pod}"}[$__rate_interval]) + increase(y[${__range}])',
      ),
    ).toBe('rate(x{namespace=~".*",pod=~".*"}[5m]) + increase(y[5m])');
  });
});
