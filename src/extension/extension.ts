// Activation: cheap by design. It registers commands, providers and listeners and sets the context key; the audit
// worker (tokenizer, rank tables), the decoder and the webview start only when a prompt file or command needs them.
import * as vscode from 'vscode';
import { AuditService } from './auditService';
import { FixProvider } from './codeActions';
import { registerCommands } from './commands';
import { DecoderService } from './decoderService';
import { Diagnostics } from './diagnostics';
import { FindingHoverProvider } from './hover';
import { PANEL_VIEW_TYPE, PromptCachePanel } from './panel';
import { REVISION_SCHEME, RevisionContentProvider, SAVED_SCHEME, SavedVersionContentProvider } from './revisionContent';
import { CacheStatusBar } from './statusBar';
import { setPromptFileContext } from './promptContext';
import { startHostProbe } from './hostProbe';
import { Workflows } from './workflows';
import { SessionService } from './sessions';
import { SessionWatch } from './sessionWatch';
import { Command } from '../view/commandIds';

export function activate(context: vscode.ExtensionContext): void {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Prompt Cache');
  const audits = new AuditService(context.extensionUri, context.storageUri ?? context.globalStorageUri, log);
  const diagnostics = new Diagnostics(audits, context.extensionUri);
  const statusBar = new CacheStatusBar(audits);
  let decoder: DecoderService | undefined;
  const getDecoder = () => (decoder ??= new DecoderService(context.extensionUri, vscode.Uri.joinPath(context.globalStorageUri, 'models'), log));
  context.subscriptions.push(log, audits, diagnostics, statusBar, { dispose: () => decoder?.dispose() }, { dispose: () => PromptCachePanel.current?.dispose() });
  // Tests and benchmarks only (PROMPT_CACHE_HOST_PROBE): the host's event-loop stalls, one line a second.
  context.subscriptions.push({ dispose: startHostProbe() });

  const workflows = new Workflows({ audits, diagnostics, statusBar, decoder: getDecoder, log });
  const sessions = new SessionService(context.extensionUri, audits, log);
  PromptCachePanel.configure({ extensionUri: context.extensionUri, audits, workflows, sessions });
  context.subscriptions.push(
    ...registerCommands({ audits, workflows }),
    sessions,
    new SessionWatch(sessions.client, log),
    vscode.commands.registerCommand(Command.AuditSession, (arg?: unknown) => sessions.auditSessionCommand(arg)),
  );

  // Providers match every file; they answer only for tracked prompt documents (cheap map lookups).
  const selector: vscode.DocumentSelector = [{ scheme: 'file' }, { scheme: 'untitled' }];
  const lastSaveText = async (file: string) => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === file);
    return doc ? (await audits.baselines.lastSave(doc))?.text : undefined;
  };
  context.subscriptions.push(
    vscode.languages.registerCodeActionsProvider(selector, new FixProvider(diagnostics), { providedCodeActionKinds: FixProvider.kinds }),
    vscode.languages.registerHoverProvider(selector, new FindingHoverProvider(audits, diagnostics)),
    vscode.workspace.registerTextDocumentContentProvider(REVISION_SCHEME, new RevisionContentProvider()),
    vscode.workspace.registerTextDocumentContentProvider(SAVED_SCHEME, new SavedVersionContentProvider(lastSaveText)),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state) => {
        PromptCachePanel.revive(panel, state);
      },
    }),
  );

  const onEditor = (editor: vscode.TextEditor | undefined) => {
    const doc = editor?.document;
    const isPrompt = !!doc && audits.isPromptDocument(doc);
    // Focus moving to the panel leaves no active editor: the panel's document still counts.
    const panel = PromptCachePanel.current;
    setPromptFileContext(isPrompt || (!editor && !!panel?.panel.active && !!panel.document));
    if (doc && isPrompt) audits.track(doc);
    statusBar.refresh();
  };
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(onEditor),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      // Track prompt files shown in any editor (not every document VS Code opens in the background).
      if (vscode.window.visibleTextEditors.some((e) => e.document === doc) && audits.isPromptDocument(doc)) audits.track(doc);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('promptCache.include') || e.affectsConfiguration('promptCache.exclude')) onEditor(vscode.window.activeTextEditor);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => onEditor(vscode.window.activeTextEditor)),
  );
  for (const e of vscode.window.visibleTextEditors) if (audits.isPromptDocument(e.document)) audits.track(e.document);
  onEditor(vscode.window.activeTextEditor);

  const ms = performance.now() - t0;
  log.appendLine(`Prompt Cache activated in ${ms.toFixed(1)} ms${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: read-only)'}`);
}

export function deactivate(): void {
  // Disposables in context.subscriptions stop the workers.
}
