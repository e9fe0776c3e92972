/**
 * The call log bundled with this package: February 1999 at "Anonymous Bank" (see
 * data/README.md for what it is and where it comes from). The path is resolved from
 * this module, so it works from src/ and from dist/ alike.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { type CallRecord, parseCallLog } from './call-log.js';

/** Path of the bundled call log file. */
export const BUNDLED_CALL_LOG = fileURLToPath(
  new URL('../data/anonymous-bank-1999-02.tsv', import.meta.url),
);

/** Every row of the bundled call log (33,344 calls). */
export function loadBundledCallLog(): CallRecord[] {
  return parseCallLog(readFileSync(BUNDLED_CALL_LOG, 'utf8'));
}
