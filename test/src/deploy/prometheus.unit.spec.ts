import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { cacheRoot } from '@wfm-stream/local-stack';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

import { parseExposition, seriesNames } from './exposition.js';
import {
  alertRules,
  allPanels,
  dashboardQueries,
  dashboards,
  PROMETHEUS_DIR,
  promtoolPath,
  ruleFiles,
} from './operator-kit.js';
import { promqlReferences, withGrafanaVariables } from './promql.js';

/**
 * deploy/prometheus and deploy/grafana, offline: promtool (from Debian's `prometheus`
 * package; deploy/local/bootstrap.sh fetches it) checks the rules and runs their unit
 * tests, and checks the syntax of every dashboard query; then the conventions of the kit
 * itself. That the metrics they use are the ones the services export is
 * operator-kit.e2e.spec.ts.
 */

const PROMTOOL = promtoolPath(cacheRoot());
const TEST_FILE = path.join(PROMETHEUS_DIR, 'wfm-stream.rules.test.yaml');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-stream-promtool-'));

afterAll(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** Runs promtool; a failure carries promtool's own output. */
function promtool(...args: string[]): string {
  if (PROMTOOL === undefined)
    throw new Error(
      'promtool not found: run deploy/local/bootstrap.sh (it unpacks promtool from the Debian package `prometheus` into the cache), put one on PATH, or set PROMTOOL',
    );
  const run = spawnSync(PROMTOOL, args, { cwd: PROMETHEUS_DIR, encoding: 'utf8' });
  const output = `${run.stdout}${run.stderr}`;
  if (run.status !== 0)
    throw new Error(`promtool ${args.join(' ')} failed (${String(run.status)}):\n${output}`);
  return output;
}

interface RuleTest {
  name?: string;
  alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[];
}

// promtool is a process of its own, and its rule tests evaluate every alert over hours of
// samples: seconds on a busy machine, beyond vitest's 5 s default.
const PROMTOOL_TIMEOUT_MS = 60_000;

describe('deploy/prometheus', { timeout: PROMTOOL_TIMEOUT_MS }, () => {
  it('passes `promtool check rules`', () => {
    const files = ruleFiles().map((f) => f.file);
    expect(files.length).toBeGreaterThan(0);
    expect(promtool('check', 'rules', ...files)).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes its unit tests, `promtool test rules`', () => {
    expect(promtool('test', 'rules', TEST_FILE)).toContain('SUCCESS');
  });

  it('fails the check on a broken rule and the unit test on a wrong expectation', () => {
    // the harness can fail: promtool's verdicts reach the test
    const rules = path.join(scratch, 'broken.rules.yaml');
    fs.writeFileSync(
      rules,
      stringify({ groups: [{ name: 'x', rules: [{ alert: 'X', expr: 'sum by (a (b)' }] }] }),
    );
    expect(() => promtool('check', 'rules', rules)).toThrow(/promtool check rules .* failed/);
    const original = fs.readFileSync(TEST_FILE, 'utf8');
    const wrong = path.join(scratch, 'wrong.test.yaml');
    fs.writeFileSync(
      wrong,
      original
        .replace('aggregator is 11k messages behind', 'aggregator is 12k messages behind')
        .replace(
          /rule_files:\n\s+- wfm-stream\.rules\.yaml/,
          `rule_files:\n  - ${path.join(PROMETHEUS_DIR, 'wfm-stream.rules.yaml')}`,
        ),
    );
    expect(() => promtool('test', 'rules', wrong)).toThrow(/got:[\s\S]*11k messages behind/);
  });

  it('tests every alert both firing and quiet, and only alerts that exist', () => {
    const tests = (parse(fs.readFileSync(TEST_FILE, 'utf8')) as { tests: RuleTest[] }).tests;
    const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
    const alerts = alertRules().map((r) => r.alert);
    expect(new Set(alerts).size, 'alert names are unique').toBe(alerts.length);
    for (const alert of alerts) {
      const own = cases.filter((c) => c.alertname === alert);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        `${alert}: a test where it fires`,
      ).toBe(true);
      expect(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${alert}: a test where it does not`,
      ).toBe(true);
    }
    expect(cases.filter((c) => !alerts.includes(c.alertname))).toEqual([]);
  });

  it('gives every alert a severity, a summary and a runbook section that exists', () => {
    const readme = fs.readFileSync(path.join(PROMETHEUS_DIR, 'README.md'), 'utf8');
    const anchors = new Set(
      [...readme.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
        m[1]!
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const rule of alertRules()) {
      expect(rule.alert, 'CamelCase, the project prefix').toMatch(/^Wfm[A-Z][A-Za-z]+$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook, rule.alert).toBe(
        `deploy/prometheus/README.md#${rule.alert.toLowerCase()}`,
      );
      expect(anchors.has(rule.alert.toLowerCase()), `README.md section ${rule.alert}`).toBe(true);
    }
  });
});

describe('deploy/grafana', () => {
  it('sends Prometheus only queries promtool accepts', () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(10);
    // each query as a recording rule: `promtool check rules` parses its PromQL
    const file = path.join(scratch, 'dashboard-queries.rules.yaml');
    fs.writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboard',
            rules: queries.map((q, i) => ({ record: `dashboard:query:${i}`, expr: q.expr })),
          },
        ],
      }),
    );
    expect(promtool('check', 'rules', file)).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('has panels on what an operator watches, each with its queries on the chosen data source', () => {
    for (const dashboard of dashboards()) {
      const panels = allPanels(dashboard);
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size, 'panel ids are unique').toBe(ids.length);
      const variable = dashboard.templating.list.find((v) => v.type === 'datasource');
      expect(variable?.name).toBe('datasource');
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        expect(panel.datasource, panel.title).toEqual({
          type: 'prometheus',
          uid: '${datasource}',
        });
        expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
        const refIds = (panel.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size, `${panel.title}: refIds`).toBe(refIds.length);
        for (const target of panel.targets ?? []) expect(target.expr, panel.title).toBeTruthy();
        const { x, y, w, h } = panel.gridPos;
        expect(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, panel.title).toBe(true);
      }
      // no two panels on the same cells
      const cells = new Set<string>();
      for (const { gridPos, title } of panels)
        for (let dx = 0; dx < gridPos.w; dx++)
          for (let dy = 0; dy < gridPos.h; dy++) {
            const cell = `${gridPos.x + dx},${gridPos.y + dy}`;
            expect(cells.has(cell), `${title} overlaps at ${cell}`).toBe(false);
            cells.add(cell);
          }
      // what the issue asks for: a panel each
      const uses = (metric: string) =>
        panels.some((p) =>
          (p.targets ?? []).some((t) =>
            promqlReferences(withGrafanaVariables(t.expr ?? '')).metrics.has(metric),
          ),
        );
      for (const metric of [
        'wfm_events_consumed_total', // events in
        'wfm_consumer_lag_messages', // lag
        'wfm_event_processing_delay_seconds_bucket', // freshness
        'wfm_emitter_push_latency_seconds_bucket', // push latency
        'wfm_http_request_duration_seconds_bucket', // reader latency
        'wfm_http_requests_total', // reader errors
        'wfm_events_rejected_total', // dead letters
        'wfm_export_jobs_total', // exports
        'wfm_export_last_delivered_interval_end_seconds',
        'wfm_redis_memory_used_bytes', // Redis memory
      ])
        expect(uses(metric), `a panel on ${metric}`).toBe(true);
    }
  });

  it('names in its descriptions only alerts that exist', () => {
    const alerts = new Set(alertRules().map((r) => r.alert));
    for (const dashboard of dashboards())
      for (const panel of allPanels(dashboard))
        for (const [name] of (panel.description ?? '').matchAll(/\bWfm[A-Z][A-Za-z]+/g))
          expect(alerts.has(name), `${panel.title}: ${name}`).toBe(true);
  });
});

describe('parseExposition', () => {
  it('puts samples under their families, histograms with their series', () => {
    const families = parseExposition(
      [
        '# HELP a_total Things.',
        '# TYPE a_total counter',
        'a_total{kind="x",note="say \\"hi\\""} 3',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="+Inf"} 2',
        'h_seconds_sum 0.5',
        'h_seconds_count 2',
        '# TYPE g gauge',
        '',
      ].join('\n'),
    );
    expect([...families.keys()]).toEqual(['a_total', 'h_seconds', 'g']);
    expect(families.get('a_total')).toEqual({
      name: 'a_total',
      type: 'counter',
      help: 'Things.',
      samples: [{ name: 'a_total', labels: { kind: 'x', note: 'say "hi"' }, value: 3 }],
    });
    expect(families.get('h_seconds')!.samples.map((s) => s.name)).toEqual([
      'h_seconds_bucket',
      'h_seconds_sum',
      'h_seconds_count',
    ]);
    expect(seriesNames(families.get('h_seconds')!)).toEqual([
      'h_seconds_bucket',
      'h_seconds_sum',
      'h_seconds_count',
    ]);
    expect(() => parseExposition('b_total 1\n')).toThrow(/no declared family/);
  });
});
