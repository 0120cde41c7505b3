// Where each document's baseline comes from: Git HEAD, the last save (snapshots in extension storage), or an
// explicit choice ("Compare with Git Revision…" / "Compare with Last Save") that holds until the file closes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BaselineText } from '../auditWorker/protocol';
import type { BaselineKind } from './config';
import * as git from './git';
import { SnapshotStore } from '../core/versions/savedVersions';

export class Baselines {
  private readonly overrides = new Map<string, BaselineText>();
  private store: SnapshotStore | undefined;

  constructor(private readonly storageDir: string | undefined) {}

  private snapshots(): SnapshotStore | undefined {
    if (!this.storageDir) return undefined;
    this.store ??= new SnapshotStore(path.join(this.storageDir, 'saved-versions'));
    return this.store;
  }

  setOverride(uri: vscode.Uri, baseline: BaselineText): void {
    this.overrides.set(uri.toString(), baseline);
  }

  clearOverride(uri: vscode.Uri): void {
    this.overrides.delete(uri.toString());
  }

  hasOverride(uri: vscode.Uri): boolean {
    return this.overrides.has(uri.toString());
  }

  /** The baseline for a document; null means "nothing cached yet" (an empty previous version). */
  async get(doc: vscode.TextDocument, kind: BaselineKind): Promise<BaselineText | null> {
    const b = await this.read(doc, kind);
    // Only the first char matters: no copy of a large document's whole text.
    return b && matchBom(b, doc.getText(new vscode.Range(0, 0, 0, 1)));
  }

  private async read(doc: vscode.TextDocument, kind: BaselineKind): Promise<BaselineText | null> {
    const o = this.overrides.get(doc.uri.toString());
    if (o) return o;
    if (kind === 'lastSave') return this.lastSave(doc);
    if (doc.uri.scheme !== 'file') return this.lastSave(doc);
    try {
      const head = await git.headVersion(doc.uri.fsPath);
      if (!head) return { text: '', label: 'nothing committed yet (new file)' };
      return { text: head.text, label: `HEAD (${head.commit.slice(0, 7)})` };
    } catch (e) {
      if (e instanceof git.GitError && e.code === 'not-committed') return { text: '', label: 'nothing committed yet (the repository has no commits)' };
      // No HEAD to compare with: the last save stands in, and the label (plus one notice for a real failure) says why.
      const why = e instanceof git.GitError && e.code === 'not-a-repo' ? 'not in a Git repository' : git.describeGitProblem(e, doc.fileName);
      if (!(e instanceof git.GitError && e.code === 'not-a-repo')) this.notifyOnce(why, doc.fileName);
      const saved = await this.lastSave(doc);
      return saved ? { ...saved, label: `${saved.label} (${why})` } : { text: '', label: `nothing to compare with (${why})` };
    }
  }

  private readonly notified = new Set<string>();

  /** One warning per distinct problem per session: git missing, or git failing with this reason. */
  private notifyOnce(why: string, fileName: string): void {
    if (this.notified.has(why)) return;
    this.notified.add(why);
    void vscode.window.showWarningMessage(`Prompt Cache: cannot read Git HEAD of ${path.basename(fileName)}: ${why}. Comparing with the last save instead.`);
  }

  async lastSave(doc: vscode.TextDocument): Promise<BaselineText | null> {
    const store = this.snapshots();
    const snap = await store?.get(doc.uri.toString());
    if (snap) return { text: snap.text, label: `last save ${new Date(snap.savedAt).toLocaleTimeString()}` };
    // First time this file is seen: the version on disk is the last save.
    if (!doc.isDirty && doc.uri.scheme === 'file') {
      const text = doc.getText();
      await store?.put(doc.uri.toString(), text);
      return { text, label: 'last save (when opened)' };
    }
    if (doc.uri.scheme === 'file') {
      try {
        const bytes = await vscode.workspace.fs.readFile(doc.uri);
        // TextDecoder drops a leading BOM by default, as VS Code does for the document text.
        return { text: new TextDecoder().decode(bytes), label: 'version on disk' };
      } catch {
        return null;
      }
    }
    return null;
  }

  async recordSave(doc: vscode.TextDocument): Promise<void> {
    await this.snapshots()?.put(doc.uri.toString(), doc.getText());
  }

  async clearSaved(): Promise<number> {
    for (const [k, v] of this.overrides) if (v.label.startsWith('last save')) this.overrides.delete(k);
    return (await this.snapshots()?.clear()) ?? 0;
  }
}

/**
 * VS Code decodes a UTF-8 file with a BOM without it (TextDocument.getText() has no U+FEFF; the BOM is written back
 * on save, shown as "UTF-8 with BOM"), while `git show` returns the bytes with the BOM. Compared as they are, an
 * unchanged file would diverge at token 0 ("0% cached"). Drop the baseline's BOM when the document text has none.
 */
export function matchBom(baseline: BaselineText, documentText: string): BaselineText {
  if (baseline.text.charCodeAt(0) !== 0xfeff || documentText.charCodeAt(0) === 0xfeff) return baseline;
  return { ...baseline, text: baseline.text.slice(1) };
}
