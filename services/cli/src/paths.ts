import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `services/` directory (this file is services/cli/{src,dist}/paths.*). */
export const SERVICES_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** The repository root. */
export const REPO_DIR = path.resolve(SERVICES_DIR, '..');

/** The built entry point of a service. */
export function serviceEntry(service: string): string {
  return path.join(SERVICES_DIR, service, 'dist', 'main.js');
}
