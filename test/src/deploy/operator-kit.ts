import fs from 'node:fs';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { parse } from 'yaml';

import { withGrafanaVariables } from './promql.js';

/** The operator's kit: alerting rules (deploy/prometheus) and dashboards (deploy/grafana). */
export const PROMETHEUS_DIR = path.join(REPO_DIR, 'deploy/prometheus');
export const GRAFANA_DIR = path.join(REPO_DIR, 'deploy/grafana');

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleFile {
  readonly file: string;
  readonly groups: { name: string; rules: AlertRule[] }[];
}

/** The files of `dir` whose names end with `ending`, each read by `read`, with its path. */
function filesIn<T>(
  dir: string,
  ending: string,
  read: (text: string) => T,
): (T & { file: string })[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(ending))
    .map((name) => {
      const file = path.join(dir, name);
      return { file, ...read(fs.readFileSync(file, 'utf8')) };
    });
}

/** deploy/prometheus/*.rules.yaml. */
export function ruleFiles(): RuleFile[] {
  return filesIn(PROMETHEUS_DIR, '.rules.yaml', (text) => parse(text) as Omit<RuleFile, 'file'>);
}

export function alertRules(): AlertRule[] {
  return ruleFiles().flatMap((f) => f.groups.flatMap((g) => g.rules));
}

export interface GrafanaTarget {
  readonly refId?: string;
  readonly expr?: string;
  readonly datasource?: { type?: string; uid?: string };
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: { type?: string; uid?: string };
  readonly targets?: GrafanaTarget[];
  readonly panels?: GrafanaPanel[];
}

export interface Dashboard {
  readonly file: string;
  readonly uid: string;
  readonly title: string;
  readonly panels: GrafanaPanel[];
  readonly templating: {
    list: {
      name: string;
      type: string;
      query?: string | { query: string };
      datasource?: { type?: string; uid?: string };
    }[];
  };
}

/** deploy/grafana/*.json. */
export function dashboards(): Dashboard[] {
  return filesIn(GRAFANA_DIR, '.json', (text) => JSON.parse(text) as Omit<Dashboard, 'file'>);
}

/** Every panel, those inside collapsed rows too. */
export function allPanels(dashboard: Dashboard): GrafanaPanel[] {
  return dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
}

/** A query the kit sends to Prometheus, where it is, and as Prometheus gets it. */
export interface KitQuery {
  readonly where: string;
  readonly expr: string;
}

export function ruleQueries(): KitQuery[] {
  return ruleFiles().flatMap((f) =>
    f.groups.flatMap((g) =>
      g.rules.map((r) => ({ where: `${path.basename(f.file)}: ${r.alert}`, expr: r.expr })),
    ),
  );
}

/**
 * The dashboards' queries: each panel target, and each variable's `label_values(metric,
 * label)` as the PromQL that asks the same (`group by (label) (metric)`).
 */
export function dashboardQueries(): KitQuery[] {
  return dashboards().flatMap((d) => {
    const name = path.basename(d.file);
    const panels = allPanels(d).flatMap((p) =>
      (p.targets ?? []).map((t) => ({
        where: `${name}: panel "${p.title}" ${t.refId ?? ''}`,
        expr: withGrafanaVariables(t.expr ?? ''),
      })),
    );
    const variables = d.templating.list
      .filter((v) => v.type === 'query')
      .map((v) => {
        const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
        const m = /^label_values\(\s*(.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(query);
        if (m === null)
          throw new Error(`${name}: variable ${v.name}: not label_values(metric, label)`);
        const [, selector = '', label = ''] = m;
        return {
          where: `${name}: variable ${v.name}`,
          expr: `group by (${label}) (${withGrafanaVariables(selector)})`,
        };
      });
    return [...panels, ...variables];
  });
}

/**
 * promtool: `PROMTOOL`, else the one on PATH, else the one deploy/local/bootstrap.sh
 * unpacks from Debian's `prometheus` package into the cache (`<cache>/bin/promtool`).
 */
export function promtoolPath(cacheDir: string): string | undefined {
  const explicit = process.env.PROMTOOL;
  if (explicit !== undefined && explicit !== '') return explicit;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'promtool');
    if (dir !== '' && isExecutable(candidate)) return candidate;
  }
  const cached = path.join(cacheDir, 'bin', 'promtool');
  return isExecutable(cached) ? cached : undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
