// Git access for baselines and history. Prefers the built-in `vscode.git` extension (same repository model the user
// sees) and falls back to the git CLI. Every call is asynchronous (child processes): nothing blocks the host.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface Revision {
  hash: string;
  subject: string;
  /** ISO 8601 author date. */
  date: string;
  /** Path of the file in that commit, relative to the repository root (renames followed). */
  path: string;
}

/**
 * Repository config can make git run programs (a gpg.program for log.showSignature, a core.fsmonitor hook). The
 * workspace may be untrusted, so every call turns those off; `git show rev:path` prints the blob, no textconv.
 */
const SAFE_CONFIG = ['-c', 'log.showSignature=false', '-c', 'core.fsmonitor=false'];

function run(args: string[], cwd: string, maxBuffer = 64 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...SAFE_CONFIG, ...args], { cwd, maxBuffer, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

// Minimal shape of the vscode.git API (v1) that is used here; the extension may be absent or disabled.
interface GitApiRepository {
  rootUri: vscode.Uri;
  show(ref: string, path: string): Promise<string>;
}
interface GitApi {
  getRepository(uri: vscode.Uri): GitApiRepository | null;
}

async function gitApi(): Promise<GitApi | undefined> {
  try {
    const ext = vscode.extensions.getExtension<{ getAPI(v: 1): GitApi; enabled?: boolean }>('vscode.git');
    if (!ext) return undefined;
    const exports = ext.isActive ? ext.exports : await ext.activate();
    if (exports.enabled === false) return undefined;
    return exports.getAPI(1);
  } catch {
    return undefined;
  }
}

export async function repoRoot(file: string): Promise<string | undefined> {
  const api = await gitApi();
  const repo = api?.getRepository(vscode.Uri.file(file));
  if (repo) return repo.rootUri.fsPath;
  try {
    return (await run(['rev-parse', '--show-toplevel'], path.dirname(file))).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Content of the file at a revision; undefined when the file did not exist there (e.g. new, untracked). */
export async function showAt(file: string, rev: string, pathInRepo?: string): Promise<string | undefined> {
  const root = await repoRoot(file);
  if (!root) return undefined;
  const rel = (pathInRepo ?? path.relative(root, file)).split(path.sep).join('/');
  const api = await gitApi();
  const repo = api?.getRepository(vscode.Uri.file(file));
  try {
    if (repo) return await repo.show(rev, path.join(root, rel));
  } catch {
    // fall through to the CLI, which gives a clearer "does not exist" failure
  }
  try {
    return await run(['show', `${rev}:${rel}`], root);
  } catch {
    return undefined;
  }
}

/** Commits that touched the file, newest first (renames followed), at most `limit`. */
export async function fileLog(file: string, limit = 200): Promise<Revision[]> {
  const root = await repoRoot(file);
  if (!root) return [];
  const rel = path.relative(root, file).split(path.sep).join('/');
  // %x1f / %x1e: separators that cannot appear in subjects; --name-only gives the path in each commit (renames).
  const out = await run(['log', '--no-show-signature', '--follow', `-n${limit}`, '--format=%x1e%H%x1f%aI%x1f%s', '--name-only', '--', rel], root);
  const revs: Revision[] = [];
  for (const rec of out.split('\x1e')) {
    if (!rec.trim()) continue;
    const [head, ...rest] = rec.split('\n');
    const [hash, date, subject] = head.split('\x1f');
    const p = rest.map((l) => l.trim()).find((l) => l.length > 0) ?? rel;
    if (hash) revs.push({ hash, date, subject: subject ?? '', path: p });
  }
  return revs;
}

export async function headHash(file: string): Promise<string | undefined> {
  const root = await repoRoot(file);
  if (!root) return undefined;
  try {
    return (await run(['rev-parse', 'HEAD'], root)).trim();
  } catch {
    return undefined;
  }
}
