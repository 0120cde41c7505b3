// The "Prompt Cache" panel: one webview instance showing the token heatmap, history heatmap, KV drift and timing of
// the active prompt file. Restored after a reload by a WebviewPanelSerializer; every webview message is validated.
import * as vscode from 'vscode';
import type { AuditService, AuditState } from './auditService';
import { loadHistoryView, openCommitDiff } from './historyLoader';
import { formatPercent, pickProvider, providerName } from '../view/format';
import { resolveInsideRoots } from './paths';
import {
  parsePanelState, parseWebviewMessage, type HistoryRowView, type HostToWebview, type KvDriftView, type PanelState,
  type SummaryView, type TabId, type TimingView, type WebviewToHost, type WorkspaceRowView,
} from '../view/protocol';
import { setPromptFileContext } from './promptContext';

export const PANEL_VIEW_TYPE = 'promptCache.panel';
const TOKENS_DELAY_MS = 150;

export interface PanelActions {
  measure(doc: vscode.TextDocument): Promise<void>;
  kvDrift(doc: vscode.TextDocument): Promise<void>;
  auditWorkspace(): Promise<void>;
}

export function summaryView(s: AuditState, provider: string): SummaryView {
  const diff = s.result.diff;
  const est = pickProvider(diff, provider);
  const notes: string[] = [];
  if (diff.encodingNote) notes.push(diff.encodingNote);
  if (est?.tokenizerNote && est.tokenizerNote !== diff.encodingNote) notes.push(est.tokenizerNote);
  if (diff.noEffectOnCache) notes.push('Only file-only parts changed (e.g. front matter): no effect on the cache.');
  if (!s.result.findingsFresh) notes.push('Lint findings update when typing pauses.');
  let divergenceAt: string | undefined;
  if (diff.divergence) divergenceAt = `line ${diff.divergence.line}, column ${diff.divergence.column}${diff.divergence.segment ? ` (${diff.divergence.segment})` : ''}`;
  return {
    headline: `${formatPercent(est ? est.hitRatio : diff.new.tokens ? diff.reusablePrefixTokens / diff.new.tokens : 0)} cached`,
    provider: est ? providerName(est.id) + (est.model ? ` · ${est.model}` : '') : provider,
    rule: est?.rule ?? '',
    baselineLabel: s.result.baselineLabel,
    encoding: diff.encoding,
    tokens: diff.new.tokens,
    baselineTokens: diff.old.tokens,
    reusablePrefixTokens: diff.reusablePrefixTokens,
    recomputedTokens: diff.recomputedTokens,
    cachedTokens: est?.cachedTokens ?? diff.reusablePrefixTokens,
    firstDivergentToken: diff.firstDivergentToken,
    divergenceAt,
    costPer1k: est?.costPer1kRequests,
    notes,
    findings: diff.findings.length,
  };
}

export class PromptCachePanel implements vscode.Disposable {
  static current: PromptCachePanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private state: PanelState;
  private doc: vscode.TextDocument | undefined;
  private tokensTimer: NodeJS.Timeout | undefined;
  private sentVersion = -1;
  /** Results kept so a hidden-then-shown webview (which reloads) gets them again. */
  private lastHistory: { uri: string; rows: HistoryRowView[]; note?: string } | undefined;
  private lastTiming: { uri: string; timing: TimingView } | undefined;
  private lastDrift: { uri: string; drift: KvDriftView } | undefined;
  private lastWorkspace: { rows: WorkspaceRowView[]; cancelled: boolean } | undefined;

  static createOrShow(extensionUri: vscode.Uri, audits: AuditService, actions: PanelActions, tab?: TabId): PromptCachePanel {
    const editorDoc = activePromptDocument(audits);
    if (PromptCachePanel.current) {
      const p = PromptCachePanel.current;
      p.panel.reveal(p.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      if (editorDoc) p.follow(editorDoc);
      if (tab) p.post({ type: 'showTab', tab });
      return p;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Prompt Cache', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(extensionUri));
    const p = new PromptCachePanel(panel, extensionUri, audits, actions, { tab: tab ?? 'tokens', uri: editorDoc?.uri.toString() });
    if (editorDoc) p.follow(editorDoc);
    return p;
  }

  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, audits: AuditService, actions: PanelActions, rawState: unknown): PromptCachePanel {
    PromptCachePanel.current?.dispose();
    panel.webview.options = webviewOptions(extensionUri);
    const state = parsePanelState(rawState);
    const p = new PromptCachePanel(panel, extensionUri, audits, actions, state);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === state.uri) ?? activePromptDocument(audits);
    if (doc && audits.isPromptDocument(doc)) p.follow(doc);
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly audits: AuditService,
    private readonly actions: PanelActions,
    state: PanelState,
  ) {
    PromptCachePanel.current = this;
    this.state = state;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // Hidden webviews are torn down and reload on show; the `ready` handshake resends the data.
        if (!panel.visible) this.ready = false;
        if (panel.active) setPromptFileContext(!!this.doc);
      }),
      audits.onDidAudit((s) => this.onAudit(s)),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && audits.isPromptDocument(e.document)) this.follow(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d === this.doc) {
          this.doc = undefined;
          this.post({ type: 'noDocument', reason: 'The prompt file was closed. Open a prompt file to see its heatmap.' });
        }
      }),
    );
  }

  get document(): vscode.TextDocument | undefined {
    return this.doc;
  }

  /** Shows a document's heatmap (tracks it in the audit worker if needed). */
  follow(doc: vscode.TextDocument): void {
    if (this.doc !== doc) {
      this.doc = doc;
      this.sentVersion = -1;
      this.state.uri = doc.uri.toString();
      this.audits.track(doc);
    }
    const s = this.audits.resultFor(doc.uri);
    if (s) this.onAudit(s);
    else void this.audits.auditNow(doc, false);
  }

  showTab(tab: TabId): void {
    this.post({ type: 'showTab', tab });
  }

  post(msg: HostToWebview): void {
    if (!this.ready) return; // the webview asks for everything with `ready` once it has loaded
    void this.panel.webview.postMessage(msg);
  }

  private onAudit(s: AuditState): void {
    if (!this.doc || s.uri.toString() !== this.doc.uri.toString()) return;
    this.post({ type: 'summary', uri: s.uri.toString(), fileName: vscode.workspace.asRelativePath(s.uri), version: s.version, summary: summaryView(s, this.audits.current.audit.provider) });
    this.scheduleTokens();
  }

  private scheduleTokens(): void {
    clearTimeout(this.tokensTimer);
    // Token arrays of a 1 MB prompt are ~2 MB: send them when typing pauses briefly, not per keystroke.
    this.tokensTimer = setTimeout(() => void this.sendTokens(), TOKENS_DELAY_MS);
  }

  private async sendTokens(): Promise<void> {
    const doc = this.doc;
    if (!doc || !this.ready || doc.version === this.sentVersion) return;
    const s = this.audits.resultFor(doc.uri);
    const t = await this.audits.tokens(doc);
    if (!t || doc !== this.doc || t.version !== doc.version) return; // superseded by an edit; the next audit resends
    this.sentVersion = t.version;
    this.post({
      type: 'document', uri: doc.uri.toString(), fileName: vscode.workspace.asRelativePath(doc.uri), version: t.version, text: doc.getText(),
      ids: t.ids, starts: t.sourceStarts, firstDivergentToken: t.firstDivergentToken,
      summary: s ? summaryView(s, this.audits.current.audit.provider) : emptySummary(),
    });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw);
    if (!msg) return; // malformed or unknown: ignored
    await this.handle(msg);
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sentVersion = -1;
        this.post({ type: 'showTab', tab: this.state.tab });
        if (!this.doc) this.post({ type: 'noDocument', reason: 'Open a prompt file to see its heatmap.' });
        else this.follow(this.doc);
        if (this.lastHistory && this.lastHistory.uri === this.doc?.uri.toString()) this.post({ type: 'history', ...this.lastHistory });
        if (this.lastTiming && this.lastTiming.uri === this.doc?.uri.toString()) this.post({ type: 'timing', ...this.lastTiming });
        if (this.lastDrift && this.lastDrift.uri === this.doc?.uri.toString()) this.post({ type: 'kvDrift', ...this.lastDrift });
        if (this.lastWorkspace) this.post({ type: 'workspace', ...this.lastWorkspace });
        // Restored on the History tab: no tab change will ask for it.
        if (this.state.tab === 'history' && this.doc && this.lastHistory?.uri !== this.doc.uri.toString()) await this.loadHistory();
        return;
      case 'revealRange': {
        const doc = this.documentFor(msg.uri);
        if (!doc) return;
        const range = new vscode.Range(doc.positionAt(Math.min(msg.start, doc.getText().length)), doc.positionAt(Math.min(msg.end, doc.getText().length)));
        const viewColumn = vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One;
        const editor = await vscode.window.showTextDocument(doc, { viewColumn, selection: range, preserveFocus: false });
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        return;
      }
      case 'openHistoryDiff': {
        const doc = this.documentFor(msg.uri);
        if (!doc || doc.uri.scheme !== 'file') return;
        await openCommitDiff(doc.uri, msg.commit);
        return;
      }
      case 'openWorkspaceFile': {
        const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
        const abs = resolveInsideRoots(msg.path, roots);
        if (!abs) return; // outside the workspace: refused
        await vscode.window.showTextDocument(vscode.Uri.file(abs), { viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'run':
        if (msg.action === 'auditWorkspace') return this.actions.auditWorkspace();
        if (!this.doc) return;
        if (msg.action === 'measure') return this.actions.measure(this.doc);
        if (msg.action === 'kvDrift') return this.actions.kvDrift(this.doc);
        return this.loadHistory();
      case 'tabChanged':
        this.state.tab = msg.tab;
        if (msg.tab === 'history' && this.doc && this.lastHistory?.uri !== this.doc.uri.toString()) await this.loadHistory();
        return;
      default: {
        const never: never = msg;
        void never;
      }
    }
  }

  /** Only the document the panel shows (or another tracked prompt document) can be acted on. */
  private documentFor(uri: string): vscode.TextDocument | undefined {
    if (this.doc?.uri.toString() === uri) return this.doc;
    const d = vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri);
    return d && this.audits.isTracked(d.uri) ? d : undefined;
  }

  async loadHistory(): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    const uri = doc.uri.toString();
    this.post({ type: 'busy', what: 'history', message: 'Reading Git history…' });
    try {
      const view = await loadHistoryView(doc, this.audits);
      if (!view || doc !== this.doc) return;
      this.lastHistory = { uri, ...view };
      this.post({ type: 'history', ...this.lastHistory });
    } catch (e) {
      this.post({ type: 'error', what: 'history', message: e instanceof Error ? e.message : String(e) });
    }
  }

  showTiming(uri: vscode.Uri, timing: TimingView): void {
    this.lastTiming = { uri: uri.toString(), timing };
    this.post({ type: 'timing', ...this.lastTiming });
  }

  showDrift(uri: vscode.Uri, drift: KvDriftView): void {
    this.lastDrift = { uri: uri.toString(), drift };
    this.post({ type: 'kvDrift', ...this.lastDrift });
  }

  showWorkspace(rows: WorkspaceRowView[], cancelled: boolean): void {
    this.lastWorkspace = { rows, cancelled };
    this.post({ type: 'workspace', rows, cancelled });
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    const csp = [
      `default-src 'none'`,
      `script-src 'nonce-${nonce}'`,
      `style-src ${webview.cspSource} 'nonce-${nonce}'`,
      `img-src ${webview.cspSource} data:`,
      `font-src ${webview.cspSource}`,
    ].join('; ');
    const initial = JSON.stringify(this.state).replace(/</g, '\\u003c');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}" nonce="${nonce}">
<title>Prompt Cache</title>
</head>
<body data-testid="prompt-cache-panel">
<div id="app" data-initial-state="${escapeAttr(initial)}"></div>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (PromptCachePanel.current === this) PromptCachePanel.current = undefined;
    clearTimeout(this.tokensTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function activePromptDocument(audits: AuditService): vscode.TextDocument | undefined {
  const d = vscode.window.activeTextEditor?.document;
  if (d && audits.isPromptDocument(d)) return d;
  return vscode.window.visibleTextEditors.map((e) => e.document).find((x) => audits.isPromptDocument(x));
}

function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}

function emptySummary(): SummaryView {
  return { headline: '…', provider: '', rule: '', baselineLabel: '', encoding: '', tokens: 0, baselineTokens: 0, reusablePrefixTokens: 0, recomputedTokens: 0, cachedTokens: 0, firstDivergentToken: null, notes: [], findings: 0 };
}
