// Live session (opt-in, `promptCache.sessions.watch`): follows the newest Claude Code or Codex session of the open
// workspace as the agent writes it, and shows its hit ratio so far and the time left before the cache entry of its last
// call expires ("cache cold in 3:12"), with a notification before a resumed session would pay a full write. Nothing
// leaves the machine: it reads local files. Idle costs nothing: fs.watch (inotify) wakes it only when a file changes;
// the one-second countdown runs only while the window has focus and the entry has not expired; the appended bytes are
// read in the session worker.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SessionWorkerClient } from '../auditWorker/sessionClient';
import { claudeProjectNames, newestWorkspaceSession, type AgentSessionEntry } from '../core/sessions/locate';
import type { LiveSessionStatus } from '../core/sessions/tail';
import { Command } from '../view/commandIds';
import { formatCount, formatPercent } from '../view/format';
import { countdownRunning, formatCountdown, liveStatusText } from '../view/sessionView';
import { SECTION } from './config';
import { sessionDirs, workspaceFolderPaths } from './sessions';

const WARN_BEFORE_MS = 30_000;
const DEBOUNCE_MS = 250;

export class SessionWatch implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('promptCache.session', vscode.StatusBarAlignment.Right, 99);
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: FSWatcher[] = [];
  private fileWatcher: FSWatcher | undefined;
  private session: AgentSessionEntry | null = null;
  private status: LiveSessionStatus | null = null;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  /** Starts over when a watched folder gains a subfolder the agent just created, and at midnight (Codex's day folder). */
  private restart: NodeJS.Timeout | undefined;
  private warned = new Set<string>();
  private running = false;

  constructor(
    private readonly client: SessionWorkerClient,
    private readonly log: vscode.OutputChannel,
  ) {
    this.item.name = 'Prompt Cache: live session';
    this.disposables.push(
      this.item,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.sessions`)) void this.apply();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.apply()),
      vscode.window.onDidChangeWindowState((s) => this.onFocus(s.focused)),
    );
    void this.apply();
  }

  private enabled(): boolean {
    // Consent is the user's: a workspace's own settings cannot turn the watch on.
    return vscode.workspace.getConfiguration(SECTION).inspect<boolean>('sessions.watch')?.globalValue === true;
  }

  private async apply(): Promise<void> {
    this.stop();
    if (!this.enabled() || !workspaceFolderPaths().length) return;
    this.running = true;
    const dirs = sessionDirs();
    // New sessions appear in the workspace's Claude Code project folder (and today's Codex folder): watch those.
    for (const w of workspaceFolderPaths()) {
      for (const name of claudeProjectNames(w)) this.watchDir(path.join(dirs.claudeDir, 'projects', name), dirs.claudeDir);
    }
    const d = new Date();
    this.watchDir(path.join(dirs.codexDir, 'sessions', String(d.getFullYear()), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')), dirs.codexDir);
    // Codex starts a new day folder at local midnight: follow it then (one timer a day).
    const midnight = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1, 0, 0, 1).getTime();
    this.startOverIn(midnight - d.getTime());
    await this.findNewest();
  }

  private startOverIn(ms: number): void {
    clearTimeout(this.restart);
    this.restart = setTimeout(() => void this.apply(), ms);
    this.restart.unref?.();
  }

  private watchDir(dir: string, root: string): void {
    if (!existsSync(dir)) {
      // The agent has not written here yet (its first session in this workspace, or today): watch the nearest folder
      // that exists below its home, and start over when something appears in it.
      let up = path.dirname(dir);
      while (!existsSync(up) && up.startsWith(root) && up !== root) up = path.dirname(up);
      if (!up.startsWith(root) || !existsSync(up)) return;
      try {
        const w = watch(up, { persistent: false }, () => this.startOverIn(DEBOUNCE_MS));
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // not watchable: the next start (settings, folders, midnight) looks again
      }
      return;
    }
    try {
      const w = watch(dir, { persistent: false }, (_event, name) => {
        if (name && !String(name).endsWith('.jsonl')) return;
        if (this.session && name && path.join(dir, String(name)) === this.session.file) return this.schedule();
        void this.findNewest();
      });
      w.on('error', () => w.close());
      this.watchers.push(w);
    } catch {
      // the folder does not exist (yet): the agent has not run here
    }
  }

  private async findNewest(): Promise<void> {
    if (!this.running) return;
    const newest = await newestWorkspaceSession({ dirs: sessionDirs(), workspaceFolders: workspaceFolderPaths() }).catch(() => null);
    if (!this.running) return;
    if (!newest) {
      this.item.hide();
      return;
    }
    if (newest.file !== this.session?.file) {
      if (this.session) this.client.untail(this.session.file);
      this.fileWatcher?.close();
      this.session = newest;
      this.status = null;
      try {
        this.fileWatcher = watch(newest.file, { persistent: false }, () => this.schedule());
        this.fileWatcher.on('error', () => this.fileWatcher?.close());
      } catch (e) {
        this.log.appendLine(`live session: cannot watch ${newest.file}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    await this.read();
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    // An agent writes a call as several lines in a burst: read once the burst is over.
    this.debounce = setTimeout(() => void this.read(), DEBOUNCE_MS);
  }

  private async read(): Promise<void> {
    const s = this.session;
    if (!s || !this.running) return;
    try {
      const r = await this.client.tail(s.file);
      if (s !== this.session) return;
      if (!r.status) {
        this.item.hide();
        if (r.reason) this.log.appendLine(`live session ${s.file}: ${r.reason}`);
        return;
      }
      this.status = r.status;
      this.render();
    } catch (e) {
      this.log.appendLine(`live session: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private render(): void {
    const st = this.status;
    const s = this.session;
    if (!st || !s) return;
    const now = Date.now();
    this.item.text = `$(pulse) ${liveStatusText(st, now)}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**Prompt Cache: live session** (${s.agent === 'codex' ? 'Codex' : 'Claude Code'})\n\n`);
    md.appendText(`${path.basename(s.file)} · ${formatCount(st.calls)} calls · ${st.hitRatio === null ? 'no usage yet' : `${formatPercent(st.hitRatio)} of ${formatCount(st.promptTokens)} prompt tokens read from cache`}\n\n`);
    if (st.last) {
      const exp = st.last.expiresAt;
      md.appendText(exp === null ? `The last call's entry has no known lifetime (${st.last.lifetime.label}).` : exp > now ? `The last call's entry (${formatCount(st.last.entryTokens)} tokens, ${st.last.lifetime.label} lifetime) expires in ${formatCountdown(exp - now)} unless the session goes on.` : `The last call's entry (${formatCount(st.last.entryTokens)} tokens) expired: resuming writes it again.`);
      md.appendMarkdown('\n\n');
    }
    md.appendMarkdown('Read from the local log; nothing leaves the machine. Click to audit the session call by call.');
    this.item.tooltip = md;
    this.item.command = { title: 'Audit Session', command: Command.AuditSession, arguments: [vscode.Uri.file(s.file)] };
    this.item.show();
    this.tick(now);
  }

  /** The countdown: one update a second, only while the window has focus and the entry is alive. */
  private tick(now: number): void {
    const st = this.status;
    const alive = !!st && countdownRunning(st, now);
    if (alive && st?.last?.expiresAt) this.maybeWarn(st, st.last.expiresAt - now);
    if (alive && vscode.window.state.focused) {
      if (!this.timer) this.timer = setInterval(() => this.render(), 1000);
    } else this.stopTimer();
  }

  private maybeWarn(st: LiveSessionStatus, leftMs: number): void {
    const key = st.last ? `${this.session?.file}|${st.last.id}` : '';
    if (!key || leftMs > WARN_BEFORE_MS || this.warned.has(key)) return;
    this.warned.add(key);
    void vscode.window
      .showWarningMessage(`Prompt Cache: the session's cache entry expires in ${formatCountdown(leftMs)}; a message after that writes ${formatCount(st.last!.entryTokens)} tokens again.`, 'Audit Session')
      .then((pick) => {
        if (pick && this.session) void vscode.commands.executeCommand(Command.AuditSession, vscode.Uri.file(this.session.file));
      });
  }

  private onFocus(focused: boolean): void {
    if (!this.status || !this.running) return;
    if (!focused) return this.stopTimer();
    const st = this.status;
    const exp = st.last?.expiresAt;
    // Back after the entry expired (and it did not warn before): say it once, before the user resumes.
    if (exp && exp <= Date.now() && Date.now() - exp < 6 * 3600_000) {
      const key = `${this.session?.file}|${st.last!.id}|expired`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        void vscode.window.showInformationMessage(`Prompt Cache: the session's cache entry expired ${formatCountdown(Date.now() - exp)} ago; resuming it writes ${formatCount(st.last!.entryTokens)} tokens again.`);
      }
    }
    this.render();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private stop(): void {
    this.running = false;
    this.stopTimer();
    clearTimeout(this.debounce);
    clearTimeout(this.restart);
    for (const w of this.watchers.splice(0)) w.close();
    this.fileWatcher?.close();
    this.fileWatcher = undefined;
    if (this.session) this.client.untail(this.session.file);
    this.session = null;
    this.status = null;
    this.item.hide();
  }

  dispose(): void {
    this.stop();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
