// @ts-check
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

/**
 * Who may import whom (docs/architecture.md, "Where the code lives"): services → libs →
 * schemas, by the `type:` tags in each package.json (`nx.tags`). The `scope:` tags keep
 * what runs in production off the local stack, the test helpers and the stand-in WFM:
 * `scope:prod` code imports `scope:prod` packages only, and the CLI (`scope:cli`) may
 * import the local stack too (only its `start` command does, checked below). Nx checks
 * `onlyDependOnLibsWithTags` on each import, so tests get their own, wider set.
 */
const TYPES = [
  { sourceTag: 'type:schemas', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:schemas'] },
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:schemas'] },
  {
    sourceTag: 'type:test',
    onlyDependOnLibsWithTags: ['type:lib', 'type:schemas', 'type:service'],
  },
];
const PRODUCTION = [
  ...TYPES,
  { sourceTag: 'scope:prod', onlyDependOnLibsWithTags: ['scope:prod'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:prod', 'scope:local-stack'] },
  { sourceTag: 'scope:stand-in', onlyDependOnLibsWithTags: ['scope:prod'] },
  { sourceTag: 'scope:local-stack', onlyDependOnLibsWithTags: ['scope:prod'] },
  { sourceTag: 'scope:testing', onlyDependOnLibsWithTags: ['scope:prod', 'scope:local-stack'] },
];
/** Tests may use the test helpers and the local stack, and a service's tests the stand-in WFM. */
const TESTS = TYPES.map((c) =>
  c.sourceTag === 'type:service'
    ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:stand-in'] }
    : c,
);
const TEST_FILES = ['**/*.spec.ts', '**/src/testing/**'];

/** @param {typeof PRODUCTION} depConstraints */
function boundaries(depConstraints) {
  return { enforceBuildableLibDependency: false, allow: [], depConstraints };
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.build/**',
      '.wfm-stream/**',
      '.nx/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'simple-import-sort': simpleImportSort, '@nx': nx },
    rules: {
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unnecessary-condition': [
        'error',
        { allowConstantLoopConditions: true },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
        {
          selector: "CallExpression[callee.object.name='console']",
          message: 'Log through the injected logger.',
        },
      ],
      '@nx/enforce-module-boundaries': ['error', boundaries(PRODUCTION)],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': ['error', boundaries(TESTS)],
    },
  },
  {
    // the CLI's production commands never load the local stack: only `start` runs it
    files: ['services/cli/src/**/*.ts'],
    ignores: ['services/cli/src/commands/start/**', ...TEST_FILES],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@wfm-stream/local-stack',
              message:
                'Only `wfm-stream start` (services/cli/src/commands/start/) runs the local stack (docs/architecture.md, "Where the code lives").',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', 'vitest.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['vitest.config.ts', 'eslint.config.mjs'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  prettier,
);
