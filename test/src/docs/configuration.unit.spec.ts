import fs from 'node:fs';
import path from 'node:path';

import { aggregatorConfigSchema } from '@wfm-stream/aggregator';
import { REPO_DIR } from '@wfm-stream/cli';
import { ConfigError, loadConfig, REDIS_REQUIRED } from '@wfm-stream/config';
import { emitterConfigSchema } from '@wfm-stream/emitter';
import { exporterConfigSchema } from '@wfm-stream/exporter';
import { readerConfigSchema } from '@wfm-stream/reader';
import { topicLayoutSettings } from '@wfm-stream/topics';
import { sinkConfigSchema } from '@wfm-stream/wfm-sink';
import { describe, expect, it } from 'vitest';

/**
 * docs/configuration.md against the config schemas, both ways: every variable a service's
 * schema reads is in the service's section, in a shared table that names the service in
 * its "read by" column, or in "Every service"; and every variable those say a service
 * reads is in its schema. The topic layout's table is `libs/topics/src/settings.ts`.
 */

const DOC = 'docs/configuration.md';

const SERVICES = {
  aggregator: aggregatorConfigSchema,
  reader: readerConfigSchema,
  emitter: emitterConfigSchema,
  exporter: exporterConfigSchema,
  'wfm-sink': sinkConfigSchema,
} as const;
type Service = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as Service[];

interface DocRow {
  /** The `##` section, and the `###` one within it (or ''). */
  readonly section: string;
  readonly subsection: string;
  readonly variables: readonly string[];
  /** The services of the "read by" column ("same": the row above's), undefined without one. */
  readonly readBy: readonly Service[] | undefined;
}

const rows = docRows(fs.readFileSync(path.join(REPO_DIR, DOC), 'utf8'));
const keysOf = (service: Service): string[] => Object.keys(SERVICES[service].shape).sort();
const shared = rows.filter((r) => r.section === 'Shared settings');
const everyService = shared.filter((r) => r.subsection === 'Every service');

function ownRows(service: Service): DocRow[] {
  return rows.filter((r) => r.section === service);
}

function sharedReadBy(service: Service): DocRow[] {
  return shared.filter((r) => r.readBy?.includes(service) === true);
}

describe(`${DOC} and the config schemas`, () => {
  it('parses the tables', () => {
    for (const service of SERVICE_NAMES) expect(ownRows(service).length).toBeGreaterThan(0);
    expect(sharedReadBy('aggregator').length).toBeGreaterThan(10);
    expect(everyService.flatMap((r) => r.variables)).toContain('LOG_LEVEL');
  });

  it.each(SERVICE_NAMES)('documents every variable of the %s', (service) => {
    const documented = new Set(
      [...ownRows(service), ...sharedReadBy(service), ...everyService].flatMap((r) => r.variables),
    );
    expect(keysOf(service).filter((k) => !documented.has(k))).toEqual([]);
  });

  it.each(SERVICE_NAMES)('documents only variables that the %s reads', (service) => {
    const keys = new Set(keysOf(service));
    const claimed = [...ownRows(service), ...sharedReadBy(service)].flatMap((r) => r.variables);
    expect(claimed.filter((v) => !keys.has(v))).toEqual([]);
  });

  it('documents the topic layout of `wfm-stream topics ensure`', () => {
    const documented = rows
      .filter((r) => r.section.startsWith('Topics:'))
      .flatMap((r) => r.variables)
      .sort();
    expect(documented).toEqual(Object.keys(topicLayoutSettings).sort());
  });

  it('documents no variable that nothing reads', () => {
    const known = new Set([...SERVICE_NAMES.flatMap(keysOf), ...Object.keys(topicLayoutSettings)]);
    const unknown = rows
      .filter((r) => r.section !== 'Tests' && !r.section.startsWith('CLI'))
      .flatMap((r) => r.variables)
      .filter((v) => !known.has(v));
    expect(unknown).toEqual([]);
  });
});

describe('the addresses of Kafka and Redis (docs/configuration.md, "Production defaults")', () => {
  const problemsOf = (service: Service): readonly string[] => {
    try {
      loadConfig(SERVICES[service], {});
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it.each(['aggregator', 'emitter', 'exporter', 'reader'] as const)(
    'have no default in the %s',
    (service) => {
      const problems = problemsOf(service);
      expect(problems).toContain(REDIS_REQUIRED);
      expect(problems.some((p) => p.startsWith('KAFKA_BROKERS is required: '))).toBe(
        'KAFKA_BROKERS' in SERVICES[service].shape,
      );
    },
  );
});

function docRows(text: string): DocRow[] {
  const out: DocRow[] = [];
  let section = '';
  let subsection = '';
  let readByColumn: number | undefined;
  let previous: readonly Service[] | undefined;
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const heading = /^(#{2,3}) (.+)$/.exec(line);
    if (heading) {
      if (heading[1] === '##') {
        section = (heading[2] ?? '').replace(/`/g, '');
        subsection = '';
      } else subsection = heading[2] ?? '';
      readByColumn = undefined;
      continue;
    }
    if (!line.startsWith('|')) continue;
    const cells = line.split('|').map((c) => c.trim());
    if (cells[1] === 'variable') {
      const i = cells.indexOf('read by');
      readByColumn = i < 0 ? undefined : i;
      continue;
    }
    const variables = [...(cells[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? '');
    if (variables.length === 0) continue;
    let readBy: readonly Service[] | undefined;
    if (readByColumn !== undefined) {
      const cell = cells[readByColumn] ?? '';
      readBy =
        cell === 'same'
          ? previous
          : SERVICE_NAMES.filter((s) =>
              cell
                .split(',')
                .map((w) => w.trim())
                .includes(s),
            );
      previous = readBy;
    }
    out.push({ section, subsection, variables, readBy });
  }
  return out;
}
