import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import type { HostToWorker } from '../../src/auditWorker/protocol';
import { coalesce } from '../../src/auditWorker/workQueue';
import { resolveInsideRoots } from '../../src/extension/paths';
import { parsePanelState, parseWebviewMessage } from '../../src/view/protocol';

test('webview messages: well-formed ones pass through', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'revealRange', uri: 'file:///a', start: 3, end: 9, extra: 1 }), { type: 'revealRange', uri: 'file:///a', start: 3, end: 9 });
  assert.deepEqual(parseWebviewMessage({ type: 'openHistoryDiff', uri: 'file:///a', commit: 'ABCDEF1234' }), { type: 'openHistoryDiff', uri: 'file:///a', commit: 'ABCDEF1234' });
  assert.deepEqual(parseWebviewMessage({ type: 'run', tab: 'timing' }), { type: 'run', tab: 'timing' });
  // A tab the registry lacks is refused unless the panel was given it (a test tab added through the recipe).
  assert.equal(parseWebviewMessage({ type: 'run', tab: 'probe' }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'run', tab: 'probe' }, ['tokens', 'probe']), { type: 'run', tab: 'probe' });
  assert.deepEqual(parseWebviewMessage({ type: 'tabChanged', tab: 'kv' }), { type: 'tabChanged', tab: 'kv' });
  assert.deepEqual(parseWebviewMessage({ type: 'openWorkspaceFile', path: 'prompts/a.md' }), { type: 'openWorkspaceFile', path: 'prompts/a.md' });
});

test('webview messages: anything malformed is dropped', () => {
  for (const bad of [
    null, 42, 'ready', [], {}, { type: 'nope' },
    { type: 'revealRange', uri: 'file:///a', start: -1, end: 2 },
    { type: 'revealRange', uri: 'file:///a', start: 5, end: 2 },
    { type: 'revealRange', uri: 'file:///a', start: 1.5, end: 2 },
    { type: 'revealRange', uri: 7, start: 1, end: 2 },
    { type: 'openHistoryDiff', uri: 'file:///a', commit: '--output=/etc/passwd' },
    { type: 'openHistoryDiff', uri: 'file:///a', commit: 'HEAD~1' },
    { type: 'run', action: 'rm -rf' },
    { type: 'tabChanged', tab: 'secrets' },
    { type: 'openWorkspaceFile', path: '' },
    { type: 'openWorkspaceFile', path: 'a\0b' },
    { type: 'openWorkspaceFile', path: 'x'.repeat(5000) },
  ]) {
    assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
  }
});

test('restored panel state falls back field by field', () => {
  assert.deepEqual(parsePanelState(undefined), { tab: 'tokens' });
  assert.deepEqual(parsePanelState({ tab: 'history', uri: 'file:///a', scrollTop: 120 }), { tab: 'history', uri: 'file:///a', scrollTop: 120 });
  assert.deepEqual(parsePanelState({ tab: 'evil', uri: 5, scrollTop: -3 }), { tab: 'tokens' });
});

test('paths from the webview resolve only inside a workspace folder, symlinks included', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'pc-paths-'));
  try {
    const root = path.join(base, 'space');
    const other = path.join(base, 'other');
    const outside = path.join(base, 'outside');
    for (const d of [path.join(root, 'prompts'), other, outside]) mkdirSync(d, { recursive: true });
    writeFileSync(path.join(root, 'prompts', 'a.md'), 'a');
    writeFileSync(path.join(other, 'b.md'), 'b');
    writeFileSync(path.join(outside, 'secret.txt'), 's');
    symlinkSync(outside, path.join(root, 'escape'));
    assert.equal(resolveInsideRoots('prompts/a.md', [root]), path.join(root, 'prompts', 'a.md'));
    assert.equal(resolveInsideRoots('../outside/secret.txt', [root]), undefined);
    assert.equal(resolveInsideRoots('prompts/../../outside/secret.txt', [root]), undefined);
    assert.equal(resolveInsideRoots(path.join(outside, 'secret.txt'), [root]), undefined);
    assert.equal(resolveInsideRoots('escape/secret.txt', [root]), undefined, 'symlink out of the workspace');
    assert.equal(resolveInsideRoots('missing.md', [root]), undefined);
    assert.equal(resolveInsideRoots('', [root]), undefined);
    assert.equal(resolveInsideRoots('a\0b', [root]), undefined);
    assert.equal(resolveInsideRoots('b.md', [root, other]), path.join(other, 'b.md'));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('worker queue: superseded audits and cancelled requests are dropped, edits never are', () => {
  const batch: HostToWorker[] = [
    { type: 'audit', requestId: 1, uri: 'a', version: 1, full: false },
    { type: 'change', uri: 'a', version: 2, edits: [{ offset: 0, deleteLength: 0, text: 'x' }] },
    { type: 'audit', requestId: 2, uri: 'a', version: 2, full: false },
    { type: 'audit', requestId: 3, uri: 'b', version: 1, full: false },
    { type: 'tokens', requestId: 4, uri: 'b', version: 1 },
    { type: 'history', requestId: 5, uri: 'b', fileName: 'b.md', versions: [] },
    { type: 'audit', requestId: 6, uri: 'a', version: 2, full: true },
    { type: 'cancel', requestId: 5 },
  ];
  const out = coalesce(batch);
  assert.deepEqual(out.map((m) => m.type + ('requestId' in m ? m.requestId : '')), ['change', 'audit6']);
});
