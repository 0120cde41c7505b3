import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import type { HostToWorker } from '../../src/extension/auditProtocol';
import { coalesce } from '../../src/extension/logic/workQueue';
import { resolveInsideRoots } from '../../src/extension/logic/paths';
import { parsePanelState, parseWebviewMessage } from '../../src/extension/protocol';

test('webview messages: well-formed ones pass through', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'revealRange', uri: 'file:///a', start: 3, end: 9, extra: 1 }), { type: 'revealRange', uri: 'file:///a', start: 3, end: 9 });
  assert.deepEqual(parseWebviewMessage({ type: 'openHistoryDiff', uri: 'file:///a', commit: 'ABCDEF1234' }), { type: 'openHistoryDiff', uri: 'file:///a', commit: 'ABCDEF1234' });
  assert.deepEqual(parseWebviewMessage({ type: 'run', action: 'measure' }), { type: 'run', action: 'measure' });
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

test('paths from the webview resolve only inside a workspace folder', () => {
  const root = path.resolve('/work/space');
  assert.equal(resolveInsideRoots('prompts/a.md', [root]), path.join(root, 'prompts', 'a.md'));
  assert.equal(resolveInsideRoots('../outside.md', [root]), undefined);
  assert.equal(resolveInsideRoots('prompts/../../outside.md', [root]), undefined);
  assert.equal(resolveInsideRoots('/etc/passwd', [root]), undefined);
  assert.equal(resolveInsideRoots('', [root]), undefined);
  assert.equal(resolveInsideRoots('a\0b', [root]), undefined);
  const other = path.resolve('/work/other');
  assert.equal(resolveInsideRoots('b.md', [root, other]), path.join(root, 'b.md'));
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
