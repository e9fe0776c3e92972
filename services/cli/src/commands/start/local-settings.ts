import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Where a WFM takes status pushes (ARGUS WFM CC API §4.1; docs/api.md). */
export const WFM_STATUS_PATH = '/ccwfm/api/rest/status';

/**
 * The local stack's export targets: both JSON flavours posted to the WFM sink, and the
 * Calabrio queue file and the JSON file drop written under the state directory.
 */
export function localExportTargets(sinkUrl: string, exportDir: string): object[] {
  return [
    { name: 'calabrio', kind: 'calabrio-json', url: `${sinkUrl}/calabrio` },
    { name: 'pipkins', kind: 'pipkins-json', url: `${sinkUrl}/pipkins` },
    {
      name: 'calabrio-file',
      kind: 'calabrio-queue-file',
      directory: path.join(exportDir, 'calabrio'),
    },
    { name: 'drop', kind: 'file-drop', directory: path.join(exportDir, 'drop') },
  ];
}

/**
 * Credentials for the local reader: the caller's READER_* settings when given, else a
 * fresh API key. Returns the reader's environment and the headers a client must send.
 */
export function localReaderAccess(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  headers: Record<string, string>;
} {
  const mode = env.READER_AUTH ?? 'api-key';
  if (mode === 'none') return { env: {}, headers: {} };
  if (mode === 'basic') {
    const user = (env.READER_BASIC_USERS ?? '').split(',')[0] ?? '';
    return { env: {}, headers: { Authorization: `Basic ${Buffer.from(user).toString('base64')}` } };
  }
  const configured = (env.READER_API_KEYS ?? '').split(',')[0]?.trim() ?? '';
  const key = configured === '' ? randomBytes(18).toString('base64url') : configured;
  return { env: configured === '' ? { READER_API_KEYS: key } : {}, headers: { 'X-API-Key': key } };
}
