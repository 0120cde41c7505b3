// Keeps the audit worker in step with the editor: opens prompt documents in the worker, forwards every content
// change at once (cheap), asks for an audit after a short pause (debounced) and publishes only answers whose
// version is still the document's. Owns the worker's lifetime.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditResult, DocumentEdit, WorkspaceBaseline, WorkspaceFile, WorkspaceFileResult } from '../auditWorker/protocol';
import { Baselines } from './baselines';
import { readSettings, type ExtensionSettings } from './config';
import { AuditClient } from '../auditWorker/client';
import { isPromptPath } from '../core/promptFiles';
import { timeHostTask } from './hostProbe';

/** Quick audit (tokens + divergence) while typing; the full audit (lint rules) once typing pauses. */
const QUICK_DELAY_MS = 80;
const FULL_DELAY_MS = 700;

export interface AuditState {
  uri: vscode.Uri;
  version: number;
  result: AuditResult;
}

export class AuditService implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private client: AuditClient | undefined;
  private settings: ExtensionSettings = readSettings();
  private readonly tracked = new Map<string, vscode.TextDocument>();
  private readonly results = new Map<string, AuditState>();
  private readonly timers = new Map<string, { quick?: NodeJS.Timeout; full?: NodeJS.Timeout }>();
  /** Documents not audited, and why ("binary file, not a text prompt", "larger than …"): one notice each. */
  private readonly declined = new Map<string, string>();
  /** Documents compared with their last save by "Compare with Last Save" (cleared by Clear Saved Versions). */
  private readonly lastSaveOverrides = new Set<string>();
  /** Set by dispose(): late callbacks (a baseline read finishing, a timer) must not start a new worker. */
  private disposed = false;
  /** Audits wait for the first baseline: an audit against "nothing" would flash "0% cached" on open. */
  private readonly baselineReady = new Map<string, Promise<void>>();
  private readonly emitter = new vscode.EventEmitter<AuditState>();
  private readonly closeEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly declineEmitter = new vscode.EventEmitter<vscode.Uri>();
  /** Fires when a document is declined (binary, too large): the status bar and panel say so. */
  readonly onDidDecline = this.declineEmitter.event;
  /** Fires for every fresh audit result (already checked against the document's version). */
  readonly onDidAudit = this.emitter.event;
  readonly onDidForget = this.closeEmitter.event;
  readonly baselines: Baselines;

  constructor(
    private readonly extensionUri: vscode.Uri,
    storageUri: vscode.Uri | undefined,
    private readonly log: vscode.OutputChannel,
  ) {
    this.baselines = new Baselines(storageUri?.fsPath);
    this.disposables.push(
      this.emitter,
      this.closeEmitter,
      this.declineEmitter,
      vscode.workspace.onDidChangeTextDocument((e) => timeHostTask('forward an edit', () => this.onChange(e))),
      vscode.workspace.onDidSaveTextDocument((d) => void this.onSave(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.declined.delete(d.uri.toString());
        this.lastSaveOverrides.delete(d.uri.toString());
        this.forget(d.uri);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('promptCache')) return;
        this.settings = readSettings();
        this.client?.configure(this.settings.audit);
        if (e.affectsConfiguration('promptCache.baseline')) {
          // Choosing a baseline kind ends any one-off comparison.
          for (const d of this.tracked.values()) {
            this.baselines.clearOverride(d.uri);
            void this.refreshBaseline(d);
          }
        }
        else for (const d of this.tracked.values()) this.schedule(d, 'full', 0);
      }),
    );
  }

  get current(): ExtensionSettings {
    return this.settings;
  }

  /** True when the document is a prompt file by the include/exclude settings. */
  isPromptDocument(doc: vscode.TextDocument): boolean {
    if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled' && doc.uri.scheme !== 'vscode-remote') return false;
    const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
    const rel = folder ? path.relative(folder.uri.fsPath, doc.uri.fsPath) : path.basename(doc.uri.fsPath);
    return isPromptPath(rel, this.settings.patterns);
  }

  resultFor(uri: vscode.Uri): AuditState | undefined {
    const r = this.results.get(uri.toString());
    const doc = this.tracked.get(uri.toString());
    return r && doc && r.version === doc.version ? r : undefined;
  }

  /** Any result, even for an older version (hover/code actions on a document being edited). */
  lastResultFor(uri: vscode.Uri): AuditState | undefined {
    return this.results.get(uri.toString());
  }

  isTracked(uri: vscode.Uri): boolean {
    return this.tracked.has(uri.toString());
  }

  private ensureClient(): AuditClient {
    if (this.disposed) throw new Error('the audit service was disposed');
    if (this.client) return this.client;
    const t0 = performance.now();
    this.client = new AuditClient({
      workerPath: vscode.Uri.joinPath(this.extensionUri, 'dist', 'audit-worker.js').fsPath,
      onResync: (uri) => {
        const doc = this.tracked.get(uri);
        if (doc && !doc.isClosed) {
          this.client?.open(uri, doc.fileName, doc.version, doc.getText());
          this.baselineReady.set(uri, this.refreshBaseline(doc));
        }
      },
      onLog: (l) => this.log.appendLine(l),
    });
    this.client.configure(this.settings.audit);
    this.log.appendLine(`audit worker started in ${(performance.now() - t0).toFixed(1)} ms (host side)`);
    return this.client;
  }

  /** Starts tracking a prompt document (no-op if tracked); returns false when it is not audited (too large). */
  track(doc: vscode.TextDocument): boolean {
    return timeHostTask('open a prompt', () => this.trackNow(doc));
  }

  private trackNow(doc: vscode.TextDocument): boolean {
    if (this.disposed) return false;
    const key = doc.uri.toString();
    if (this.tracked.has(key)) return true;
    const size = documentLength(doc); // without copying the text (getText() joins every line)
    if (size > this.settings.maxFileBytes) {
      this.declineTooLarge(doc, size);
      return false;
    }
    if (looksBinaryDocument(doc)) {
      // A binary file opened with "Open Anyway": its bytes are not a prompt (the CLI says the same).
      this.decline(doc, 'binary file, not a text prompt');
      return false;
    }
    this.tracked.set(key, doc);
    this.ensureClient().open(key, doc.fileName, doc.version, doc.getText());
    this.baselineReady.set(key, this.refreshBaseline(doc));
    return true;
  }

  /** One notice per document (not per attempt) that it is above promptCache.maxFileSizeMB. */
  private declineTooLarge(doc: vscode.TextDocument, size: number): void {
    this.decline(doc, `larger than promptCache.maxFileSizeMB (${(size / 1048576).toFixed(1)} MB)`);
  }

  private decline(doc: vscode.TextDocument, why: string): void {
    const key = doc.uri.toString();
    if (this.declined.has(key)) return;
    this.declined.set(key, why);
    this.declineEmitter.fire(doc.uri);
    void vscode.window.showInformationMessage(`Prompt Cache: ${path.basename(doc.fileName)}: ${why}; it is not audited.`);
  }

  /** Why a prompt-path document is not audited (binary, too large), if it is not. */
  declinedReason(uri: vscode.Uri): string | undefined {
    return this.declined.get(uri.toString());
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    if (!this.tracked.delete(key)) return;
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t.quick);
      clearTimeout(t.full);
      this.timers.delete(key);
    }
    this.results.delete(key);
    this.baselineReady.delete(key);
    this.client?.close(key);
    this.closeEmitter.fire(uri);
  }

  /** Baseline reads in flight (each ends by scheduling an audit, or by noticing the document is gone). */
  private readonly inFlight = new Set<Promise<void>>();

  /** Resolves once every baseline read started so far has finished: tests wait for this, not for a delay. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Re-reads the baseline (settings changed, file saved, explicit comparison) and audits again. */
  refreshBaseline(doc: vscode.TextDocument): Promise<void> {
    const p = this.readBaseline(doc);
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private async readBaseline(doc: vscode.TextDocument): Promise<void> {
    const key = doc.uri.toString();
    try {
      const b = await this.baselines.get(doc, this.settings.baseline);
      if (!this.tracked.has(key)) return;
      timeHostTask('send the baseline', () => this.client?.setBaseline(key, b));
    } catch (e) {
      this.log.appendLine(`baseline for ${doc.fileName}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.disposed || !this.tracked.has(key)) return;
    this.schedule(doc, 'full', 0);
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const key = e.document.uri.toString();
    if (!this.tracked.has(key) || e.contentChanges.length === 0) return;
    // A document can grow past the limit after it was opened (a big paste): stop auditing it, as track() would.
    // The length is known without getText() (which copies the whole text) from the edits' sizes.
    const size = documentLength(e.document);
    if (size > this.settings.maxFileBytes) {
      this.forget(e.document.uri);
      this.declineTooLarge(e.document, size);
      return;
    }
    const edits: DocumentEdit[] = e.contentChanges.map((c) => ({ offset: c.rangeOffset, deleteLength: c.rangeLength, text: c.text }));
    this.client?.change(key, e.document.version, edits);
    this.schedule(e.document, 'quick', QUICK_DELAY_MS);
    this.schedule(e.document, 'full', FULL_DELAY_MS);
  }

  private async onSave(doc: vscode.TextDocument): Promise<void> {
    if (!this.tracked.has(doc.uri.toString())) return;
    await this.baselines.recordSave(doc);
    if (this.settings.baseline === 'lastSave' && !this.baselines.hasOverride(doc.uri)) await this.refreshBaseline(doc);
    else this.schedule(doc, 'full', 0);
  }

  private schedule(doc: vscode.TextDocument, kind: 'quick' | 'full', delay: number): void {
    if (this.disposed) return;
    const key = doc.uri.toString();
    let t = this.timers.get(key);
    if (!t) this.timers.set(key, (t = {}));
    clearTimeout(t[kind]);
    t[kind] = setTimeout(() => {
      if (t) t[kind] = undefined;
      void this.auditNow(doc, kind === 'full');
    }, delay);
  }

  /** Asks the worker now; resolves with the result, or undefined when superseded by a newer edit. */
  async auditNow(doc: vscode.TextDocument, full: boolean): Promise<AuditState | undefined> {
    const key = doc.uri.toString();
    if (this.disposed || (!this.tracked.has(key) && !this.track(doc))) return undefined;
    const client = this.ensureClient();
    try {
      await this.baselineReady.get(key);
      if (!this.tracked.has(key)) return undefined;
      const answer = await client.audit(key, doc.version, full);
      if (!answer || doc.isClosed || answer.version !== doc.version || !this.tracked.has(key)) return undefined; // stale: dropped
      const state: AuditState = { uri: doc.uri, version: answer.version, result: answer.result };
      this.results.set(key, state);
      // Listeners run now: diagnostics, status bar, panel.
      timeHostTask(full ? 'show a full audit' : 'show a quick audit', () => this.emitter.fire(state));
      return state;
    } catch (e) {
      this.log.appendLine(`audit of ${doc.fileName} failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  }

  /** "Compare with Last Save": the last saved version becomes the baseline until the file closes. */
  async compareWithLastSave(doc: vscode.TextDocument): Promise<boolean> {
    const b = await this.baselines.lastSave(doc);
    if (!b) return false;
    this.baselines.setOverride(doc.uri, b);
    this.lastSaveOverrides.add(doc.uri.toString());
    await this.refreshBaseline(doc);
    return true;
  }

  /** A one-off baseline (a Git revision); `undefined` goes back to the `promptCache.baseline` default. */
  async compareWith(doc: vscode.TextDocument, baseline: { text: string; label: string; fileName?: string } | undefined): Promise<void> {
    this.lastSaveOverrides.delete(doc.uri.toString());
    if (baseline) this.baselines.setOverride(doc.uri, baseline);
    else this.baselines.clearOverride(doc.uri);
    await this.refreshBaseline(doc);
  }

  /**
   * Clear Saved Versions: deletes the snapshots, ends "Compare with Last Save" comparisons, and re-reads every open
   * file's baseline, so the status bar and the panel stop comparing with what was cleared.
   */
  async clearSavedVersions(): Promise<number> {
    for (const key of this.lastSaveOverrides) {
      const d = this.tracked.get(key);
      if (d) this.baselines.clearOverride(d.uri);
    }
    this.lastSaveOverrides.clear();
    const n = await this.baselines.clearSaved();
    await Promise.all([...this.tracked.values()].map((d) => this.refreshBaseline(d)));
    return n;
  }

  /** Audit Workspace: one batch of files, read and audited in the worker. */
  async auditFiles(files: WorkspaceFile[], baseline: WorkspaceBaseline): Promise<{ results: WorkspaceFileResult[]; ms: number } | undefined> {
    if (this.disposed) return undefined;
    return this.ensureClient().auditFiles(files, baseline);
  }

  /** Audit Workspace was cancelled: stop the worker's history walk. */
  stopWorkspaceAudit(): void {
    if (!this.disposed) this.ensureClient().stopWorkspaceAudit();
  }

  /** Audit Workspace: the prompt files under the folders, globbed in the worker. */
  async listFiles(folders: string[], options: { forAudit?: boolean } = {}): Promise<string[] | undefined> {
    if (this.disposed) return undefined;
    const { include, exclude } = this.settings.patterns;
    return this.ensureClient().listFiles(folders, include, exclude, options.forAudit);
  }

  /** Tracked documents (open prompt files), for workspace audits that prefer the editor's text. */
  trackedDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return this.tracked.get(uri.toString());
  }

  /** Waits for a full audit of the document at its current version. */
  async auditFully(doc: vscode.TextDocument): Promise<AuditState | undefined> {
    if (!this.track(doc)) return undefined;
    return this.auditNow(doc, true);
  }

  async tokens(doc: vscode.TextDocument, withBaseline = false) {
    if (!this.track(doc)) return undefined;
    const a = await this.ensureClient().tokens(doc.uri.toString(), doc.version, withBaseline);
    return a && a.version === doc.version ? a : undefined;
  }

  async history(doc: vscode.TextDocument, versions: { id: string; text: string }[]) {
    if (this.disposed) return undefined;
    return this.ensureClient().history(doc.uri.toString(), doc.fileName, versions);
  }

  get workerStartupMs(): number | undefined {
    return this.client?.startupMs;
  }

  dispose(): void {
    this.disposed = true;
    this.tracked.clear();
    this.baselineReady.clear();
    for (const t of this.timers.values()) {
      clearTimeout(t.quick);
      clearTimeout(t.full);
    }
    this.timers.clear();
    void this.client?.dispose();
    this.client = undefined;
    for (const d of this.disposables) d.dispose();
  }
}

/** NUL characters in the first 8 KB: what a binary file opened with "Open Anyway" looks like (core/text looksBinary). */
function looksBinaryDocument(doc: vscode.TextDocument): boolean {
  const head = typeof doc.positionAt === 'function' && typeof doc.getText === 'function' && doc.lineCount > 0
    ? doc.getText(new vscode.Range(doc.positionAt(0), doc.positionAt(8192)))
    : doc.getText().slice(0, 8192);
  return head.includes('\0');
}

/** The document's length in UTF-16 units (VS Code: from its line model; the test stub: its text). */
function documentLength(doc: vscode.TextDocument): number {
  const last = doc.lineCount > 0 ? doc.lineAt(doc.lineCount - 1) : undefined;
  return last ? doc.offsetAt(last.range.end) : doc.getText().length;
}
