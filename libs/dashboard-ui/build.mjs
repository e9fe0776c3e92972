// Builds the dashboard into dist/web (hashed assets under dist/web/assets), unless it is
// already newer than every source file. `npm run build` and deploy/local/bootstrap.sh run it.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

import { build } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(root, 'dist', 'web');
const force = process.argv.includes('--force');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

const built = path.join(outDir, 'index.html');
const sources = Math.max(
  newest(path.join(root, 'src')),
  fs.statSync(path.join(root, 'index.html')).mtimeMs,
  fs.statSync(path.join(root, 'build.mjs')).mtimeMs,
);
if (!force && fs.existsSync(built) && fs.statSync(built).mtimeMs > sources) process.exit(0);

await build({
  root,
  configFile: false,
  base: '/dashboard/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
