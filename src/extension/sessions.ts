// Session auditing in the editor: Audit Session… (a picker over the user's Claude Code and Codex sessions, the
// workspace's first, plus Browse…), the editor-title button on a file whose content is a session or capture, and the
// Session tab's data. Reading and analysis run in the session worker (src/auditWorker/sessionWorker.ts), cancellable,
// with progress; a clicked call's request diff is computed there on demand.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CancelledError, SessionWorkerClient } from '../auditWorker/sessionClient';
import { agentDirs, listAgentSessions, type AgentDirs, type AgentSessionEntry } from '../core/sessions/locate';
import type { SessionAudit } from '../core/sessions/types';
import { formatBytes, formatMs } from '../view/format';
import { againstCallOf, selectedCallView, sessionView, type PromptFileLink, type SessionView } from '../view/sessionView';
import type { AuditService } from './auditService';
import { SECTION } from './config';
import { PromptCachePanel } from './panel';

export const SESSION_FILE_CONTEXT = 'promptCache.isSessionFile';
const SESSION_NAME = /\.(jsonl|ndjson|har|json)$/i;
/** Prompt files larger than this are not searched for a diff's line. */
const MAX_PROMPT_SEARCH_BYTES = 1024 * 1024;
/** Logs above this get a cancellable progress notification (~1 s to read and analyse on a 2-core machine). */
const BIG_LOG_BYTES = 4 * 1024 * 1024;

/** The agents' folders from the settings (an untrusted workspace's own values are ignored), then the environment. */
export function sessionDirs(): AgentDirs {
  const c = vscode.workspace.getConfiguration(SECTION);
  const read = (key: string) => (vscode.workspace.isTrusted ? c.get<string>(key, '') : c.inspect<string>(key)?.globalValue ?? '') ?? '';
  return agentDirs({ claudeDir: read('sessions.claudeDir'), codexDir: read('sessions.codexDir') });
}

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

function ago(ms: number): string {
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 90) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

function tilde(p: string): string {
  const h = os.homedir();
  return p.startsWith(h + path.sep) ? `~${p.slice(h.length)}` : p;
}

export class SessionService implements vscode.Disposable {
  readonly client: SessionWorkerClient;
  private current: { audit: SessionAudit; view: SessionView } | undefined;
  private selectSeq = 0;
  private readonly sniffed = new Map<string, { version: number; isSession: boolean }>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    extensionUri: vscode.Uri,
    private readonly audits: AuditService,
    private readonly log: vscode.OutputChannel,
  ) {
    this.client = new SessionWorkerClient({ workerPath: path.join(extensionUri.fsPath, 'dist', 'session-worker.js'), onLog: (l) => log.appendLine(l) });
    this.disposables.push(vscode.window.onDidChangeActiveTextEditor((e) => void this.updateContext(e?.document)));
    void this.updateContext(vscode.window.activeTextEditor?.document);
  }

  /** Whether a document's content is a session log or capture (sniffed in the worker from its first 64 KB). */
  async isSessionDocument(doc: vscode.TextDocument): Promise<boolean> {
    if (doc.uri.scheme !== 'file' || !SESSION_NAME.test(doc.fileName)) return false;
    const key = doc.uri.toString();
    const known = this.sniffed.get(key);
    if (known && known.version === doc.version) return known.isSession;
    const head = doc.getText(new vscode.Range(new vscode.Position(0, 0), doc.positionAt(64 * 1024)));
    const found = await this.client.sniff(path.basename(doc.fileName), head).catch(() => null);
    this.sniffed.set(key, { version: doc.version, isSession: !!found });
    return !!found;
  }

  private async updateContext(doc: vscode.TextDocument | undefined): Promise<void> {
    const is = !!doc && (await this.isSessionDocument(doc));
    if (doc !== vscode.window.activeTextEditor?.document) return;
    await vscode.commands.executeCommand('setContext', SESSION_FILE_CONTEXT, is);
  }

  /** Audit Session…: a file given (editor title, explorer), else the picker. */
  async auditSessionCommand(arg?: unknown): Promise<void> {
    const file = arg instanceof vscode.Uri ? arg.fsPath : await this.pick();
    if (file) await this.auditFile(file);
  }

  async pick(): Promise<string | undefined> {
    type Item = vscode.QuickPickItem & { file?: string; browse?: boolean };
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = 'Prompt Cache: Audit Session';
    qp.placeholder = 'A Claude Code or Codex session (this workspace first), or Browse… for a HAR capture or request log';
    qp.matchOnDescription = true;
    qp.matchOnDetail = true;
    qp.busy = true;
    const active = vscode.window.activeTextEditor?.document;
    const base: Item[] = [];
    if (active && (await this.isSessionDocument(active))) base.push({ label: `$(file) ${path.basename(active.fileName)}`, description: 'the file in the editor', detail: tilde(active.fileName), file: active.fileName });
    const browse: Item = { label: '$(folder-opened) Browse…', description: 'any session log, HAR capture, request log, OTLP trace or export', browse: true };
    qp.items = [...base, browse];
    qp.show();
    const dirs = sessionDirs();
    void listAgentSessions({ dirs, workspaceFolders: workspaceFolderPaths() })
      .then((entries) => {
        const item = (e: AgentSessionEntry): Item => ({
          label: e.title ?? path.basename(e.file),
          description: `${e.agent === 'codex' ? 'Codex' : 'Claude Code'} · ${ago(e.mtime)} · ${formatBytes(e.size)}`,
          detail: tilde(e.file),
          file: e.file,
        });
        const mine = entries.filter((e) => e.inWorkspace);
        const others = entries.filter((e) => !e.inWorkspace).slice(0, 100);
        const sep = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });
        qp.items = [
          ...base,
          ...(mine.length ? [sep('this workspace'), ...mine.map(item)] : []),
          ...(others.length ? [sep('other sessions'), ...others.map(item)] : []),
          sep(''),
          browse,
        ];
        if (!entries.length) qp.placeholder = `No sessions under ${tilde(dirs.claudeDir)} or ${tilde(dirs.codexDir)}: Browse… for a file`;
      })
      .catch((e: unknown) => this.log.appendLine(`session picker: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => (qp.busy = false));
    const chosen = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => resolve(qp.selectedItems[0]));
      qp.onDidHide(() => resolve(undefined));
    });
    qp.dispose();
    if (!chosen) return undefined;
    if (chosen.file) return chosen.file;
    if (!chosen.browse) return undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Audit',
      title: 'Audit a session log or capture',
      filters: { 'Session logs and captures': ['jsonl', 'ndjson', 'json', 'har'], 'All files': ['*'] },
    });
    return picked?.[0]?.fsPath;
  }

  async auditFile(file: string): Promise<void> {
    const panel = PromptCachePanel.show('session');
    panel.setTabStatus('session', 'busy', `Reading ${path.basename(file)}…`);
    const controller = new AbortController();
    const t0 = performance.now();
    // A notification (with Cancel) only for logs that take a while; a small one is done before it would be read.
    const big = await fs.stat(file).then((st) => st.size > BIG_LOG_BYTES, () => false);
    try {
      const r = await vscode.window.withProgress(
        { location: big ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window, title: `Prompt Cache: auditing ${path.basename(file)}`, cancellable: big },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return this.client.audit(file, {
            signal: controller.signal,
            onProgress: (p) => {
              if (p.phase === 'read' && p.totalBytes > 0) {
                const pct = Math.min(100, (100 * p.bytes) / p.totalBytes);
                progress.report({ increment: pct - reported, message: `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}` });
                reported = pct;
              } else if (p.phase === 'analyse') progress.report({ message: `analysing ${p.totalBytes} calls…` });
            },
          });
        },
      );
      const view = sessionView(r.audit, { timing: `read in ${formatMs(r.readMs)}, analysed in ${formatMs(r.analyseMs)}` });
      this.current = { audit: r.audit, view };
      this.log.appendLine(`session ${file}: ${r.audit.calls.length} calls, read ${r.readMs.toFixed(0)} ms, analysed ${r.analyseMs.toFixed(0)} ms, shown after ${(performance.now() - t0).toFixed(0)} ms`);
      PromptCachePanel.current?.setTabData('session', view);
    } catch (e) {
      const cancelled = e instanceof CancelledError;
      PromptCachePanel.current?.setTabStatus('session', 'error', cancelled ? 'Cancelled.' : `Could not audit ${path.basename(file)}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** A click on a call: its request diff against the call it should have reused, and a prompt file it points into. */
  async selectCall(index: number): Promise<void> {
    const cur = this.current;
    if (!cur || !cur.audit.calls[index]) return;
    const seq = ++this.selectSeq;
    const post = (selected: SessionView['selected']) => {
      if (seq !== this.selectSeq || this.current !== cur) return;
      cur.view = { ...cur.view, selected };
      PromptCachePanel.current?.setTabData('session', cur.view);
    };
    post(selectedCallView(cur.audit, index));
    if (againstCallOf(cur.audit, index) === null) return post(selectedCallView(cur.audit, index, { excerpt: null, reason: 'The first call has no earlier call to compare with.' }));
    let diff: Awaited<ReturnType<SessionWorkerClient['diff']>>;
    const t0 = performance.now();
    try {
      diff = await this.client.diff(cur.audit.file, index);
    } catch (e) {
      diff = { excerpt: null, reason: e instanceof Error ? e.message : String(e) };
    }
    let link: PromptFileLink | undefined;
    try {
      if (diff.excerpt?.divergentLine) link = await this.findPromptLine(diff.excerpt.divergentLine);
    } catch (e) {
      this.log.appendLine(`session diff: prompt file search failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.log.appendLine(`session diff of call ${index}: ${diff.excerpt ? diff.excerpt.state : diff.reason} in ${(performance.now() - t0).toFixed(0)} ms${link ? `, from ${link.path}:${link.line}` : ''}`);
    post(selectedCallView(cur.audit, index, diff, link));
  }

  /**
   * The workspace prompt file holding a diverging line (the new text first: the file as it is now). Cheap: the files
   * Audit Workspace lists (globbed in the audit worker), up to 1 MB each, a plain substring search, at most 500 files.
   */
  private async findPromptLine(lines: { old?: string; new?: string }): Promise<PromptFileLink | undefined> {
    const wanted = (['new', 'old'] as const).map((side) => ({ side, text: lines[side]?.trim() })).filter((x): x is { side: 'new' | 'old'; text: string } => !!x.text && x.text.length >= 8);
    const folders = workspaceFolderPaths();
    if (!wanted.length || !folders.length) return undefined;
    const files = ((await this.audits.listFiles(folders)) ?? []).slice(0, 500).map((p) => vscode.Uri.file(p));
    const texts = new Map<string, string>();
    for (const w of wanted) {
      for (const f of files) {
        let text = texts.get(f.fsPath);
        if (text === undefined) {
          try {
            const st = await fs.stat(f.fsPath);
            text = st.size <= MAX_PROMPT_SEARCH_BYTES ? await fs.readFile(f.fsPath, 'utf8') : '';
          } catch {
            text = '';
          }
          texts.set(f.fsPath, text);
        }
        const at = text.indexOf(w.text);
        if (at < 0) continue;
        let line = 1;
        for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
        return { path: vscode.workspace.asRelativePath(f, false), line, side: w.side };
      }
    }
    return undefined;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    void this.client.dispose();
  }
}
