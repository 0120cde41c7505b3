// Git for the extension: a thin wrapper over the core's one hardened adapter (src/core/versions/git.ts), so the
// extension and the CLI run git the same way (absolute binary, no lazy fetch, no signatures or hooks, no
// program-starting variables) and read the same bytes.
//
// The built-in vscode.git extension is not used to read: its `show` decodes text for us (invalid UTF-8 and binary
// blobs cannot be told apart), it runs git without our hardening (a partial clone would fetch), and it only knows
// the repositories it has opened. It is asked one thing, and only when it is already running: where git is, when
// PATH has none (on Windows VS Code also finds Git in its usual install folders, and honours the machine-scoped
// `git.path` setting, which a workspace cannot set).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitError, GitVersionSource, versionAt, type FileAtRevision, type GitOptions } from '../core/versions/git';
import { resolveGitBinary, usableGitBinary } from '../core/versions/gitBinary';
import { UnreadableVersionError } from '../core/versions/index';

export { GitError, GitVersionSource, UnreadableVersionError };

export interface Revision {
  hash: string;
  subject: string;
  /** ISO 8601 author date. */
  date: string;
  /** Path of the file in that commit, relative to the repository root (renames followed). */
  path: string;
}

interface VscodeGitExports {
  getAPI(version: 1): { git?: { path?: unknown } };
}

/** VS Code's own git executable, when the vscode.git extension is running and PATH has no git. */
function vscodeGitPath(): string | undefined {
  try {
    const ext = vscode.extensions.getExtension<VscodeGitExports>('vscode.git');
    if (!ext?.isActive) return undefined;
    const p = ext.exports.getAPI(1).git?.path;
    return typeof p === 'string' && usableGitBinary(p) ? p : undefined;
  } catch {
    return undefined;
  }
}

/** How the extension runs git: the git on PATH, else VS Code's. */
export function gitOptions(): GitOptions {
  if (resolveGitBinary()) return {};
  const binary = vscodeGitPath();
  return binary ? { binary } : {};
}

/** The history of a file as a version source (close it when done). */
export function gitVersions(file: string): GitVersionSource {
  return new GitVersionSource(file, gitOptions());
}

/** The file at HEAD; undefined when it is not committed there. Rejects with GitError / UnreadableVersionError. */
export function headVersion(file: string): Promise<FileAtRevision | undefined> {
  return versionAt(file, 'HEAD', gitOptions());
}

/** Content of the file at a revision; undefined when it cannot be read there (not committed, not git, no git, binary). */
export async function showAt(file: string, rev: string, pathInRepo?: string): Promise<string | undefined> {
  try {
    return (await versionAt(file, rev, { ...gitOptions(), pathInRepo }))?.text;
  } catch {
    return undefined;
  }
}

/** Commits that touched the file, newest first (renames followed), at most `limit`; [] outside git or before a commit. */
export async function fileLog(file: string, limit = 200): Promise<Revision[]> {
  const source = gitVersions(file);
  try {
    const refs = await source.list({ max: limit });
    return refs.map((r) => ({ hash: r.commit, subject: r.subject, date: r.date, path: r.path })).reverse();
  } catch (e) {
    if (e instanceof GitError && e.code !== 'git-failed') return [];
    throw e;
  } finally {
    source.close();
  }
}

/** One line for a notification or label: what went wrong, told apart (git missing / failed, not a repository …). */
export function describeGitProblem(e: unknown, file: string): string {
  if (e instanceof GitError) {
    switch (e.code) {
      case 'git-missing':
        return 'git is not installed (or not on PATH)';
      case 'not-a-repo':
        return `${path.basename(file)} is not in a Git repository`;
      case 'not-committed':
        return `${path.basename(file)} is not committed yet`;
      default:
        return e.message;
    }
  }
  return e instanceof Error ? e.message : String(e);
}
