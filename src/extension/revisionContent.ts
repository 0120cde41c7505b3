// Read-only documents holding a file's content at a Git commit (history diffs, "Compare with Git Revision…").
import * as vscode from 'vscode';
import * as git from './git';

export const REVISION_SCHEME = 'prompt-cache-rev';

/** `commit` empty: an empty document (the side before a file's first commit). */
export function revisionUri(file: vscode.Uri, commit: string, pathInRepo: string): vscode.Uri {
  return file.with({ scheme: REVISION_SCHEME, query: JSON.stringify({ commit, path: pathInRepo, file: file.fsPath }) });
}

export class RevisionContentProvider implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    let q: { commit?: unknown; path?: unknown; file?: unknown };
    try {
      q = JSON.parse(uri.query) as typeof q;
    } catch {
      return '';
    }
    if (typeof q.commit !== 'string' || typeof q.path !== 'string' || typeof q.file !== 'string') return '';
    if (q.commit === '') return '';
    if (!/^[0-9a-f]{7,64}$/i.test(q.commit)) return '';
    return (await git.showAt(q.file, q.commit, q.path)) ?? '';
  }
}

export const SAVED_SCHEME = 'prompt-cache-saved';

/** A read-only document holding the last saved version of a file (the left side of "Compare with Last Save"). */
export function savedVersionUri(file: vscode.Uri): vscode.Uri {
  return file.with({ scheme: SAVED_SCHEME, query: JSON.stringify({ file: file.toString() }) });
}

export class SavedVersionContentProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly lastSave: (file: string) => Promise<string | undefined>) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    try {
      const q = JSON.parse(uri.query) as { file?: unknown };
      return typeof q.file === 'string' ? (await this.lastSave(q.file)) ?? '' : '';
    } catch {
      return '';
    }
  }
}
