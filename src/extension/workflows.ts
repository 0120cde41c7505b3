// The long-running workflows behind commands and panel buttons: Measure Recompute Time, KV drift and Audit
// Workspace. The two decoder workflows share one runner (progress, cancellation, error reporting, busy/error in the
// panel's tab); Audit Workspace streams batches from the audit worker into the Workspace tab.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WorkspaceFile, WorkspaceFileResult } from '../auditWorker/protocol';
import { isPromptPath } from '../core/promptFiles';
import { formatCount, formatMs, ProgressTracker, type DecoderProgress } from '../view/format';
import { workspaceErrorRow, workspaceNote, workspaceRowView } from '../view/summary';
import type { WorkspaceRowView } from '../view/protocol';
import type { AuditService } from './auditService';
import { kvDriftView, timingView, type DecoderService } from './decoderService';
import type { Diagnostics } from './diagnostics';
import { PromptCachePanel } from './panel';
import type { CacheStatusBar } from './statusBar';

/** Files per worker request: big enough that round trips do not matter, small enough for progress and cancel. */
const BATCH_FILES = 64;

export interface WorkflowDeps {
  audits: AuditService;
  diagnostics: Diagnostics;
  statusBar: CacheStatusBar;
  decoder: () => DecoderService;
  log: vscode.OutputChannel;
}

interface DecoderTask<T> {
  tab: 'timing' | 'kv';
  title: string;
  /** Shown in the tab while it runs. */
  busy: string;
  run(decoder: DecoderService, token: vscode.CancellationToken, onProgress: (p: DecoderProgress) => void): Promise<T>;
  done(result: T): Promise<void> | void;
}

export class Workflows {
  constructor(private readonly deps: WorkflowDeps) {}

  /** Measure Recompute Time: cold vs. cached-prefix prefill of the file on the local decoder. */
  async measure(doc: vscode.TextDocument): Promise<void> {
    const { audits } = this.deps;
    const settings = audits.current.decoder;
    const state = await audits.auditFully(doc);
    const t = await audits.tokens(doc);
    if (!state || !t) return;
    await this.decoderTask({
      tab: 'timing',
      title: 'Prompt Cache: measuring recompute time',
      busy: `Measuring on the local decoder (${settings.modelPath ? 'custom model' : settings.preset})…`,
      run: (decoder, token, onProgress) =>
        decoder.measure({ ids: t.ids, reusablePrefix: state.result.diff.reusablePrefixTokens, preset: settings.preset, modelPath: settings.modelPath, tokenCap: settings.tokenCap }, token, onProgress),
      done: async (m) => {
        const view = timingView(m);
        this.deps.statusBar.setTiming(doc.uri, { coldMs: view.coldMs, warmMs: view.warmMs, preset: view.preset });
        this.deps.log.appendLine(`measure ${doc.fileName}: cold ${m.cold.medianMs.toFixed(1)} ms, warm ${m.warm.medianMs.toFixed(1)} ms (${m.model.name}, ${m.tokens} tokens)`);
        // An open panel (even one hidden behind an editor) is revealed on its timing tab; otherwise a notification.
        if (PromptCachePanel.current) {
          PromptCachePanel.show('timing').setTabData('timing', view, doc.uri);
          return;
        }
        const pick = await vscode.window.showInformationMessage(
          `Recompute on ${m.model.name}: cold ${formatMs(m.cold.medianMs)}, with the cached prefix ${formatMs(m.warm.medianMs)} (${m.speedup.toFixed(1)}×).`,
          'Show Timing',
        );
        if (pick) PromptCachePanel.show('timing').setTabData('timing', view, doc.uri);
      },
    });
  }

  /** KV drift: how much each layer's keys and values change from the first divergent token on. */
  async kvDrift(doc: vscode.TextDocument): Promise<void> {
    const { audits } = this.deps;
    const settings = audits.current.decoder;
    const t = await audits.tokens(doc, true);
    if (!t || !t.baselineIds) return;
    const at = t.firstDivergentToken;
    if (at === null) {
      void vscode.window.showInformationMessage('Prompt Cache: the tokens equal the baseline; no KV entry changes.');
      return;
    }
    // Past the token cap the decoder measures a window around the divergence (not the first tokenCap tokens).
    const windowed = at >= settings.tokenCap || Math.max(t.ids.length, t.baselineIds.length) > settings.tokenCap;
    await this.decoderTask({
      tab: 'kv',
      title: 'Prompt Cache: computing KV drift',
      busy: `Computing KV drift from token #${formatCount(at)}${windowed ? ` (a window of at most ${formatCount(settings.tokenCap)} tokens around it: promptCache.decoder.tokenCap)` : ''} on the local decoder…`,
      run: (decoder, token, onProgress) =>
        decoder.kvDrift(t.baselineIds!, t.ids, at, { preset: settings.preset, modelPath: settings.modelPath, tokenCap: settings.tokenCap }, token, onProgress),
      done: (d) => {
        PromptCachePanel.show('kv').setTabData('kv', kvDriftView(d), doc.uri);
      },
    });
  }

  /** The shared runner: a cancellable notification with monotonic progress, busy/error in the panel's tab. */
  private async decoderTask<T>(task: DecoderTask<T>): Promise<void> {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: task.title, cancellable: true }, async (progress, token) => {
      const tracker = new ProgressTracker();
      PromptCachePanel.current?.setTabStatus(task.tab, 'busy', task.busy);
      try {
        const result = await task.run(this.deps.decoder(), token, (p) => {
          const u = tracker.update(p);
          progress.report({ message: u.message, increment: u.increment });
        });
        await task.done(result);
      } catch (e) {
        this.reportDecoderError(e, task.tab);
      }
    });
  }

  private reportDecoderError(e: unknown, tab: 'timing' | 'kv'): void {
    const code = (e as { code?: string }).code;
    const msg = e instanceof Error ? e.message : String(e);
    const panelMsg = code === 'CANCELLED' ? 'Cancelled.' : code === 'WRITE_DECLINED' ? 'Skipped: generating the local model was declined.' : msg;
    PromptCachePanel.current?.setTabStatus(tab, 'error', panelMsg);
    if (code === 'CANCELLED') return;
    if (code === 'WRITE_DECLINED') return void vscode.window.showInformationMessage('Prompt Cache: measurement skipped (model generation declined).');
    this.deps.log.appendLine(`decoder: ${msg}`);
    void vscode.window.showErrorMessage(`Prompt Cache: ${msg}`);
  }

  /**
   * Audit Workspace: every prompt file, read and audited in the worker in batches (no document per file, no per-file
   * round trip), compared with Git HEAD; problems in the Problems view, rows streamed into the Workspace tab.
   */
  async auditWorkspace(): Promise<void> {
    const { audits } = this.deps;
    const { patterns } = audits.current;
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return void vscode.window.showWarningMessage('Prompt Cache: open a folder to audit a workspace.');
    const t0 = performance.now();
    const rows: WorkspaceRowView[] = [];
    let cancelled = false;
    let findMs = 0;
    let workerMs = 0;
    // An open panel shows the Workspace tab at once and fills it batch by batch (never a blank panel).
    const live = PromptCachePanel.current;
    if (live) {
      live.showTab('workspace');
      live.setTabData('workspace', { rows: [], cancelled: false, done: false, note: 'Finding prompt files…' });
    }
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Cache: auditing workspace', cancellable: true }, async (progress, token) => {
      // At once, not between batches: the batch in flight may be waiting for the git history walk.
      const stop = token.onCancellationRequested(() => audits.stopWorkspaceAudit());
      try {
        const f0 = performance.now();
        const files = await findPromptFiles(audits, folders, patterns, token);
        findMs = performance.now() - f0;
        const baseline = audits.current.baseline === 'gitHead' ? 'gitHead' : 'self';
        let done = 0;
        for (let i = 0; i < files.length; i += BATCH_FILES) {
          if (token.isCancellationRequested) {
            cancelled = true;
            break;
          }
          const batch = await Promise.all(files.slice(i, i + BATCH_FILES).map((u) => this.workspaceFile(u)));
          const answer = await audits.auditFiles(batch, baseline);
          if (!answer) break;
          workerMs += answer.ms;
          const publish: [vscode.Uri, NonNullable<WorkspaceFileResult['diff']>][] = [];
          for (const r of answer.results) rows.push(this.workspaceRow(r, publish));
          this.deps.diagnostics.publishMany(publish);
          done += batch.length;
          progress.report({ message: `${done}/${files.length} files`, increment: (100 * batch.length) / Math.max(1, files.length) });
          PromptCachePanel.current?.setTabData('workspace', { rows: [...rows], cancelled: false, done: false, note: `${formatCount(done)} of ${formatCount(files.length)} files…` });
        }
      } finally {
        stop.dispose();
      }
    });
    const ms = performance.now() - t0;
    const view = { rows, cancelled, done: true, note: workspaceNote(rows, ms) };
    PromptCachePanel.show('workspace').setTabData('workspace', view);
    const findings = rows.reduce((a, r) => a + r.findings, 0);
    this.deps.log.appendLine(`audit workspace: ${rows.length} file(s) in ${ms.toFixed(0)} ms (finding files ${findMs.toFixed(0)} ms, in the worker ${workerMs.toFixed(0)} ms)${cancelled ? ' (cancelled)' : ''}`);
    void vscode.window.showInformationMessage(`Prompt Cache: audited ${rows.length} prompt file(s)${cancelled ? ' (cancelled)' : ''} in ${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s; ${findings} finding(s) in Problems.`);
  }

  /** What the worker needs for one file: an open document's unsaved text and baseline come from the editor. */
  private async workspaceFile(uri: vscode.Uri): Promise<WorkspaceFile> {
    const rel = vscode.workspace.asRelativePath(uri, false);
    const doc = this.deps.audits.trackedDocument(uri);
    if (!doc) return { path: uri.fsPath, relativePath: rel };
    const baseline = await this.deps.audits.baselines.get(doc, this.deps.audits.current.baseline).catch(() => null);
    return { path: uri.fsPath, relativePath: rel, text: doc.isDirty ? doc.getText() : undefined, baselineText: baseline };
  }

  private workspaceRow(r: WorkspaceFileResult, publish: [vscode.Uri, NonNullable<WorkspaceFileResult['diff']>][]): WorkspaceRowView {
    if (!r.diff) return workspaceErrorRow(r.relativePath, r.error ?? 'not audited');
    const uri = vscode.Uri.file(r.path);
    // An open document's live audit owns its problems; the others get the workspace audit's, kept after the audit.
    if (!this.deps.audits.isTracked(uri)) publish.push([uri, r.diff]);
    return workspaceRowView(r.relativePath, r.diff, this.deps.audits.current.audit.provider);
  }
}

/**
 * The prompt files of the workspace by the include/exclude settings, sorted by path: globbed in the audit worker for
 * folders on disk (as the CLI globs), through VS Code's search for other file systems.
 */
async function findPromptFiles(audits: AuditService, folders: readonly vscode.WorkspaceFolder[], patterns: { include: readonly string[]; exclude: readonly string[] }, token: vscode.CancellationToken): Promise<vscode.Uri[]> {
  const found = new Map<string, vscode.Uri>();
  const onDisk = folders.filter((f) => f.uri.scheme === 'file');
  for (const p of (await audits.listFiles(onDisk.map((f) => f.uri.fsPath), { forAudit: true })) ?? []) {
    const u = vscode.Uri.file(p);
    found.set(u.toString(), u);
  }
  for (const folder of folders.filter((f) => f.uri.scheme !== 'file')) {
    // One search per glob (VS Code's glob syntax has no nested braces, and the defaults use braces).
    const searches = patterns.include.map((inc) => vscode.workspace.findFiles(new vscode.RelativePattern(folder, inc), '**/node_modules/**', 20000, token));
    for (const uris of await Promise.all(searches)) {
      for (const u of uris) if (isPromptPath(path.relative(folder.uri.fsPath, u.fsPath), patterns)) found.set(u.toString(), u);
    }
  }
  return [...found.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}
