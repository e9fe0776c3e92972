import fs from 'node:fs';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { describe, expect, it } from 'vitest';

/**
 * docs/architecture.md, "Where the code lives": its table names every workspace folder
 * and every folder of deploy/, and for each package its Nx tags (what eslint.config.mjs
 * enforces) and the workspace packages it depends on (`dependencies`, and after "tests:"
 * its `devDependencies`).
 */

const DOC = 'docs/architecture.md';
const SCOPE = '@wfm-stream/';

interface Row {
  readonly folder: string;
  readonly tags: readonly string[];
  readonly imports: readonly string[];
  readonly testImports: readonly string[];
}

interface Workspace {
  readonly folder: string;
  readonly name: string;
  readonly tags: readonly string[];
  readonly dependencies: readonly string[];
  readonly devDependencies: readonly string[];
}

const rows = folderTable(fs.readFileSync(path.join(REPO_DIR, DOC), 'utf8'));
const workspaces = workspaceFolders();

describe(`${DOC}, "Where the code lives"`, () => {
  it('parses the table', () => {
    expect(rows.length).toBeGreaterThan(20);
  });

  it('lists every workspace folder and every folder of deploy/, and nothing else', () => {
    const deploy = fs
      .readdirSync(path.join(REPO_DIR, 'deploy'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `deploy/${e.name}`);
    const expected = [...workspaces.map((w) => w.folder), ...deploy].sort();
    expect(rows.map((r) => r.folder).sort()).toEqual(expected);
  });

  it("gives each package's tags", () => {
    const byFolder = new Map(rows.map((r) => [r.folder, r.tags]));
    expect(workspaces.map((w) => ({ folder: w.folder, tags: byFolder.get(w.folder) }))).toEqual(
      workspaces.map((w) => ({ folder: w.folder, tags: w.tags })),
    );
  });

  it("gives each package's workspace dependencies", () => {
    const byFolder = new Map(rows.map((r) => [r.folder, r]));
    const listed = workspaces.map((w) => {
      const row = byFolder.get(w.folder);
      return { folder: w.folder, imports: row?.imports, testImports: row?.testImports };
    });
    const actual = workspaces.map((w) =>
      // test/ depends on everything: its row says so rather than listing it
      w.folder === 'test'
        ? { folder: w.folder, imports: ['every package above'], testImports: [] }
        : { folder: w.folder, imports: w.dependencies, testImports: w.devDependencies },
    );
    expect(listed).toEqual(actual);
  });
});

/** The rows of the table under "Where the code lives". */
function folderTable(text: string): Row[] {
  const section = text.split(/^## /m).find((s) => s.startsWith('Where the code lives'));
  if (section === undefined) return [];
  const out: Row[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([^`]+)\/`$/.exec(cells[1] ?? '')?.[1];
    if (folder === undefined || cells.length < 6) continue;
    const [imports = '', testImports = ''] = (cells[4] ?? '').split('· tests:');
    out.push({
      folder,
      tags: names(cells[2] ?? ''),
      imports: imports.trim() === 'every package above' ? ['every package above'] : names(imports),
      testImports: names(testImports),
    });
  }
  return out;
}

/** The backquoted names of a cell, sorted. */
function names(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '').sort();
}

/** The folders of the root package.json's workspaces (`dir` or `dir/*`), with their package.json. */
function workspaceFolders(): Workspace[] {
  const root = readJson('package.json') as { workspaces: string[] };
  const folders = root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const dir = pattern.slice(0, -2);
    return fs
      .readdirSync(path.join(REPO_DIR, dir), { withFileTypes: true })
      .filter(
        (e) => e.isDirectory() && fs.existsSync(path.join(REPO_DIR, dir, e.name, 'package.json')),
      )
      .map((e) => `${dir}/${e.name}`);
  });
  return folders.sort().map((folder) => {
    const pkg = readJson(`${folder}/package.json`) as {
      name: string;
      nx?: { tags?: string[] };
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const ours = (deps: Record<string, string> | undefined): string[] =>
      Object.keys(deps ?? {})
        .filter((d) => d.startsWith(SCOPE))
        .map((d) => d.slice(SCOPE.length))
        .sort();
    return {
      folder,
      name: pkg.name,
      tags: [...(pkg.nx?.tags ?? [])].sort(),
      dependencies: ours(pkg.dependencies),
      devDependencies: ours(pkg.devDependencies),
    };
  });
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(REPO_DIR, file), 'utf8'));
}
