import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import {
  type IScaledObject,
  ScaledObject,
} from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { aggregatorConfigSchema } from '@wfm-stream/aggregator';
import { type Command, commandPaths, COMMANDS, REPO_DIR } from '@wfm-stream/cli';
import {
  contactCenterSettings,
  kafkaSettings,
  loadConfig,
  redisSettings,
  serviceSettings,
  topicSettings,
} from '@wfm-stream/config';
import { answerOpsRoute, createRegistry, Health, silentLogger } from '@wfm-stream/observability';
import { buildApp, readerConfigSchema } from '@wfm-stream/reader';
import { DEFAULT_TOPICS } from '@wfm-stream/schemas';
import { pipelineTopics, topicLayoutSettings } from '@wfm-stream/topics';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IJob, Job } from 'kubernetes-models/batch/v1/Job';
import {
  type INetworkPolicy,
  NetworkPolicy,
} from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import {
  type IPodDisruptionBudget,
  PodDisruptionBudget,
} from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { type ISecret, Secret } from 'kubernetes-models/v1/Secret';
import { type IService, Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';

/**
 * deploy/k8s, rendered by the real kustomize (the one built into kubectl) and checked
 * offline: every object against the Kubernetes API schemas (KEDA's CRD schema for
 * ScaledObjects) from the kubernetes-models packages, twice — their JSON Schema validators
 * (types, required fields, formats) and their TypeScript types (unknown fields, the typo
 * a schema without additionalProperties lets through) — then the references between the
 * objects and the services' own code: ports, probe paths, settings, selectors, topics.
 */

const K8S_DIR = path.join(REPO_DIR, 'deploy/k8s');
const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const SERVICES = ['aggregator', 'reader', 'emitter', 'exporter'] as const;
type ServiceName = (typeof SERVICES)[number];
/** Services whose HTTP port is their API; the others answer on the ops server. */
const API_SERVICES = new Set<string>(['reader']);
/** runService's graceful-stop limit (libs/config/src/run.ts). */
const SERVICE_STOP_TIMEOUT_SECONDS = 25;

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
}

/** Each kind the deployment may contain: its model (JSON Schema) and its TypeScript type. */
const KINDS: Record<
  string,
  { model: new (data: never) => { validate(): void }; module: string; type: string }
> = {
  'v1/Namespace': {
    model: Namespace,
    module: 'kubernetes-models/v1/Namespace',
    type: 'INamespace',
  },
  'v1/ServiceAccount': {
    model: ServiceAccount,
    module: 'kubernetes-models/v1/ServiceAccount',
    type: 'IServiceAccount',
  },
  'v1/ConfigMap': {
    model: ConfigMap,
    module: 'kubernetes-models/v1/ConfigMap',
    type: 'IConfigMap',
  },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': {
    model: Deployment,
    module: 'kubernetes-models/apps/v1/Deployment',
    type: 'IDeployment',
  },
  'batch/v1/Job': { model: Job, module: 'kubernetes-models/batch/v1/Job', type: 'IJob' },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
  },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: HorizontalPodAutoscaler,
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy,
    module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    type: 'INetworkPolicy',
  },
  'keda.sh/v1alpha1/ScaledObject': {
    model: ScaledObject,
    module: '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    type: 'IScaledObject',
  },
};

/** Parameters of KEDA's kafka scaler (keda.sh/docs/scalers/apache-kafka); metadata is a free map. */
const KAFKA_SCALER_PARAMETERS = new Set([
  'bootstrapServers',
  'bootstrapServersFromEnv',
  'consumerGroup',
  'consumerGroupFromEnv',
  'topic',
  'topicFromEnv',
  'lagThreshold',
  'activationLagThreshold',
  'offsetResetPolicy',
  'allowIdleConsumers',
  'scaleToZeroOnInvalidOffset',
  'excludePersistentLag',
  'limitToPartitionsWithLag',
  'version',
  'partitionLimitation',
]);

/** What each consumer reads: the setting naming its group, and its topics (setting → default). */
const CONSUMERS: Record<string, { group: string; topics: Record<string, string> }> = {
  aggregator: {
    group: 'CONSUMER_GROUP',
    topics: {
      TOPIC_DIRECTORY: DEFAULT_TOPICS.directory,
      TOPIC_CONTACT_EVENTS: DEFAULT_TOPICS.contacts,
      TOPIC_AGENT_EVENTS: DEFAULT_TOPICS.agents,
    },
  },
  emitter: { group: 'CONSUMER_GROUP', topics: { TOPIC_AGENT_EVENTS: DEFAULT_TOPICS.agents } },
  exporter: { group: 'EXPORT_CONSUMER_GROUP', topics: { TOPIC_EXPORT_JOBS: 'cc.export-jobs' } },
};

/**
 * Partitions per topic, as `wfm-stream topics ensure` lays them out: the topic layout's
 * defaults (libs/topics) with the settings the topics Job gives it
 * (components/topics/job.yaml).
 */
function topicPartitions(): Record<string, number> {
  const job = parse(
    fs.readFileSync(path.join(K8S_DIR, 'components/topics/job.yaml'), 'utf8'),
  ) as IJob;
  const env = Object.fromEntries(
    (job.spec?.template.spec?.containers[0]?.env ?? []).map((v) => [v.name, v.value ?? '']),
  );
  const layout = loadConfig(z.object(topicLayoutSettings), env);
  return Object.fromEntries(
    pipelineTopics(
      {
        directory: DEFAULT_TOPICS.directory,
        contacts: DEFAULT_TOPICS.contacts,
        agents: DEFAULT_TOPICS.agents,
        deadLetter: 'cc.dead-letter',
        exportJobs: 'cc.export-jobs',
        exportDeadLetter: 'cc.export-dead-letter',
      },
      layout,
    ).map((t) => [t.name, t.partitions]),
  );
}
const PARTITIONS = topicPartitions();

const COMMON_SETTINGS = new Set(
  [kafkaSettings, topicSettings, redisSettings, contactCenterSettings, serviceSettings].flatMap(
    (fragment) => Object.keys(fragment),
  ),
);

function settingNames(schema: unknown): Set<string> {
  let s = schema as { shape?: Record<string, unknown>; def?: { in?: unknown; schema?: unknown } };
  // unwrap .superRefine()/.pipe() wrappers down to the object
  for (let i = 0; i < 5 && s.shape === undefined; i++) {
    s = (s.def?.in ?? s.def?.schema) as typeof s;
  }
  return new Set(Object.keys(s.shape ?? {}));
}

/**
 * The settings of a service whose schema this package does not import: the `NAME:` keys
 * of its config.ts and of the fragments it spreads from other libraries. Undefined while
 * the service has no config.ts.
 */
function declaredSettings(service: string): Set<string> | undefined {
  const file = path.join(REPO_DIR, 'services', service, 'src/config.ts');
  if (!fs.existsSync(file)) return undefined;
  const keys = (text: string) => [...text.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  const config = fs.readFileSync(file, 'utf8');
  const names = new Set([...keys(config), ...COMMON_SETTINGS]);
  const libs = path.join(REPO_DIR, 'libs');
  // the fragments it spreads, and the fragments those spread (eventConsumerServiceSettings)
  // (a Set's iteration visits what is added to it meanwhile)
  const fragments = new Set([...config.matchAll(/\.\.\.(\w+)/g)].map((m) => m[1]!));
  for (const fragment of fragments) {
    for (const lib of fs.readdirSync(libs)) {
      const src = path.join(libs, lib, 'src');
      if (!fs.existsSync(src)) continue;
      for (const entry of fs.readdirSync(src)) {
        if (!entry.endsWith('.ts') || entry.includes('.spec.')) continue;
        const text = fs.readFileSync(path.join(src, entry), 'utf8');
        const start = text.indexOf(`export const ${fragment} = {`);
        if (start < 0) continue;
        const body = text.slice(start, text.indexOf('\n};', start));
        for (const name of keys(body)) names.add(name);
        for (const [, inner] of body.matchAll(/\.\.\.(\w+)/g)) fragments.add(inner!);
      }
    }
  }
  return names;
}

const SCHEMAS: Partial<Record<ServiceName, z.ZodType>> = {
  aggregator: aggregatorConfigSchema,
  reader: readerConfigSchema,
};

function settingsOf(service: ServiceName): Set<string> | undefined {
  const schema = SCHEMAS[service];
  return schema === undefined ? declaredSettings(service) : settingNames(schema);
}

/** Renders a kustomization: a folder below deploy/k8s, or an absolute path. */
function render(dir: string): Manifest[] {
  let out: string;
  try {
    out = execFileSync(KUBECTL, ['kustomize', path.resolve(K8S_DIR, dir)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(
      `\`${KUBECTL} kustomize ${path.relative(REPO_DIR, path.resolve(K8S_DIR, dir))}\` failed (kubectl 1.27 or later, with kustomize 5, is needed; set KUBECTL to use another): ${stderr ?? String(error)}`,
    );
  }
  return parseAllDocuments(out).map((doc) => {
    expect(doc.errors, dir).toEqual([]);
    return doc.toJS() as Manifest;
  });
}

function kindOf(object: Manifest): string {
  return `${object.apiVersion}/${object.kind}`;
}

function id(object: Manifest): string {
  return `${object.kind}/${object.metadata.name}`;
}

function ofKind<T>(objects: Manifest[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

/** What the JSON Schema validators say of each object. */
function schemaErrors(objects: Manifest[]): string[] {
  const errors: string[] = [];
  for (const object of objects) {
    const kind = KINDS[kindOf(object)];
    if (kind === undefined) {
      errors.push(`${id(object)}: no schema for ${kindOf(object)}`);
      continue;
    }
    // kustomize wraps long base64 values; the API server's decoder skips the newlines.
    const data = object.kind === 'Secret' ? (object as ISecret).data : undefined;
    const unwrapped =
      data === undefined
        ? object
        : {
            ...object,
            data: Object.fromEntries(
              Object.entries(data).map(([k, v]) => [k, v.replace(/\s/g, '')]),
            ),
          };
    try {
      new kind.model(unwrapped as never).validate();
    } catch (error) {
      errors.push(`${id(object)}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/**
 * What TypeScript says of each object typed as its API type: object literals get the
 * excess-property check, so an unknown or misspelt field is an error.
 */
function typeErrors(objects: Manifest[]): string[] {
  const file = path.join(REPO_DIR, 'test/src/deploy/rendered-manifests.generated.ts');
  const lines: string[] = [];
  const starts: { line: number; object: Manifest }[] = [];
  const used = new Map<string, string>();
  for (const object of objects) {
    const kind = KINDS[kindOf(object)];
    if (kind === undefined) continue;
    const alias = `T${used.size}`;
    if (!used.has(kindOf(object))) {
      used.set(kindOf(object), alias);
      lines.unshift(`import type { ${kind.type} as ${alias} } from '${kind.module}';`);
    }
  }
  for (const [index, object] of objects.entries()) {
    const alias = used.get(kindOf(object));
    if (alias === undefined) continue;
    starts.push({ line: lines.length, object });
    lines.push(
      ...`export const o${index}: ${alias} = ${JSON.stringify(object, null, 2)};`.split('\n'),
    );
  }
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file
      ? ts.createSourceFile(name, source, language)
      : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').slice(0, 400);
    if (diagnostic.file?.fileName !== file) return `${diagnostic.file?.fileName ?? ''}: ${message}`;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const at = starts.filter((s) => s.line <= line).pop();
    return `${at === undefined ? 'imports' : id(at.object)}: ${message}`;
  });
}

/** The environment a Deployment's container gets, from its envFrom sources and env. */
function environment(
  objects: Manifest[],
  container: IContainer,
): { variables: Map<string, { value: string; from: string }>; missing: string[] } {
  const variables = new Map<string, { value: string; from: string }>();
  const missing: string[] = [];
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef !== undefined ? 'ConfigMap' : 'Secret';
    const object = objects.find((o) => o.kind === kind && o.metadata.name === ref?.name);
    if (object === undefined) {
      if (ref?.optional !== true) missing.push(`${kind}/${ref?.name ?? '?'}`);
      continue;
    }
    const data =
      kind === 'ConfigMap'
        ? ((object as IConfigMap).data ?? {})
        : Object.fromEntries(
            Object.entries((object as ISecret).data ?? {}).map(([k, v]) => [
              k,
              Buffer.from(v, 'base64').toString('utf8'),
            ]),
          );
    for (const [name, value] of Object.entries({ ...data, ...(object as ISecret).stringData }))
      variables.set(name, { value, from: object.metadata.name });
  }
  for (const variable of container.env ?? [])
    variables.set(variable.name, { value: variable.value ?? '', from: 'env' });
  return { variables, missing };
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** The service a Deployment runs (its app.kubernetes.io/name), and its one container. */
function workload(deployment: IDeployment): { service: ServiceName; container: IContainer } {
  const service = deployment.metadata?.labels?.['app.kubernetes.io/name'] as ServiceName;
  const containers = deployment.spec?.template.spec?.containers ?? [];
  expect(containers, service).toHaveLength(1);
  return { service, container: containers[0]! };
}

async function probeStatus(service: string, probePath: string): Promise<number> {
  if (!API_SERVICES.has(service)) {
    const answer = await answerOpsRoute(probePath, new Health(), createRegistry(service));
    return answer?.status ?? 404;
  }
  // The reader with access control on: probes carry no credentials.
  const app = await buildApp({
    routes: [],
    auth: { mode: 'api-key', apiKeys: ['a key'], basicUsers: [] },
    version: 'test',
    health: new Health(),
    registry: createRegistry(service),
    logger: silentLogger(),
  });
  try {
    return (await app.inject({ method: 'GET', url: probePath })).statusCode;
  } finally {
    await app.close();
  }
}

/** The pod-level and container-level settings every workload shares: "restricted", read-only root. */
function expectRestricted(pod: IPodSpec, container: IContainer, what: string): void {
  // The "restricted" Pod Security Standard, and a read-only root.
  expect(pod.securityContext?.runAsNonRoot, what).toBe(true);
  expect(pod.securityContext?.runAsUser, what).toBeGreaterThan(0);
  expect(pod.securityContext?.seccompProfile?.type, what).toBe('RuntimeDefault');
  expect(container.securityContext, what).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(pod.automountServiceAccountToken, what).toBe(false);
  expect(
    pod.volumes?.find(
      (v) => v.name === container.volumeMounts?.find((m) => m.mountPath === '/tmp')?.name,
    )?.emptyDir,
    `${what}: a writable /tmp`,
  ).toBeDefined();
  for (const bound of ['requests', 'limits'] as const)
    for (const resource of ['cpu', 'memory'])
      expect(
        container.resources?.[bound]?.[resource],
        `${what} ${bound}.${resource}`,
      ).toBeDefined();
}

const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
};

/** A resource quantity (`250m`, `2`, `512Mi`) as a number: cores or bytes. */
function quantity(value: number | string | undefined, what: string): number {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(String(value ?? ''));
  const factor = QUANTITY_FACTORS[match?.[2] ?? '?'];
  expect(factor, `${what}: quantity ${String(value)}`).toBeDefined();
  return Number(match![1]) * factor!;
}

/** The CLI's command of these words (services/cli/src/commands.ts), if it has one. */
function cliCommand(...words: string[]): Command | undefined {
  return commandPaths(COMMANDS).find((c) => c.path.join(' ') === words.join(' '))?.command;
}

/** The options `wfm-stream rebuild` takes (its command table entry): name → takes a value. */
function rebuildOptions(): Map<string, boolean> {
  const options = new Map<string, boolean>();
  for (const [name, spec] of Object.entries(cliCommand('rebuild')?.options ?? {}))
    options.set(name, spec.kind === 'value');
  return options;
}

/** The rebuild Job of a rendered installation, and the aggregator Deployment it copies. */
function rebuildJob(objects: Manifest[]): {
  job: IJob;
  pod: IPodSpec;
  container: IContainer;
  aggregator: IDeployment;
  aggregatorPod: IPodSpec;
  aggregatorContainer: IContainer;
} {
  const jobs = ofKind<IJob>(objects, 'Job');
  expect(
    jobs.map((j) => j.metadata?.name),
    'one rebuild Job',
  ).toHaveLength(1);
  const job = jobs[0]!;
  const pod = job.spec!.template.spec!;
  expect(pod.containers, 'rebuild Job').toHaveLength(1);
  const aggregator = ofKind<IDeployment>(objects, 'Deployment').find(
    (d) => d.metadata?.labels?.['app.kubernetes.io/name'] === 'aggregator',
  )!;
  expect(aggregator, 'the aggregator Deployment').toBeDefined();
  return {
    job,
    pod,
    container: pod.containers[0]!,
    aggregator,
    aggregatorPod: aggregator.spec!.template.spec!,
    aggregatorContainer: workload(aggregator).container,
  };
}

/**
 * How a real cluster's overlay may differ from the example (README, "For a real cluster"):
 * its own namespace, a name prefix, another image tag, and the Kafka credentials in a
 * Secret patched into the aggregator's envFrom. Written to `dir` as `installation`, with
 * `installation-rebuild` beside it as overlays/example-rebuild is beside overlays/example.
 */
const CUSTOM = {
  namespace: 'contact-center-blue',
  prefix: 'blue-',
  image: 'registry.example.com/wfm-stream:0.2.0',
  secret: 'kafka-credentials',
};

function writeCustomInstallation(dir: string): string {
  const installation = path.join(dir, 'installation');
  const rebuild = path.join(dir, 'installation-rebuild');
  fs.mkdirSync(installation);
  fs.mkdirSync(rebuild);
  const [newName, newTag] = CUSTOM.image.split(':');
  fs.writeFileSync(
    path.join(installation, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: CUSTOM.namespace,
      namePrefix: CUSTOM.prefix,
      // kustomize takes relative paths only
      resources: [path.relative(installation, path.join(K8S_DIR, 'overlays/example'))],
      images: [{ name: 'registry.example.com/wfm-stream', newName, newTag }],
      secretGenerator: [
        {
          name: CUSTOM.secret,
          literals: ['KAFKA_SASL_USERNAME=wfm-stream', 'KAFKA_SASL_PASSWORD=secret'],
        },
      ],
      patches: [
        {
          target: { kind: 'Deployment', name: 'aggregator' },
          patch: stringify([
            {
              op: 'add',
              path: '/spec/template/spec/containers/0/envFrom/-',
              value: { secretRef: { name: CUSTOM.secret } },
            },
          ]),
        },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(rebuild, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['../installation'],
      components: [path.relative(rebuild, path.join(K8S_DIR, 'components/rebuild'))],
    }),
  );
  return rebuild;
}

type LabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

/** Whether a label selector (matchLabels and matchExpressions) selects these labels. */
function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector === undefined) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every((e) => {
      const value = labels[e.key];
      switch (e.operator) {
        case 'In':
          return value !== undefined && (e.values ?? []).includes(value);
        case 'NotIn':
          return value === undefined || !(e.values ?? []).includes(value);
        case 'Exists':
          return value !== undefined;
        case 'DoesNotExist':
          return value === undefined;
        default:
          throw new Error(`unknown selector operator ${e.operator}`);
      }
    })
  );
}

/**
 * What each workload talks to (deploy/k8s/README.md, "Network policies"): the services, and
 * the Jobs, which run the CLI with the aggregators' settings.
 */
const PEERS_NEEDED: Record<string, readonly string[]> = {
  aggregator: ['dns', 'kafka', 'redis', 'schema-registry'],
  reader: ['dns', 'redis'],
  emitter: ['dns', 'kafka', 'redis', 'schema-registry', 'wfm'],
  exporter: ['dns', 'kafka', 'redis', 'wfm'],
  'aggregator-rebuild': ['dns', 'kafka', 'redis', 'schema-registry'],
  'aggregator-topics': ['dns', 'kafka'],
};
/** Who may connect to each service's port: the namespaces of the example's peers. */
const INGRESS_FROM: Record<string, readonly string[]> = {
  reader: ['ingress-nginx', 'monitoring'],
  aggregator: ['monitoring'],
  emitter: ['monitoring'],
  exporter: ['monitoring'],
};

/** A destination a workload's settings name: a port, and a namespace or "outside". */
interface Destination {
  readonly what: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** The namespace of an in-cluster name (`<service>.<namespace>.svc`), else undefined. */
  readonly namespace: string | undefined;
  readonly dns?: true;
}

function destination(what: string, address: string): Destination {
  const url = /^[a-z]+:\/\//.test(address) ? new URL(address) : new URL(`tcp://${address}`);
  const defaults: Record<string, number> = { 'https:': 443, 'http:': 80, 'redis:': 6379 };
  const port = url.port === '' ? defaults[url.protocol] : Number(url.port);
  expect(port, `${what}: the port of ${address}`).toBeDefined();
  const namespace = /([a-z0-9-]+)\.svc(\.cluster\.local)?$/.exec(url.hostname)?.[1];
  return { what, port: port!, protocol: 'TCP', namespace };
}

/** The destinations a workload needs, from the settings it runs with. */
function destinations(
  needs: readonly string[],
  env: Map<string, { value: string }>,
): Destination[] {
  const value = (name: string) => env.get(name)?.value;
  const out: Destination[] = [];
  for (const need of needs) {
    switch (need) {
      case 'dns':
        for (const protocol of ['UDP', 'TCP'] as const)
          out.push({ what: 'dns', port: 53, protocol, namespace: 'kube-system', dns: true });
        break;
      case 'kafka':
        for (const broker of (value('KAFKA_BROKERS') ?? '').split(','))
          out.push(destination('kafka', broker));
        break;
      case 'redis':
        out.push(destination('redis', value('REDIS_URL') ?? ''));
        break;
      case 'schema-registry': {
        const url = value('SCHEMA_REGISTRY_URL');
        if (url !== undefined) out.push(destination('schema-registry', url));
        break;
      }
      case 'wfm': {
        const status = value('WFM_STATUS_URL');
        if (status !== undefined) out.push(destination('wfm', status));
        const targets = JSON.parse(value('EXPORT_TARGETS') ?? '[]') as { url?: string }[];
        for (const target of targets)
          if (target.url !== undefined) out.push(destination('wfm', target.url));
        break;
      }
      default:
        throw new Error(`unknown peer ${need}`);
    }
  }
  return out;
}

/** Whether a policy peer is the destination: its namespace (and kube-dns), or outside. */
function peerReaches(peer: INetworkPolicyPeer, to: Destination): boolean {
  if (to.namespace === undefined)
    return peer.ipBlock !== undefined && peer.namespaceSelector === undefined;
  if (peer.ipBlock !== undefined) return false;
  const namespace = peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
  if (namespace !== to.namespace) return false;
  return to.dns === true ? peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns' : true;
}

let base: Manifest[] = [];
let example: Manifest[] = [];
/** overlays/example-topics: the example and the topics Job. */
let topics: Manifest[] = [];
/** overlays/example-rebuild: the example and the rebuild Job. */
let rebuild: Manifest[] = [];
/** A customised installation's rebuild overlay (writeCustomInstallation). */
let custom: Manifest[] = [];
let scratch: string | undefined;

beforeAll(() => {
  base = render('base');
  example = render('overlays/example');
  rebuild = render('overlays/example-rebuild');
  topics = render('overlays/example-topics');
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'wfm-stream-k8s-'));
  custom = render(writeCustomInstallation(scratch));
}, 60_000);

afterAll(() => {
  if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
});

describe('deploy/k8s', () => {
  it('renders every service in the base and the example overlay', () => {
    for (const objects of [base, example]) {
      for (const service of SERVICES) {
        for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap']) {
          expect(
            objects.some((o) => o.kind === kind && o.metadata.name.startsWith(service)),
            `${kind} ${service}`,
          ).toBe(true);
        }
      }
    }
    // The base ships CPU HPAs and no CRD; the example switches the consumers to KEDA.
    expect(
      ofKind<Manifest>(base, 'HorizontalPodAutoscaler')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([...SERVICES].sort());
    expect(ofKind(base, 'ScaledObject')).toEqual([]);
    expect(ofKind(base, 'Secret')).toEqual([]);
    expect(
      ofKind<Manifest>(example, 'ScaledObject')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['aggregator', 'emitter', 'exporter']);
    expect(
      ofKind<Manifest>(example, 'HorizontalPodAutoscaler').map((o) => o.metadata.name),
    ).toEqual(['reader']);
  });

  it('matches the Kubernetes and KEDA schemas, object by object', () => {
    expect(schemaErrors(base)).toEqual([]);
    expect(schemaErrors(example)).toEqual([]);
    expect(schemaErrors(ofKind(rebuild, 'Job'))).toEqual([]);
    expect(schemaErrors(ofKind(topics, 'Job'))).toEqual([]);
    expect(schemaErrors(custom)).toEqual([]);
    // The validators do reject what is wrong.
    const broken = structuredClone(example.find((o) => o.kind === 'Deployment')!) as IDeployment;
    (broken.spec as { replicas: unknown }).replicas = 'two';
    expect(schemaErrors([broken as Manifest])).toEqual([
      'Deployment/aggregator: data/spec/replicas must be integer',
    ]);
  });

  it('has no field its API type does not know', () => {
    expect(
      typeErrors([
        ...base,
        ...example,
        ...ofKind<Manifest>(rebuild, 'Job'),
        ...ofKind<Manifest>(topics, 'Job'),
      ]),
    ).toEqual([]);
    const typo = structuredClone(example.find((o) => o.kind === 'Deployment')!) as IDeployment;
    const container = typo.spec!.template.spec!.containers[0]!;
    Object.assign(container, { readinesProbe: container.readinessProbe });
    expect(typeErrors([typo as Manifest])).toEqual([
      expect.stringMatching(/^Deployment\/aggregator: .*'"readinesProbe"' does not exist/),
    ]);
  }, 60_000);

  it('labels every object part of wfm-stream, and each service with its name and component', () => {
    for (const object of rebuild) {
      if (object.kind === 'Namespace') continue;
      expect(object.metadata.labels?.['app.kubernetes.io/part-of'], id(object)).toBe('wfm-stream');
    }
    const { job } = rebuildJob(rebuild);
    for (const labels of [job.metadata?.labels, job.spec?.template.metadata?.labels])
      expect(labels, 'rebuild Job').toMatchObject({
        'app.kubernetes.io/name': 'aggregator-rebuild',
        'app.kubernetes.io/component': 'rebuild',
        'app.kubernetes.io/part-of': 'wfm-stream',
      });
    for (const deployment of ofKind<IDeployment>(example, 'Deployment')) {
      const name = deployment.metadata!.name!;
      expect(SERVICES as readonly string[]).toContain(name);
      for (const labels of [
        deployment.metadata?.labels,
        deployment.spec?.template.metadata?.labels,
      ]) {
        expect(labels?.['app.kubernetes.io/name'], name).toBe(name);
        expect(labels?.['app.kubernetes.io/component'], name).toMatch(/^[a-z][a-z-]*$/);
        expect(labels?.['app.kubernetes.io/part-of'], name).toBe('wfm-stream');
      }
    }
  });

  it('runs each service from the project image, unprivileged and within limits', () => {
    const images = new Set<string>();
    for (const deployment of ofKind<IDeployment>(example, 'Deployment')) {
      const { service, container } = workload(deployment);
      const pod = deployment.spec!.template.spec!;
      images.add(container.image ?? '');
      expect(container.command, service).toBeUndefined(); // the image's ENTRYPOINT: node
      expect(container.args, service).toEqual([`services/${service}/dist/main.js`]);
      expect(fs.existsSync(path.join(REPO_DIR, 'services', service, 'package.json')), service).toBe(
        true,
      );
      expectRestricted(pod, container, service);
      // SIGTERM starts the service's graceful stop; the pod must outlive it (and preStop).
      const preStop = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      expect(pod.terminationGracePeriodSeconds, service).toBeGreaterThanOrEqual(
        SERVICE_STOP_TIMEOUT_SECONDS + preStop + 5,
      );
    }
    expect([...images]).toEqual(['registry.example.com/wfm-stream:0.1.0']);
    const namespace = example.find((o) => o.kind === 'Namespace') as
      { metadata: { name: string; labels?: Record<string, string> } } | undefined;
    expect(namespace?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('probes and scrapes the port each service listens on, at paths it answers without credentials', async () => {
    const services = ofKind<IService>(example, 'Service');
    for (const deployment of ofKind<IDeployment>(example, 'Deployment')) {
      const { service, container } = workload(deployment);
      const { variables } = environment(example, container);
      const port = Number(variables.get('HTTP_PORT')?.value);
      expect(
        container.ports?.map((p) => p.containerPort),
        service,
      ).toEqual([port]);
      const named = container.ports![0]!.name;
      const resolves = (p: number | string | undefined) => p === port || p === named;
      const probes = {
        startupProbe: '/healthz',
        livenessProbe: '/healthz',
        readinessProbe: '/readyz',
      } as const;
      for (const [probe, expected] of Object.entries(probes)) {
        const get = container[probe as keyof typeof probes]?.httpGet;
        expect(get?.path, `${service} ${probe}`).toBe(expected);
        expect(resolves(get?.port), `${service} ${probe} port ${String(get?.port)}`).toBe(true);
        expect(await probeStatus(service, expected), `${service} ${expected}`).toBe(200);
      }
      const annotations = deployment.spec!.template.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/scrape'], service).toBe('true');
      expect(Number(annotations['prometheus.io/port']), service).toBe(port);
      expect(await probeStatus(service, annotations['prometheus.io/path'] ?? ''), service).toBe(
        200,
      );
      // Its Service: one port, reaching the container's.
      const own = services.filter((s) =>
        matches(s.spec?.selector, deployment.spec!.template.metadata!.labels!),
      );
      expect(
        own.map((s) => s.metadata?.name),
        service,
      ).toEqual([service]);
      const servicePort = own[0]!.spec!.ports!;
      expect(servicePort, service).toHaveLength(1);
      expect(servicePort[0]!.port, service).toBe(port);
      expect(resolves(servicePort[0]!.targetPort), service).toBe(true);
      expect(servicePort[0]!.name, service).toBe(API_SERVICES.has(service) ? 'http' : 'metrics');
      expect(own[0]!.spec!.type ?? 'ClusterIP', service).toBe('ClusterIP');
    }
  }, 30_000);

  it('takes settings from ConfigMaps and Secrets that exist, and only settings the services read', () => {
    const known = new Set(SERVICES.flatMap((s) => [...(settingsOf(s) ?? [])]));
    for (const deployment of ofKind<IDeployment>(example, 'Deployment')) {
      const { service, container } = workload(deployment);
      const { variables, missing } = environment(example, container);
      expect(missing, service).toEqual([]);
      expect(container.envFrom?.length, service).toBeGreaterThan(0);
      const own = settingsOf(service);
      for (const [name, { from }] of variables) {
        if (from.startsWith('wfm-common')) {
          // Shared: a common setting some service reads.
          expect(COMMON_SETTINGS.has(name) && known.has(name), `${service}: ${name}`).toBe(true);
        } else if (own !== undefined) {
          expect(own.has(name), `${service}: ${name} (${from}) is not read by ${service}`).toBe(
            true,
          );
        } else {
          expect(/^[A-Z][A-Z0-9_]*$/.test(name), `${service}: ${name}`).toBe(true);
        }
      }
    }
    // Credentials live in Secrets, and the example's are recognisably examples.
    for (const configMap of ofKind<IConfigMap>(example, 'ConfigMap'))
      for (const name of Object.keys(configMap.data ?? {}))
        expect(name, configMap.metadata?.name).not.toMatch(/PASSWORD|TOKEN|KEYS|USERS|TARGETS/);
    for (const secret of ofKind<ISecret>(example, 'Secret'))
      for (const [name, value] of Object.entries(secret.data ?? {}))
        expect(Buffer.from(value, 'base64').toString('utf8'), name).toContain('example');
  });

  it('gives the services settings their own validation accepts', () => {
    for (const deployment of ofKind<IDeployment>(example, 'Deployment')) {
      const { service, container } = workload(deployment);
      const env = Object.fromEntries(
        [...environment(example, container).variables].map(([k, v]) => [k, v.value]),
      );
      const schema = SCHEMAS[service];
      if (schema !== undefined) {
        const result = schema.safeParse(env);
        expect(result.error?.issues ?? [], service).toEqual([]);
        expect((result.data as { HTTP_PORT: number }).HTTP_PORT, service).toBe(
          container.ports?.[0]?.containerPort,
        );
      }
      if (service === 'emitter') expect(() => new URL(env.WFM_STATUS_URL ?? '')).not.toThrow();
      // the ops port's default is loopback: the kubelet and Prometheus reach the pod address
      if (!API_SERVICES.has(service)) expect(env.OPS_HOST, service).toBe('0.0.0.0');
      if (service === 'exporter') {
        const targets = JSON.parse(env.EXPORT_TARGETS ?? '') as { name?: string; kind?: string }[];
        expect(targets.length).toBeGreaterThan(0);
        for (const target of targets) {
          expect(typeof target.name, 'EXPORT_TARGETS name').toBe('string');
          expect(typeof target.kind, 'EXPORT_TARGETS kind').toBe('string');
        }
      }
    }
  });

  it('points PDBs, Services and autoscalers at the Deployments, one autoscaler each', () => {
    for (const objects of [base, example]) {
      const deployments = ofKind<IDeployment>(objects, 'Deployment');
      const podLabels = (d: IDeployment) => d.spec!.template.metadata!.labels!;
      for (const deployment of deployments) {
        const name = deployment.metadata!.name!;
        expect(matches(deployment.spec?.selector.matchLabels, podLabels(deployment)), name).toBe(
          true,
        );
        for (const spread of deployment.spec!.template.spec!.topologySpreadConstraints ?? [])
          expect(matches(spread.labelSelector?.matchLabels, podLabels(deployment)), name).toBe(
            true,
          );
      }
      const selecting = (selector: Record<string, string> | undefined) =>
        deployments.filter((d) => matches(selector, podLabels(d))).map((d) => d.metadata!.name);
      for (const pdb of ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget')) {
        expect(selecting(pdb.spec?.selector?.matchLabels), pdb.metadata?.name).toEqual([
          pdb.metadata?.name,
        ]);
        expect(pdb.spec?.maxUnavailable, pdb.metadata?.name).toBe(1);
      }
      for (const service of ofKind<IService>(objects, 'Service'))
        expect(selecting(service.spec?.selector), service.metadata?.name).toEqual([
          service.metadata?.name,
        ]);
      const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
      const scaled = ofKind<IScaledObject>(objects, 'ScaledObject');
      const targets = [
        ...hpas.map((h) => ({ ...h.spec!.scaleTargetRef, by: `HPA ${h.metadata?.name ?? ''}` })),
        ...scaled.map((s) => ({
          apiVersion: s.spec.scaleTargetRef.apiVersion ?? 'apps/v1',
          kind: s.spec.scaleTargetRef.kind ?? 'Deployment',
          name: s.spec.scaleTargetRef.name,
          by: `ScaledObject ${s.metadata?.name ?? ''}`,
        })),
      ];
      for (const deployment of deployments) {
        const name = deployment.metadata!.name!;
        const by = targets.filter(
          (t) => t.apiVersion === 'apps/v1' && t.kind === 'Deployment' && t.name === name,
        );
        expect(
          by.map((t) => t.by),
          `autoscalers of ${name}`,
        ).toHaveLength(1);
        // An apply would reset the autoscaler's count.
        expect(deployment.spec?.replicas, name).toBeUndefined();
      }
      expect(targets).toHaveLength(deployments.length);
      // KEDA's own HPA must not collide with one still rendered.
      for (const s of scaled) {
        const hpaName = s.spec.advanced?.horizontalPodAutoscalerConfig?.name;
        expect(
          hpas.some((h) => h.metadata?.name === hpaName),
          `ScaledObject ${s.metadata?.name ?? ''}`,
        ).toBe(false);
      }
    }
  });

  it('scales the consumers on their lag and CPU, within the partitions they read', () => {
    const deployments = ofKind<IDeployment>(example, 'Deployment');
    const scaledObjects = ofKind<IScaledObject>(example, 'ScaledObject');
    expect(scaledObjects.map((s) => s.metadata?.name).sort()).toEqual(
      Object.keys(CONSUMERS).sort(),
    );
    for (const scaled of scaledObjects) {
      const name = scaled.spec.scaleTargetRef.name;
      const consumer = CONSUMERS[name]!;
      const deployment = deployments.find((d) => d.metadata?.name === name)!;
      const { variables } = environment(example, workload(deployment).container);
      const topics = new Set(
        Object.entries(consumer.topics).map(
          ([key, fallback]) => variables.get(key)?.value ?? fallback,
        ),
      );
      const group = variables.get(consumer.group)?.value;
      expect(group, `${name}: ${consumer.group} set`).toMatch(/^wfm-/);
      const { minReplicaCount = 0, maxReplicaCount = 100, fallback } = scaled.spec;
      expect(minReplicaCount, name).toBeGreaterThanOrEqual(2);
      expect(maxReplicaCount, name).toBeGreaterThanOrEqual(minReplicaCount);
      if (fallback !== undefined) {
        expect(fallback.replicas, name).toBeGreaterThanOrEqual(minReplicaCount);
        expect(fallback.replicas, name).toBeLessThanOrEqual(maxReplicaCount);
        // KEDA applies a fallback to AverageValue triggers only, and refuses one without any.
        for (const trigger of scaled.spec.triggers.filter(
          (t) => !['cpu', 'memory'].includes(t.type),
        ))
          expect(trigger.metricType, `${name}: ${trigger.name ?? trigger.type}`).toBe(
            'AverageValue',
          );
      }
      const kafka = scaled.spec.triggers.filter((t) => t.type === 'kafka');
      expect(kafka.length, name).toBeGreaterThan(0);
      for (const trigger of kafka) {
        const m = trigger.metadata as Record<string, string>;
        for (const key of Object.keys(m))
          expect(KAFKA_SCALER_PARAMETERS.has(key), `${name}: kafka ${key}`).toBe(true);
        // A value, or the name of a variable KEDA reads from the container's environment.
        const resolve = (key: string) => {
          const from = m[`${key}FromEnv`];
          if (from === undefined) return m[key];
          expect(variables.has(from), `${name}: ${key}FromEnv ${from}`).toBe(true);
          return variables.get(from)?.value;
        };
        expect(resolve('bootstrapServers'), name).toBe(variables.get('KAFKA_BROKERS')?.value);
        expect(resolve('consumerGroup'), name).toBe(group);
        const topic = resolve('topic') ?? '';
        expect(topics.has(topic), `${name}: topic ${topic}`).toBe(true);
        expect(Number(m.lagThreshold), name).toBeGreaterThan(0);
        const partitions = PARTITIONS[topic];
        expect(partitions, `partitions of ${topic}`).toBeDefined();
        expect(maxReplicaCount, `${name} on ${topic}`).toBeLessThanOrEqual(partitions!);
        expect(m.allowIdleConsumers ?? 'false', name).toBe('false');
      }
      // CPU as the second opinion, as the base's HPA has it.
      const cpu = scaled.spec.triggers.filter((t) => t.type === 'cpu');
      expect(
        cpu.map((t) => t.metricType),
        name,
      ).toEqual(['Utilization']);
      // The base HPA it replaces keeps the same bounds (so, within the same partitions).
      const hpa = ofKind<IHorizontalPodAutoscaler>(base, 'HorizontalPodAutoscaler').find(
        (h) => h.spec!.scaleTargetRef.name === name,
      )!;
      expect([hpa.spec!.minReplicas, hpa.spec!.maxReplicas], `base HPA ${name}`).toEqual([
        minReplicaCount,
        maxReplicaCount,
      ]);
      expect(
        hpa.spec!.metrics?.map((m) => m.resource?.name),
        name,
      ).toEqual(['cpu']);
    }
  });

  it('keeps the rebuild Job out of the installation: only its own overlay adds it', () => {
    expect(ofKind(base, 'Job')).toEqual([]);
    expect(ofKind(example, 'Job')).toEqual([]);
    // Beside the Job, the installation object for object: creating the Job changes nothing
    // else, and the names it refers to are the installation's.
    expect(rebuild.filter((o) => o.kind !== 'Job')).toEqual(example);
    const { job, aggregator } = rebuildJob(rebuild);
    expect(job.metadata?.name).toBe(`${aggregator.metadata!.name!}-rebuild`);
    expect(job.metadata?.namespace).toBe('wfm-stream');
    expect(job.metadata?.namespace).toBe(aggregator.metadata?.namespace);
  });

  it("runs `wfm-stream rebuild` once, from the aggregators' image, unprivileged as they are", () => {
    const { job, pod, container, aggregatorPod, aggregatorContainer } = rebuildJob(rebuild);
    // The CLI's rebuild command, which the image builds (services/cli).
    expect(container.command).toEqual(['node', 'services/cli/dist/main.js', 'rebuild']);
    expect(cliCommand('rebuild')).toBeDefined();
    expect(fs.readFileSync(path.join(REPO_DIR, 'deploy/docker/Dockerfile'), 'utf8')).toContain(
      'services/cli/tsconfig.lib.json',
    );
    // Options it takes, each with its value.
    const options = rebuildOptions();
    expect([...options.keys()]).toEqual(expect.arrayContaining(['from', 'keep-old', 'instances']));
    const args = container.args ?? [];
    const given = new Map<string, string>();
    for (let i = 0; i < args.length; i++) {
      const name = args[i]!.replace(/^--/, '');
      expect(args[i]!.startsWith('--') && options.has(name), `rebuild option ${args[i]!}`).toBe(
        true,
      );
      given.set(name, options.get(name) === true ? (args[++i] ?? '') : 'true');
    }
    const instances = Number(given.get('instances') ?? 1);
    expect(Number.isInteger(instances) && instances >= 1, `--instances ${instances}`).toBe(true);
    // More instances than partitions of the busiest topic would sit idle.
    const busiest = Math.max(
      ...Object.values(CONSUMERS.aggregator!.topics).map((topic) => PARTITIONS[topic] ?? 0),
    );
    expect(instances).toBeLessThanOrEqual(busiest);
    // The image, account and security of the aggregator pods.
    expect(container.image).toBe('registry.example.com/wfm-stream:0.1.0');
    expect(container.image).toBe(aggregatorContainer.image);
    expect(pod.serviceAccountName).toBe(aggregatorPod.serviceAccountName);
    expect(pod.securityContext).toEqual(aggregatorPod.securityContext);
    expect(container.securityContext).toEqual(aggregatorContainer.securityContext);
    expectRestricted(pod, container, 'rebuild');
    // A command, not a server: the aggregators it starts listen on localhost only.
    expect(container.ports).toBeUndefined();
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const)
      expect(container[probe], probe).toBeUndefined();
    // Once: never retried blindly, one pod, kept a while for its logs, within a deadline.
    expect(pod.restartPolicy).toBe('Never');
    expect(job.spec?.backoffLimit).toBe(0);
    expect(job.spec?.parallelism ?? 1).toBe(1);
    expect(job.spec?.completions ?? 1).toBe(1);
    expect(job.spec?.selector).toBeUndefined(); // the Job controller's own
    expect(job.spec?.ttlSecondsAfterFinished).toBeGreaterThanOrEqual(24 * 3600);
    expect(job.spec?.activeDeadlineSeconds).toBeGreaterThanOrEqual(3600);
    expect(job.spec?.activeDeadlineSeconds).toBeLessThanOrEqual(24 * 3600);
    // SIGTERM after the switch finishes the drain: longer than an aggregator's stop.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
      Math.max(60, 2 * (aggregatorPod.terminationGracePeriodSeconds ?? 30)),
    );
    // Each instance is an aggregator process: room for as many aggregator pods.
    for (const bound of ['requests', 'limits'] as const)
      for (const resource of ['cpu', 'memory']) {
        const what = `${bound}.${resource}`;
        expect(
          quantity(container.resources?.[bound]?.[resource], `rebuild ${what}`),
          `rebuild ${what} for ${instances} instances`,
        ).toBeGreaterThanOrEqual(
          instances * quantity(aggregatorContainer.resources?.[bound]?.[resource], what),
        );
      }
  });

  it("gives the rebuild exactly the aggregators' settings, from ConfigMaps and Secrets that exist", () => {
    for (const [what, objects] of [
      ['overlays/example-rebuild', rebuild],
      ['a customised installation', custom],
    ] as const) {
      const { job, pod, container, aggregator, aggregatorContainer } = rebuildJob(objects);
      const own = environment(objects, container);
      expect(own.missing, what).toEqual([]);
      expect(container.envFrom?.length, what).toBeGreaterThan(0);
      expect(container.envFrom, what).toEqual(aggregatorContainer.envFrom);
      expect(container.env, what).toEqual(aggregatorContainer.env);
      expect(own.variables, what).toEqual(environment(objects, aggregatorContainer).variables);
      const env = Object.fromEntries([...own.variables].map(([k, v]) => [k, v.value]));
      expect(aggregatorConfigSchema.safeParse(env).error?.issues ?? [], what).toEqual([]);
      expect(job.metadata?.namespace, what).toBe(aggregator.metadata?.namespace);
      expect(
        objects.some(
          (o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName,
        ),
        `${what}: ServiceAccount ${pod.serviceAccountName ?? ''}`,
      ).toBe(true);
    }
    // A name that does not exist (here the generator's name, without its hash) is caught.
    const broken = structuredClone(rebuildJob(rebuild).container);
    broken.envFrom![0]!.configMapRef!.name = 'wfm-common';
    expect(environment(rebuild, broken).missing).toEqual(['ConfigMap/wfm-common']);
  });

  it("follows an installation's namespace, name prefix, image and Secrets", () => {
    const { job, pod, container, aggregator } = rebuildJob(custom);
    expect(aggregator.metadata?.name).toBe(`${CUSTOM.prefix}aggregator`);
    expect(job.metadata?.name).toBe(`${CUSTOM.prefix}aggregator-rebuild`);
    expect(job.metadata?.namespace).toBe(CUSTOM.namespace);
    expect(container.image).toBe(CUSTOM.image);
    expect(pod.serviceAccountName).toBe(`${CUSTOM.prefix}wfm-stream`);
    // Generated, so hashed: `<prefix><name>-<hash>`.
    const sources = (container.envFrom ?? []).map((source) => {
      const name = source.configMapRef?.name ?? source.secretRef?.name ?? '';
      expect(name, 'a generated name').toMatch(/-[a-z0-9]{10}$/);
      return `${source.configMapRef === undefined ? 'Secret' : 'ConfigMap'}/${name.slice(0, -11)}`;
    });
    expect(sources).toEqual([
      `ConfigMap/${CUSTOM.prefix}wfm-common`,
      `ConfigMap/${CUSTOM.prefix}aggregator-config`,
      `Secret/${CUSTOM.prefix}${CUSTOM.secret}`,
    ]);
    expect(environment(custom, container).variables.get('KAFKA_SASL_USERNAME')?.value).toBe(
      'wfm-stream',
    );
  });

  it('selects the rebuild pod by no Service, disruption budget or Deployment', () => {
    const labels = rebuildJob(rebuild).job.spec!.template.metadata!.labels!;
    for (const service of ofKind<IService>(rebuild, 'Service'))
      expect(matches(service.spec?.selector, labels), id(service as Manifest)).toBe(false);
    for (const pdb of ofKind<IPodDisruptionBudget>(rebuild, 'PodDisruptionBudget'))
      expect(matches(pdb.spec?.selector?.matchLabels, labels), id(pdb as Manifest)).toBe(false);
    for (const deployment of ofKind<IDeployment>(rebuild, 'Deployment')) {
      expect(
        matches(deployment.spec?.selector.matchLabels, labels),
        id(deployment as Manifest),
      ).toBe(false);
      for (const spread of deployment.spec!.template.spec!.topologySpreadConstraints ?? [])
        expect(matches(spread.labelSelector?.matchLabels, labels), id(deployment as Manifest)).toBe(
          false,
        );
    }
  });

  it('lets each pod receive only what it serves, and reach only Kafka, Redis, the registry, DNS and the WFM', () => {
    const policies = ofKind<INetworkPolicy>(example, 'NetworkPolicy');
    expect(ofKind(base, 'NetworkPolicy'), 'in a component, not the base').toEqual([]);
    expect(policies.length).toBeGreaterThan(0);
    // every pod of the installation: the services, and the Jobs of its two overlays
    const jobs = [...ofKind<IJob>(rebuild, 'Job'), ...ofKind<IJob>(topics, 'Job')];
    const pods = [
      ...ofKind<IDeployment>(example, 'Deployment').map((d) => ({
        labels: d.spec!.template.metadata!.labels!,
        container: workload(d).container,
      })),
      ...jobs.map((j) => ({
        labels: j.spec!.template.metadata!.labels!,
        container: j.spec!.template.spec!.containers[0]!,
      })),
    ].map((p) => ({ ...p, name: p.labels['app.kubernetes.io/name']! }));
    expect(pods.map((p) => p.name).sort()).toEqual(Object.keys(PEERS_NEEDED).sort());

    for (const policy of policies) {
      const name = policy.metadata!.name!;
      // only wfm-stream's pods, and some of them: no policy is dead
      expect(policy.spec?.podSelector.matchLabels?.['app.kubernetes.io/part-of'], name).toBe(
        'wfm-stream',
      );
      expect(
        pods.some((p) => selects(policy.spec?.podSelector, p.labels)),
        name,
      ).toBe(true);
      // a rule without peers or ports would allow everyone, or every port
      for (const rule of [...(policy.spec?.ingress ?? []), ...(policy.spec?.egress ?? [])]) {
        const peers = 'from' in rule ? rule.from : (rule as { to?: unknown[] }).to;
        expect(peers?.length, `${name}: a rule without peers`).toBeGreaterThan(0);
        expect(rule.ports?.length, `${name}: a rule without ports`).toBeGreaterThan(0);
      }
    }

    for (const pod of pods) {
      const selecting = policies.filter((p) => selects(p.spec?.podSelector, pod.labels));
      const types = new Set(selecting.flatMap((p) => p.spec?.policyTypes ?? []));
      expect([...types].sort(), `${pod.name}: denied by default both ways`).toEqual([
        'Egress',
        'Ingress',
      ]);
      const only = (type: 'Ingress' | 'Egress') =>
        selecting.filter((p) => p.spec?.policyTypes?.includes(type));

      // ingress: the service's own port, from the peers it serves; a Job: nothing
      const ingress = only('Ingress').flatMap((p) => p.spec?.ingress ?? []);
      const containerPort = (port: number | string | undefined) =>
        typeof port === 'number'
          ? port
          : pod.container.ports?.find((p) => p.name === port)?.containerPort;
      const { variables } = environment(
        jobs.some((j) => j.metadata?.labels?.['app.kubernetes.io/name'] === pod.name)
          ? rebuild
          : example,
        pod.container,
      );
      if (INGRESS_FROM[pod.name] === undefined) {
        expect(ingress, `${pod.name} serves nothing`).toEqual([]);
      } else {
        const port = Number(variables.get('HTTP_PORT')?.value);
        expect(
          [...new Set(ingress.flatMap((r) => (r.ports ?? []).map((p) => containerPort(p.port))))],
          `${pod.name}: ingress ports`,
        ).toEqual([port]);
        expect(
          ingress
            .flatMap((r) => r.from ?? [])
            .every((peer) => peer.ipBlock === undefined && peer.podSelector === undefined),
          `${pod.name}: whole namespaces`,
        ).toBe(true);
        expect(
          [
            ...new Set(
              ingress.flatMap((r) =>
                (r.from ?? []).map(
                  (f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'],
                ),
              ),
            ),
          ].sort(),
          `${pod.name}: ingress from`,
        ).toEqual([...INGRESS_FROM[pod.name]!].sort());
      }

      // egress: exactly the destinations its settings name
      const egress = only('Egress').flatMap((p) => p.spec?.egress ?? []);
      const needed = destinations(PEERS_NEEDED[pod.name]!, variables);
      for (const to of needed)
        expect(
          egress.some(
            (r) =>
              (r.ports ?? []).some(
                (p) => p.port === to.port && (p.protocol ?? 'TCP') === to.protocol,
              ) && (r.to ?? []).some((peer) => peerReaches(peer, to)),
          ),
          `${pod.name}: ${to.what} on ${to.port}/${to.protocol} (${to.namespace ?? 'outside the cluster'})`,
        ).toBe(true);
      const allowed = new Set(
        egress.flatMap((r) =>
          (r.ports ?? []).map((p) => `${String(p.port)}/${p.protocol ?? 'TCP'}`),
        ),
      );
      expect([...allowed].sort(), `${pod.name}: egress ports`).toEqual(
        [...new Set(needed.map((d) => `${d.port}/${d.protocol}`))].sort(),
      );
    }

    // the services' needs are those their settings say
    for (const service of SERVICES) {
      const settings = settingsOf(service)!;
      const needs = PEERS_NEEDED[service]!;
      expect(needs.includes('kafka'), `${service}: Kafka`).toBe(settings.has('KAFKA_BROKERS'));
      expect(needs.includes('redis'), `${service}: Redis`).toBe(settings.has('REDIS_URL'));
      expect(needs.includes('wfm'), `${service}: the WFM`).toBe(
        settings.has('WFM_STATUS_URL') || settings.has('EXPORT_TARGETS'),
      );
      if (needs.includes('schema-registry'))
        expect(settings.has('SCHEMA_REGISTRY_URL'), service).toBe(true);
    }
  });

  it("runs `wfm-stream topics ensure` from its own overlay, with the aggregators' image and settings", () => {
    expect(topics.filter((o) => o.kind !== 'Job')).toEqual(example);
    const jobs = ofKind<IJob>(topics, 'Job');
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    const pod = job.spec!.template.spec!;
    const container = pod.containers[0]!;
    const { aggregator, aggregatorPod, aggregatorContainer } = rebuildJob(rebuild);
    expect(job.metadata?.name).toBe(`${aggregator.metadata!.name!}-topics`);
    expect(job.metadata?.namespace).toBe(aggregator.metadata?.namespace);
    expect(container.command).toEqual(['node', 'services/cli/dist/main.js', 'topics', 'ensure']);
    expect(cliCommand('topics', 'ensure')).toBeDefined();
    expect(container.image).toBe(aggregatorContainer.image);
    expect(container.envFrom).toEqual(aggregatorContainer.envFrom);
    expect(pod.serviceAccountName).toBe(aggregatorPod.serviceAccountName);
    expectRestricted(pod, container, 'topics');
    expect(pod.restartPolicy).toBe('Never');
    // the layout it asks for is one the topics' own validation accepts
    const env = Object.fromEntries((container.env ?? []).map((v) => [v.name, v.value ?? '']));
    expect(() => loadConfig(z.object(topicLayoutSettings), env)).not.toThrow();
    expect(PARTITIONS[DEFAULT_TOPICS.contacts]).toBe(Number(env.TOPIC_PARTITIONS));
  });
});
