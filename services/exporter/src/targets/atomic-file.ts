import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

import { DeliveryError } from './types.js';

/**
 * Writes a file so that a reader sees either nothing or the whole of it: the content
 * goes to a hidden temporary file in the same directory, is flushed to disk, and is
 * renamed over the final name (atomic on one file system); then the directory is
 * flushed so the rename survives a crash. Readers should ignore names starting with `.`.
 */
export async function writeFileAtomic(
  directory: string,
  name: string,
  content: string,
): Promise<void> {
  const final = path.join(directory, name);
  const temporary = path.join(directory, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await fs.mkdir(directory, { recursive: true });
    const handle = await fs.open(temporary, 'w');
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, final);
  } catch (error) {
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw new DeliveryError(`cannot write ${final}: ${code}`, true, undefined, { cause: error });
  }
  const dir = await fs.open(directory, 'r').catch(() => undefined);
  if (dir === undefined) return;
  try {
    await dir.sync();
  } catch {
    // some file systems cannot flush a directory; the rename is done either way
  } finally {
    await dir.close();
  }
}
