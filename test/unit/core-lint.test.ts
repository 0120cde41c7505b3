// Lint rules: each rule fires where it should, stays quiet where it should, and its fix is sound.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { lintPrompt, lintPromptReport } from '../../src/core/audit';
import { LINT_RULES } from '../../src/core/lint';
import type { LintFinding, TextEdit } from '../../src/core/types';

const STATIC = Array.from({ length: 60 }, (_, i) => `Rule ${i + 1}: answer politely, check the order first, and never guess about refunds or delivery dates.`).join('\n');

const ids = (fs: LintFinding[]) => fs.map((f) => f.ruleId);
const applyEdits = (src: string, edits: TextEdit[]) =>
  [...edits].sort((a, b) => b.range.start.offset - a.range.start.offset).reduce((s, e) => s.slice(0, e.range.start.offset) + e.newText + s.slice(e.range.end.offset), src);

describe('lint rule table', () => {
  it('has stable ids with titles and explanations', () => {
    assert.deepEqual(
      LINT_RULES.map((r) => r.id),
      ['volatile-prefix', 'placeholder-before-static', 'below-minimum', 'line-ending-drift', 'bom', 'trailing-whitespace-drift', 'reordered-keys', 'too-many-breakpoints', 'breakpoint-beyond-lookback'],
    );
    for (const r of LINT_RULES) assert.ok(r.title && r.explanation.length > 40);
  });
  it('docs/rules.md explains every rule under its id (diagnostics link there)', () => {
    const doc = readFileSync(join(__dirname, '../../docs/rules.md'), 'utf8');
    for (const r of LINT_RULES) assert.ok(doc.includes(`### ${r.id}\n`), r.id);
  });
  it('every rule says what its evidence is', () => {
    for (const r of LINT_RULES) assert.ok(r.evidence.length > 10, r.id);
  });
});

describe('volatile-prefix (see core-lint-volatile.test.ts for the corpus cases)', () => {
  it('flags per-request values that say so, before static content', () => {
    for (const v of ['Working directory: /home/dev/projects/shop', 'On branch feature/returns-flow', "Today's date: 2026-11-22", 'Request id: 3f2b8c1e-9d4a-4e7b-a1c2-0b9d8e7f6a5c', 'Today is Sunday, November 22.', 'Session id: a81f9c0d7e6b5a43']) {
      const f = lintPrompt(`You are a helper.\n${v}\n${STATIC}`, { fileName: 'p.md' });
      assert.deepEqual(ids(f), ['volatile-prefix'], v);
      assert.equal(f[0].range.start.line, 2);
      assert.ok(f[0].tokensAtRisk > 1000);
      assert.ok(f[0].evidence?.summary, `${v}: evidence`);
    }
  });
  it('no false alarm: a fixed date or timestamp in static text, a date at the very end, a date in the final user message', () => {
    assert.deepEqual(lintPrompt(`Policy effective 2024-01-01.\n${STATIC}`, { fileName: 'p.md' }), []);
    assert.deepEqual(lintPrompt(`Generated at 2026-11-22T10:31:07Z.\n${STATIC}`, { fileName: 'p.md' }), [], 'a literal that never changed is not volatile');
    assert.deepEqual(lintPrompt(`Run commands from the working directory of the repository.\n${STATIC}`, { fileName: 'p.md' }), []);
    assert.deepEqual(lintPrompt(`${STATIC}\nToday is 2026-11-22.\n`, { fileName: 'p.md' }), []);
    const body = JSON.stringify({ system: STATIC, messages: [{ role: 'user', content: 'Today is 2026-11-22T10:00:00Z, where is my parcel?' }] });
    assert.deepEqual(lintPrompt(body, { fileName: 'r.json' }), []);
  });
  it('flags a literal only when it changed since the previous version, with that as evidence', () => {
    const prev = `Prices as of 2026-11-21.\n${STATIC}`;
    const cur = `Prices as of 2026-11-22.\n${STATIC}`;
    const f = lintPrompt(cur, { fileName: 'p.md' }, prev);
    assert.deepEqual(ids(f), ['volatile-prefix']);
    assert.equal(f[0].evidence?.kind, 'history');
    assert.deepEqual(f[0].evidence?.commits?.map((c) => c.value), ['2026-11-21']);
    assert.deepEqual(lintPrompt(cur, { fileName: 'p.md' }, cur), []);
  });
  it('flags per-request template placeholders near the top, with a sound move fix', () => {
    const src = `Intro line.\nToday is {{ current_date }}.\n${STATIC}\n`;
    const f = lintPrompt(src, { fileName: 't.j2' });
    assert.deepEqual(ids(f), ['volatile-prefix']);
    assert.equal(f[0].evidence?.kind, 'placeholder-name');
    assert.equal(f[0].evidence?.name, 'current_date');
    const fixed = applyEdits(src, f[0].fix!.edits);
    assert.equal(fixed, `Intro line.\n${STATIC}\nToday is {{ current_date }}.\n`);
    assert.deepEqual(lintPrompt(fixed, { fileName: 't.j2' }), []);
  });
});

describe('placeholder-before-static', () => {
  it('flags the first per-request placeholder before a large static block', () => {
    const src = `Customer: {{ customer.name }}\n${STATIC}\n`;
    const f = lintPrompt(src, { fileName: 't.hbs' });
    assert.deepEqual(ids(f), ['placeholder-before-static']);
    assert.ok(f[0].fix);
    assert.equal(applyEdits(src, f[0].fix!.edits), `${STATIC}\nCustomer: {{customer.name}}\n`.replace('{{customer.name}}', '{{ customer.name }}'));
  });
  it('no fix when the line sits inside a block (moving it would change the structure)', () => {
    const src = `{% if vip %}\nVIP: {{ customer.name }}\n{% endif %}\n${STATIC}\n`;
    const f = lintPrompt(src, { fileName: 't.j2' });
    assert.deepEqual(ids(f), ['placeholder-before-static']);
    assert.equal(f[0].fix, undefined);
  });
  it('no false alarm: placeholders after the static content', () => {
    assert.deepEqual(lintPrompt(`${STATIC}\nCustomer: {{ customer.name }}\n`, { fileName: 't.j2' }), []);
  });
});

describe('below-minimum', () => {
  it('warns when a whole request is below the chosen provider minimum', () => {
    const f = lintPromptReport('You are a helpful assistant.', { fileName: 'p.txt', provider: 'openai' }, { wholePrompt: true }).findings;
    assert.deepEqual(ids(f), ['below-minimum']);
    assert.match(f[0].message, /1,024/);
    const g = lintPromptReport(`Short intro.\n{{ question }}\n${STATIC}`, { fileName: 't.j2', provider: 'anthropic', model: 'claude-opus-4-5' }, { wholePrompt: true }).findings;
    assert.ok(ids(g).includes('below-minimum'));
    assert.match(g.find((x) => x.ruleId === 'below-minimum')!.message, /4,096/);
    const body = JSON.stringify({ system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(ids(lintPrompt(body, { fileName: 'r.json', provider: 'anthropic' })), ['below-minimum'], 'a request body is a whole request');
    const marked = '---\nprompt-cache: whole-prompt\n---\nAnswer in one line.\n';
    assert.deepEqual(ids(lintPrompt(marked, { fileName: 'a.prompt.md', provider: 'openai' })), ['below-minimum'], 'front matter marks a whole prompt');
  });
  it('fragments (instruction files, templates) are not warned per file; the report says how short they are', () => {
    const r = lintPromptReport('Use tabs, not spaces.', { fileName: 'AGENTS.md', provider: 'openai' });
    assert.deepEqual(r.findings, []);
    assert.equal(r.prefix.whole, false);
    assert.ok(r.prefix.tokens > 0 && r.prefix.tokens < 20);
  });
  it('no false alarm: long enough, or a self-hosted engine, or a short prompt with no provider chosen', () => {
    assert.deepEqual(lintPromptReport(STATIC, { fileName: 'p.txt', provider: 'openai' }, { wholePrompt: true }).findings, []);
    assert.deepEqual(lintPromptReport('Hi.', { fileName: 'p.txt', provider: 'vllm' }, { wholePrompt: true }).findings, []);
    assert.deepEqual(lintPromptReport('Hi.', { fileName: 'p.txt' }, { wholePrompt: true }).findings, []);
  });
});

describe('line-ending-drift and bom', () => {
  it('CRLF against an LF previous version: warning with a fix back to LF', () => {
    const prev = 'A\nB\nC\n';
    const cur = 'A\r\nB\r\nC\r\n';
    const f = lintPrompt(cur, { fileName: 'p.md' }, prev);
    assert.deepEqual(ids(f), ['line-ending-drift']);
    assert.equal(applyEdits(cur, f[0].fix!.edits), prev);
  });
  it('no false alarm where the model never sees the line breaks: JSON whitespace, front matter', () => {
    const prev = '{\n  "messages": [{"role": "user", "content": "x"}]\n}\n';
    assert.deepEqual(lintPrompt(prev.replace(/\n/g, '\r\n'), { fileName: 'r.json' }, prev), []);
    const fm = '---\nmode: ask\n---\nBody line\nSecond\n';
    assert.deepEqual(lintPrompt(fm.replace('mode: ask\n', 'mode: ask\r\n'), { fileName: 'x.prompt.md' }, fm), []);
  });
  it('mixed endings without a previous version: info; uniform endings: nothing', () => {
    assert.equal(lintPrompt('A\r\nB\nC\n', { fileName: 'p.md' })[0].severity, 'info');
    assert.deepEqual(lintPrompt('A\r\nB\r\n', { fileName: 'p.md' }), []);
    assert.deepEqual(lintPrompt('A\r\nB\r\n', { fileName: 'p.md' }, 'X\r\nY\r\n'), []);
  });
  it('a new BOM is flagged with a removal fix; an existing one is not drift', () => {
    const f = lintPrompt('\uFEFFHello\n', { fileName: 'p.md' }, 'Hello\n');
    assert.deepEqual(ids(f), ['bom']);
    assert.equal(f[0].severity, 'warning');
    assert.equal(applyEdits('\uFEFFHello\n', f[0].fix!.edits), 'Hello\n');
    assert.deepEqual(lintPrompt('\uFEFFHello\n', { fileName: 'p.md' }, '\uFEFFHi\n'), []);
  });
});

describe('trailing-whitespace-drift', () => {
  it('flags lines that changed only in trailing whitespace and restores it', () => {
    const prev = 'Alpha\nBeta\nGamma\n';
    const cur = 'Alpha  \nBeta\nGamma\n';
    const f = lintPrompt(cur, { fileName: 'p.md' }, prev);
    assert.deepEqual(ids(f), ['trailing-whitespace-drift']);
    assert.equal(f[0].range.start.line, 1);
    assert.equal(applyEdits(cur, f[0].fix!.edits), prev);
  });
  it('no false alarm when the content itself changed', () => {
    assert.deepEqual(lintPrompt('Alpha beta\n', { fileName: 'p.md' }, 'Alpha\n'), []);
  });
});

describe('reordered-keys', () => {
  const tool = (name: string) => ({ name, description: `${name} tool`, input_schema: { type: 'object', properties: {} } });
  const body = (tools: object[]) => JSON.stringify({ system: 'S', tools, messages: [{ role: 'user', content: 'q' }] }, null, 2);
  it('flags tools in another order, and the fix restores the previous order', () => {
    const prev = body([tool('a'), tool('b'), tool('c')]);
    const cur = body([tool('b'), tool('a'), tool('c')]);
    const f = lintPrompt(cur, { fileName: 'r.json' }, prev);
    assert.deepEqual(ids(f), ['reordered-keys']);
    assert.match(f[0].message, /Tools/);
    assert.equal(applyEdits(cur, f[0].fix!.edits), prev);
  });
  it('flags reordered keys inside an object and fixes them', () => {
    const prev = '{\n  "system": "S",\n  "messages": [{"role": "user", "content": "q"}]\n}';
    const cur = '{\n  "system": "S",\n  "messages": [{"content": "q", "role": "user"}]\n}';
    const f = lintPrompt(cur, { fileName: 'r.json' }, prev);
    assert.deepEqual(ids(f), ['reordered-keys']);
    assert.equal(applyEdits(cur, f[0].fix!.edits), prev);
  });
  it('no false alarm: same order, or an added tool at the end', () => {
    const prev = body([tool('a'), tool('b')]);
    assert.deepEqual(lintPrompt(prev, { fileName: 'r.json' }, prev), []);
    assert.deepEqual(lintPrompt(body([tool('a'), tool('b'), tool('c')]), { fileName: 'r.json' }, prev), []);
  });
});

describe('Anthropic breakpoints', () => {
  const cc = { type: 'ephemeral' };
  it('more than 4 breakpoints is an error', () => {
    const src = JSON.stringify({
      system: [1, 2, 3].map((i) => ({ type: 'text', text: `block ${i}`, cache_control: cc })),
      messages: [{ role: 'user', content: [1, 2].map((i) => ({ type: 'text', text: `m${i}`, cache_control: cc })) }],
    });
    const f = lintPrompt(src, { fileName: 'r.json' });
    assert.ok(ids(f).includes('too-many-breakpoints'));
    assert.equal(f.find((x) => x.ruleId === 'too-many-breakpoints')!.severity, 'error');
  });
  it('a breakpoint more than 20 blocks after the previous one is flagged', () => {
    const messages = Array.from({ length: 24 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ type: 'text', text: `turn ${i}`, ...(i === 23 ? { cache_control: cc } : {}) }] }));
    const src = JSON.stringify({ system: [{ type: 'text', text: 'S', cache_control: cc }], messages }, null, 2);
    const f = lintPrompt(src, { fileName: 'r.json' });
    assert.deepEqual(ids(f), ['breakpoint-beyond-lookback']);
    assert.equal(src.slice(f[0].range.start.offset, f[0].range.end.offset), '"cache_control"');
  });
  it('no false alarm: 2 breakpoints, few blocks apart', () => {
    const src = JSON.stringify({ system: [{ type: 'text', text: 'S', cache_control: cc }], messages: [{ role: 'user', content: [{ type: 'text', text: 'q', cache_control: cc }] }] });
    assert.deepEqual(lintPrompt(src, { fileName: 'r.json' }), []);
  });
});
