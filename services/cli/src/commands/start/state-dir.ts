import fs from 'node:fs';
import path from 'node:path';

/** Where `start` keeps what it writes (`--state-dir`). */
export interface StateDir {
  readonly root: string;
  readonly logs: string;
  /** The endpoints file that scripts, tests and the other commands read. */
  readonly endpointsFile: string;
  /** Kafka's, or Apicurio Registry's, data. */
  readonly data: (server: 'kafka' | 'schema-registry') => string;
  /** The local file targets of the exporter. */
  readonly exports: string;
  readonly log: (name: string) => string;
}

/** Creates the state directory and its logs directory, and removes a stale endpoints file. */
export function prepareStateDir(dir: string): StateDir {
  const root = path.resolve(dir);
  const logs = path.join(root, 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const endpointsFile = path.join(root, 'endpoints.json');
  fs.rmSync(endpointsFile, { force: true });
  return {
    root,
    logs,
    endpointsFile,
    data: (server) => path.join(root, server),
    exports: path.join(root, 'exports'),
    log: (name) => path.join(logs, `${name}.log`),
  };
}
