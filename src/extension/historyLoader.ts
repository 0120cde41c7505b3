// The panel's History tab: the commits that touched the prompt (through the core's git adapter: one `git log`, one
// `git cat-file --batch`), their token counts and divergence from the audit worker, and the diff a commit made.
import * as vscode from 'vscode';
import type { AuditService } from './auditService';
import * as git from './git';
import { revisionUri } from './revisionContent';
import type { HistoryRowView } from '../view/protocol';

/** Commits shown on the History tab, at most. */
export const HISTORY_MAX = 60;

export interface HistoryView {
  rows: HistoryRowView[];
  note?: string;
}

/**
 * History rows of a document, newest first, with a note for what the user should know (not in git, git missing,
 * not committed yet, history truncated, merges, versions left out). Undefined when the audit was superseded.
 * Rejects only when git itself failed (with git's reason).
 */
export async function loadHistoryView(doc: vscode.TextDocument, audits: AuditService): Promise<HistoryView | undefined> {
  if (doc.uri.scheme !== 'file') return { rows: [], note: 'History needs a file in a Git repository.' };
  const source = git.gitVersions(doc.uri.fsPath);
  try {
    let refs;
    try {
      refs = await source.list({ max: HISTORY_MAX });
    } catch (e) {
      if (e instanceof git.GitError && e.code !== 'git-failed') return { rows: [], note: `No history: ${git.describeGitProblem(e, doc.fileName)}.` };
      throw e;
    }
    const notes: string[] = [];
    const versions: { id: string; text: string }[] = [];
    // All reads queued at once: the one cat-file process answers them in order.
    const read = await Promise.all(refs.map((ref) => source.read(ref).then((v) => ({ ref, text: v.text }), (error: unknown) => ({ ref, error }))));
    for (const r of read) {
      if ('text' in r) versions.push({ id: r.ref.commit, text: r.text });
      else if (r.error instanceof git.UnreadableVersionError) notes.push(`${r.error.message}: left out.`);
      else throw r.error;
    }
    const listing = source.listing;
    if (listing?.truncatedAt) notes.unshift(`History is truncated: a shallow clone, whose oldest commit here is ${listing.truncatedAt.slice(0, 7)}.`);
    else if (listing?.limited) notes.unshift(`The ${HISTORY_MAX} most recent commits.`);
    if (refs.some((r) => r.parents.length > 1)) notes.push('Merge commits are compared with their first parent (the branch they were merged into).');
    const rows = await audits.history(doc, versions);
    if (!rows) return undefined;
    const byHash = new Map(refs.map((r) => [r.commit, r]));
    const views: HistoryRowView[] = rows.map((row) => {
      const r = byHash.get(row.id)!;
      return { commit: r.commit, shortHash: r.commit.slice(0, 7), subject: r.subject, date: r.date, tokens: row.tokens, firstDivergentToken: row.firstDivergentToken, recomputedTokens: row.recomputedTokens };
    });
    return { rows: views.reverse(), note: notes.length ? notes.join(' ') : undefined }; // newest first
  } finally {
    source.close();
  }
}

/** Opens the diff a commit made to the file: the version before it (first-parent line) vs. its own (read-only). */
export async function openCommitDiff(file: vscode.Uri, commit: string): Promise<void> {
  let revs: git.Revision[];
  try {
    revs = await git.fileLog(file.fsPath, 500);
  } catch (e) {
    void vscode.window.showWarningMessage(`Prompt Cache: ${git.describeGitProblem(e, file.fsPath)}`);
    return;
  }
  const i = revs.findIndex((r) => r.hash === commit || r.hash.startsWith(commit));
  if (i < 0) {
    void vscode.window.showWarningMessage(`Prompt Cache: commit ${commit.slice(0, 7)} does not touch this file.`);
    return;
  }
  const r = revs[i];
  const parent = revs[i + 1];
  const right = revisionUri(file, r.hash, r.path);
  const left = parent ? revisionUri(file, parent.hash, parent.path) : revisionUri(file, '', r.path);
  const title = `${vscode.workspace.asRelativePath(file)} (${parent ? parent.hash.slice(0, 7) : 'empty'} ↔ ${r.hash.slice(0, 7)}: ${r.subject})`;
  await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true });
}
