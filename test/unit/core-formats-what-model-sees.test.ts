// What the model sees (issue 12): request settings in front matter and bodies, templates rendered by their engines
// with includes and vars (and the static fallback), deployment variables, Dotprompt, POML, Cursor rules and the files
// coding agents load into every request, folder walks and the watched kinds.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { diffVersions } from '../../src/core/audit';
import { describePromptFormats, diskReader, extractPrompt, formatForFileName, walkPromptFiles } from '../../src/core/formats';
import { DEFAULT_EXCLUDE, DEFAULT_INCLUDE, describePromptFileKinds, isPromptPath } from '../../src/core/promptFiles';
import { renderedToSourceOffset, LineIndex } from '../../src/core/text';
import { ENGINE_VERSIONS } from '../../src/core/formats/engines';

/** An in-memory workspace under /ws: extraction options that read it. */
function ws(files: Record<string, string>) {
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [path.resolve('/ws', k), v]));
  return { root: path.resolve('/ws'), readFile: (p: string) => abs[p], file: (k: string) => path.resolve('/ws', k), src: (k: string) => files[k] };
}

const sourceAt = (p: ReturnType<typeof extractPrompt>, needle: string) => renderedToSourceOffset(p.map, p.text.indexOf(needle));

describe('front matter that changes the request', () => {
  const body = 'Review the change for bugs.\n';
  const cases: [string, string, string, boolean][] = [
    // [file, old front matter, new front matter, full miss?]
    ['review.prompt.md', 'tools: [search]', 'tools: [search, fetch]', true],
    ['review.prompt.md', 'model: gpt-4o', 'model: claude-sonnet-4', true],
    ['review.prompt.md', 'mode: ask', 'mode: agent', true],
    ['review.prompt.md', 'agent: plan', 'agent: edit', true],
    ['review.prompt.md', 'description: Review', 'description: Review a PR', false],
    ['review.prompt.md', 'argument-hint: a PR', 'argument-hint: a PR number', false],
    ['review.prompt.md', 'name: review', 'name: pr-review', false],
    ['style.instructions.md', "applyTo: '**/*.ts'", "applyTo: '**/*.{ts,tsx}'", true],
    ['style.instructions.md', "applyTo: '**'\ndescription: a", "applyTo: '**'\ndescription: b", false],
    ['style.instructions.md', 'description: a', 'description: b', true], // no applyTo: loaded on demand by description
    ['coder.agent.md', 'tools: [edit]', 'tools: [edit, run]', true],
    ['coder.agent.md', 'description: codes', 'description: writes code', false],
    ['plan.chatmode.md', 'model: o3', 'model: o4-mini', true],
    ['chat.prompty', 'model:\n  configuration:\n    azure_deployment: gpt-4o', 'model:\n  configuration:\n    azure_deployment: gpt-4o-mini', true],
    ['chat.prompty', 'model:\n  parameters:\n    temperature: 0.1', 'model:\n  parameters:\n    temperature: 0.9', false],
    ['greet.prompt', 'model: googleai/gemini-2.0-flash', 'model: googleai/gemini-2.5-flash', true],
    ['greet.prompt', 'config:\n  temperature: 0.2', 'config:\n  temperature: 0.7', false],
    ['greet.prompt', 'tools: [a]', 'tools: [a, b]', true],
    ['.cursor/rules/ts.mdc', 'alwaysApply: false', 'alwaysApply: true', true],
    ['.cursor/rules/ts.mdc', 'globs: src/**/*.ts', 'globs: src/**/*.tsx', true],
    ['.cursor/rules/ts.mdc', 'description: TS rules\nalwaysApply: false', 'description: TypeScript rules\nalwaysApply: false', true],
    ['.cursor/rules/ts.mdc', 'description: TS rules\nalwaysApply: true', 'description: TypeScript rules\nalwaysApply: true', false],
  ];
  for (const [file, a, b, miss] of cases) {
    test(`${file}: ${a.split('\n').pop()} → ${b.split('\n').pop()} is ${miss ? 'a full miss' : 'no effect'}`, () => {
      const oldSrc = `---\n${a}\n---\n${body}`;
      const newSrc = `---\n${b}\n---\n${body}`;
      const r = diffVersions(oldSrc, newSrc, { fileName: file, provider: 'anthropic' });
      if (miss) {
        assert.equal(r.firstDivergentToken, 0);
        assert.equal(r.reusablePrefixTokens, 0);
        assert.equal(r.recomputedTokens, r.new.tokens);
        assert.match(r.divergence!.segment!, /^front matter: /);
        assert.ok(r.fullMiss && r.fullMiss.reason.includes('no cached prefix'), JSON.stringify(r.fullMiss));
        // On the key's own line: `model:` → `configuration:` for a nested key.
        const key = r.fullMiss!.key.replace('front matter: ', '').split('.').pop()!;
        assert.equal(r.divergence!.line, newSrc.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`)) + 1, 'reported on the key\'s line');
        assert.equal(r.providers[0].cachedTokens, 0);
        assert.notEqual(r.noEffectOnCache, true);
      } else {
        assert.equal(r.firstDivergentToken, null);
        assert.equal(r.noEffectOnCache, true);
        assert.equal(r.fullMiss, undefined);
      }
    });
  }
  test('the key is named: divergence segment `front matter: tools`', () => {
    const r = diffVersions('---\ntools: [a]\n---\nX', '---\ntools: [b]\n---\nX', { fileName: 'x.prompt.md' });
    assert.equal(r.divergence!.segment, 'front matter: tools');
  });
});

describe('a request body whose model changed', () => {
  const bodyFor = (model: string) => JSON.stringify({ model, system: 'You are a support agent. '.repeat(400), messages: [{ role: 'user', content: 'Hi' }] }, null, 2);
  test('starts from a cold cache whatever its text', () => {
    const r = diffVersions(bodyFor('claude-sonnet-4-5'), bodyFor('claude-opus-4-1'), { fileName: 'request.json', provider: 'anthropic' });
    assert.equal(r.firstDivergentToken, 0);
    assert.equal(r.reusablePrefixTokens, 0);
    assert.equal(r.providers[0].cachedTokens, 0);
    assert.equal(r.divergence!.segment, 'model');
    assert.equal(r.divergence!.line, 2);
    assert.match(r.fullMiss!.reason, /another model/);
  });
  test('the same model with the same text is fully reusable', () => {
    const r = diffVersions(bodyFor('claude-sonnet-4-5'), bodyFor('claude-sonnet-4-5').replace('"Hi"', '"Hello"'), { fileName: 'request.json', provider: 'openai' });
    assert.equal(r.fullMiss, undefined);
    assert.ok(r.firstDivergentToken! > 1000);
  });
});

describe('templates rendered by their engines', () => {
  test('the rendering note names the engine versions that are installed (the engines load lazily, so these are literals)', () => {
    const installed = (name: string): string => (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
    assert.equal(ENGINE_VERSIONS.nunjucks, `nunjucks ${installed('nunjucks')}`);
    assert.equal(ENGINE_VERSIONS.handlebars, `handlebars ${installed('handlebars')}`);
    assert.equal(ENGINE_VERSIONS.mustache, `mustache ${installed('mustache')}`);
    assert.equal(ENGINE_VERSIONS.liquidjs, `liquidjs ${installed('liquidjs')}`);
    assert.equal(ENGINE_VERSIONS.dotprompt, `dotprompt ${installed('dotprompt')} (handlebars ${installed('handlebars')})`);
  });

  const w = ws({
    'prompts/system.j2': 'You are a coding agent.\n{% include "parts/rules.j2" %}\nMode: {{ cli_mode }}\nUser: {{ user.name }}\n{% for t in tools %}- {{ t }}\n{% endfor %}End.',
    'prompts/parts/rules.j2': 'Rule: be brief.\n',
    'prompts/system.j2.vars.json': JSON.stringify({ cli_mode: 'interactive', user: { name: 'Ann' }, tools: ['grep', 'edit'] }),
    'prompts/loop.j2': '{% include "loop.j2" %}',
    'prompts/missing.j2': 'Intro\n{% include "nope.j2" %}\n',
    'prompts/escape.j2': 'Intro\n{% include "../../etc/passwd" %}\n',
    'prompts/card.hbs': 'Card: {{> header}}\nHi {{name}}',
    'prompts/header.hbs': 'HEADER',
    'prompts/card.hbs.vars.yaml': 'name: Bob & Co\n',
    'prompts/page.liquid': 'Page {% render "part" %} {{ v | upcase }}',
    'prompts/part.liquid': 'PART',
    'prompts/page.liquid.vars.json': '{"v":"q"}',
    'prompts/m.mustache': 'M {{> p}} {{v}}',
    'prompts/p.mustache': 'P',
    'prompts/m.mustache.vars.json': '{"v":"x"}',
    'promptfooconfig.yaml': 'prompts:\n  - file://prompts/qa.j2\ndefaultTest:\n  vars:\n    tone: formal\ntests:\n  - vars:\n      question: Why?\n',
    'prompts/qa.j2': 'Answer in a {{ tone }} tone.\nQ: {{ question }}',
    'prompts/base.j2': 'BASE START\n{% block body %}default{% endblock %}\nBASE END',
    'prompts/child.j2': '{% extends "base.j2" %}{% block body %}Child says {{ msg }}{% endblock %}',
    'prompts/child.j2.vars.json': '{"msg":"hi"}',
  });
  const opts = (extra: object = {}) => ({ root: w.root, readFile: w.readFile, ...extra });

  test('Jinja with a sidecar vars file: nunjucks renders includes and loops; the map leads back to the source', () => {
    const p = extractPrompt(w.src('prompts/system.j2'), w.file('prompts/system.j2'), opts({ deploymentVariables: ['cli_mode'] }));
    assert.equal(p.text, 'You are a coding agent.\nRule: be brief.\n\nMode: interactive\nUser: Ann\n- grep\n- edit\nEnd.');
    assert.equal(p.rendering?.mode, 'engine');
    assert.match(p.rendering!.engine!, /nunjucks/);
    assert.equal(p.rendering!.varsFrom, 'prompts/system.j2.vars.json');
    assert.deepEqual(p.includedFiles, ['prompts/parts/rules.j2', 'prompts/system.j2.vars.json']);
    // cli_mode is fixed per deployment: the cacheable prefix ends at the user's name.
    assert.equal(p.firstVariableOffset, p.text.indexOf('Ann'));
    const src = w.src('prompts/system.j2');
    assert.equal(sourceAt(p, 'User: '), src.indexOf('User: '));
    assert.equal(sourceAt(p, 'End.'), src.indexOf('End.'));
    // The included text maps to the include tag (the right line for a diagnostic).
    assert.equal(new LineIndex(src).position(sourceAt(p, 'Rule: be brief')).line, 2);
    const userTag = p.placeholders!.find((x) => x.expr === 'user.name')!;
    assert.equal(userTag.variable, true);
    assert.deepEqual(userTag.names, ['user']);
    const mode = p.placeholders!.find((x) => x.expr === 'cli_mode')!;
    assert.equal(mode.variable, false);
    assert.equal(mode.perDeployment, true);
  });
  test('without the deployment setting, cli_mode ends the prefix', () => {
    const p = extractPrompt(w.src('prompts/system.j2'), w.file('prompts/system.j2'), opts());
    assert.equal(p.firstVariableOffset, p.text.indexOf('interactive'));
  });
  test('static fallback without variables: includes are inlined, placeholders stay as markers', () => {
    const p = extractPrompt(w.src('prompts/system.j2'), w.file('prompts/system.j2'), opts({ vars: null, deploymentVariables: ['cli_mode'] }));
    assert.equal(p.rendering?.mode, 'static');
    assert.ok(p.text.startsWith('You are a coding agent.\nRule: be brief.\n\nMode: {{ cli_mode }}\nUser: {{ user.name }}'));
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{ user.name }}'));
  });
  test('no root: nothing else is read; the include stays a marker and ends the static prefix', () => {
    const p = extractPrompt(w.src('prompts/system.j2'), 'system.j2');
    assert.equal(p.rendering?.mode, 'static');
    assert.equal(p.firstVariableOffset, p.text.indexOf('{% include'));
  });
  test('a missing include is a problem naming the file; a cycle and an escape from the root are bounded', () => {
    const missing = extractPrompt(w.src('prompts/missing.j2'), w.file('prompts/missing.j2'), opts());
    assert.match(missing.problems[0].message, /`nope\.j2` was not found \(looked for `prompts\/nope\.j2`/);
    assert.equal(missing.problems[0].start, w.src('prompts/missing.j2').indexOf('{%'));
    const cycle = extractPrompt(w.src('prompts/loop.j2'), w.file('prompts/loop.j2'), opts());
    assert.match(cycle.problems[0].message, /Include cycle: prompts\/loop\.j2 → prompts\/loop\.j2/);
    const escape = extractPrompt(w.src('prompts/escape.j2'), w.file('prompts/escape.j2'), opts());
    assert.match(escape.problems[0].message, /outside the workspace root/);
  });
  test('extends: the parent renders with the child\'s blocks', () => {
    const p = extractPrompt(w.src('prompts/child.j2'), w.file('prompts/child.j2'), opts());
    assert.equal(p.text, 'BASE START\nChild says hi\nBASE END');
    assert.equal(p.firstVariableOffset, p.text.indexOf(' hi') + 1);
    assert.equal(sourceAt(p, 'Child says'), w.src('prompts/child.j2').indexOf('Child says'));
  });
  test('promptfoo test vars: defaultTest.vars overlaid by the first test', () => {
    const p = extractPrompt(w.src('prompts/qa.j2'), w.file('prompts/qa.j2'), opts());
    assert.equal(p.text, 'Answer in a formal tone.\nQ: Why?');
    assert.equal(p.rendering!.varsFrom, 'promptfooconfig.yaml tests[0].vars');
  });
  test('Handlebars partials (HTML escaping as the engine does), Liquid render, Mustache partials', () => {
    const hb = extractPrompt(w.src('prompts/card.hbs'), w.file('prompts/card.hbs'), opts());
    assert.equal(hb.text, 'Card: HEADER\nHi Bob &amp; Co');
    assert.equal(hb.firstVariableOffset, hb.text.indexOf('Bob'));
    const lq = extractPrompt(w.src('prompts/page.liquid'), w.file('prompts/page.liquid'), opts());
    assert.equal(lq.text, 'Page PART Q');
    const mu = extractPrompt(w.src('prompts/m.mustache'), w.file('prompts/m.mustache'), opts());
    assert.equal(mu.text, 'M P x');
  });
  test('the token straddling a placeholder is not part of the static prefix', () => {
    const r = diffVersions('Hello {{ name }}', 'Hello {{ name }}', { fileName: 't.j2', encoding: 'o200k_base' });
    // "Hello" is static; " {{" would merge with the value in a real request.
    assert.equal(r.staticPrefixTokens, 1);
  });
});

describe('Dotprompt, POML, Cursor rules', () => {
  const dp = '---\nmodel: googleai/gemini-2.0-flash\ninput:\n  schema:\n    name: string\n  default:\n    name: Guest\n---\n\n{{role "system"}}\nYou greet guests.\n{{role "user"}}\nHello {{name}}\n';
  test('Dotprompt static: front matter out, body trimmed as Dotprompt does, role tags are message boundaries', () => {
    const p = extractPrompt(dp, 'greet.prompt');
    assert.equal(p.format, 'dotprompt');
    assert.equal(p.text, '\nYou greet guests.\n\nHello {{name}}');
    assert.deepEqual(p.hardBoundaries, [p.text.indexOf('\nHello')]);
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{name}}'));
    assert.ok(p.requestKeys!['front matter: model']);
  });
  test('Dotprompt rendered: each role starts a message (a hard boundary)', () => {
    const w = ws({ 'greet.prompt': dp, 'greet.prompt.vars.json': '{"name":"Zed"}' });
    const p = extractPrompt(dp, w.file('greet.prompt'), { root: w.root, readFile: w.readFile });
    assert.equal(p.rendering?.mode, 'engine');
    assert.ok(p.text.includes('You greet guests.') && p.text.endsWith('Hello Zed'));
    assert.equal(p.hardBoundaries?.length, 1);
    assert.deepEqual(p.segments.filter((s) => s.name.startsWith('messages')).map((s) => s.name), ['messages[0] (system)', 'messages[1] (user)']);
    assert.equal(p.firstVariableOffset, p.text.indexOf('Zed'));
  });
  test('POML: intention components become headers; let/stylesheet output nothing; expressions are placeholders; tools are request keys', () => {
    const src = '<poml>\n  <let name="product" value="\'Acme\'" />\n  <role>You are a support agent for {{ product }}.</role>\n  <task>Answer {{ question }} briefly.</task>\n  <list><item>Be kind</item><item>Be short</item></list>\n  <tool-definition name="lookup" description="Look up">{}</tool-definition>\n</poml>\n';
    const p = extractPrompt(src, 'support.poml');
    assert.equal(p.format, 'poml');
    assert.equal(p.text, '# Role\n\nYou are a support agent for {{ product }}.\n\n# Task\n\nAnswer {{ question }} briefly.\n\n- Be kind\n- Be short');
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{ question }}'));
    assert.equal(sourceAt(p, 'briefly'), src.indexOf('briefly'));
    assert.ok(p.requestKeys!['<tool-definition> lookup']);
    const bad = extractPrompt('<poml><role>unclosed</poml>', 'x.poml');
    assert.match(bad.problems[0].message, /<role> is not closed/);
  });
  test('Cursor .mdc: front matter out (even when YAML rejects Cursor\'s bare globs), body as Markdown', () => {
    const src = '---\ndescription: TypeScript rules\nglobs: *.ts, *.tsx\nalwaysApply: false\n---\n# TS\nUse strict mode.\n';
    const p = extractPrompt(src, '.cursor/rules/ts.mdc');
    assert.equal(p.format, 'cursor-rule');
    assert.equal(p.text, '# TS\nUse strict mode.\n');
    assert.ok(p.requestKeys!['front matter: globs']);
    assert.ok(p.requestKeys!['front matter: description']);
  });
});

describe('files coding agents load into every request', () => {
  for (const f of ['CLAUDE.md', 'sub/CLAUDE.md', 'CLAUDE.local.md', 'AGENTS.md', 'GEMINI.md', '.github/copilot-instructions.md', '.cursorrules', '.windsurfrules', '.clinerules', '.clinerules/01-style.md']) {
    test(`${f} is an agent instruction file, sent as is`, () => {
      assert.equal(formatForFileName(f), 'agent-instructions');
      const p = extractPrompt('# Rules\nUse pnpm.\n', f);
      assert.equal(p.text, '# Rules\nUse pnpm.\n');
      assert.ok(isPromptPath(f, { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE }), `${f} is watched by default`);
    });
  }
  test('.github/instructions and .github/prompts files are prompt files, watched by default', () => {
    for (const f of ['.github/instructions/ts.instructions.md', '.github/prompts/review.prompt.md']) {
      assert.equal(formatForFileName(f), 'prompt-file');
      assert.ok(isPromptPath(f, { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE }), f);
    }
    assert.ok(isPromptPath('.cursor/rules/ts.mdc', { include: DEFAULT_INCLUDE, exclude: DEFAULT_EXCLUDE }));
  });
  test('CLAUDE.md @imports are appended in order, outside code; missing ones are problems; cycles sent once', () => {
    const w = ws({
      'CLAUDE.md': '# Project\nSee @docs/style.md and @README.md.\n`@not/an/import.md`\n```\n@also/not.md\n```\nMail me @alice.\n',
      'docs/style.md': 'Style: tabs. @../CLAUDE.md\n',
    });
    const p = extractPrompt(w.src('CLAUDE.md'), w.file('CLAUDE.md'), { root: w.root, readFile: w.readFile });
    assert.ok(p.text.startsWith(w.src('CLAUDE.md')));
    assert.ok(p.text.endsWith('\n\nStyle: tabs. @../CLAUDE.md\n'));
    assert.ok(p.segments.some((s) => s.name === '@docs/style.md'));
    assert.equal(p.problems.length, 1);
    assert.match(p.problems[0].message, /@README\.md: `README\.md` was not found/);
  });
  test('.clinerules folder rules: `paths` front matter is configuration', () => {
    const p = extractPrompt('---\npaths: ["src/**"]\n---\nUse zod.\n', '.clinerules/zod.md');
    assert.equal(p.text, 'Use zod.\n');
    assert.ok(p.requestKeys!['front matter: paths']);
  });
});

describe('folder walks and the watched kinds', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-walk-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const put = (rel: string, text = 'x\n') => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  test('enter .github, .cursor, .clinerules; never .git or node_modules or other dot-directories', () => {
    for (const f of ['.github/copilot-instructions.md', '.github/prompts/a.prompt.md', '.cursor/rules/r.mdc', '.clinerules/s.md', '.cursorrules', 'CLAUDE.md', 'g.prompt', 'p.poml', '.git/x.md', 'node_modules/m/AGENTS.md', '.venv/notes.md', 'src/code.ts']) put(f);
    const found = walkPromptFiles(dir).map((f) => path.relative(dir, f).split(path.sep).join('/'));
    assert.deepEqual(found, ['.clinerules/s.md', '.cursor/rules/r.mdc', '.cursorrules', '.github/copilot-instructions.md', '.github/prompts/a.prompt.md', 'CLAUDE.md', 'g.prompt', 'p.poml']);
  });
  test('diskReader reads only inside its root', () => {
    put('inside.txt', 'in');
    const read = diskReader(dir);
    assert.equal(read(path.join(dir, 'inside.txt')), 'in');
    assert.equal(read(path.join(os.tmpdir(), 'definitely-not-here.txt')), undefined);
  });
  test('describePromptFileKinds names the watched kinds; describePromptFormats lists every format', () => {
    const kinds = describePromptFileKinds();
    for (const k of ['CLAUDE.md', 'AGENTS.md', 'GEMINI.md', 'Cursor rules', 'Cline rules', 'Dotprompt (.prompt)', 'POML (.poml)']) assert.ok(kinds.includes(k), k);
    assert.deepEqual(describePromptFileKinds(['**/CLAUDE.md', '**/CLAUDE.local.md', 'my/**/*.txt']), ['CLAUDE.md', 'my/**/*.txt']);
    const ids = describePromptFormats().map((f) => f.id);
    for (const id of ['dotprompt', 'poml', 'cursor-rule', 'agent-instructions', 'prompt-file', 'template-jinja']) assert.ok(ids.includes(id as never), id);
  });
});

describe('what the agents\' own loaders do (edge cases of the real-file fixes)', () => {
  test('CLAUDE.md: front matter and block HTML comments are not sent; text after `-->` on its line is', () => {
    const src = '---\npaths:\n  - "src/**"\n---\n# Rules\n<!-- a note\n  for humans -->\nKeep it short.\n<!-- aside --> Use pnpm.\n```md\n<!-- kept inside a fence -->\n```\n<!-- unclosed\n';
    const p = extractPrompt(src, 'CLAUDE.md');
    assert.equal(p.text, '# Rules\nKeep it short.\n Use pnpm.\n```md\n<!-- kept inside a fence -->\n```\n<!-- unclosed\n');
    assert.equal(p.requestKeys?.['front matter: paths']?.value, '["src/**"]');
    assert.equal(sourceAt(p, 'Keep it short.'), src.indexOf('Keep it short.'));
    assert.equal(sourceAt(p, ' Use pnpm.'), src.indexOf(' Use pnpm.'));
  });
  test('CLAUDE.md imports: after white space or `[`, not after `(`; `#fragment` dropped; not inside comments', () => {
    const w = ws({ 'CLAUDE.md': 'See @docs/a.md#setup and [@docs/b.md](docs/b.md), not (@docs/c.md).\n<!-- @docs/d.md -->\n', 'docs/a.md': 'A', 'docs/b.md': 'B', 'docs/c.md': 'C', 'docs/d.md': 'D' });
    const p = extractPrompt(w.src('CLAUDE.md'), w.file('CLAUDE.md'), { root: w.root, readFile: w.readFile });
    assert.deepEqual(p.includedFiles, ['docs/a.md', 'docs/b.md']);
    assert.ok(p.text.endsWith('\n\nA\n\nB'));
  });
  test('an imported file\'s own front matter is configuration too', () => {
    const w = ws({ 'CLAUDE.md': '@.claude/rules/x.md\n', '.claude/rules/x.md': '---\npaths: src/**\n---\nRule text.\n' });
    const p = extractPrompt(w.src('CLAUDE.md'), w.file('CLAUDE.md'), { root: w.root, readFile: w.readFile });
    assert.equal(p.text, '@.claude/rules/x.md\n\n\nRule text.\n');
  });
  test('GEMINI.md: an import cycle is an `Import failed` comment and a warning, not a loop', () => {
    const w = ws({ 'GEMINI.md': 'Top @./a.md end', 'a.md': 'A @./GEMINI.md' });
    const p = extractPrompt(w.src('GEMINI.md'), w.file('GEMINI.md'), { root: w.root, readFile: w.readFile });
    assert.equal(p.text, 'Top <!-- Imported from: ./a.md -->\nA <!-- Import failed: ./GEMINI.md - it imports itself (a cycle) -->\n<!-- End of import from: ./a.md --> end');
    assert.equal(p.problems.length, 1);
  });
  test('.windsurf/rules: `trigger` decides; `globs` only for glob rules, `description` only for model-decided ones', () => {
    const rule = (fm: string) => `---\n${fm}\n---\nUse tabs.\n`;
    const glob = diffVersions(rule('trigger: glob\nglobs: "*.ts"'), rule('trigger: glob\nglobs: "*.tsx"'), { fileName: '.windsurf/rules/style.md' });
    assert.equal(glob.fullMiss?.key, 'front matter: globs');
    const always = diffVersions(rule('trigger: always_on\nglobs: "*.ts"'), rule('trigger: always_on\nglobs: "*.tsx"'), { fileName: '.windsurf/rules/style.md' });
    assert.equal(always.noEffectOnCache, true);
    const model = diffVersions(rule('trigger: model_decision\ndescription: a'), rule('trigger: model_decision\ndescription: b'), { fileName: '.windsurf/rules/style.md' });
    assert.equal(model.fullMiss?.key, 'front matter: description');
    assert.equal(extractPrompt(rule('trigger: always_on'), '.windsurf/rules/style.md').text, 'Use tabs.\n');
  });
  test('Markdown that agents load with front matter (.claude/agents, .cursor/commands, SKILL.md): the front matter is configuration', () => {
    const src = '---\nname: reviewer\ndescription: Reviews diffs\ntools: Read, Grep\nmodel: sonnet\n---\nYou review diffs.\n';
    for (const f of ['.claude/agents/reviewer.md', '.cursor/commands/review.md', 'skills/review/SKILL.md']) {
      const p = extractPrompt(src, f);
      assert.equal(p.text, 'You review diffs.\n', f);
      assert.equal(p.format, 'agent-instructions');
    }
    assert.equal(extractPrompt(src, 'docs/notes.md').text, src, 'elsewhere, Markdown is sent as it is');
    const d = diffVersions(src, src.replace('model: sonnet', 'model: opus'), { fileName: '.claude/agents/reviewer.md' });
    assert.equal(d.fullMiss?.key, 'front matter: model');
  });
  test('Jinja static `{% extends %}`: the parent with the child\'s blocks; a grandchild\'s blocks win', () => {
    const w = ws({
      'p/base.j2': '{% block persona %}You are helpful.{% endblock %}\nRules:\n{% block rules %}none{% endblock %}\nQ: {{ question }}\n',
      'p/mid.j2': '{% extends "base.j2" %}{% block persona %}You are precise.{% endblock %}{% block rules %}cite{% endblock %}',
      'p/leaf.j2': '{% extends "mid.j2" %}ignored text{% block rules %}cite sources{% endblock %}',
      'p/orphan.j2': '{% extends "missing.j2" %}{% block rules %}x{% endblock %}',
    });
    const o = { root: w.root, readFile: w.readFile };
    const leaf = extractPrompt(w.src('p/leaf.j2'), w.file('p/leaf.j2'), o);
    assert.equal(leaf.text, 'You are precise.\nRules:\ncite sources\nQ: {{ question }}\n');
    assert.deepEqual(leaf.includedFiles, ['p/mid.j2', 'p/base.j2']);
    assert.equal(sourceAt(leaf, 'cite sources'), w.src('p/leaf.j2').indexOf('cite sources'));
    const rendered = extractPrompt(w.src('p/leaf.j2'), w.file('p/leaf.j2'), { ...o, vars: { question: 'Why?' } });
    assert.equal(rendered.text, 'You are precise.\nRules:\ncite sources\nQ: Why?\n');
    const orphan = extractPrompt(w.src('p/orphan.j2'), w.file('p/orphan.j2'), o);
    assert.match(orphan.problems[0].message, /Parent template `missing\.j2` was not found/);
  });
  test('promptfoo: inline prompts are not paths; `file://` vars are read relative to the config', () => {
    const w = ws({
      'evals/promptfooconfig.yaml': 'prompts:\n  - "Answer {{q}} briefly"\n  - file://prompts/a.txt\ntests:\n  - vars:\n      q: file://data/q.md\n      n: 3\n',
      'evals/prompts/a.txt': 'Q: {{ q }} ({{ n }})',
      'evals/data/q.md': 'What is a KV cache?',
    });
    const p = extractPrompt(w.src('evals/prompts/a.txt'), w.file('evals/prompts/a.txt'), { root: w.root, readFile: w.readFile });
    assert.equal(p.text, 'Q: What is a KV cache? (3)');
    assert.equal(extractPrompt('Answer {{q}} briefly', w.file('evals/Answer {{q}} briefly'), { root: w.root, readFile: w.readFile }).format, 'text');
  });
  test('Dotprompt static: `{{media}}` stays a marker but is its own part (hard boundaries on both sides)', () => {
    const src = '---\nmodel: m\n---\nLook:\n{{media url=photoUrl}}\nWhat is it?';
    const p = extractPrompt(src, 'look.prompt');
    const at = p.text.indexOf('{{media');
    assert.deepEqual(p.hardBoundaries, [at, at + '{{media url=photoUrl}}'.length]);
  });
});
