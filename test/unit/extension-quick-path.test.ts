// The keystroke path of the audit engine (edits mapped straight into the rendered text, divergence from the
// tokenizer's splice, line/column from spliced line starts) against a fresh full audit by the core after every one
// of many random edits, for each format, with edits aimed at what the quick path must notice: headings, fences,
// `${…}` variables, line breaks (\n, \r\n, lone \r), front matter, and edits that undo earlier ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SOAK, scaled } from './fixtures/scale';
import { diffVersions } from '../../src/core/audit';
import type { AuditResult, DocumentEdit, WorkerToHost } from '../../src/auditWorker/protocol';
import { AuditEngine } from '../../src/auditWorker/engine';
import { LineStarts } from '../../src/auditWorker/quickRender';
import { LineIndex } from '../../src/core/text';

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

const PIECES = ['x', ' ', 'a', '\n', '#', '# ', '## Head', '```', '~~~', '$', '{', '}', '${', '${file}', '${input:name}', '${selection', '\r', '\r\n', '---\n', 'é', '😀', '  ', 'word ', '\t'];

function bodyFor(fileName: string, repeat = 1): string {
  if (fileName.endsWith('.json')) {
    const messages = [{ role: 'system', content: 'You are brief.\n# Rules\nCite ${input:x} {sections}.' }];
    for (let i = 0; i < 12; i++) messages.push({ role: i % 2 ? 'assistant' : 'user', content: `Turn ${i}: keep the cache warm, answer ${i}.` });
    return JSON.stringify({ model: 'gpt-4o', messages }, null, 2);
  }
  const lines = [
    // A prompt file without front matter: only its first line can open a block.
    ...(fileName.endsWith('.prompt.md') && !fileName.startsWith('bare') ? ['---', 'mode: agent', 'description: quick path', '---'] : []),
    'Intro line before any heading.',
    '# System',
    'You are a careful assistant. Use ${input:topic} when asked.',
    '```ts',
    '# not a heading inside a fence',
    '```',
    '## Rules',
    ...Array.from({ length: 40 * repeat }, (_, i) => `Rule ${i}: be brief {and} cite section ${i}.`),
    // A long line without braces or line breaks: searches for `}`, `${` and line starts cross many read windows.
    'Long line: ' + 'word '.repeat(2000 * repeat),
    '## Tools',
    'End.',
  ];
  return lines.join('\n');
}

function run(fileName: string, seed: number, steps: number, repeat = 1): void {
  const r = rng(seed);
  const original = bodyFor(fileName, repeat);
  let text = original;
  let last: AuditResult | undefined;
  const engine = new AuditEngine((m: WorkerToHost) => {
    if (m.type === 'audit') last = m.result;
    if (m.type === 'error') throw new Error(m.message);
  });
  engine.handle({ type: 'configure', settings: { provider: 'openai', model: '', encoding: 'auto', pricePerMillionTokens: null } });
  engine.handle({ type: 'open', uri: 'u', fileName, version: 1, text });
  engine.handle({ type: 'setBaseline', uri: 'u', baseline: { text: original, label: 'HEAD' } });
  const history: string[] = [text];
  for (let v = 2; v < steps + 2; v++) {
    let edits: DocumentEdit[];
    const roll = r();
    if (roll < 0.05 && history.length > 3) {
      // Undo back to an earlier version in one replace-all edit (divergence must move back, even to "none").
      const target = history[Math.floor(r() * history.length)];
      edits = [{ offset: 0, deleteLength: text.length, text: target }];
    } else if (roll < 0.1) {
      // Multi-cursor: two non-overlapping edits, reported in any order.
      const a = Math.floor(r() * text.length);
      const b = Math.floor(r() * text.length);
      const [lo, hi] = a < b ? [a, b] : [b, a];
      edits = [{ offset: hi, deleteLength: 0, text: 'Q' }, { offset: lo, deleteLength: Math.min(1, hi - lo), text: 'Z' }];
    } else {
      const offset = Math.floor(r() * (text.length + 1));
      const del = r() < 0.4 ? Math.min(text.length - offset, Math.floor(r() * 4)) : 0;
      const ins = r() < 0.8 ? PIECES[Math.floor(r() * PIECES.length)] : '';
      edits = [{ offset, deleteLength: del, text: ins }];
    }
    const sorted = [...edits].sort((a, b) => b.offset - a.offset);
    for (const e of sorted) text = text.slice(0, e.offset) + e.text + text.slice(e.offset + e.deleteLength);
    history.push(text);
    engine.handle({ type: 'change', uri: 'u', version: v, edits });
    engine.handle({ type: 'audit', requestId: v, uri: 'u', version: v, full: false });
    const got = last!.diff;
    const want = diffVersions(original, text, { fileName, provider: 'openai', lint: false });
    const at = `${fileName} step ${v}: ${JSON.stringify(edits)}`;
    assert.equal(got.new.tokens, want.new.tokens, `token count, ${at}`);
    assert.equal(got.firstDivergentToken, want.firstDivergentToken, `first divergent token, ${at}`);
    assert.deepEqual(got.providers, want.providers, `estimates, ${at}`);
    assert.equal(got.noEffectOnCache, want.noEffectOnCache, `no effect on cache, ${at}`);
    assert.deepEqual(
      got.divergence && { line: got.divergence.line, column: got.divergence.column, offset: got.divergence.offset, old: got.divergence.old.offset, segment: got.divergence.segment },
      want.divergence && { line: want.divergence.line, column: want.divergence.column, offset: want.divergence.offset, old: want.divergence.old.offset, segment: want.divergence.segment },
      `divergence position, ${at}`,
    );
    // Now and then a full audit (lint rules included): it reads the whole source, which the keystroke path keeps
    // as the front matter plus the tokenizer's text and joins only then.
    if (v % 37 === 0 || v === steps + 1) {
      engine.handle({ type: 'audit', requestId: -v, uri: 'u', version: v, full: true });
      const full = last!.diff;
      const wantFull = diffVersions(original, text, { fileName, provider: 'openai' });
      assert.equal(full.new.tokens, wantFull.new.tokens, `full audit token count, ${at}`);
      assert.equal(full.firstDivergentToken, wantFull.firstDivergentToken, `full audit divergence, ${at}`);
      assert.deepEqual(full.findings.map((f) => [f.ruleId, f.range, f.tokensAtRisk]), wantFull.findings.map((f) => [f.ruleId, f.range, f.tokensAtRisk]), `full audit findings, ${at}`);
    }
  }
}

for (const fileName of ['support.prompt.md', 'bare.prompt.md', 'notes.md', 'plain.txt', 'system.j2', 'request.json']) {
  test(`quick audits equal a fresh full audit after many random edits: ${fileName}`, () => {
    for (const seed of SOAK ? [1, 2, 3] : [1]) run(fileName, seed, 150);
  });
}

test('quick audits of a 100 KB prompt file (many read windows, long lines) equal a fresh full audit', () => {
  for (const fileName of ['support.prompt.md', 'bare.prompt.md', 'notes.md']) run(fileName, 7, scaled(12, 40), 25);
});

test('quick audits of a chat request (JSON with hard boundaries) equal the core diff while it stays valid', () => {
  const body = bodyFor('request.json');
  let last: AuditResult | undefined;
  const engine = new AuditEngine((m: WorkerToHost) => {
    if (m.type === 'audit') last = m.result;
  });
  engine.handle({ type: 'open', uri: 'j', fileName: 'request.json', version: 1, text: body });
  engine.handle({ type: 'setBaseline', uri: 'j', baseline: { text: body, label: 'HEAD' } });
  const r = rng(5);
  let text = body;
  for (let v = 2; v < 120; v++) {
    // Edits inside message contents (letters, spaces) keep the body a valid chat request.
    const spans = [...text.matchAll(/"content": "([^"]*)"/g)].map((m) => m.index! + m[0].indexOf(m[1]));
    const at = spans[Math.floor(r() * spans.length)] + Math.floor(r() * 5);
    const ins = ['a', ' ', 'word ', 'Z', ''][Math.floor(r() * 5)];
    const del = ins === '' && /[a-z ]/.test(text[at] ?? '') ? 1 : 0;
    text = text.slice(0, at) + ins + text.slice(at + del);
    engine.handle({ type: 'change', uri: 'j', version: v, edits: [{ offset: at, deleteLength: del, text: ins }] });
    engine.handle({ type: 'audit', requestId: v, uri: 'j', version: v, full: false });
    const want = diffVersions(body, text, { fileName: 'request.json', provider: 'anthropic' });
    assert.equal(want.format, 'json-openai-chat');
    assert.equal(last!.diff.new.tokens, want.new.tokens, `step ${v}`);
    assert.equal(last!.diff.old.tokens, want.old.tokens);
    assert.equal(last!.diff.firstDivergentToken, want.firstDivergentToken, `step ${v}`);
    assert.deepEqual(last!.diff.providers.map((p) => p.cachedTokens), want.providers.map((p) => p.cachedTokens));
  }
});

test('LineStarts under random edits equals a fresh core LineIndex', () => {
  const r = rng(99);
  let text = 'a\nb\r\nc\rd\n\n';
  const ls = new LineStarts(text);
  for (let i = 0; i < 2000; i++) {
    const offset = Math.floor(r() * (text.length + 1));
    const del = Math.min(text.length - offset, Math.floor(r() * 3));
    const ins = ['\n', '\r', '\r\n', 'x', '', 'yy'][Math.floor(r() * 6)];
    text = text.slice(0, offset) + ins + text.slice(offset + del);
    const t = text;
    ls.applyEdit((k) => t.charCodeAt(k), t.length, offset, del, ins.length);
    const idx = new LineIndex(text);
    for (let o = 0; o <= text.length; o++) assert.deepEqual(ls.position(o), idx.position(o), `offset ${o} of ${JSON.stringify(text)}`);
  }
});
