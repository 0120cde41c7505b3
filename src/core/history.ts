// Git history of one prompt file: every commit that touched it (following renames), the cache effect of
// each consecutive pair of versions, and which regions churn most.
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { auditVersions, type AuditOptions } from './audit';
import { gitEnvironment, resolveGitBinary } from './gitBinary';
import type { ChurnRegion, HistoryEntry, HistoryResult, LineChurn, PromptVersion } from './types';

export class HistoryError extends Error {
  constructor(
    message: string,
    readonly code: 'not-a-repo' | 'git-missing' | 'never-committed' | 'not-found' | 'git-failed',
  ) {
    super(message);
    this.name = 'HistoryError';
  }
}

export interface HistoryOptions extends Omit<AuditOptions, 'fileName' | 'oldFileName'> {
  /** At most this many most recent versions (commits). */
  max?: number;
  /** Add the working copy as a last version when it differs from the newest commit. */
  includeWorkingTree?: boolean;
}

/** The `commit` of the working-copy pseudo-version. */
export const WORKING_TREE = 'WORKING-TREE';

const SEP = '\x1f';

/**
 * simple-git with settings that keep a cloned repository from running programs or reaching the network while we
 * read it: no signature verification (log.showSignature would run gpg.program); git resolved to an absolute path
 * from PATH (never a `git.exe` planted in the repository, which Windows would otherwise find first); and
 * GIT_NO_LAZY_FETCH=1 so a partial clone does not fetch missing objects. We only run log, show and rev-parse,
 * which touch neither the index (fsmonitor) nor hooks, pagers or filters. Throws HistoryError('git-missing')
 * when no git is on PATH.
 */
export function safeGit(baseDir: string): SimpleGit {
  const binary = resolveGitBinary();
  if (!binary) throw new HistoryError('git is not installed (or not on PATH)', 'git-missing');
  const { env, unsafe } = gitEnvironment();
  // simple-git only accepts binaries made of [A-Za-z0-9/.\\_~-] unless allowUnsafeCustomBinary is set (and then
  // warns on the console each time). `binary` is the absolute path we resolved ourselves, never user or
  // repository input, so a path with spaces (C:\Program Files\Git\cmd\git.exe) is allowed without the warning.
  const plain = /^([a-z]:)?([a-z0-9/.\\_~-]+)$/i.test(binary);
  const make = () => simpleGit({ baseDir, binary, config: ['log.showSignature=false'], unsafe: { ...unsafe, allowUnsafeCustomBinary: !plain } });
  return (plain ? make() : withoutConsoleWarn(make)).env(env);
}

function withoutConsoleWarn<T>(f: () => T): T {
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    return f();
  } finally {
    console.warn = warn;
  }
}

/** Commits that touched a file, oldest first, with the file's path in each commit. */
export async function listVersions(file: string, max?: number): Promise<{ root: string; versions: PromptVersion[]; git: SimpleGit }> {
  const abs = path.resolve(file);
  const dir = existsSync(abs) && statSync(abs).isDirectory() ? abs : path.dirname(abs);
  if (!existsSync(dir)) throw new HistoryError(`${file}: no such file or directory`, 'not-found');
  let root: string;
  try {
    root = (await safeGit(dir).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch (e) {
    if (e instanceof HistoryError) throw e;
    const msg = (e as Error).message ?? String(e);
    if (/ENOENT|spawn git/i.test(msg)) throw new HistoryError('git is not installed (or not on PATH)', 'git-missing');
    if (/not a git repository/i.test(msg)) throw new HistoryError(`${file}: not inside a git repository`, 'not-a-repo');
    throw new HistoryError(`git failed: ${firstLine(msg)}`, 'git-failed');
  }
  // Compare real paths: the repository root git reports is resolved (e.g. /tmp → /private/tmp on macOS).
  const rel = path.relative(realPath(root), path.join(realPath(path.dirname(abs)), path.basename(abs))).split(path.sep).join('/');
  let out: string;
  try {
    out = await safeGit(root).raw(['log', '--no-show-signature', '--follow', '--name-only', `--format=${SEP}%H${SEP}%aI${SEP}%s`, '--', rel]);
  } catch (e) {
    const msg = (e as Error).message;
    // A repository without any commit yet: nothing can have committed this file.
    if (/does not have any commits yet|bad default revision/i.test(msg)) throw new HistoryError(`${file}: never committed (the repository has no commits yet)`, 'never-committed');
    throw new HistoryError(`git log failed: ${firstLine(msg)}`, 'git-failed');
  }
  const versions: PromptVersion[] = [];
  let cur: PromptVersion | undefined;
  for (const line of out.split('\n')) {
    if (line.startsWith(SEP)) {
      const [, commit, date, subject] = line.split(SEP);
      cur = { commit, date, subject: subject ?? '', path: rel };
      versions.push(cur);
    } else if (line.trim() && cur) {
      cur.path = line.trim();
    }
  }
  if (versions.length === 0) throw new HistoryError(`${file}: never committed (no commit touches it)`, 'never-committed');
  versions.reverse();
  return { root, versions: max && max > 0 ? versions.slice(-max) : versions, git: safeGit(root) };
}

/** Diffs every consecutive pair of versions (oldest first) and summarises where changes land. */
export async function fileHistory(file: string, options: HistoryOptions = {}): Promise<HistoryResult> {
  const { versions, git } = await listVersions(file, options.max);
  const contents: string[] = [];
  for (const v of versions) {
    try {
      contents.push(await git.show([`${v.commit}:${v.path}`]));
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      // A commit that deleted the file: treat its content as empty. Anything else (e.g. an object a partial
      // clone never downloaded, which we do not fetch) is an error, not an empty version.
      if (/does not exist in|exists on disk, but not in/i.test(msg)) contents.push('');
      else if (/promisor|missing (blob|object)|could not fetch|unable to read|bad object/i.test(msg)) throw new HistoryError(`${v.path} at ${v.commit.slice(0, 12)} is not in the local repository (a partial clone?); it is not downloaded while reading history: ${firstLine(msg)}`, 'git-failed');
      else throw new HistoryError(`git show failed: ${firstLine(msg)}`, 'git-failed');
    }
  }
  if (options.includeWorkingTree && existsSync(file) && statSync(file).isFile()) {
    const current = readFileSync(file, 'utf8');
    if (current !== contents[contents.length - 1]) {
      versions.push({ commit: WORKING_TREE, date: statSync(file).mtime.toISOString(), subject: '(uncommitted changes)', path: versions[versions.length - 1].path });
      contents.push(current);
    }
  }
  const diffs: HistoryEntry[] = [];
  for (let i = 1; i < versions.length; i++) {
    const { result } = auditVersions(contents[i - 1], contents[i], { ...options, fileName: versions[i].path, oldFileName: versions[i - 1].path });
    diffs.push({ ...result, ...versions[i], previousCommit: versions[i - 1].commit });
  }
  return { file, versions, diffs, churn: churnOf(diffs, contents.slice(1)), lineChurn: lineChurnOf(contents) };
}

function churnOf(diffs: HistoryEntry[], newContents: string[]): ChurnRegion[] {
  const by = new Map<string, ChurnRegion>();
  diffs.forEach((d, i) => {
    if (!d.divergence) return;
    const region = d.divergence.segment ?? `line ${d.divergence.line}`;
    const lineText = (newContents[i].split(/\r\n|\n|\r/)[d.divergence.line - 1] ?? '').trim();
    const r = by.get(region) ?? { region, firstDivergenceCount: 0, excerpt: '' };
    r.firstDivergenceCount++;
    r.excerpt = lineText.length > 80 ? `${lineText.slice(0, 77)}…` : lineText;
    by.set(region, r);
  });
  return [...by.values()].sort((a, b) => b.firstDivergenceCount - a.firstDivergenceCount || a.region.localeCompare(b.region));
}

/**
 * Carries a per-line change count from version to version along a line diff: matched lines keep their
 * count; new lines get 1 + the highest count of the old lines they replaced (the unmatched old lines in the
 * same gap), so repeated edits of one region add up even as lines move.
 */
export function lineChurnOf(contents: string[]): LineChurn[] {
  if (contents.length === 0) return [];
  const split = (s: string) => s.split(/\r\n|\n|\r/);
  let prevLines = split(contents[0]);
  let counts = new Array<number>(prevLines.length).fill(0);
  for (let v = 1; v < contents.length; v++) {
    const lines = split(contents[v]);
    const match = matchLines(prevLines, lines);
    const next = new Array<number>(lines.length);
    let oi = 0; // next old line not yet consumed
    let i = 0;
    while (i < lines.length) {
      if (match[i] >= 0) {
        next[i] = counts[match[i]];
        oi = match[i] + 1;
        i++;
        continue;
      }
      // A gap of new lines: it replaced the old lines up to the next matched old line.
      let j = i;
      while (j < lines.length && match[j] < 0) j++;
      const oldEnd = j < lines.length ? match[j] : prevLines.length;
      const replaced = counts.slice(oi, oldEnd);
      const bump = 1 + (replaced.length ? Math.max(...replaced) : 0);
      for (let k = i; k < j; k++) next[k] = bump;
      i = j;
    }
    prevLines = lines;
    counts = next;
  }
  return prevLines
    .map((text, i) => ({ line: i + 1, text: text.length > 80 ? `${text.slice(0, 77)}…` : text, changedInVersions: counts[i] }))
    .filter((l) => l.changedInVersions > 0 && l.text.trim() !== '')
    .sort((a, b) => b.changedInVersions - a.changedInVersions || a.line - b.line);
}

/** For each new line, the index of the old line it matches (LCS of lines), or -1. */
function matchLines(a: string[], b: string[]): number[] {
  const match = new Array<number>(b.length).fill(-1);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) match[pre] = pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) {
    match[b.length - 1 - suf] = a.length - 1 - suf;
    suf++;
  }
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  // Quadratic LCS on the changed middle only; very large rewrites are treated as one replaced block.
  if (n === 0 || m === 0 || n * m > 4_000_000) return match;
  const dp = new Uint32Array((n + 1) * (m + 1));
  const W = m + 1;
  for (let x = n - 1; x >= 0; x--) {
    for (let y = m - 1; y >= 0; y--) {
      dp[x * W + y] = a[pre + x] === b[pre + y] ? dp[(x + 1) * W + y + 1] + 1 : Math.max(dp[(x + 1) * W + y], dp[x * W + y + 1]);
    }
  }
  let x = 0;
  let y = 0;
  while (x < n && y < m) {
    if (a[pre + x] === b[pre + y]) {
      match[pre + y] = pre + x;
      x++;
      y++;
    } else if (dp[(x + 1) * W + y] >= dp[x * W + y + 1]) x++;
    else y++;
  }
  return match;
}

/** The line that says what failed (git's `fatal:`/`error:` line, not a warning before it), for one-line messages. */
function firstLine(s: string): string {
  const lines = (s ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? 'unknown error';
}

function realPath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
