import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { REPO_DIR } from '@wfm-stream/cli';
import { describe, expect, it } from 'vitest';

/**
 * Comments and docs cite the project's own docs, and only sections that exist. A citation
 * names a Markdown file and one of its headings, written in one of these ways:
 *
 * - the path, then the heading in quotes: docs/api.md, "Errors" (or without the comma, or
 *   with the heading in parentheses; the path may be a Markdown link, and relative to the
 *   citing file or to the repository);
 * - a link to a heading's anchor: docs/api.md#errors, [Errors](api.md#errors), (#errors);
 * - within one Markdown file: see "Errors" below (or above).
 *
 * Nothing may point at documents that are not in the repository: the product
 * specification and the integration documents it was written from are known here by the
 * docs that state their rules (docs/api.md names the ARGUS WFM CC API where it is meant).
 */

const tracked: readonly string[] = trackedFiles();
const SELF = 'test/src/docs/citations.unit.spec.ts';

/** Texts outside the repository that a file must not cite (built so that this file does not). */
const FOREIGN: readonly { what: string; pattern: RegExp }[] = [
  { what: 'the product specification', pattern: new RegExp(['SPEC', '(§|\\.md)'].join('\\s*')) },
  { what: 'a seed document', pattern: new RegExp(['\\bseeds?', '§'].join('\\s*'), 'i') },
  { what: 'a seed document', pattern: new RegExp(['seeds', '(argus|iservice)'].join('/'), 'i') },
  {
    what: 'a file outside the repository',
    pattern: new RegExp(['\\.\\.', 'shared', ''].join('/')),
  },
];

describe('citations in comments and docs', () => {
  it('finds the tracked files', () => {
    expect(tracked).toContain('docs/api.md');
    expect(tracked).toContain(SELF);
  });

  it('never point at documents outside the repository', () => {
    const found: string[] = [];
    for (const file of tracked) {
      const text = readText(file);
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        for (const { what, pattern } of FOREIGN)
          if (pattern.test(line)) found.push(`${file}:${i + 1} cites ${what}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('name headings that exist', () => {
    // this file's own examples are fixtures of the parser, not citations
    const citations = tracked.filter((f) => f !== SELF).flatMap((file) => citationsIn(file));
    // the patterns are in use: a change that stops parsing them fails here
    expect(citations.filter((c) => c.kind === 'heading').length).toBeGreaterThan(40);
    expect(citations.filter((c) => c.kind === 'anchor').length).toBeGreaterThan(80);
    const broken = citations.flatMap((c) => {
      const problem = check(c);
      return problem === undefined ? [] : [`${c.file}:${c.line} ${c.text}: ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it('tell a heading that exists from one that does not', () => {
    const cite = (text: string): Citation[] => parseCitations('libs/x/src/y.ts', text);
    const [good] = cite('/** per group (docs/api.md, "GET /historic/serviceGroupData"). */');
    const [wrapped] = cite(' * (docs/architecture.md,\n * "The emitter"): claims');
    const [missing] = cite('// docs/api.md "No such section"');
    const [anchor] = cite('see docs/security.md#what-is-bounded');
    const [badAnchor] = cite('see docs/security.md#what-is-unbounded');
    expect(
      [good, wrapped, missing, anchor, badAnchor].map((c) =>
        c === undefined ? 'not parsed' : check(c),
      ),
    ).toEqual([
      undefined,
      undefined,
      'docs/api.md has no heading "No such section"',
      undefined,
      'docs/security.md has no heading with the anchor #what-is-unbounded',
    ]);
  });
});

interface Citation {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly kind: 'heading' | 'anchor';
  /** The cited file, relative to the repository (the citing file itself when none is named). */
  readonly target: string | undefined;
  readonly name: string;
}

/** Quoted heading after a Markdown path (optionally a link, optionally in parentheses). */
const HEADING_CITATION =
  /(?<path>[\w./-]*\w\.md)(?:\]\([^)\s]*\))?(?:,\s*|\s+)\(?"(?<name>[^"\n]{2,100})"/g;
/** A Markdown path with an anchor, or a link to an anchor of the same file. */
const ANCHOR_CITATION = /(?<path>[\w./-]*\w\.md)?#(?<name>[a-z0-9][a-z0-9_-]*)/g;
const ANCHOR_LINK = /\]\((?<href>[^)\s]*)\)/g;
const SAME_FILE_CITATION = /"(?<name>[^"\n]{2,100})" (below|above)/g;

function citationsIn(file: string): Citation[] {
  const text = readText(file);
  return text === undefined ? [] : parseCitations(file, text);
}

function parseCitations(file: string, text: string): Citation[] {
  const markdown = file.endsWith('.md');
  const joined = joinCommentLines(text, markdown);
  const lineAt = (index: number): number => joined.lines[index] ?? 0;
  const out: Citation[] = [];
  for (const m of joined.text.matchAll(HEADING_CITATION)) {
    const { path: cited = '', name = '' } = m.groups ?? {};
    if (isUrlPart(joined.text, m.index)) continue;
    out.push({
      file,
      line: lineAt(m.index),
      text: m[0],
      kind: 'heading',
      target: resolve(file, cited),
      name,
    });
  }
  // anchors: plain paths with #…, and the hrefs of Markdown links
  const anchorSources: { text: string; index: number }[] = [];
  for (const m of joined.text.matchAll(ANCHOR_LINK))
    anchorSources.push({ text: m.groups?.href ?? '', index: m.index });
  for (const m of joined.text.matchAll(/[\w./-]*\w\.md#[a-z0-9][a-z0-9_-]*/g))
    if (joined.text[m.index - 1] !== '(' && !isUrlPart(joined.text, m.index))
      anchorSources.push({ text: m[0], index: m.index });
  for (const source of anchorSources) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(source.text)) continue; // https:, mailto:, …
    const m = [...source.text.matchAll(ANCHOR_CITATION)][0];
    if (m?.index !== 0) continue;
    const { path: cited, name = '' } = m.groups ?? {};
    if (cited === undefined && !markdown) continue;
    out.push({
      file,
      line: lineAt(source.index),
      text: source.text,
      kind: 'anchor',
      target: cited === undefined ? file : resolve(file, cited),
      name,
    });
  }
  if (markdown)
    for (const m of joined.text.matchAll(SAME_FILE_CITATION))
      out.push({
        file,
        line: lineAt(m.index),
        text: m[0],
        kind: 'heading',
        target: file,
        name: m.groups?.name ?? '',
      });
  return out;
}

function check(c: Citation): string | undefined {
  if (c.target === undefined) return 'the cited file is not in the repository';
  const headings = headingsOf(c.target);
  if (c.kind === 'heading')
    return headings.some((h) => normalise(h) === normalise(c.name))
      ? undefined
      : `${c.target} has no heading "${c.name}"`;
  return anchorsOf(headings).has(c.name)
    ? undefined
    : `${c.target} has no heading with the anchor #${c.name}`;
}

/** A cited path, relative to the citing file or else to the repository; undefined when neither exists. */
function resolve(from: string, cited: string): string | undefined {
  const candidates = [
    path.posix.join(path.posix.dirname(from), cited),
    path.posix.normalize(cited),
  ];
  return candidates.find((c) => tracked.includes(c));
}

/** The text of the headings of a Markdown file, outside code blocks. */
function headingsOf(file: string): string[] {
  const text = readText(file) ?? '';
  const out: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}

/** The anchors GitHub gives headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchorsOf(headings: readonly string[]): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const heading of headings) {
    const base = heading
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function normalise(heading: string): string {
  return heading.replace(/[`*]/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** True when the match at `index` is part of a URL (https://…/README.md "…"). */
function isUrlPart(text: string, index: number): boolean {
  const start = text.lastIndexOf(' ', index) + 1;
  return /^[("'<[]*[a-z][a-z0-9+.-]*:\/\//i.test(text.slice(start, index + 1));
}

/**
 * The text with each line break, and the comment marker that continues the comment on the
 * next line (`*`, `//`, `--`, `#`), turned into one space, so that a citation wrapped over
 * two comment lines reads as one. `lines[i]` is the line of character `i`.
 */
function joinCommentLines(text: string, markdown: boolean): { text: string; lines: number[] } {
  const marker = markdown ? /^[ \t]*/ : /^[ \t]*(\*(?!\/)|\/\/|--|#)?[ \t]*/;
  let out = '';
  const lines: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i === 0 ? raw : raw.replace(marker, '');
    if (i > 0) {
      out += ' ';
      lines.push(i + 1);
    }
    out += line;
    const from = lines.length;
    lines.length = from + line.length;
    lines.fill(i + 1, from);
  });
  return { text: out, lines };
}

const TEXT_FILE =
  /\.(ts|tsx|mts|cts|js|mjs|cjs|json|md|lua|ya?ml|sh|css|html|txt|xml|properties|conf|toml|ini|env|dockerfile)$|(^|\/)(Dockerfile|run|[^./]+)$/i;

function readText(file: string): string | undefined {
  if (!TEXT_FILE.test(file) || file.endsWith('package-lock.json')) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(path.join(REPO_DIR, file), 'utf8');
  } catch {
    return undefined; // listed by git but deleted in the work tree
  }
  return text.includes('\u0000') ? undefined : text;
}

/** The files git tracks (and new ones not ignored), outside node_modules and build output. */
function trackedFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_DIR, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return [...new Set(listed.split('\u0000'))]
    .filter((f) => f !== '' && !/(^|\/)(node_modules|dist)\//.test(f))
    .sort();
}
