import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * End-to-end tests start services as processes from their built output: build first
 * (incremental, a few seconds when nothing changed), the dashboard's page included.
 */
export function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['libs/dashboard-ui/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
