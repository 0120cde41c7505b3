// Command handlers (category "Prompt Cache"). Ids are collected in one enum so package.json, menus and code agree.
// The long-running ones (measure, KV drift, workspace audit) are in workflows.ts; the panel opens with
// PromptCachePanel.show(tab).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProviderId } from '../core/types';
import type { AuditService } from './auditService';
import { Command, type CommandId } from '../view/commandIds';
import { ENCODINGS, PROVIDERS, SECTION } from './config';
import { removeBom } from './bom';
import * as git from './git';
import { auditNotification, providerName } from '../view/format';
import { noPromptFileMessage } from '../view/promptKinds';
import { PromptCachePanel } from './panel';
import { savedVersionUri } from './revisionContent';
import type { Workflows } from './workflows';

const SUGGESTED_MODELS: Partial<Record<ProviderId, string[]>> = {
  anthropic: ['claude-sonnet-4-5', 'claude-sonnet-4-6', 'claude-opus-4-6', 'claude-haiku-4-5'],
  openai: ['gpt-5', 'gpt-4.1', 'gpt-4o', 'o4-mini'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-3-pro'],
  deepseek: ['deepseek-chat', 'deepseek-reasoner'],
};

export interface CommandDeps {
  audits: AuditService;
  workflows: Workflows;
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { audits, workflows } = deps;
  const reg = (id: CommandId, fn: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return [
    reg(Command.AuditCurrentFile, async () => {
      const doc = activePrompt(audits);
      if (!doc) return;
      const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Prompt Cache: auditing' }, () => audits.auditFully(doc));
      if (!s) return;
      const pick = await vscode.window.showInformationMessage(auditNotification(path.basename(doc.fileName), s.result.diff, audits.current.audit.provider, s.result.baselineLabel), 'Show Heatmap');
      if (pick) PromptCachePanel.show('tokens');
    }),
    reg(Command.AuditWorkspace, () => workflows.auditWorkspace()),
    reg(Command.CompareWithGitRevision, () => compareWithGitRevision(audits)),
    reg(Command.CompareWithLastSave, async () => {
      const doc = activePrompt(audits);
      if (!doc) return;
      if (!(await audits.compareWithLastSave(doc))) return void vscode.window.showWarningMessage('Prompt Cache: no saved version of this file yet.');
      // Show what is compared: the last save on the left, the editor on the right.
      const name = path.basename(doc.fileName);
      await vscode.commands.executeCommand('vscode.diff', savedVersionUri(doc.uri), doc.uri, `${name} (last save ↔ now)`, { preview: true, preserveFocus: true });
      void vscode.window.showInformationMessage(`Prompt Cache: comparing ${name} with its last save until you close it (Compare with Git Revision… → Back to the default baseline to undo).`);
    }),
    reg(Command.RemoveByteOrderMark, async (uri) => {
      if (!(uri instanceof vscode.Uri)) return;
      if (!(await removeBom(uri))) void vscode.window.showWarningMessage('Prompt Cache: the byte order mark could not be removed (untrusted workspace, unsaved changes, or no BOM on disk).');
    }),
    reg(Command.ShowHeatmap, () => {
      PromptCachePanel.show();
    }),
    reg(Command.MeasureRecomputeTime, async () => {
      const doc = activePrompt(audits);
      if (doc) await workflows.measure(doc);
    }),
    reg(Command.SelectProvider, () => selectProvider(audits)),
    reg(Command.SelectEncoding, async () => {
      const cur = vscode.workspace.getConfiguration(SECTION).get<string>('encoding', 'auto');
      const picked = await vscode.window.showQuickPick(
        ['auto', ...ENCODINGS].map((e) => ({ label: e, description: e === cur ? 'current' : e === 'auto' ? 'from the model (stand-in where not public)' : undefined })),
        { title: 'Prompt Cache: Select Encoding (1/2)' },
      );
      if (!picked) return;
      const target = await pickTarget(['encoding'], 'Select Encoding (2/2)');
      if (target !== undefined) await writeSettings({ encoding: picked.label }, target);
    }),
    reg(Command.ClearSavedVersions, async () => {
      const n = await audits.clearSavedVersions();
      void vscode.window.showInformationMessage(`Prompt Cache: cleared ${n} saved version(s); open files are compared with promptCache.baseline (${audits.current.baseline === 'gitHead' ? 'Git HEAD' : 'the last save'}) again.`);
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

function activePrompt(audits: AuditService): vscode.TextDocument | undefined {
  const doc = vscode.window.activeTextEditor?.document ?? PromptCachePanel.current?.document;
  const declined = doc && audits.declinedReason(doc.uri);
  if (doc && declined) {
    void vscode.window.showWarningMessage(`Prompt Cache: ${path.basename(doc.fileName)}: ${declined}; it is not audited.`);
    return undefined;
  }
  if (!doc || !audits.isPromptDocument(doc)) {
    void vscode.window.showWarningMessage(`Prompt Cache: ${noPromptFileMessage(audits.current.patterns.include).replace('to see its heatmap', 'first')}`);
    return undefined;
  }
  return doc;
}

async function compareWithGitRevision(audits: AuditService): Promise<void> {
  const doc = activePrompt(audits);
  if (!doc) return;
  if (doc.uri.scheme !== 'file') return void vscode.window.showWarningMessage('Prompt Cache: Git revisions need a file on disk.');
  const name = path.basename(doc.fileName);
  const revs = await git.fileLog(doc.uri.fsPath, 200).catch(() => []);
  type RevItem = vscode.QuickPickItem & { rev?: git.Revision; back?: true };
  const items: RevItem[] = revs.map((r) => ({
    label: r.subject || '(no subject)',
    description: new Date(r.date).toLocaleString(),
    detail: `${r.hash.slice(0, 10)}${r.path !== vscode.workspace.asRelativePath(doc.uri) ? ` · ${r.path}` : ''}`,
    rev: r,
  }));
  // Any one-off comparison (a revision, the last save) can be ended from here.
  if (audits.baselines.hasOverride(doc.uri)) items.unshift({ label: '$(discard) Back to the default baseline', description: `promptCache.baseline: ${audits.current.baseline}`, back: true });
  if (items.length === 0) return void vscode.window.showWarningMessage(`Prompt Cache: no commit touches ${name} (or it is not in a Git repository).`);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Compare with Git Revision',
    placeHolder: 'Commit to use as the baseline (what the provider would have cached)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  if (picked.back || !picked.rev) {
    await audits.compareWith(doc, undefined);
    void vscode.window.showInformationMessage(`Prompt Cache: ${name} is compared with promptCache.baseline (${audits.current.baseline === 'gitHead' ? 'Git HEAD' : 'the last save'}) again.`);
    return;
  }
  const text = await git.showAt(doc.uri.fsPath, picked.rev.hash, picked.rev.path);
  if (text === undefined) return void vscode.window.showErrorMessage(`Prompt Cache: could not read ${picked.rev.path} at ${picked.rev.hash.slice(0, 7)}.`);
  const label = `commit ${picked.rev.hash.slice(0, 7)} (${picked.rev.subject})`;
  await audits.compareWith(doc, { text, label, fileName: picked.rev.path });
  // The baseline changed: say so (the status bar and panel now compare with this commit).
  void vscode.window.showInformationMessage(`Prompt Cache: comparing ${name} with ${label} until you close it (Compare with Git Revision… → Back to the default baseline to undo).`);
}

type SettingKey = 'provider' | 'model' | 'encoding';

/**
 * Where a picker's choice is saved: the user's settings by default (the repository's tracked .vscode/settings.json
 * stays untouched), or this workspace when chosen explicitly. Undefined: cancelled.
 */
async function pickTarget(keys: SettingKey[], title: string): Promise<vscode.ConfigurationTarget | undefined> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const inWorkspace = keys.filter((k) => cfg.inspect(k)?.workspaceValue !== undefined || cfg.inspect(k)?.workspaceFolderValue !== undefined);
  const canWorkspace = !!vscode.workspace.workspaceFolders?.length && vscode.workspace.isTrusted;
  type Item = vscode.QuickPickItem & { target: vscode.ConfigurationTarget };
  const items: Item[] = [
    {
      label: '$(account) User settings',
      description: 'default: every workspace; nothing in this repository changes',
      detail: inWorkspace.length ? `This workspace sets ${inWorkspace.map((k) => `promptCache.${k}`).join(', ')} in .vscode/settings.json, which overrides user settings.` : undefined,
      target: vscode.ConfigurationTarget.Global,
    },
  ];
  if (canWorkspace) items.push({ label: '$(folder) This workspace', description: 'writes .vscode/settings.json (shared through Git if it is committed)', target: vscode.ConfigurationTarget.Workspace });
  const picked = await vscode.window.showQuickPick(items, { title: `Prompt Cache: ${title}`, placeHolder: 'Where should this choice be saved?' });
  return picked?.target;
}

async function writeSettings(values: Partial<Record<SettingKey, string>>, target: vscode.ConfigurationTarget): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  for (const [k, v] of Object.entries(values)) await cfg.update(k, v, target);
  if (target !== vscode.ConfigurationTarget.Global) return;
  const shadowed = Object.keys(values).filter((k) => cfg.inspect(k)?.workspaceValue !== undefined || cfg.inspect(k)?.workspaceFolderValue !== undefined);
  if (shadowed.length) {
    const use = 'Save to This Workspace Too';
    const pick = await vscode.window.showWarningMessage(`Prompt Cache: saved to your user settings, but this workspace's .vscode/settings.json sets ${shadowed.map((k) => `promptCache.${k}`).join(', ')}, which wins here.`, use);
    if (pick === use) for (const k of shadowed) await cfg.update(k, values[k as SettingKey], vscode.ConfigurationTarget.Workspace);
  }
}

async function selectProvider(audits: AuditService): Promise<void> {
  const current = audits.current.audit;
  // The rule table is loaded on demand: activation stays free of core modules.
  const { CACHE_RULES } = await import('../core/providers');
  const pickedProvider = await vscode.window.showQuickPick(
    PROVIDERS.map((id) => ({ label: providerName(id), description: id === current.provider ? 'current' : undefined, detail: CACHE_RULES[id].summary, id })),
    { title: 'Prompt Cache: Select Provider (1/3)', placeHolder: 'Whose cache rule should the estimates use?', matchOnDetail: true },
  );
  if (!pickedProvider) return;
  const models = SUGGESTED_MODELS[pickedProvider.id] ?? [];
  const custom = '$(edit) Enter a model name…';
  const def = '$(circle-slash) Provider default';
  const pickedModel = await vscode.window.showQuickPick([def, ...models, custom].map((label) => ({ label })), {
    title: 'Prompt Cache: Select Model (2/3)',
    placeHolder: 'The model sets the per-model minimum cacheable prefix, the price and, with encoding "auto", the encoding',
  });
  if (!pickedModel) return;
  let model = pickedModel.label === def ? '' : pickedModel.label;
  if (pickedModel.label === custom) {
    const typed = await vscode.window.showInputBox({ title: 'Model name', value: current.model, prompt: 'e.g. claude-sonnet-4-5, gpt-4o, gemini-2.5-flash' });
    if (typed === undefined) return;
    model = typed.trim();
  }
  const target = await pickTarget(['provider', 'model'], 'Save Provider and Model (3/3)');
  if (target === undefined) return;
  await writeSettings({ provider: pickedProvider.id, model }, target);
}
