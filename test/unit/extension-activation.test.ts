// Activation of the built bundle (dist/extension.js) against a stand-in `vscode` module: it must register its
// commands and providers, set the context key, log its activation time, and start nothing heavy (no audit worker,
// no decoder, no webview) while no prompt file is open.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

const bundle = path.join(__dirname, '..', '..', 'dist', 'extension.js');

function fakeVscode() {
  const log: string[] = [];
  const commands = new Map<string, unknown>();
  const contextKeys = new Map<string, unknown>();
  const calls: string[] = [];
  const disposable = { dispose() {} };
  const event = () => disposable;
  class EventEmitter {
    private listeners: ((e: unknown) => void)[] = [];
    event = (l: (e: unknown) => void) => {
      this.listeners.push(l);
      return disposable;
    };
    fire(e: unknown) {
      for (const l of this.listeners) l(e);
    }
    dispose() {}
  }
  const uri = (p: string) => ({ fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}`, with: () => uri(p) });
  const api = {
    EventEmitter,
    Uri: { file: uri, joinPath: (u: { fsPath: string }, ...parts: string[]) => uri(path.join(u.fsPath, ...parts)) },
    StatusBarAlignment: { Left: 1, Right: 2 },
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    CodeActionKind: { QuickFix: { value: 'quickfix' } },
    ConfigurationTarget: { Global: 1, Workspace: 2 },
    ProgressLocation: { Notification: 15, Window: 10 },
    ViewColumn: { One: 1, Beside: -2 },
    ThemeColor: class {},
    MarkdownString: class {
      constructor(public value: string) {}
    },
    window: {
      createOutputChannel: () => ({ appendLine: (l: string) => log.push(l), dispose() {} }),
      createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
      registerWebviewPanelSerializer: () => (calls.push('serializer'), disposable),
      createWebviewPanel: () => {
        calls.push('webview');
        throw new Error('no webview at activation');
      },
      onDidChangeActiveTextEditor: event,
      onDidChangeWindowState: event,
      state: { focused: true },
      visibleTextEditors: [],
      activeTextEditor: undefined,
    },
    workspace: {
      getConfiguration: () => ({ get: (_k: string, d: unknown) => d, inspect: () => undefined }),
      onDidChangeTextDocument: event,
      onDidSaveTextDocument: event,
      onDidCloseTextDocument: event,
      onDidOpenTextDocument: event,
      onDidChangeConfiguration: event,
      onDidGrantWorkspaceTrust: event,
      onDidChangeWorkspaceFolders: event,
      registerTextDocumentContentProvider: () => (calls.push('contentProvider'), disposable),
      isTrusted: true,
      textDocuments: [],
      workspaceFolders: [],
    },
    languages: {
      createDiagnosticCollection: () => ({ set() {}, delete() {}, dispose() {} }),
      registerCodeActionsProvider: () => (calls.push('codeActions'), disposable),
      registerHoverProvider: () => (calls.push('hover'), disposable),
    },
    commands: {
      registerCommand: (id: string, fn: unknown) => (commands.set(id, fn), disposable),
      executeCommand: async (id: string, ...args: unknown[]) => {
        if (id === 'setContext') contextKeys.set(args[0] as string, args[1]);
      },
    },
    extensions: { getExtension: () => undefined },
  };
  return { api, log, commands, contextKeys, calls };
}

test('activation registers everything, starts nothing heavy, and logs its time', () => {
  assert.ok(existsSync(bundle), 'dist/extension.js is missing: run `npm run build` (npm test builds first)');
  const fake = fakeVscode();
  const load = (Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown })._load;
  let workers = 0;
  const origPost = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
    workers++;
    return origPost.apply(this, args);
  };
  (Module as unknown as { _load: typeof load })._load = (req, parent, isMain) => (req === 'vscode' ? fake.api : load(req, parent, isMain));
  try {
    const t0 = performance.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ext = require(bundle) as { activate(ctx: unknown): void };
    const context = {
      subscriptions: [] as { dispose(): void }[],
      extensionUri: fake.api.Uri.file(path.join(__dirname, '..', '..')),
      globalStorageUri: fake.api.Uri.file('/tmp/pc-global'),
      storageUri: undefined,
    };
    ext.activate(context);
    const totalMs = performance.now() - t0;
    for (const id of ['promptCache.auditCurrentFile', 'promptCache.auditWorkspace', 'promptCache.compareWithGitRevision', 'promptCache.compareWithLastSave', 'promptCache.showHeatmap', 'promptCache.measureRecomputeTime', 'promptCache.selectProvider', 'promptCache.selectEncoding', 'promptCache.clearSavedVersions', 'promptCache.auditSession']) {
      assert.ok(fake.commands.has(id), id);
    }
    assert.deepEqual(fake.calls.sort(), ['codeActions', 'contentProvider', 'contentProvider', 'hover', 'serializer']);
    assert.equal(fake.contextKeys.get('promptCache.isPromptFile'), false);
    assert.equal(workers, 0, 'no worker started without a prompt file');
    const line = fake.log.find((l) => l.startsWith('Prompt Cache activated in'));
    assert.ok(line, fake.log.join('\n'));
    const activateMs = Number(/in ([\d.]+) ms/.exec(line)![1]);
    console.log(`activation: activate() ${activateMs.toFixed(1)} ms; require(dist/extension.js) + activate ${totalMs.toFixed(1)} ms`);
    for (const d of context.subscriptions) d.dispose();
  } finally {
    (Module as unknown as { _load: typeof load })._load = load;
    Worker.prototype.postMessage = origPost;
  }
});
