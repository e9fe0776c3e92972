import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll } from 'vitest';

/**
 * A new directory under the system's temporary one (`<prefix>-XXXXXX`), removed after the
 * test file. Call it at the top of the file: after-hooks run last registered first, so the
 * file's own `afterAll` (stopping what writes there) runs before the directory goes.
 */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
