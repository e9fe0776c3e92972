#!/usr/bin/env node
// The `wfm-stream` command (`npx wfm-stream`). It is this committed file rather than
// dist/main.js so that `npm ci` on a fresh clone, which runs before the first build, can
// link it into node_modules/.bin.
import process from 'node:process';

try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js'))
    throw error;
  process.stderr.write(
    'wfm-stream is not built yet: run `npm run build` (or `npm start`) first.\n',
  );
  process.exitCode = 2;
}
