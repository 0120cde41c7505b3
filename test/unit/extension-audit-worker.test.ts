// The audit worker driven directly through worker_threads (the TypeScript entry, run by tsx), as the extension
// host drives it: incremental edits must give exactly the core's full diff, stale answers must never surface.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { diffVersions } from '../../src/core/audit';
import type { AuditSettings } from '../../src/auditWorker/protocol';
import { AuditClient } from '../../src/auditWorker/client';
import { AuditEngine } from '../../src/auditWorker/engine';

const settings: AuditSettings = { provider: 'openai', model: '', encoding: 'auto', pricePerMillionTokens: null };
const resyncs: string[] = [];
const workerPath = path.join(__dirname, '..', '..', 'src', 'auditWorker', 'main.ts');
const client = new AuditClient({
  workerPath,
  // Node 20 workers do not take `--import tsx` for their entry; register tsx's CommonJS hook inside the worker.
  createWorker: () => new Worker(`require('tsx/cjs'); require(${JSON.stringify(workerPath)});`, { eval: true }),
  onResync: (uri) => resyncs.push(uri),
});
client.configure(settings);
after(() => client.dispose());

const base = [
  '---', 'mode: agent', 'description: support', '---',
  'You are a support assistant for ACME.', '',
  ...Array.from({ length: 300 }, (_, i) => `Rule ${i}: answer politely and cite the policy section ${i}.`),
  '', 'Today is {{current_date}}.', '',
].join('\n');

function check(oldText: string, newText: string, got: ReturnType<typeof diffVersions>): void {
  const want = diffVersions(oldText, newText, { fileName: 'support.prompt.md', provider: 'openai' });
  assert.equal(got.new.tokens, want.new.tokens, 'token count');
  assert.equal(got.old.tokens, want.old.tokens, 'baseline token count');
  assert.equal(got.firstDivergentToken, want.firstDivergentToken, 'first divergent token');
  assert.equal(got.recomputedTokens, want.recomputedTokens);
  assert.equal(got.providers[0].cachedTokens, want.providers[0].cachedTokens, 'provider estimate');
  assert.deepEqual(got.divergence && { line: got.divergence.line, column: got.divergence.column }, want.divergence && { line: want.divergence.line, column: want.divergence.column });
}

test('open → audit equals the core diff; full audits carry lint findings', async () => {
  client.open('u1', 'support.prompt.md', 1, base);
  client.setBaseline('u1', { text: base, label: 'HEAD' });
  const a = await client.audit('u1', 1, true);
  assert.ok(a);
  assert.equal(a.version, 1);
  assert.equal(a.result.diff.firstDivergentToken, null);
  assert.equal(a.result.baselineLabel, 'HEAD');
  assert.ok(a.result.findingsFresh);
  check(base, base, a.result.diff);
});

test('incremental edits (single, multi-cursor, deletions, front matter) match a full re-audit at every step', async () => {
  let text = base;
  let version = 1;
  const rand = (() => {
    let s = 12345;
    return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
  })();
  for (let i = 0; i < 60; i++) {
    version++;
    const edits = [];
    const kind = i % 4;
    if (kind === 3) {
      // Multi-cursor: two non-overlapping inserts in one event (VS Code lists them last-first).
      const a = Math.floor(rand() * (text.length / 2));
      const b = Math.floor(text.length / 2 + rand() * (text.length / 2 - 1));
      edits.push({ offset: b, deleteLength: 0, text: 'Z' }, { offset: a, deleteLength: 0, text: 'Y' });
    } else if (kind === 2) {
      const o = Math.floor(rand() * (text.length - 2));
      edits.push({ offset: o, deleteLength: 2, text: '' });
    } else if (i === 5) {
      edits.push({ offset: 8, deleteLength: 0, text: 'x' }); // inside the front matter: no effect on the cache
    } else {
      const o = Math.floor(rand() * text.length);
      edits.push({ offset: o, deleteLength: 0, text: i % 2 ? ' ' : "'s" });
    }
    for (const e of [...edits].sort((x, y) => y.offset - x.offset)) text = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.deleteLength);
    client.change('u1', version, edits);
    const a = await client.audit('u1', version, false);
    assert.ok(a, `answer for version ${version}`);
    assert.equal(a.version, version);
    assert.ok(a.result.timings.incremental);
    check(base, text, a.result.diff);
  }
  const t = await client.tokens('u1', version, true);
  assert.ok(t?.baselineIds);
  assert.equal(t.ids.length + 1, t.sourceStarts.length);
  // Token starts map back into the source: the first token starts after the front matter.
  assert.ok(t.sourceStarts[0] > 0 && t.sourceStarts[0] < 60);
});

test('only the newest request per document is computed; older callers get its answer', async () => {
  const p1 = client.audit('u1', 99, false);
  const p2 = client.audit('u1', 99, false);
  const [a1, a2] = await Promise.all([p1, p2]);
  assert.ok(a2);
  assert.equal(a1, a2); // the same answer object: one audit ran for both
});

test('a quick audit does not downgrade a pending full one (Audit Workspace waits for lint findings)', async () => {
  const full = client.audit('u1', 99, true);
  const quick = client.audit('u1', 99, false);
  const [a, b] = await Promise.all([full, quick]);
  assert.ok(a && b);
  assert.equal(a.result.findingsFresh, true);
  assert.equal(b.result.findingsFresh, true);
});

test('a change for a document the worker does not know asks the host to resync', async () => {
  client.open('u2', 'b.txt', 1, 'hello');
  client.close('u2');
  resyncs.length = 0;
  // Talk to the worker behind the client's back: the worker answers with resync.
  (client as unknown as { send(m: unknown): void }).send({ type: 'change', uri: 'ghost', version: 2, edits: [] });
  for (let i = 0; i < 50 && resyncs.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(resyncs, ['ghost']);
});

test('baseline changes re-diff; an empty baseline means nothing is cached', async () => {
  client.open('u3', 'notes.txt', 1, 'alpha beta gamma');
  const a = await client.audit('u3', 1, true);
  assert.ok(a);
  assert.equal(a.result.diff.firstDivergentToken, 0);
  assert.equal(a.result.diff.reusablePrefixTokens, 0);
  client.setBaseline('u3', { text: 'alpha beta delta', label: 'commit 1234567' });
  const b = await client.audit('u3', 1, true);
  assert.ok(b);
  assert.equal(b.result.baselineLabel, 'commit 1234567');
  check('alpha beta delta', 'alpha beta gamma', b.result.diff);
  assert.deepEqual(b.result.divergenceRange, { start: 10, end: 16 });
});

test('history rows: divergence of each version against the one before', () => {
  const posted: unknown[] = [];
  const e = new AuditEngine((m) => posted.push(m));
  e.handle({ type: 'history', requestId: 1, uri: 'h', fileName: 'a.txt', versions: [{ id: 'a', text: 'one two three' }, { id: 'b', text: 'one two three' }, { id: 'c', text: 'one two four' }] });
  const msg = posted[0] as { rows: { id: string; firstDivergentToken: number | null; tokens: number; recomputedTokens: number }[] };
  assert.deepEqual(msg.rows.map((r) => [r.id, r.firstDivergentToken]), [['a', 0], ['b', null], ['c', 2]]);
  assert.equal(msg.rows[2].recomputedTokens, msg.rows[2].tokens - 2);
});

test('a bad edit (out of range) is reported, not thrown, and asks for a resync', () => {
  const posted: { type: string; uri?: string }[] = [];
  const e = new AuditEngine((m) => posted.push(m));
  e.handle({ type: 'open', uri: 'x', fileName: 'a.txt', version: 1, text: 'abc' });
  e.handle({ type: 'change', uri: 'x', version: 2, edits: [{ offset: 10, deleteLength: 5, text: '' }] });
  assert.equal(posted[0].type, 'error');
  assert.equal(posted[0].uri, 'x');
});

test('line starts follow the core LineIndex (\\n, \\r\\n, lone \\r)', async () => {
  const { LineStarts } = await import('../../src/auditWorker/quickRender');
  const { LineIndex } = await import('../../src/core/text');
  const text = 'ab\r\ncd\ref\n\ngh\r\n';
  const idx = new LineIndex(text);
  const lines = new LineStarts(text);
  for (let o = 0; o <= text.length; o++) assert.deepEqual(lines.position(o), idx.position(o), `offset ${o}`);
});

test('common prefix/suffix with a hint: a wrong hint falls back to a scan, never a wrong answer', async () => {
  const { commonTextPrefix, commonTextSuffix } = await import('../../src/auditWorker/engine');
  const a = 'hello world, hello cache';
  const b = 'hello world! hello cache';
  for (const hint of [0, 5, 11, 12, 20, 100]) assert.equal(commonTextPrefix(a, b, hint), 11, `hint ${hint}`);
  for (const hint of [0, 3, 12, 13, 50]) assert.equal(commonTextSuffix(a, b, hint, a.length - 11), 12, `hint ${hint}`);
  assert.equal(commonTextSuffix('aaa', 'aaaa', 10, 0), 0, 'never overlaps the prefix');
});

test('changing provider or encoding re-audits open documents (no stale findings or estimates)', () => {
  const posted: { type: string; result?: { diff: { encoding: string; providers: { id: string }[] }; findingsFresh: boolean } }[] = [];
  const e = new AuditEngine((m) => posted.push(m as never));
  e.handle({ type: 'configure', settings: { provider: 'openai', model: '', encoding: 'auto', pricePerMillionTokens: null } });
  e.handle({ type: 'open', uri: 'p', fileName: 'a.txt', version: 1, text: 'Hello there, general Kenobi.' });
  e.handle({ type: 'audit', requestId: 1, uri: 'p', version: 1, full: true });
  e.handle({ type: 'configure', settings: { provider: 'deepseek', model: '', encoding: 'cl100k_base', pricePerMillionTokens: 1 } });
  e.handle({ type: 'audit', requestId: 2, uri: 'p', version: 1, full: true });
  const [a, b] = posted;
  assert.equal(a.result?.diff.providers[0].id, 'openai');
  assert.equal(b.result?.diff.providers[0].id, 'deepseek');
  assert.equal(b.result?.diff.encoding, 'cl100k_base');
  assert.ok(b.result?.findingsFresh);
});
