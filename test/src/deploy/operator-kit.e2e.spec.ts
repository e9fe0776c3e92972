import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { freePort } from '@wfm-stream/local-stack';
import type { WfmEvent } from '@wfm-stream/schemas';
import { testKafka, uniqueName, waitFor, waitForGroupCaughtUp } from '@wfm-stream/testing';
import { startWfmSink } from '@wfm-stream/wfm-sink';
import { beforeAll, describe, expect, it } from 'vitest';

import { publishEvents } from '../support/publish.js';
import { pipelineStack } from '../support/stack.js';
import { createExportTopics, uniqueTopicsWithExports } from '../support/topics.js';
import { syntheticTraffic } from '../support/traffic.js';
import { type Family, parseExposition, seriesNames } from './exposition.js';
import { dashboardQueries, type KitQuery, ruleQueries } from './operator-kit.js';
import { promqlReferences } from './promql.js';

/**
 * The operator's kit against running services: the four services, started from their
 * built output against the test stack's Kafka and Redis, with traffic that makes every
 * metric the kit reads report something (dead letters, a batch retried, pushes, a
 * delivered and a parked export, reader requests). Then every metric, label and label
 * value that a rule (deploy/prometheus) or a dashboard query (deploy/grafana) uses must be
 * one the services export; deploy/k8s/README.md's table must list exactly what they
 * export; and the names follow Prometheus's conventions.
 */

const SERVICES = ['aggregator', 'reader', 'emitter', 'exporter'] as const;
type ServiceName = (typeof SERVICES)[number];
/** Labels a Prometheus scrape adds to every series (Kubernetes service discovery). */
const TARGET_LABELS = new Set(['namespace', 'instance', 'job', 'pod']);
/** Labels whose values grow with the contact center rather than the deployment. */
const UNBOUNDED_LABELS =
  /^(agent|agent_?id|contact|contact_?id|customer|customer_?id|group|group_?id|user|url|path|event_?id)$/i;
/** Node.js process metrics (prom-client's defaults, prefixed): the README lists them as a family. */
const DEFAULT_METRICS = /^wfm_(process|nodejs)_/;

const stack = pipelineStack({
  topics: uniqueTopicsWithExports(),
  env: {
    LOG_LEVEL: 'silent',
    // the production default: these consumers are never stopped mid-stream
    CONSUMER_SESSION_TIMEOUT: '30s',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  },
});
const { topics } = stack;
const groups = { aggregator: uniqueName('aggregator'), emitter: uniqueName('emitter') };
const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-kit-export-'));
stack.onTeardown(() => {
  fs.rmSync(exportDir, { recursive: true, force: true });
});
const ns = stack.namespace();
const urls = new Map<ServiceName, string>();
let sink: Awaited<ReturnType<typeof startWfmSink>> | undefined;
/** What each service exports, once the traffic has gone through. */
const scraped = new Map<ServiceName, Map<string, Family>>();

async function startService(service: ServiceName, env: Record<string, string>): Promise<void> {
  const started = await stack.start(
    service,
    { ...stack.env, REDIS_KEY_PREFIX: ns.prefix, ...env },
    // stopped gracefully after the file
    { timeoutMs: 60_000, stop: { timeoutMs: 10_000 } },
  );
  urls.set(service, started.url);
}

async function scrape(service: ServiceName): Promise<Map<string, Family>> {
  return parseExposition(await (await fetch(`${urls.get(service)!}/metrics`)).text());
}

async function sampled(service: ServiceName, name: string): Promise<number> {
  const family = (await scrape(service)).get(name);
  return (family?.samples ?? []).reduce((sum, s) => sum + s.value, 0);
}

beforeAll(async () => {
  await stack.createTopics({ contacts: 2, agents: 2 });
  await createExportTopics(topics, 1);
  const started = await startWfmSink({ host: '127.0.0.1', port: 0 });
  sink = started;
  stack.onTeardown(() => started.stop());
  const nobody = await freePort(); // a target that refuses connections: its job is parked
  await Promise.all([
    startService('aggregator', { CONSUMER_GROUP: groups.aggregator }),
    startService('reader', { READER_API_KEYS: 'kit-key' }),
    startService('emitter', {
      CONSUMER_GROUP: groups.emitter,
      EMITTER_START_FROM: 'earliest',
      WFM_STATUS_URL: `${sink.url}/ccwfm/api/rest/status`,
    }),
    startService('exporter', {
      EXPORT_CONSUMER_GROUP: uniqueName('exporter'),
      EXPORT_STEP: '1m',
      EXPORT_DELAY: '1s',
      EXPORT_TICK: '1s',
      EXPORT_LEASE_TTL: '5s',
      EXPORT_MAX_ATTEMPTS: '1',
      EXPORT_HTTP_TIMEOUT: '2s',
      EXPORT_TARGETS: JSON.stringify([
        { name: 'drop', kind: 'file-drop', directory: exportDir },
        { name: 'away', kind: 'pipkins-json', url: `http://127.0.0.1:${nobody}/intervals` },
      ]),
    }),
  ]);

  // traffic of the last hour, and a message the contract refuses on the agents' topic
  const traffic = syntheticTraffic({
    seed: 7,
    contacts: 40,
    groups: 3,
    agents: 4,
    startMs: Date.now() - 3_600_000,
    hours: 1,
  });
  const kafka = testKafka();
  await publishEvents(kafka, topics.TOPIC_DIRECTORY, traffic.directory);
  await publishEvents(kafka, topics.TOPIC_CONTACT_EVENTS, traffic.contacts);
  await publishEvents(kafka, topics.TOPIC_AGENT_EVENTS, traffic.agents);
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: topics.TOPIC_AGENT_EVENTS,
      messages: [{ key: 'a0', value: 'this is not JSON' }],
    });
  } finally {
    await producer.disconnect();
  }
  await waitForGroupCaughtUp(groups.aggregator, [
    topics.TOPIC_DIRECTORY,
    topics.TOPIC_CONTACT_EVENTS,
    topics.TOPIC_AGENT_EVENTS,
  ]);

  // A batch retried: a contact whose record in Redis is of the wrong type fails its batch
  // (WRONGTYPE) until the key is gone.
  const [contactKey] = await waitFor(async () => {
    const [, keys] = await ns.redis.scan('0', 'MATCH', `${ns.prefix}:*:{c:*}`, 'COUNT', 10_000);
    return keys.length > 0 ? keys : undefined;
  });
  const poisoned = contactKey!.replace(/\{c:[^}]*\}$/, '{c:kit-poison}');
  await ns.redis.set(poisoned, 'not a contact record');
  const offered: WfmEvent = {
    eventId: 'kit-poison-o',
    type: 'contact.offered',
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
    contactId: 'kit-poison',
    groupId: traffic.groupIds[0]!,
    channel: 'INCOMING_CALLS',
    customerId: undefined,
    transferredFromContactId: undefined,
  };
  await publishEvents(kafka, topics.TOPIC_CONTACT_EVENTS, [offered]);
  await waitFor(async () => (await sampled('aggregator', 'wfm_batch_retries_total')) > 0, {
    timeoutMs: 30_000,
    message: 'a batch retried',
  });
  await ns.redis.del(poisoned);
  await waitForGroupCaughtUp(groups.aggregator, [topics.TOPIC_CONTACT_EVENTS]);

  // the reader answers, the WFM gets pushes, one export is delivered and one parked
  const personnel = await fetch(`${urls.get('reader')!}/personnel`, {
    headers: { 'X-API-Key': 'kit-key' },
  });
  expect(personnel.status).toBe(200);
  await waitFor(() => sink!.received('/ccwfm/api/rest/status').length > 0, {
    timeoutMs: 30_000,
    message: 'status pushes at the sink',
  });
  await waitFor(
    async () => {
      const jobs = (await scrape('exporter')).get('wfm_export_jobs_total')?.samples ?? [];
      const outcomes = new Set(jobs.map((s) => `${s.labels.target} ${s.labels.outcome}`));
      return outcomes.has('drop delivered') && outcomes.has('away parked');
    },
    { timeoutMs: 60_000, message: 'an export delivered and one parked' },
  );
  await waitFor(
    async () => {
      const memory = (await scrape('reader')).get('wfm_redis_memory_used_bytes');
      return (memory?.samples.length ?? 0) > 0;
    },
    { message: 'a Redis memory sample' },
  );
  for (const service of SERVICES) scraped.set(service, await scrape(service));
}, 240_000);

/** One PromQL series name (`x_bucket` of histogram `x`) and what the services report of it. */
interface Exported {
  readonly family: Family;
  readonly services: Set<ServiceName>;
  readonly labels: Map<string, Set<string>>;
  /** Samples of this series name over all services. */
  samples: number;
}

function exportedSeries(): Map<string, Exported> {
  const series = new Map<string, Exported>();
  for (const [service, families] of scraped) {
    for (const family of families.values()) {
      for (const name of seriesNames(family)) {
        const entry: Exported = series.get(name) ?? {
          family,
          services: new Set<ServiceName>(),
          labels: new Map<string, Set<string>>(),
          samples: 0,
        };
        entry.services.add(service);
        for (const sample of family.samples.filter((s) => s.name === name)) {
          entry.samples++;
          for (const [label, value] of Object.entries(sample.labels)) {
            const values = entry.labels.get(label) ?? new Set<string>();
            values.add(value);
            entry.labels.set(label, values);
          }
        }
        series.set(name, entry);
      }
    }
  }
  return series;
}

const KIT: { what: string; queries: () => KitQuery[] }[] = [
  { what: 'the alerting rules', queries: ruleQueries },
  { what: 'the dashboard', queries: dashboardQueries },
];

describe('the operator kit and the running services', () => {
  it.each(KIT)('$what use only metrics the services export, with samples', ({ queries }) => {
    const series = exportedSeries();
    const unknown: string[] = [];
    for (const query of queries())
      for (const metric of promqlReferences(query.expr).metrics) {
        const exported = series.get(metric);
        if (exported === undefined) unknown.push(`${query.where}: ${metric} is not exported`);
        else if (exported.samples === 0)
          unknown.push(
            `${query.where}: ${metric} has no samples (the test traffic must make some)`,
          );
      }
    expect(unknown).toEqual([]);
  });

  it.each(KIT)('$what group and match only by labels those metrics have', ({ queries }) => {
    const series = exportedSeries();
    const problems: string[] = [];
    for (const query of queries()) {
      const refs = promqlReferences(query.expr);
      const known = new Set(TARGET_LABELS);
      for (const metric of refs.metrics)
        for (const label of series.get(metric)?.labels.keys() ?? []) known.add(label);
      for (const label of refs.labels)
        if (!known.has(label)) problems.push(`${query.where}: no label ${label}`);
      for (const m of refs.matchers) {
        if (m.metric === undefined || TARGET_LABELS.has(m.label)) continue;
        if (m.op === '=~' || m.op === '!~') continue; // a pattern, not a value
        const values = series.get(m.metric)?.labels.get(m.label);
        if (values?.has(m.value) !== true)
          problems.push(
            `${query.where}: ${m.metric}{${m.label}${m.op}"${m.value}"}: the services report ${m.label} ${JSON.stringify([...(values ?? [])])}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents exactly what the services export (deploy/k8s/README.md, "Metrics")', () => {
    const readme = fs.readFileSync(path.join(REPO_DIR, 'deploy/k8s/README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Metrics'),
      readme.indexOf('\n## ', readme.indexOf('## Metrics') + 1),
    );
    const rows = [
      ...section.matchAll(/^\| `(wfm_[a-z_]+)(?:\{([a-z_,]*)\})?` \| (\w+) \| ([a-z, -]+) \|/gm),
    ].map(([, name, labels, type, services]) => ({
      name: name!,
      labels: (labels ?? '')
        .split(',')
        .filter((l) => l !== '')
        .sort(),
      type: type!,
      services: services!
        .split(',')
        .map((s) => s.trim())
        .sort(),
    }));
    expect(rows.length).toBeGreaterThan(10);
    const documented = new Set(rows.map((r) => r.name));
    const exported = new Map<
      string,
      { family: Family; services: Set<string>; labels: Set<string> }
    >();
    for (const [service, families] of scraped)
      for (const family of families.values()) {
        if (DEFAULT_METRICS.test(family.name)) continue;
        const entry = exported.get(family.name) ?? {
          family,
          services: new Set(),
          labels: new Set(),
        };
        entry.services.add(service);
        for (const sample of family.samples)
          for (const label of Object.keys(sample.labels))
            if (label !== 'service' && label !== 'le') entry.labels.add(label);
        exported.set(family.name, entry);
      }
    expect(
      [...exported.keys()].filter((n) => !documented.has(n)),
      'exported, not documented',
    ).toEqual([]);
    for (const row of rows) {
      const entry = exported.get(row.name);
      expect(entry, `${row.name} is documented but not exported`).toBeDefined();
      expect(entry!.family.type, row.name).toBe(row.type);
      expect([...entry!.services].sort(), `${row.name}: services`).toEqual(row.services);
      if (entry!.family.samples.length > 0)
        expect([...entry!.labels].sort(), `${row.name}: labels`).toEqual(row.labels);
    }
  });

  it("follows Prometheus's naming conventions, with bounded labels", () => {
    const problems: string[] = [];
    for (const [service, families] of scraped)
      for (const family of families.values()) {
        const { name, type } = family;
        const where = `${service}: ${name}`;
        if (!name.startsWith('wfm_')) problems.push(`${where}: not wfm_*`);
        if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`${where}: not snake_case`);
        if (type === 'counter' && !name.endsWith('_total'))
          problems.push(`${where}: a counter without _total`);
        // prom-client's nodejs_active_{handles,requests,resources}_total are gauges; the
        // name is prom-client's, as every Node.js service exports it
        if (type !== 'counter' && name.endsWith('_total') && !DEFAULT_METRICS.test(name))
          problems.push(`${where}: _total on a ${type}`);
        if (type === 'histogram' && !/_(seconds|bytes|messages)$/.test(name))
          problems.push(`${where}: a histogram without its unit`);
        if (/_(milliseconds|ms|millis|kb|mb|minutes|hours)(_|$)/.test(name))
          problems.push(`${where}: not in base units`);
        if (family.help === '') problems.push(`${where}: no help`);
        const values = new Map<string, Set<string>>();
        for (const sample of family.samples)
          for (const [label, value] of Object.entries(sample.labels)) {
            if (UNBOUNDED_LABELS.test(label))
              problems.push(`${where}: label ${label} is unbounded`);
            values.set(label, (values.get(label) ?? new Set()).add(value));
          }
        for (const [label, set] of values)
          if (set.size > 30) problems.push(`${where}: ${set.size} values of ${label}`);
      }
    expect([...new Set(problems)]).toEqual([]);
  });
});
