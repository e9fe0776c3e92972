import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * The Java programs of the local stack (the Kafka broker, Apicurio Registry), fetched from
 * Maven Central by the small POMs in `deploy/local/` into a cache outside the repository,
 * once per version of the POM. A later run finds the cache complete and starts at once.
 */
export interface RuntimeSpec {
  /** Names the cache entry and the progress lines: `kafka`, `schema-registry`. */
  readonly name: string;
  /** What people read in the progress line. */
  readonly title: string;
  /** The POM, relative to the repository root. */
  readonly pom: string;
  /** Maven goals and properties; `{out}` is replaced with the output directory. */
  readonly goals: readonly string[];
  /** Unpack each `.tar.gz` Maven copied, then delete it. */
  readonly unpack: boolean;
}

export const KAFKA_RUNTIME: RuntimeSpec = {
  name: 'kafka',
  title: 'Apache Kafka',
  pom: 'deploy/local/kafka/pom.xml',
  goals: ['dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory={out}'],
  unpack: false,
};

export const SCHEMA_REGISTRY_RUNTIME: RuntimeSpec = {
  name: 'schema-registry',
  title: 'Apicurio Registry',
  pom: 'deploy/local/schema-registry/pom.xml',
  goals: ['dependency:copy', '-DoutputDirectory={out}'],
  unpack: true,
};

/** The repository root (this file is libs/local-stack/{src,dist}/java-runtime.*). */
const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));

/** `WFM_STREAM_CACHE_DIR`, else `$XDG_CACHE_HOME/wfm-stream`, else `~/.cache/wfm-stream`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env.WFM_STREAM_CACHE_DIR;
  if (explicit !== undefined && explicit !== '') return path.resolve(explicit);
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'wfm-stream');
}

/** Where a runtime lives: `<cache>/<name>-<version>-<hash of the POM>`. */
export function runtimeDir(spec: RuntimeSpec, env: NodeJS.ProcessEnv = process.env): string {
  const pom = fs.readFileSync(path.join(REPO_DIR, spec.pom));
  const version = /<version>([^<]+)<\/version>/.exec(
    pom.toString('utf8').replace(/<parent>[\s\S]*?<\/parent>/, ''),
  )?.[1];
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 10);
  return path.join(cacheRoot(env), `${spec.name}-${version ?? 'unversioned'}-${hash}`);
}

const COMPLETE = '.complete';

/** True when the runtime is in the cache and complete. */
export function isRuntimeCached(spec: RuntimeSpec, env: NodeJS.ProcessEnv = process.env): boolean {
  return fs.existsSync(path.join(runtimeDir(spec, env), COMPLETE));
}

/** What a fetch reports as it goes, for a progress line. */
export interface FetchProgress {
  readonly title: string;
  /** Files Maven has downloaded so far (the runtime's jars and Maven's own plugins). */
  readonly files: number;
  readonly bytes: number;
  /** The file being downloaded now, if any. */
  readonly current?: string | undefined;
  readonly elapsedMs: number;
}

export interface FetchOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly onProgress?: (progress: FetchProgress) => void;
}

const SIZE_UNITS: Readonly<Record<string, number>> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };

/** `Downloaded from central: https://…/x.jar (1.2 MB at 3.4 MB/s)` → its file name and bytes. */
export function parseMavenDownload(
  line: string,
): { kind: 'downloading' | 'downloaded'; file: string; bytes: number } | undefined {
  const m = /(Downloading|Downloaded) from [^:]+: (\S+)(?: \(([\d.]+) (B|kB|MB|GB))?/.exec(line);
  if (m === null) return undefined;
  const file = (m[2] ?? '').split('/').pop() ?? '';
  const bytes = m[3] === undefined ? 0 : Number(m[3]) * (SIZE_UNITS[m[4] ?? 'B'] ?? 1);
  return { kind: m[1] === 'Downloading' ? 'downloading' : 'downloaded', file, bytes };
}

async function runMaven(spec: RuntimeSpec, out: string, options: FetchOptions): Promise<void> {
  const started = Date.now();
  let files = 0;
  let bytes = 0;
  let current: string | undefined;
  const report = (): void =>
    options.onProgress?.({
      title: spec.title,
      files,
      bytes,
      current,
      elapsedMs: Date.now() - started,
    });
  const args = [
    '-B',
    '-f',
    path.join(REPO_DIR, spec.pom),
    ...spec.goals.map((g) => g.replace('{out}', out)),
  ];
  const child = spawn('mvn', args, {
    cwd: REPO_DIR,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    const download = parseMavenDownload(line);
    if (download === undefined) return;
    if (download.kind === 'downloading') {
      current = download.file;
    } else {
      files += 1;
      bytes += download.bytes;
      current = undefined;
    }
    report();
  };
  readline.createInterface({ input: child.stdout }).on('line', onLine);
  readline.createInterface({ input: child.stderr }).on('line', onLine);
  const ticker = setInterval(report, 1_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      const errors = tail.filter((l) => l.includes('ERROR')).slice(0, 5);
      throw new Error(
        `Maven could not fetch ${spec.title} (mvn ${args.join(' ')} exited with ${String(code)}):\n` +
          (errors.length > 0 ? errors : tail.slice(-10)).join('\n'),
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`Maven (mvn) is not installed; it fetches ${spec.title} from Maven Central`);
    throw error;
  } finally {
    clearInterval(ticker);
  }
}

async function unpackArchives(dir: string): Promise<void> {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.tar.gz'))) {
    const archive = path.join(dir, name);
    await new Promise<void>((resolve, reject) => {
      const tar = spawn('tar', ['-xzf', archive, '-C', dir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      tar.once('error', reject);
      tar.once('close', (code) => {
        if (code === 0) resolve();
        else reject(new Error(`could not unpack ${name}: ${stderr.trim()}`));
      });
    });
    fs.rmSync(archive);
  }
}

/**
 * The runtime's directory, fetching it first when the cache lacks it. Concurrent callers
 * are safe: each fetches into a directory of its own and renames it into place; the
 * first rename wins and the others discard theirs.
 */
export async function ensureRuntime(
  spec: RuntimeSpec,
  options: FetchOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const dir = runtimeDir(spec, env);
  if (fs.existsSync(path.join(dir, COMPLETE))) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = `${dir}.${process.pid}.${Date.now()}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const out = path.join(staging, spec.unpack ? 'app' : 'lib');
    await runMaven(spec, out, options);
    if (spec.unpack) await unpackArchives(out);
    fs.writeFileSync(path.join(staging, COMPLETE), `${new Date().toISOString()}\n`);
    if (!fs.existsSync(path.join(dir, COMPLETE))) {
      fs.rmSync(dir, { recursive: true, force: true });
      try {
        fs.renameSync(staging, dir);
      } catch (error) {
        if (!fs.existsSync(path.join(dir, COMPLETE))) throw error;
      }
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** One progress line: `Apache Kafka from Maven Central: 41 files, 43.1 MB, 7 s (kafka_2.13-4.1.1.jar)`. */
export function formatFetchProgress(progress: FetchProgress): string {
  const mb = (progress.bytes / 1e6).toFixed(1);
  const seconds = Math.round(progress.elapsedMs / 1000);
  const current = progress.current === undefined ? '' : ` (${progress.current})`;
  return `${progress.title} from Maven Central: ${progress.files} files, ${mb} MB, ${seconds} s${current}`;
}
