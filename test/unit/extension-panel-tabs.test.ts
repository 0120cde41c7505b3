// The panel's tabs are a registry (src/view/tabs.ts) whose modules are found by id: webview/tabs/<id>.ts and
// src/extension/tabs/<id>.ts. This test checks the registry and its modules agree, and follows AGENTS.md's
// "Add a panel tab" recipe once for real with a test-only "probe" tab (its three files in fixtures/panel-tab/):
// the panel lists it, accepts its messages, asks its host provider for data when it is shown, runs its action, and
// its webview module renders what the provider sent.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { PANEL_TABS } from '../../src/view/tabs';
import { parseWebviewMessage } from '../../src/view/protocol';
import { ROOT } from './fixtures/harness';
import { PROBE_TAB } from './fixtures/panel-tab/probe.view';
import { requireWithStub, vscodeStub } from './fixtures/vscode-stub';

type PanelModule = typeof import('../../src/extension/panel');
type ProbeHost = typeof import('./fixtures/panel-tab/probe.host');

describe('the registry and its modules', () => {
  const moduleIds = (dir: string) => readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
  const dataTabs = PANEL_TABS.filter((t) => !('builtin' in t)).map((t) => t.id).sort();

  test('every tab has its webview module and host provider, and every module is a registry tab', () => {
    assert.deepEqual(moduleIds('webview/tabs'), dataTabs);
    assert.deepEqual(moduleIds('src/extension/tabs'), dataTabs);
  });

  test('the host finds each provider by id (as the bundle does)', () => {
    const { hostTabs } = requireWithStub<typeof import('../../src/extension/panelTabs')>('../../src/extension/panelTabs');
    const tabs = hostTabs();
    assert.deepEqual([...tabs.keys()].sort(), dataTabs);
    for (const [id, t] of tabs) assert.ok(t.load || t.run, `${id}: neither load nor run`);
  });

  test('the registry is the one list of tab ids the protocol accepts', () => {
    for (const t of PANEL_TABS) assert.deepEqual(parseWebviewMessage({ type: 'tabChanged', tab: t.id }), { type: 'tabChanged', tab: t.id });
    assert.equal(parseWebviewMessage({ type: 'tabChanged', tab: 'probe' }), undefined);
  });
});

describe('recipe: add a panel tab (a test-only "probe" tab)', () => {
  const vs = vscodeStub();
  const file = path.join(ROOT, 'examples', 'support-agent', 'system-prompt.md');
  const doc = { uri: vs.Uri.file(file), fileName: file, version: 1, isClosed: false, getText: () => 'You are a support agent.\n', languageId: 'markdown' };
  const audits = {
    onDidAudit: () => ({ dispose() {} }),
    onDidDecline: () => ({ dispose() {} }),
    isPromptDocument: () => true,
    isTracked: () => true,
    declinedReason: () => undefined,
    resultFor: () => undefined,
    track: () => true,
    auditNow: async () => undefined,
    tokens: async () => undefined,
    current: { audit: { provider: 'anthropic' }, patterns: { include: ['**/*.md'], exclude: [] } },
  };
  const posted = () => vs.stub.calls.filter((c) => c.fn === 'webview.postMessage').map((c) => c.args?.[0] as { type: string; tab?: string; data?: unknown; what?: string });

  test('the panel lists the tab, loads its data on show, runs its action, and refuses tabs it lacks', async () => {
    const { PromptCachePanel } = requireWithStub<PanelModule>('../../src/extension/panel');
    const probe = requireWithStub<ProbeHost>('./fixtures/panel-tab/probe.host');
    PromptCachePanel.current?.dispose();
    (vs as unknown as { window: { activeTextEditor: unknown } }).window.activeTextEditor = { document: doc };
    PromptCachePanel.configure({
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      extensionUri: vs.Uri.file(path.join(ROOT, 'dist')) as any, audits: audits as any, workflows: {} as any,
      tabs: [...PANEL_TABS, PROBE_TAB],
      providers: { probe: probe.tab as never },
    });
    try {
      const panel = PromptCachePanel.show();
      const stub = vs.stub.webviewPanels.at(-1)!;
      assert.equal(panel.document, doc);
      vs.stub.calls.length = 0;
      await stub.onMessage!({ type: 'ready' });
      await stub.onMessage!({ type: 'tabChanged', tab: 'probe' });
      assert.deepEqual(probe.log, [`load ${file}`]);
      const data = posted().filter((m) => m.type === 'tab' && m.tab === 'probe');
      assert.deepEqual(data.at(-1)?.data, { calls: 1, fileName: file });
      // Shown again for the same document: the data it has is kept, not loaded again.
      await stub.onMessage!({ type: 'tabChanged', tab: 'tokens' });
      await stub.onMessage!({ type: 'tabChanged', tab: 'probe' });
      assert.deepEqual(probe.log, [`load ${file}`]);
      await stub.onMessage!({ type: 'run', tab: 'probe' });
      assert.deepEqual(probe.log, [`load ${file}`, 'run']);
      assert.ok(posted().some((m) => m.type === 'busy' && m.what === 'probe'));
      assert.deepEqual(posted().filter((m) => m.type === 'tab' && m.tab === 'probe').at(-1)?.data, { calls: 2, fileName: file });
      // A webview that reloads gets the tab's last data again.
      vs.stub.calls.length = 0;
      await stub.onMessage!({ type: 'ready' });
      assert.deepEqual(posted().filter((m) => m.type === 'tab' && m.tab === 'probe').at(-1)?.data, { calls: 2, fileName: file });
      // Not a tab of this panel: ignored.
      const before = probe.log.length;
      await stub.onMessage!({ type: 'run', tab: 'nope' });
      assert.equal(probe.log.length, before);
    } finally {
      PromptCachePanel.current?.dispose();
      (vs as unknown as { window: { activeTextEditor: unknown } }).window.activeTextEditor = undefined;
    }
  });

  test('the tab\'s webview module renders the provider\'s data (minimal DOM)', async () => {
    const restore = installMiniDom();
    try {
      const { tab } = await import('./fixtures/panel-tab/probe.webview');
      const body = (globalThis as unknown as { document: { createElement(t: string): HTMLElement } }).document.createElement('div');
      let runs = 0;
      tab.render(body, { calls: 3, fileName: 'a.md' }, { send: () => undefined, run: () => runs++ });
      const p = (body as unknown as MiniElement).children[0];
      assert.equal(p.attributes['data-testid'], 'probe-text');
      assert.equal(p.text(), 'a.md: 3 call(s)');
      (body as unknown as MiniElement).children[1].listeners.click[0]();
      assert.equal(runs, 1);
    } finally {
      restore();
    }
  });

  test('the recipe touches three files: the registry, the webview module, the host provider', () => {
    for (const f of ['probe.view.ts', 'probe.webview.ts', 'probe.host.ts']) assert.ok(existsSync(path.join(__dirname, 'fixtures', 'panel-tab', f)), f);
    assert.deepEqual(readdirSync(path.join(__dirname, 'fixtures', 'panel-tab')).sort(), ['probe.host.ts', 'probe.view.ts', 'probe.webview.ts']);
  });
});

// ---- A minimal DOM: what webview/dom.ts `el()` and a tab module use ---------------------------------------------------

interface MiniElement {
  tag: string;
  attributes: Record<string, string>;
  children: MiniElement[];
  listeners: Record<string, (() => void)[]>;
  textContent: string;
  text(): string;
}

function installMiniDom(): () => void {
  const make = (tag: string): MiniElement & Record<string, unknown> => {
    const e = {
      tag, attributes: {} as Record<string, string>, children: [] as MiniElement[], listeners: {} as Record<string, (() => void)[]>, textContent: '',
      setAttribute(k: string, v: string) { e.attributes[k] = v; },
      append(...c: (MiniElement | string)[]) { for (const x of c) e.children.push(typeof x === 'string' ? textNode(x) : x); },
      replaceChildren(...c: (MiniElement | string)[]) { e.children = []; e.append(...c); },
      addEventListener(type: string, fn: () => void) { (e.listeners[type] ??= []).push(fn); },
      text(): string { return e.textContent + e.children.map((c) => c.text()).join(''); },
    };
    return e;
  };
  const textNode = (s: string): MiniElement => ({ ...make('#text'), textContent: s, text: () => s });
  const g = globalThis as unknown as { document?: unknown };
  const saved = g.document;
  g.document = { createElement: make };
  return () => {
    g.document = saved;
  };
}
