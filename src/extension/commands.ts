// Command handlers (category "Prompt Cache"). Ids are collected in one enum so package.json, menus and code agree.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProviderId } from '../core/types';
import type { AuditService } from './auditService';
import { Command, type CommandId } from '../view/commandIds';
import { ENCODINGS, PROVIDERS, SECTION } from './config';
import { kvDriftView, timingView, type DecoderService } from './decoderService';
import { removeBom } from './bom';
import type { Diagnostics } from './diagnostics';
import * as git from './git';
import { isPromptPath } from '../core/promptFiles';
import { formatCount, formatMs, formatPercent, pickProvider, providerName } from '../view/format';
import { PromptCachePanel, type PanelActions } from './panel';
import type { WorkspaceRowView } from '../view/protocol';
import type { CacheStatusBar } from './statusBar';


const SUGGESTED_MODELS: Partial<Record<ProviderId, string[]>> = {
  anthropic: ['claude-sonnet-4-5', 'claude-sonnet-4-6', 'claude-opus-4-6', 'claude-haiku-4-5'],
  openai: ['gpt-5', 'gpt-4.1', 'gpt-4o', 'o4-mini'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro'],
  deepseek: ['deepseek-chat', 'deepseek-reasoner'],
};

export interface CommandDeps {
  context: vscode.ExtensionContext;
  audits: AuditService;
  diagnostics: Diagnostics;
  statusBar: CacheStatusBar;
  decoder: () => DecoderService;
  log: vscode.OutputChannel;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { context, audits } = deps;
  const actions = panelActions(deps);
  const showPanel = (tab?: Parameters<typeof PromptCachePanel.createOrShow>[3]) => PromptCachePanel.createOrShow(context.extensionUri, audits, actions, tab);
  const reg = (id: CommandId, fn: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return [
    reg(Command.AuditCurrentFile, async () => {
      const doc = activePrompt(audits);
      if (!doc) return;
      const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Prompt Cache: auditing' }, () => audits.auditFully(doc));
      if (!s) return;
      const diff = s.result.diff;
      const est = pickProvider(diff, audits.current.audit.provider);
      const pct = est ? formatPercent(est.hitRatio) : formatPercent(diff.reusablePrefixTokens / Math.max(1, diff.new.tokens));
      const pick = await vscode.window.showInformationMessage(
        `${path.basename(doc.fileName)}: ${pct} cached vs. ${s.result.baselineLabel} (${formatCount(diff.recomputedTokens)} of ${formatCount(diff.new.tokens)} tokens recomputed), ${diff.findings.length} finding(s).`,
        'Show Heatmap',
      );
      if (pick) showPanel('tokens');
    }),
    reg(Command.AuditWorkspace, () => auditWorkspace(deps)),
    reg(Command.CompareWithGitRevision, async () => {
      const doc = activePrompt(audits);
      if (!doc) return;
      if (doc.uri.scheme !== 'file') return void vscode.window.showWarningMessage('Prompt Cache: Git revisions need a file on disk.');
      const revs = await git.fileLog(doc.uri.fsPath, 200).catch(() => []);
      if (revs.length === 0) return void vscode.window.showWarningMessage(`Prompt Cache: no commit touches ${path.basename(doc.fileName)} (or it is not in a Git repository).`);
      type RevItem = vscode.QuickPickItem & { rev?: git.Revision };
      const items: RevItem[] = revs.map((r) => ({
        label: r.subject || '(no subject)',
        description: new Date(r.date).toLocaleString(),
        detail: `${r.hash.slice(0, 10)}${r.path !== vscode.workspace.asRelativePath(doc.uri) ? ` · ${r.path}` : ''}`,
        rev: r,
      }));
      if (audits.baselines.hasOverride(doc.uri)) items.unshift({ label: '$(discard) Back to the default baseline', description: `promptCache.baseline: ${audits.current.baseline}` });
      const picked = await vscode.window.showQuickPick(items, {
        title: 'Compare with Git Revision',
        placeHolder: 'Commit to use as the baseline (what the provider would have cached)',
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) return;
      if (!picked.rev) {
        audits.baselines.clearOverride(doc.uri);
        await audits.refreshBaseline(doc);
        return;
      }
      const text = await git.showAt(doc.uri.fsPath, picked.rev.hash, picked.rev.path);
      if (text === undefined) return void vscode.window.showErrorMessage(`Prompt Cache: could not read ${picked.rev.path} at ${picked.rev.hash.slice(0, 7)}.`);
      audits.baselines.setOverride(doc.uri, { text, label: `commit ${picked.rev.hash.slice(0, 7)} (${picked.rev.subject})`, fileName: picked.rev.path });
      await audits.refreshBaseline(doc);
    }),
    reg(Command.CompareWithLastSave, async () => {
      const doc = activePrompt(audits);
      if (!doc) return;
      const b = await audits.baselines.lastSave(doc);
      if (!b) return void vscode.window.showWarningMessage('Prompt Cache: no saved version of this file yet.');
      audits.baselines.setOverride(doc.uri, b);
      await audits.refreshBaseline(doc);
    }),
    reg(Command.RemoveByteOrderMark, async (uri) => {
      if (!(uri instanceof vscode.Uri)) return;
      if (!(await removeBom(uri))) void vscode.window.showWarningMessage('Prompt Cache: the byte order mark could not be removed (untrusted workspace, unsaved changes, or no BOM on disk).');
    }),
    reg(Command.ShowHeatmap, () => {
      showPanel();
    }),
    reg(Command.MeasureRecomputeTime, async () => {
      const doc = activePrompt(audits);
      if (doc) await measure(deps, doc);
    }),
    reg(Command.SelectProvider, () => selectProvider(audits)),
    reg(Command.SelectEncoding, async () => {
      const cur = vscode.workspace.getConfiguration(SECTION).get<string>('encoding', 'auto');
      const picked = await vscode.window.showQuickPick(
        ['auto', ...ENCODINGS].map((e) => ({ label: e, description: e === cur ? 'current' : e === 'auto' ? 'from the model (stand-in where not public)' : undefined })),
        { title: 'Prompt Cache: Select Encoding' },
      );
      if (picked) await vscode.workspace.getConfiguration(SECTION).update('encoding', picked.label, configTarget());
    }),
    reg(Command.ClearSavedVersions, async () => {
      const n = await audits.baselines.clearSaved();
      void vscode.window.showInformationMessage(`Prompt Cache: cleared ${n} saved version(s).`);
    }),
    reg(Command.RevealOffset, async (uriArg, startArg, endArg) => {
      // Internal (hidden from the palette): used by links in hovers and the panel.
      if (typeof uriArg !== 'string' || typeof startArg !== 'number') return;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uriArg);
      if (!doc) return;
      const end = typeof endArg === 'number' ? endArg : startArg;
      const range = new vscode.Range(doc.positionAt(startArg), doc.positionAt(end));
      await vscode.window.showTextDocument(doc, { selection: range });
    }),
  ];
}

function configTarget(): vscode.ConfigurationTarget {
  // An untrusted workspace stays unwritten: choices go to the user's settings instead.
  return vscode.workspace.workspaceFolders?.length && vscode.workspace.isTrusted ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
}

function activePrompt(audits: AuditService): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document ?? PromptCachePanel.current?.document;
  if (!doc || !audits.isPromptDocument(doc)) {
    void vscode.window.showWarningMessage('Prompt Cache: open a prompt file first (see the promptCache.include setting).');
    return undefined;
  }
  return doc;
}

async function selectProvider(audits: AuditService): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const current = audits.current.audit;
  // The rule table is loaded on demand: activation stays free of core modules.
  const { CACHE_RULES } = await import('../core/providers');
  const pickedProvider = await vscode.window.showQuickPick(
    PROVIDERS.map((id) => ({ label: providerName(id), description: id === current.provider ? 'current' : undefined, detail: CACHE_RULES[id].summary, id })),
    { title: 'Prompt Cache: Select Provider (1/2)', placeHolder: 'Whose cache rule should the estimates use?', matchOnDetail: true },
  );
  if (!pickedProvider) return;
  const models = SUGGESTED_MODELS[pickedProvider.id] ?? [];
  const custom = '$(edit) Enter a model name…';
  const def = '$(circle-slash) Provider default';
  const pickedModel = await vscode.window.showQuickPick([def, ...models, custom].map((label) => ({ label })), {
    title: 'Prompt Cache: Select Model (2/2)',
    placeHolder: 'The model sets the per-model minimum cacheable prefix and, with encoding "auto", the encoding',
  });
  if (!pickedModel) return;
  let model = pickedModel.label === def ? '' : pickedModel.label;
  if (pickedModel.label === custom) {
    const typed = await vscode.window.showInputBox({ title: 'Model name', value: current.model, prompt: 'e.g. claude-sonnet-4-5, gpt-4o, gemini-2.5-flash' });
    if (typed === undefined) return;
    model = typed.trim();
  }
  await cfg.update('provider', pickedProvider.id, configTarget());
  await cfg.update('model', model, configTarget());
}

async function measure(deps: CommandDeps, doc: vscode.TextDocument): Promise<void> {
  const { audits } = deps;
  const settings = audits.current.decoder;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Prompt Cache: measuring recompute time', cancellable: true },
    async (progress, token) => {
      const state = await audits.auditFully(doc);
      const t = await audits.tokens(doc);
      if (!state || !t) return;
      PromptCachePanel.current?.post({ type: 'busy', what: 'timing', message: `Measuring on the local decoder (${settings.modelPath ? 'custom model' : settings.preset})…` });
      try {
        const m = await deps.decoder().measure(
          { ids: t.ids, reusablePrefix: state.result.diff.reusablePrefixTokens, preset: settings.preset, modelPath: settings.modelPath, tokenCap: settings.tokenCap },
          token,
          (p) => progress.report({ message: progressText(p) }),
        );
        const view = timingView(m);
        deps.statusBar.setTiming(doc.uri, { coldMs: view.coldMs, warmMs: view.warmMs, preset: view.preset });
        // An open panel (even one hidden behind an editor) is revealed on its timing tab; otherwise a notification.
        const panel = PromptCachePanel.current && PromptCachePanel.createOrShow(deps.context.extensionUri, audits, panelActions(deps), 'timing');
        panel?.showTiming(doc.uri, view);
        deps.log.appendLine(`measure ${doc.fileName}: cold ${m.cold.medianMs.toFixed(1)} ms, warm ${m.warm.medianMs.toFixed(1)} ms (${m.model.name}, ${m.tokens} tokens)`);
        if (!panel) {
          const pick = await vscode.window.showInformationMessage(
            `Recompute on ${m.model.name}: cold ${formatMs(m.cold.medianMs)}, with the cached prefix ${formatMs(m.warm.medianMs)} (${m.speedup.toFixed(1)}×).`,
            'Show Timing',
          );
          if (pick) {
            const p = PromptCachePanel.createOrShow(deps.context.extensionUri, audits, panelActions(deps), 'timing');
            p.showTiming(doc.uri, view);
          }
        }
      } catch (e) {
        reportDecoderError(e, deps.log, 'timing');
      }
    },
  );
}

async function kvDrift(deps: CommandDeps, doc: vscode.TextDocument): Promise<void> {
  const { audits } = deps;
  const settings = audits.current.decoder;
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Prompt Cache: computing KV drift', cancellable: true },
    async (progress, token) => {
      const t = await audits.tokens(doc, true);
      if (!t || !t.baselineIds) return;
      if (t.firstDivergentToken === null) {
        void vscode.window.showInformationMessage('Prompt Cache: the tokens equal the baseline; no KV entry changes.');
        return;
      }
      PromptCachePanel.current?.post({ type: 'busy', what: 'kv', message: 'Computing KV drift on the local decoder…' });
      try {
        const d = await deps.decoder().kvDrift(t.baselineIds, t.ids, t.firstDivergentToken, { preset: settings.preset, modelPath: settings.modelPath, tokenCap: settings.tokenCap }, token, (p) =>
          progress.report({ message: progressText(p) }),
        );
        const panel = PromptCachePanel.current ?? PromptCachePanel.createOrShow(deps.context.extensionUri, audits, panelActions(deps), 'kv');
        panel.showDrift(doc.uri, kvDriftView(d));
        panel.showTab('kv');
      } catch (e) {
        reportDecoderError(e, deps.log, 'kv');
      }
    },
  );
}

export function panelActions(deps: CommandDeps): PanelActions {
  return { measure: (d) => measure(deps, d), kvDrift: (d) => kvDrift(deps, d), auditWorkspace: () => auditWorkspace(deps) };
}

function progressText(p: { phase: string; run?: number; runs?: number; done?: number; total?: number }): string {
  let s = p.phase;
  if (p.run && p.runs) s += ` ${p.run}/${p.runs}`;
  if (p.done !== undefined && p.total) s += ` (${Math.round((100 * p.done) / p.total)}%)`;
  return s;
}

function reportDecoderError(e: unknown, log: vscode.OutputChannel, what: 'timing' | 'kv'): void {
  const code = (e as { code?: string }).code;
  const msg = e instanceof Error ? e.message : String(e);
  PromptCachePanel.current?.post({ type: 'error', what, message: code === 'CANCELLED' ? 'Cancelled.' : msg });
  if (code === 'CANCELLED') return;
  if (code === 'WRITE_DECLINED') return void vscode.window.showInformationMessage('Prompt Cache: measurement skipped (model generation declined).');
  log.appendLine(`decoder: ${msg}`);
  void vscode.window.showErrorMessage(`Prompt Cache: ${msg}`);
}

async function auditWorkspace(deps: CommandDeps): Promise<void> {
  const { audits, diagnostics } = deps;
  const { patterns, maxFileBytes } = audits.current;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return void vscode.window.showWarningMessage('Prompt Cache: open a folder to audit a workspace.');
  const rows: WorkspaceRowView[] = [];
  let cancelled = false;
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Prompt Cache: auditing workspace', cancellable: true }, async (progress, token) => {
    const found = new Map<string, vscode.Uri>();
    for (const folder of folders) {
      for (const inc of patterns.include) {
        const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, inc), '**/node_modules/**', 5000, token);
        for (const u of uris) if (isPromptPath(path.relative(folder.uri.fsPath, u.fsPath), patterns)) found.set(u.toString(), u);
      }
    }
    const files = [...found.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    let i = 0;
    for (const uri of files) {
      if (token.isCancellationRequested) {
        cancelled = true;
        break;
      }
      progress.report({ message: `${++i}/${files.length} ${vscode.workspace.asRelativePath(uri)}`, increment: 100 / Math.max(1, files.length) });
      const rel = vscode.workspace.asRelativePath(uri, false);
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > maxFileBytes) {
          rows.push({ path: rel, tokens: 0, recomputedTokens: 0, hitRatio: 0, findings: 0, error: 'larger than promptCache.maxFileSizeMB' });
          continue;
        }
        const doc = await vscode.workspace.openTextDocument(uri);
        const s = await audits.auditFully(doc);
        if (!s) continue;
        diagnostics.publish(s, doc);
        diagnostics.keep(uri);
        const est = pickProvider(s.result.diff, audits.current.audit.provider);
        rows.push({ path: rel, tokens: s.result.diff.new.tokens, recomputedTokens: s.result.diff.recomputedTokens, hitRatio: est?.hitRatio ?? 0, findings: s.result.diff.findings.length });
      } catch (e) {
        rows.push({ path: rel, tokens: 0, recomputedTokens: 0, hitRatio: 0, findings: 0, error: e instanceof Error ? e.message : String(e) });
      }
    }
  });
  const panel = PromptCachePanel.current ?? PromptCachePanel.createOrShow(deps.context.extensionUri, audits, panelActions(deps), 'workspace');
  panel.showWorkspace(rows, cancelled);
  panel.showTab('workspace');
  const findings = rows.reduce((a, r) => a + r.findings, 0);
  void vscode.window.showInformationMessage(`Prompt Cache: audited ${rows.length} prompt file(s)${cancelled ? ' (cancelled)' : ''}; ${findings} finding(s) in Problems.`);
}
