import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { type CallRecord, parseCallLog } from './call-log.js';

/** The bundled February 1999 call log (see data/README.md for its origin). */
export const BUNDLED_CALL_LOG = fileURLToPath(
  new URL('../data/anonymous-bank-1999-02.tsv', import.meta.url),
);

export function loadBundledCallLog(): CallRecord[] {
  return parseCallLog(readFileSync(BUNDLED_CALL_LOG, 'utf8'));
}
