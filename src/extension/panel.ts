// The "Prompt Cache" panel: one webview instance showing the token heatmap of the active prompt file and the tabs of
// the registry (src/view/tabs.ts), whose data providers live in src/extension/tabs/. Restored after a reload by a
// WebviewPanelSerializer; every webview message is validated.
import * as vscode from 'vscode';
import type { AuditService, AuditState } from './auditService';
import { openCommitDiff } from './historyLoader';
import { resolveInsideRoots } from './paths';
import { hostTabs, type HostTab, type HostTabContext } from './panelTabs';
import { noPromptFileMessage } from '../view/promptKinds';
import { emptySummary, summaryView } from '../view/summary';
import { parsePanelState, parseWebviewMessage, type HostToWebview, type PanelState, type TabId, type WebviewToHost } from '../view/protocol';
import { PANEL_TABS, tabInfo, type TabInfo, type TabViews } from '../view/tabs';
import { setPromptFileContext } from './promptContext';
import type { Workflows } from './workflows';

export const PANEL_VIEW_TYPE = 'promptCache.panel';
const TOKENS_DELAY_MS = 150;

export interface PanelDeps {
  extensionUri: vscode.Uri;
  audits: AuditService;
  workflows: Workflows;
  /** The tabs (the registry's; a test adds its own) and their host providers (found by id unless given). */
  tabs?: readonly TabInfo[];
  providers?: Readonly<Record<string, HostTab>>;
  /** The Session tab's clicks (src/extension/sessions.ts). */
  sessions?: { selectCall(index: number): Promise<void> };
}

export class PromptCachePanel implements vscode.Disposable {
  static current: PromptCachePanel | undefined;
  private static deps: PanelDeps | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private state: PanelState;
  private doc: vscode.TextDocument | undefined;
  private tokensTimer: NodeJS.Timeout | undefined;
  private sentVersion = -1;
  private readonly tabs: readonly TabInfo[];
  private readonly providers: Map<string, HostTab>;
  /** The last data of each tab, so a hidden-then-shown webview (which reloads) gets it again. */
  private readonly lastData = new Map<string, { uri?: string; data: unknown }>();

  /** Called once at activation: what every panel needs. */
  static configure(deps: PanelDeps): void {
    PromptCachePanel.deps = deps;
  }

  /**
   * Opens the panel (or reveals the open one) beside the editor, following the active prompt file, on `tab` when
   * given. The one entry point for commands and workflows.
   */
  static show(tab?: TabId): PromptCachePanel {
    const deps = PromptCachePanel.requireDeps();
    const editorDoc = activePromptDocument(deps.audits);
    const open = PromptCachePanel.current;
    if (open) {
      open.panel.reveal(open.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
      if (editorDoc) open.follow(editorDoc);
      if (tab) open.showTab(tab);
      return open;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Prompt Cache', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, webviewOptions(deps.extensionUri));
    const p = new PromptCachePanel(panel, deps, { tab: tab ?? 'tokens', uri: editorDoc?.uri.toString() });
    if (editorDoc) p.follow(editorDoc);
    else p.showNoDocument();
    return p;
  }

  static revive(panel: vscode.WebviewPanel, rawState: unknown): PromptCachePanel {
    const deps = PromptCachePanel.requireDeps();
    PromptCachePanel.current?.dispose();
    panel.webview.options = webviewOptions(deps.extensionUri);
    const state = parsePanelState(rawState, (deps.tabs ?? PANEL_TABS).map((t) => t.id));
    const p = new PromptCachePanel(panel, deps, state);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === state.uri) ?? activePromptDocument(deps.audits);
    if (doc && deps.audits.isPromptDocument(doc)) p.follow(doc);
    return p;
  }

  private static requireDeps(): PanelDeps {
    if (!PromptCachePanel.deps) throw new Error('PromptCachePanel.configure() was not called');
    return PromptCachePanel.deps;
  }

  private readonly audits: AuditService;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: PanelDeps,
    state: PanelState,
  ) {
    PromptCachePanel.current = this;
    this.audits = deps.audits;
    this.tabs = deps.tabs ?? PANEL_TABS;
    this.providers = hostTabs(this.tabs, deps.providers);
    this.state = state;
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    const audits = deps.audits;
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw)),
      panel.onDidChangeViewState(() => {
        // Hidden webviews are torn down and reload on show; the `ready` handshake resends the data.
        if (!panel.visible) this.ready = false;
        if (panel.active) setPromptFileContext(!!this.doc);
      }),
      audits.onDidAudit((s) => this.onAudit(s)),
      audits.onDidDecline((uri) => {
        if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) this.showNoDocument();
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && audits.isPromptDocument(e.document) && !audits.declinedReason(e.document.uri)) this.follow(e.document);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d === this.doc) {
          this.doc = undefined;
          this.showNoDocument('The prompt file was closed.');
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
      if (!this.audits.track(doc)) {
        this.doc = undefined;
        return this.showNoDocument();
      }
      // A document-scoped tab that is showing loads its data for the new document.
      void this.loadTab(this.state.tab);
    }
    const s = this.audits.resultFor(doc.uri);
    if (s) this.onAudit(s);
    else void this.audits.auditNow(doc, false);
  }

  /** "Open a prompt file…" with the file kinds watched (or why the active file is not audited). */
  showNoDocument(prefix?: string): void {
    const active = vscode.window.activeTextEditor?.document;
    const declined = active && this.audits.declinedReason(active.uri);
    const reason = declined
      ? `${vscode.workspace.asRelativePath(active.uri)}: ${declined}; it is not audited.`
      : `${prefix ? `${prefix} ` : ''}${noPromptFileMessage(this.audits.current.patterns.include)}`;
    this.post({ type: 'noDocument', reason });
  }

  showTab(tab: TabId): void {
    this.state.tab = tab;
    this.post({ type: 'showTab', tab });
    void this.loadTab(tab);
  }

  post(msg: HostToWebview): void {
    if (!this.ready) return; // the webview asks for everything with `ready` once it has loaded
    void this.panel.webview.postMessage(msg);
  }

  /** A tab's data (from its provider or a workflow); kept for a reloading webview. */
  setTabData<K extends keyof TabViews>(tab: K, data: TabViews[K], uri?: vscode.Uri | string): void {
    const u = typeof uri === 'string' ? uri : uri?.toString();
    this.lastData.set(tab, { uri: u, data });
    this.post({ type: 'tab', tab, uri: u, data } as HostToWebview);
  }

  /** Progress or failure shown in a tab's body. */
  setTabStatus(tab: TabId, kind: 'busy' | 'error', message: string): void {
    this.post({ type: kind, what: tab, message });
  }

  private context(tab: string): HostTabContext {
    const doc = this.doc;
    return {
      doc,
      audits: this.audits,
      workflows: this.deps.workflows,
      post: (data, uri) => this.setTabData(tab as keyof TabViews, data as never, uri ?? doc?.uri),
      busy: (m) => this.setTabStatus(tab as TabId, 'busy', m),
      error: (m) => this.setTabStatus(tab as TabId, 'error', m),
      stillCurrent: () => this.doc === doc,
    };
  }

  /** Asks a tab's provider for data when the tab has none for what the panel shows. */
  private async loadTab(tab: string): Promise<void> {
    const provider = this.providers.get(tab);
    if (!provider?.load) return;
    const info = tabInfo(tab, this.tabs);
    const have = this.lastData.get(tab);
    if (have && (info?.scope === 'workspace' || have.uri === this.doc?.uri.toString())) return;
    if (info?.scope !== 'workspace' && !this.doc) return;
    await provider.load(this.context(tab));
  }

  private onAudit(s: AuditState): void {
    if (!this.doc || s.uri.toString() !== this.doc.uri.toString()) return;
    this.post({ type: 'summary', uri: s.uri.toString(), fileName: vscode.workspace.asRelativePath(s.uri), version: s.version, summary: summaryView(s.result, this.audits.current.audit.provider) });
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
      summary: s ? summaryView(s.result, this.audits.current.audit.provider) : emptySummary(),
    });
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseWebviewMessage(raw, this.tabs.map((t) => t.id));
    if (!msg) return; // malformed or unknown: ignored
    await this.handle(msg);
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        this.sentVersion = -1;
        this.post({ type: 'showTab', tab: this.state.tab });
        if (!this.doc) this.showNoDocument();
        else this.follow(this.doc);
        for (const [tab, d] of this.lastData) {
          const scope = tabInfo(tab, this.tabs)?.scope;
          if (scope === 'workspace' || d.uri === this.doc?.uri.toString()) this.post({ type: 'tab', tab, uri: d.uri, data: d.data } as HostToWebview);
        }
        // Restored on a tab whose data loads on show: no tab change will ask for it.
        await this.loadTab(this.state.tab);
        return;
      }
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
        const at = msg.line !== undefined ? new vscode.Position(msg.line - 1, 0) : undefined;
        await vscode.window.showTextDocument(vscode.Uri.file(abs), { viewColumn: vscode.ViewColumn.One, ...(at ? { selection: new vscode.Range(at, at) } : {}) });
        return;
      }
      case 'sessionCall':
        await this.deps.sessions?.selectCall(msg.callIndex);
        return;
      case 'run': {
        const provider = this.providers.get(msg.tab);
        if (provider?.run) await provider.run(this.context(msg.tab));
        return;
      }
      case 'tabChanged':
        this.state.tab = msg.tab;
        await this.loadTab(msg.tab);
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

  private html(): string {
    const webview = this.panel.webview;
    const nonce = makeNonce();
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'webview.js'));
    const css = webview.asWebviewUri(vscode.Uri.joinPath(this.deps.extensionUri, 'media', 'panel.css'));
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
  const ok = (d: vscode.TextDocument) => audits.isPromptDocument(d) && !audits.declinedReason(d.uri);
  const d = vscode.window.activeTextEditor?.document;
  if (d && ok(d)) return d;
  return vscode.window.visibleTextEditors.map((e) => e.document).find(ok);
}

function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}
