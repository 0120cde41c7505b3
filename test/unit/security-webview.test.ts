// The panel's webview is untrusted: its HTML gets a nonce-only CSP and resources only from the built assets, every
// message it sends is validated before anything happens, and file paths it sends open only inside the workspace.
// In an untrusted workspace nothing the workspace configures runs (decoder model path) and nothing is written
// (quick fixes). Tested without VS Code: pure modules directly, panel.ts/config.ts/codeActions.ts against a stub.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { resolveInsideRoots } from '../../src/extension/paths';
import { parsePanelState, parseWebviewMessage, TAB_IDS } from '../../src/view/protocol';
import { ROOT } from './fixtures/harness';
import { requireWithStub, vscodeStub, type StubPanel } from './fixtures/vscode-stub';

type PanelModule = typeof import('../../src/extension/panel');
type ConfigModule = typeof import('../../src/extension/config');
type CodeActionsModule = typeof import('../../src/extension/codeActions');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-security-webview-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const vs = vscodeStub();
const state = vs.stub.state;

// ---- A panel built by panel.ts against the stub --------------------------------------------------------------------

const audits = {
  onDidAudit: () => ({ dispose() {} }),
  onDidDecline: () => ({ dispose() {} }),
  isPromptDocument: () => true,
  isTracked: () => false,
  declinedReason: () => undefined,
  resultFor: () => undefined,
  track: () => true,
  auditNow: async () => undefined,
  tokens: async () => undefined,
  history: async () => undefined,
  current: { audit: { provider: 'anthropic' }, patterns: { include: ['**/*.prompt.md'], exclude: [] } },
};
const workflows = { measure: async () => undefined, kvDrift: async () => undefined, auditWorkspace: async () => undefined };
const extensionRoot = path.join(tmp, 'extension');

function openPanel(rawState?: unknown): StubPanel {
  const panelMod = requireWithStub<PanelModule>('../../src/extension/panel');
  panelMod.PromptCachePanel.current?.dispose();
  const extensionUri = vs.Uri.file(extensionRoot);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  panelMod.PromptCachePanel.configure({ extensionUri: extensionUri as any, audits: audits as any, workflows: workflows as any });
  if (rawState === undefined) {
    panelMod.PromptCachePanel.show();
    return vs.stub.webviewPanels.at(-1)!;
  }
  // The serializer path: a panel VS Code restored, with state the webview saved (untrusted).
  const created = (vscodeStub() as unknown as { window: { createWebviewPanel(...a: unknown[]): StubPanel } }).window.createWebviewPanel('promptCache.panel', 'Prompt Cache', {}, {});
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  panelMod.PromptCachePanel.revive(created as any, rawState);
  return created;
}

function cspOf(html: string): Map<string, string[]> {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  assert.ok(m, 'a CSP meta tag');
  const directives = new Map<string, string[]>();
  for (const part of m[1].split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

describe('webview HTML and CSP (panel.ts)', () => {
  test('nonce-only scripts, no unsafe-inline/unsafe-eval, no remote sources, default-src none', () => {
    const panel = openPanel();
    const html = panel.webview.html;
    const csp = cspOf(html);
    assert.deepEqual(csp.get('default-src'), ["'none'"]);
    const script = csp.get('script-src') ?? csp.get('default-src')!;
    assert.equal(script.length, 1, `script-src is only a nonce: ${script.join(' ')}`);
    assert.match(script[0], /^'nonce-[A-Za-z0-9_\-+/=]{16,}'$/);
    const nonce = script[0].slice("'nonce-".length, -1);
    const cspSource = panel.webview.cspSource;
    for (const [name, values] of csp) {
      for (const v of values) {
        assert.ok(!/unsafe-(inline|eval|hashes)|wasm-unsafe-eval|strict-dynamic/i.test(v), `${name} allows ${v}`);
        assert.ok(v === cspSource || /^'(none|self|nonce-[^']+)'$/.test(v) || v === 'data:', `${name}: source "${v}" is neither the webview's own nor a nonce`);
        assert.ok(v === cspSource || !/^(https?:|wss?:|\*|blob:|filesystem:)/i.test(v), `${name}: remote source ${v}`);
      }
    }
    assert.ok(!csp.has('connect-src') || csp.get('connect-src')!.every((v) => v === "'none'"), 'no connect-src beyond none');
    // Every script carries the nonce and loads a bundled file; there is no inline script or handler.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length >= 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, new RegExp(`nonce="${nonce.replace(/[-/+=]/g, '\\$&')}"`));
      assert.match(attrs, /src="[^"]+"/);
      assert.equal(body.trim(), '', 'no inline script body');
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handlers');
    assert.doesNotMatch(html, /javascript:/i);
  });

  test('a fresh nonce per panel', () => {
    const a = cspOf(openPanel().webview.html).get('script-src')![0];
    const b = cspOf(openPanel().webview.html).get('script-src')![0];
    assert.notEqual(a, b);
  });

  test('localResourceRoots are the built assets only (dist, media), scripts on, no command URIs', () => {
    const panel = openPanel();
    const opts = panel.options as { enableScripts?: boolean; enableCommandUris?: unknown; localResourceRoots?: { fsPath: string }[] };
    assert.equal(opts.enableScripts, true);
    assert.ok(!opts.enableCommandUris, 'command URIs stay disabled');
    const roots = (opts.localResourceRoots ?? []).map((r) => path.relative(extensionRoot, r.fsPath)).sort();
    assert.ok(roots.length > 0, 'localResourceRoots is set (the default would allow the whole workspace)');
    for (const r of roots) assert.ok(['dist', 'media'].includes(r), `resource root "${r}" is not a built-asset folder`);
  });

  test('restored state cannot inject markup (serializer → data attribute)', () => {
    const evil = { tab: 'tokens', uri: '"><script>alert(1)</script><img src=x onerror=alert(2)>&quot;\'' };
    const html = openPanel(evil).webview.html;
    const attr = /data-initial-state="([^"]*)"/.exec(html);
    assert.ok(attr, 'the state is in a double-quoted attribute');
    assert.doesNotMatch(attr[1], /[<"]/, 'no raw < or " inside the attribute value');
    const decoded = JSON.parse(attr[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { uri?: string };
    assert.equal(decoded.uri, evil.uri, 'the value round-trips exactly');
    const rest = html.replace(attr[0], '');
    assert.equal((rest.match(/<script\b/gi) ?? []).length, 1, 'still exactly one script element');
    assert.doesNotMatch(rest, /<img\b|onerror/i);
  });
});

// ---- The message validator -----------------------------------------------------------------------------------------

describe('webview → host messages are validated (protocol.ts)', () => {
  test('hostile messages are dropped', () => {
    const bad: unknown[] = [
      null, undefined, 0, 'ready', [], [{ type: 'ready' }], { type: 1 }, { type: 'READY' }, { type: 'eval', code: '1' },
      { type: 'openHistoryDiff', uri: 'file:///w/a.md', commit: '--output=/tmp/pwned' },
      { type: 'openHistoryDiff', uri: 'file:///w/a.md', commit: 'HEAD' },
      { type: 'openHistoryDiff', uri: 'file:///w/a.md', commit: 'abc1234 --exec=x' },
      { type: 'openHistoryDiff', uri: 'file:///w/a.md', commit: 'abc1234\n' },
      { type: 'openHistoryDiff', uri: 'file:///w/a.md', commit: 'abc1234:../../etc/passwd' },
      { type: 'openHistoryDiff', uri: 42, commit: 'abc1234' },
      { type: 'openWorkspaceFile', path: '' },
      { type: 'openWorkspaceFile', path: 'a\0b' },
      { type: 'openWorkspaceFile', path: 'x'.repeat(5000) },
      { type: 'openWorkspaceFile', path: ['a'] },
      { type: 'revealRange', uri: 'file:///w/a.md', start: -1, end: 2 },
      { type: 'revealRange', uri: 'file:///w/a.md', start: 5, end: 2 },
      { type: 'revealRange', uri: 'file:///w/a.md', start: 1.5, end: 2 },
      { type: 'revealRange', uri: 'file:///w/a.md', start: NaN, end: 2 },
      { type: 'revealRange', uri: 'file:///w/a.md', start: 0, end: Infinity },
      { type: 'revealRange', uri: 'file:///w/a.md', start: '0', end: '2' },
      { type: 'run', action: 'rm -rf' },
      { type: 'run', tab: 'constructor' },
      { type: 'run', tab: 'rm -rf' },
      { type: 'tabChanged', tab: '__proto__' },
      { type: 'tabChanged', tab: 'toString' },
      JSON.parse('{"type":"__proto__"}'),
      JSON.parse('{"type":"constructor"}'),
      JSON.parse('{"type":"toString"}'),
    ];
    for (const m of bad) assert.equal(parseWebviewMessage(m), undefined, `accepted ${JSON.stringify(m)}`);
  });

  test('accepted messages are rebuilt from known fields only (no pass-through of extra keys)', () => {
    const polluted = JSON.parse('{"type":"run","tab":"timing","__proto__":{"polluted":true},"extra":"x"}');
    const msg = parseWebviewMessage(polluted) as Record<string, unknown>;
    assert.deepEqual(msg, { type: 'run', tab: 'timing' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(parseWebviewMessage({ type: 'ready', evil: 1 }), { type: 'ready' });
  });

  test('never throws on arbitrary input; what it accepts is well-formed (property)', () => {
    const tricky = fc.oneof(
      fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true }),
      fc.record({
        type: fc.constantFrom('ready', 'revealRange', 'openHistoryDiff', 'openWorkspaceFile', 'run', 'tabChanged', 'x'),
        uri: fc.oneof(fc.string(), fc.anything()),
        start: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        end: fc.oneof(fc.integer(), fc.double(), fc.anything()),
        commit: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF') }), fc.string(), fc.anything()),
        path: fc.oneof(fc.string(), fc.anything()),
        tab: fc.oneof(fc.constantFrom(...TAB_IDS), fc.string()),
      }, { requiredKeys: ['type'] }),
    );
    fc.assert(
      fc.property(tricky, (raw) => {
        const m = parseWebviewMessage(raw);
        if (!m) return;
        switch (m.type) {
          case 'revealRange':
            assert.ok(Number.isSafeInteger(m.start) && Number.isSafeInteger(m.end) && m.start >= 0 && m.end >= m.start && typeof m.uri === 'string');
            break;
          case 'openHistoryDiff':
            assert.match(m.commit, /^[0-9a-f]{7,64}$/i);
            break;
          case 'openWorkspaceFile':
            assert.ok(typeof m.path === 'string' && m.path.length > 0 && !m.path.includes('\0'));
            break;
          case 'run':
          case 'tabChanged':
            assert.ok((TAB_IDS as readonly string[]).includes(m.tab));
            break;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('restored panel state is sanitised field by field', () => {
    assert.deepEqual(parsePanelState({ tab: 'nope', uri: 5, scrollTop: -1 }), { tab: 'tokens' });
    assert.deepEqual(parsePanelState(JSON.parse('{"tab":"history","__proto__":{"x":1},"scrollTop":"9"}')), { tab: 'history' });
    fc.assert(fc.property(fc.anything(), (raw) => {
      const s = parsePanelState(raw);
      assert.ok((TAB_IDS as readonly string[]).includes(s.tab));
    }));
  });
});

// ---- Paths from the webview ----------------------------------------------------------------------------------------

describe('file paths from the webview open only inside the workspace', () => {
  const wsRoot = path.join(tmp, 'ws');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(path.join(wsRoot, 'prompts'), { recursive: true });
  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(wsRoot, 'prompts', 'a.prompt.md'), 'hello');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  fs.symlinkSync(outside, path.join(wsRoot, 'escape'));
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(wsRoot, 'prompts', 'secret.prompt.md'));

  test('lexical escapes are refused', () => {
    for (const p of ['../outside/secret.txt', '../../etc/passwd', '/etc/passwd', 'prompts/../../outside/secret.txt', '.', '', 'a\0b', `..${path.sep}x`, path.join(outside, 'secret.txt')]) {
      assert.equal(resolveInsideRoots(p, [wsRoot]), undefined, `accepted ${JSON.stringify(p)}`);
    }
    // A sibling folder that shares the root's name as a prefix is outside too.
    fs.mkdirSync(`${wsRoot}-evil`, { recursive: true });
    assert.equal(resolveInsideRoots(`../${path.basename(wsRoot)}-evil/x.md`, [wsRoot]), undefined);
  });

  test('a path inside resolves, in any of several roots', () => {
    assert.equal(resolveInsideRoots('prompts/a.prompt.md', [wsRoot]), path.join(wsRoot, 'prompts', 'a.prompt.md'));
    assert.equal(resolveInsideRoots('prompts/./a.prompt.md', [wsRoot, '/another-root']), path.join(wsRoot, 'prompts', 'a.prompt.md'));
  });

  test(
    'a symlink inside the workspace that points outside it is refused',
    () => {
      for (const p of ['escape/secret.txt', 'prompts/secret.prompt.md']) {
        const abs = resolveInsideRoots(p, [wsRoot]);
        const real = abs === undefined ? undefined : fs.realpathSync(abs);
        assert.ok(real === undefined || !path.relative(fs.realpathSync(wsRoot), real).startsWith('..'), `${p} → ${real} (outside the workspace)`);
      }
    },
  );

  test('the panel acts on openWorkspaceFile only for paths inside the workspace folders', async () => {
    const panel = openPanel();
    state.workspaceFolders = [{ uri: vs.Uri.file(wsRoot), name: 'ws', index: 0 }];
    const opened = () => vs.stub.calls.filter((c) => c.fn === 'window.showTextDocument').map((c) => (c.args?.[0] as { fsPath: string }).fsPath);
    vs.stub.calls.length = 0;
    for (const p of ['../outside/secret.txt', '/etc/passwd', 'a\0b']) await panel.onMessage!({ type: 'openWorkspaceFile', path: p });
    await panel.onMessage!({ type: 'openHistoryDiff', uri: 'file:///x', commit: '--output=/tmp/x' });
    await panel.onMessage!({ type: 'bogus' });
    await panel.onMessage!('not an object');
    assert.deepEqual(opened(), []);
    assert.deepEqual(vs.stub.calls.filter((c) => c.fn === 'commands.executeCommand'), []);
    await panel.onMessage!({ type: 'openWorkspaceFile', path: 'prompts/a.prompt.md' });
    assert.deepEqual(opened(), [path.join(wsRoot, 'prompts', 'a.prompt.md')]);
  });
});

// ---- Workspace trust -----------------------------------------------------------------------------------------------

describe('untrusted workspace: nothing the workspace configures runs, nothing is written', () => {
  beforeEach(() => {
    state.settings = {};
    state.isTrusted = true;
  });
  after(() => {
    state.isTrusted = true;
  });

  test('decoder.modelPath from workspace or folder settings is ignored when untrusted', () => {
    const { readSettings } = requireWithStub<ConfigModule>('../../src/extension/config');
    state.settings['promptCache.decoder.modelPath'] = { defaultValue: '', workspaceValue: '/repo/evil.onnx', workspaceFolderValue: '/repo/evil2.onnx' };
    state.isTrusted = false;
    assert.equal(readSettings().decoder.modelPath, '');
    state.settings['promptCache.decoder.modelPath'].globalValue = '/home/me/mine.onnx';
    assert.equal(readSettings().decoder.modelPath, '/home/me/mine.onnx', "the user's own setting still applies");
    state.isTrusted = true;
    assert.equal(readSettings().decoder.modelPath, '/repo/evil2.onnx', 'trusted: the workspace may choose');
  });

  test('rulesFile from workspace or folder settings is ignored when untrusted', () => {
    const { readSettings } = requireWithStub<ConfigModule>('../../src/extension/config');
    state.settings['promptCache.rulesFile'] = { defaultValue: '', workspaceValue: '/repo/rules.json', workspaceFolderValue: '/repo/rules2.json' };
    state.isTrusted = false;
    assert.equal(readSettings().audit.rulesFile, undefined);
    state.settings['promptCache.rulesFile'].globalValue = '/home/me/rules.json';
    assert.equal(readSettings().audit.rulesFile, '/home/me/rules.json', "the user's own setting still applies");
    state.isTrusted = true;
    assert.equal(readSettings().audit.rulesFile, '/repo/rules2.json', 'trusted: the workspace may choose');
    delete state.settings['promptCache.rulesFile'];
  });

  test('hostile values in settings fall back to safe defaults', () => {
    const { readSettings } = requireWithStub<ConfigModule>('../../src/extension/config');
    state.isTrusted = false;
    state.settings['promptCache.provider'] = { workspaceValue: '__proto__' };
    state.settings['promptCache.encoding'] = { workspaceValue: 'constructor' };
    state.settings['promptCache.maxFileSizeMB'] = { workspaceValue: -1 };
    state.settings['promptCache.include'] = { workspaceValue: 'not-an-array' };
    state.settings['promptCache.pricePerMillionTokens'] = { workspaceValue: Number.NaN };
    const s = readSettings();
    assert.equal(s.audit.provider, 'anthropic');
    assert.equal(s.audit.encoding, 'auto');
    assert.ok(s.maxFileBytes > 0);
    assert.ok(Array.isArray(s.patterns.include));
    assert.equal(s.audit.pricePerMillionTokens, null);
  });

  test(
    'decoder.tokenCap from settings is clamped to the manifest maximum (65536)',
    () => {
      const { readSettings } = requireWithStub<ConfigModule>('../../src/extension/config');
      state.isTrusted = false;
      state.settings['promptCache.decoder.tokenCap'] = { workspaceValue: 1e12 };
      const s = readSettings();
      assert.ok(
      s.decoder.tokenCap <= 65536,
        `decoder.tokenCap ${s.decoder.tokenCap} from workspace settings is not clamped to the manifest's maximum (65536)`,
      );
    },
  );

  test('no quick fixes (writes) are offered when untrusted', () => {
    const { FixProvider } = requireWithStub<CodeActionsModule>('../../src/extension/codeActions');
    state.isTrusted = false;
    const finding = { ruleId: 'x', severity: 'warning', message: 'm', range: { start: { offset: 0, line: 1, column: 1 }, end: { offset: 1, line: 1, column: 2 } }, tokensAtRisk: 1, fix: { title: 'fix', edits: [{ range: { start: { offset: 0, line: 1, column: 1 }, end: { offset: 1, line: 1, column: 2 } }, newText: 'y' }] } };
    const diag = { source: 'Prompt Cache' };
    const diagnostics = { index: { at: () => [{ diagnostic: diag }], findingFor: () => finding } };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const provider = new FixProvider(diagnostics as any);
    const doc = { uri: vs.Uri.file(path.join(tmp, 'a.prompt.md')), positionAt: (o: number) => ({ line: 0, character: o }) };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    assert.deepEqual(provider.provideCodeActions(doc as any, {} as any, { diagnostics: [diag] } as any), []);
  });

  test('the manifest restricts decoder.modelPath in untrusted workspaces and scopes it to the machine', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('promptCache.decoder.modelPath'));
    assert.equal(pkg.contributes.configuration.properties['promptCache.decoder.modelPath'].scope, 'machine');
  });
});
