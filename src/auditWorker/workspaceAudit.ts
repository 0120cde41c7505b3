// Audit Workspace inside the worker: the host sends batches of paths, the worker reads the files itself, compares
// each with its Git HEAD version and answers once per batch — no per-file round trip, no TextDocument per file.
// Git HEAD is read as a tree once (blob ids), so an unchanged file costs one hash and is never read from Git. The
// files' earlier versions (lint's history evidence, as `prompt-cache-audit lint` reads them) come from one git walk
// per repository, started when the files are listed.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import fg from 'fast-glob';
import type { HistoryVersion } from '../core/lint';
import { DEFAULT_HISTORY_MAX, readFileHistories, runGit } from '../core/versions/git';
import { decodeVersionText } from '../core/versions/index';
import { isPromptPath, type PromptFilePatterns } from '../core/promptFiles';
import { looksBinary } from '../core/text';
import { fullAudit, unchangedAudit } from './coreBridge';
import type { AuditSettings, WorkspaceBaseline, WorkspaceFile, WorkspaceFileResult } from './protocol';

interface HeadTree {
  root: string;
  /** Repository-relative path → blob id at HEAD. */
  blobs: Map<string, string>;
  head: string;
}

/** HEAD trees of the repositories seen in this audit, by repository root; kept for a few seconds (one audit). */
const trees = new Map<string, { at: number; tree: Promise<HeadTree | null> }>();
const TREE_TTL_MS = 15_000;
/** Repository root of each directory seen (found on disk: no git process per directory). */
const roots = new Map<string, string | null>();

function repositoryRoot(dir: string): string | null {
  const hit = roots.get(dir);
  if (hit !== undefined) return hit;
  // `.git` is a directory, or a file in worktrees and submodules.
  const parent = path.dirname(dir);
  const root = existsSync(path.join(dir, '.git')) ? dir : parent === dir ? null : repositoryRoot(parent);
  roots.set(dir, root);
  return root;
}

async function headTreeFor(dir: string): Promise<HeadTree | null> {
  const root = repositoryRoot(dir);
  if (!root) return null;
  const now = Date.now();
  const hit = trees.get(root);
  if (hit && now - hit.at < TREE_TTL_MS) return hit.tree;
  const tree = (async () => {
    try {
      // The core's hardened git (absolute binary, no lazy fetch, no programs from the repository's config). ls-tree
      // reads objects only: no index refresh, no hooks, no fsmonitor.
      const [headOut, treeOut] = await Promise.all([runGit(['rev-parse', '--short', 'HEAD'], root), runGit(['ls-tree', '-r', '-z', '--full-tree', 'HEAD'], root)]);
      const head = headOut.toString('utf8');
      const out = treeOut.toString('utf8');
      const blobs = new Map<string, string>();
      for (const rec of out.split('\0')) {
        const tab = rec.indexOf('\t');
        if (tab < 0) continue;
        const [, type, id] = rec.slice(0, tab).split(' ');
        if (type === 'blob') blobs.set(rec.slice(tab + 1), id);
      }
      return { root, blobs, head: head.trim() };
    } catch {
      return null; // no commits yet, or no git: every file is compared with nothing
    }
  })();
  trees.set(root, { at: now, tree });
  return tree;
}

/** Earlier versions by file, read for a listing or a batch; kept as long as the HEAD trees, a little longer. */
const histories = new Map<string, { at: number; versions: Promise<readonly HistoryVersion[]> }>();
const HISTORY_TTL_MS = 30_000;
/** Aborts the git processes of the history reads in flight (Audit Workspace cancelled). */
let historyReads = new AbortController();

/** Stops the history walks in flight and forgets what they would have read: the next audit reads again. */
export function stopHistoryReads(): void {
  historyReads.abort();
  historyReads = new AbortController();
  histories.clear();
}

/**
 * The earlier versions of each file: one batched read (readFileHistories, the CLI's) for those not read in the
 * last seconds. Never rejects: history only adds evidence.
 */
export function historiesFor(files: readonly string[]): Map<string, Promise<readonly HistoryVersion[]>> {
  const now = Date.now();
  for (const [k, v] of histories) if (now - v.at > HISTORY_TTL_MS) histories.delete(k);
  const missing = files.filter((f) => !histories.has(f));
  if (missing.length) {
    const read = readFileHistories(missing, { max: DEFAULT_HISTORY_MAX, signal: historyReads.signal }).catch(() => new Map<string, HistoryVersion[]>());
    for (const f of missing) histories.set(f, { at: now, versions: read.then((m) => m.get(f) ?? []) });
  }
  return new Map(files.map((f) => [f, histories.get(f)!.versions]));
}

/**
 * The prompt files under each folder by the include/exclude settings, globbed here as the CLI globs (fast-glob): one
 * walk per folder, dot folders included (.github/copilot-instructions.md), symlinks not followed, sorted.
 */
export async function listPromptFiles(folders: readonly string[], patterns: PromptFilePatterns, options: { forAudit?: boolean } = {}): Promise<string[]> {
  const out = new Set<string>();
  for (const folder of folders) {
    const found = await fg([...patterns.include], { cwd: folder, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/.git/**'], suppressErrors: true });
    for (const rel of found) if (isPromptPath(rel, patterns)) out.add(path.join(folder, rel));
  }
  const files = [...out].sort((a, b) => a.localeCompare(b));
  // Audit Workspace asks for these next: their history is read meanwhile, in one walk per repository.
  if (options.forAudit) historiesFor(files);
  return files;
}

function gitBlobId(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

let rootsSince = 0;

export async function auditWorkspaceFiles(files: readonly WorkspaceFile[], baseline: WorkspaceBaseline, settings: AuditSettings): Promise<WorkspaceFileResult[]> {
  // Repositories can appear (git init) between audits: the directory → root cache lives as long as the trees.
  if (Date.now() - rootsSince > TREE_TTL_MS) {
    roots.clear();
    rootsSince = Date.now();
  }
  // Reads overlap (a few at a time); the audits themselves run one after another on this thread.
  const out: WorkspaceFileResult[] = new Array(files.length);
  const history = historiesFor(files.map((f) => f.path));
  let next = 0;
  const lane = async () => {
    while (next < files.length) {
      const i = next++;
      out[i] = await auditOne(files[i], baseline, settings, history.get(files[i].path)!);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return out;
}

async function auditOne(f: WorkspaceFile, baseline: WorkspaceBaseline, settings: AuditSettings, historyRead: Promise<readonly HistoryVersion[]>): Promise<WorkspaceFileResult> {
  const base = { path: f.path, relativePath: f.relativePath };
  try {
    let bytes: Uint8Array | undefined;
    let text = f.text;
    if (text === undefined) {
      const st = await stat(f.path);
      if (!st.isFile()) return { ...base, error: 'not a regular file' };
      if (settings.maxFileBytes !== undefined && st.size > settings.maxFileBytes) return { ...base, error: 'larger than promptCache.maxFileSizeMB' };
      bytes = await readFile(f.path);
      // The same checks and words as the CLI's (src/cli/io.ts).
      if (looksBinary(bytes)) return { ...base, error: 'binary file, not a text prompt' };
      try {
        // A BOM is kept, as the CLI reads a file (src/cli/io.ts): the lint rule that flags it sees it.
        text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        return { ...base, error: 'not valid UTF-8 text' };
      }
    } else if (text.slice(0, 8192).includes('\0')) {
      return { ...base, error: 'binary file, not a text prompt' };
    }
    // The whole path, as the CLI names it: formats known by their folder (.github/agents/*.md) and the workspace
    // folder that templates' includes are read from follow from it.
    const fileName = f.path;
    const history = await historyRead;
    let old: { text: string; label: string; fileName?: string } | null = null;
    let untracked = false;
    if (f.baselineText !== undefined) old = f.baselineText;
    else if (baseline === 'gitHead') {
      const tree = await headTreeFor(path.dirname(f.path));
      if (tree) {
        const rel = path.relative(tree.root, f.path).split(path.sep).join('/');
        const blob = tree.blobs.get(rel);
        const label = `HEAD (${tree.head})`;
        untracked = !blob;
        if (!blob) old = { text: '', label: 'nothing committed yet (untracked file)' };
        else if (bytes && f.text === undefined && gitBlobId(bytes) === blob) old = { text, label };
        else old = { text: matchBom(decodeVersionText(await runGit(['cat-file', 'blob', blob], tree.root), `${rel} at HEAD`), text), label };
      }
    }
    if (old === null) return { ...base, diff: unchangedAudit(text, fileName, settings, history), baselineLabel: 'itself (no baseline)' };
    let diff = old.text === text
      ? unchangedAudit(text, fileName, settings, history)
      : fullAudit({ oldSource: old.text, newSource: text, fileName, oldFileName: old.fileName, settings, history });
    // A file never committed has no previous version for the drift rules (as `lint --against HEAD` has none).
    if (untracked && old.text !== text) diff = { ...diff, findings: unchangedAudit(text, fileName, settings, history).findings };
    return { ...base, diff: slim(diff), baselineLabel: old.label };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...base, error: 'no such file' };
    if (code === 'EACCES' || code === 'EPERM') return { ...base, error: 'permission denied' };
    return { ...base, error: e instanceof Error ? e.message : String(e) };
  }
}

/** `git show` keeps a BOM the editor hides: compare like the editor (see extension/baselines.ts matchBom). */
function matchBom(baseline: string, text: string): string {
  return baseline.charCodeAt(0) === 0xfeff && text.charCodeAt(0) !== 0xfeff ? baseline.slice(1) : baseline;
}

/** What a row and the Problems view need: drop the excerpts and rendered offsets. */
function slim<T extends { excerpt?: unknown; renderedOffset?: unknown }>(diff: T): T {
  const { excerpt: _e, renderedOffset: _r, ...rest } = diff;
  return rest as T;
}
