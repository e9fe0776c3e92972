import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Test levels by file name (`*.unit.spec.ts`, `*.int.spec.ts`, `*.e2e.spec.ts`), each
 * its own project and npm script. Workspace packages resolve to their TypeScript sources
 * (the `@wfm-stream/source` export condition), so tests need no build — except e2e
 * tests that start services as processes, which run the built output.
 */
const conditions = ['@wfm-stream/source', ...defaultServerConditions];
const stackSetup = ['libs/testing/src/global-setup.ts'];
const setupFiles = ['libs/testing/src/no-console.ts'];
const exclude = ['**/node_modules/**', '**/dist/**'];
/** Tests that start services from their built output, one file at a time. */
const endToEnd = {
  exclude,
  setupFiles,
  globalSetup: ['test/src/build.global-setup.ts', ...stackSetup],
  testTimeout: 120_000,
  hookTimeout: 120_000,
  fileParallelism: false,
};
/**
 * The end-to-end suites that run again on a Redis Cluster (project `cluster`, `npm run
 * test:e2e:cluster`): the global setup starts a cluster of three masters and three
 * replicas with a password and TLS (docs/architecture.md, "Redis Cluster").
 */
const clusterSuites = [
  // historic
  'test/src/pipeline.e2e.spec.ts',
  'test/src/replay-reconciliation.e2e.spec.ts',
  'libs/store/src/contacts/month-slots.int.spec.ts',
  // online
  'services/reader/src/online.int.spec.ts',
  // emitter
  'services/emitter/src/emitter.int.spec.ts',
  // export
  'services/exporter/src/exporter.int.spec.ts',
  'services/exporter/src/scheduler.int.spec.ts',
  'services/exporter/src/delivery.int.spec.ts',
  // rebuild
  'test/src/rebuild.e2e.spec.ts',
  'test/src/rebuild-from.e2e.spec.ts',
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['**/*.unit.spec.ts'], exclude, setupFiles },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['**/*.int.spec.ts'],
          exclude,
          setupFiles,
          globalSetup: stackSetup,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['**/*.e2e.spec.ts'], ...endToEnd },
      },
      {
        extends: true,
        test: { name: 'cluster', include: clusterSuites, ...endToEnd },
      },
    ],
  },
});
