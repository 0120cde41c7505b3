// The AGENTS.md recipe "Add a prompt format", followed for real with a test-only format (`.tpl-test` files: a
// `#!meta` first line that is configuration, then the text), registered the way a module in PROMPT_FORMATS is; and
// the audit worker's keystroke path agreeing with the core on request-setting changes and deployment variables.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { AuditEngine } from '../../src/auditWorker/engine';
import type { AuditResult, WorkerToHost } from '../../src/auditWorker/protocol';
import { diffVersions } from '../../src/core/audit';
import { describePromptFormats, extractPrompt, formatForFileName, registerPromptFormat, supportedExtensions, walkPromptFiles, type PromptFormatModule } from '../../src/core/formats';
import { RenderBuilder } from '../../src/core/text';

// Step 1 of the recipe: the module (its id registered in PromptFormat by declaration merging).
declare module '../../src/core/types' {
  interface RegisteredPromptFormats {
    'test-meta': true;
  }
}

const testMetaFormat: PromptFormatModule = {
  id: 'test-meta',
  description: 'Test-only format: a `#!meta <model>` first line, then the prompt text',
  fileNames: ['**/*.tpl-test'],
  extract(source) {
    const nl = source.indexOf('\n');
    const meta = source.startsWith('#!meta ') && nl >= 0 ? source.slice(7, nl) : undefined;
    const bodyStart = meta === undefined ? 0 : nl + 1;
    const b = new RenderBuilder();
    b.copy(source.slice(bodyStart), bodyStart);
    return {
      format: 'test-meta', text: b.text, map: b.map, segments: [], firstVariableOffset: null, problems: [], breakpoints: [], blocks: [],
      ...(meta !== undefined ? { requestKeys: { model: { value: JSON.stringify(meta), start: 7, end: nl, why: 'another model: a cold cache' } } } : {}),
    };
  },
};

test('recipe: a format added through the registry is detected, extracted, walked, listed and audited', () => {
  // Step 2: the registry entry (PROMPT_FORMATS in registry.ts; here at run time, as a test cannot edit the list).
  const unregister = registerPromptFormat(testMetaFormat);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-recipe-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  try {
    assert.equal(formatForFileName('a/b/system.tpl-test'), 'test-meta');
    const p = extractPrompt('#!meta gpt-4o\nYou are terse.\n', 'system.tpl-test');
    assert.equal(p.format, 'test-meta');
    assert.equal(p.text, 'You are terse.\n');
    assert.ok(supportedExtensions().includes('.tpl-test'));
    assert.ok(describePromptFormats().some((f) => f.id === 'test-meta'));
    fs.mkdirSync(path.join(dir, '.github'));
    fs.writeFileSync(path.join(dir, '.github', 'x.tpl-test'), 'hi');
    assert.deepEqual(walkPromptFiles(dir).map((f) => path.basename(f)), ['x.tpl-test']);
    // The audit honours its request keys like any built-in format's.
    const r = diffVersions('#!meta gpt-4o\nYou are terse.\n', '#!meta gpt-4.1\nYou are terse.\n', { fileName: 'system.tpl-test' });
    assert.equal(r.firstDivergentToken, 0);
    assert.equal(r.divergence?.segment, 'model');
  } finally {
    unregister();
  }
  assert.equal(formatForFileName('system.tpl-test'), 'text', 'unregistered again');
});

function engineWith(settings: object = {}) {
  const posted: WorkerToHost[] = [];
  const e = new AuditEngine((m) => posted.push(m));
  e.handle({ type: 'configure', settings: { provider: 'anthropic', model: '', encoding: 'auto', pricePerMillionTokens: null, ...settings } });
  const audit = (uri: string, version: number, full = false): AuditResult => {
    e.handle({ type: 'audit', requestId: version, uri, version, full });
    const m = posted.filter((x) => x.type === 'audit').pop() as { result: AuditResult };
    return m.result;
  };
  return { e, audit };
}

test('keystroke path: editing `tools:` in front matter is a full miss at token 0, named; a description edit is not', () => {
  const { e, audit } = engineWith();
  const base = '---\ndescription: Review\ntools: [search]\n---\nReview the change for bugs.\n';
  e.handle({ type: 'open', uri: 'u', fileName: '/w/review.prompt.md', version: 1, text: base });
  e.handle({ type: 'setBaseline', uri: 'u', baseline: { text: base, label: 'HEAD' } });
  const at = base.indexOf('search]') + 'search'.length;
  e.handle({ type: 'change', uri: 'u', version: 2, edits: [{ offset: at, deleteLength: 0, text: ', fetch' }] });
  const r = audit('u', 2);
  assert.equal(r.diff.firstDivergentToken, 0);
  assert.equal(r.diff.divergence?.segment, 'front matter: tools');
  assert.equal(r.diff.divergence?.line, 3);
  assert.match(r.diff.fullMiss!.reason, /tool schemas/);
  const full = audit('u', 2, true);
  assert.equal(full.diff.firstDivergentToken, 0);
  // Undo, then change the description only: no effect.
  e.handle({ type: 'change', uri: 'u', version: 3, edits: [{ offset: at, deleteLength: ', fetch'.length, text: '' }] });
  e.handle({ type: 'change', uri: 'u', version: 4, edits: [{ offset: base.indexOf('Review\n'), deleteLength: 6, text: 'Review a PR' }] });
  const d = audit('u', 4);
  assert.equal(d.diff.firstDivergentToken, null);
  assert.equal(d.diff.noEffectOnCache, true);
});

test('the worker reads includes under the workspace folder and honours deployment variables, as the core does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-worker-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'rules.j2'), 'Rules: be brief.\n');
  const src = 'Intro.\n{% include "rules.j2" %}Mode {{ cli_mode }}. User {{ user }}.';
  const file = path.join(dir, 'sys.j2');
  fs.writeFileSync(file, src);
  const { e, audit } = engineWith({ workspaceRoots: [dir], deploymentVariables: ['cli_mode'] });
  e.handle({ type: 'open', uri: 'j', fileName: file, version: 1, text: src });
  const r = audit('j', 1, true);
  const core = diffVersions('', src, { fileName: file, root: dir, readFile: (p) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined), deploymentVariables: ['cli_mode'] });
  assert.equal(r.diff.new.tokens, core.new.tokens);
  assert.equal(core.staticPrefixTokens, r.diff.staticPrefixTokens ?? core.staticPrefixTokens);
  assert.ok(core.staticPrefixTokens! > 8, `the include and cli_mode are in the static prefix (${core.staticPrefixTokens})`);
});
