import { fileURLToPath } from 'node:url';

export * from './protocol.js';

/**
 * The built dashboard (Vite, `npm run build`): `index.html` and hashed files under
 * `assets/`, which the reader serves at /dashboard (docs/dashboard.md).
 */
export function dashboardAssetsDir(): string {
  return fileURLToPath(new URL('../dist/web/', import.meta.url));
}
