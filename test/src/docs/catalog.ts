import fs from 'node:fs';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { renderEventCatalog } from '@wfm-stream/schemas';

export const EVENTS_DOC = path.join(REPO_DIR, 'docs', 'events.md');
const START = '<!-- generated: event catalogue (npm run docs) -->';
const END = '<!-- end of generated catalogue -->';

/** docs/events.md with its generated section replaced by the current catalogue. */
export function withCurrentCatalog(text: string): string {
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`${EVENTS_DOC} lacks the generated-section markers`);
  return `${text.slice(0, start + START.length)}\n\n${renderEventCatalog()}\n${text.slice(end)}`;
}

export function writeCatalog(): void {
  fs.writeFileSync(EVENTS_DOC, withCurrentCatalog(fs.readFileSync(EVENTS_DOC, 'utf8')));
}
