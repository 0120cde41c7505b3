// What the model sees for real public files (trimmed copies under fixtures/real-formats/, one folder per repository;
// `name@commit` holds one version of `name`). Every fixture file ends in `.fixture` so no agent or editor working in
// this repository takes it for its own configuration; the loader below drops the suffix. Each case names the
// repository, path and commit it was copied from.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { diffVersions } from '../../src/core/audit';
import { extractPrompt } from '../../src/core/formats';
import { LineIndex, renderedToSourceOffset } from '../../src/core/text';
import type { ExtractedPrompt } from '../../src/core/types';

const FIXTURES = path.join(__dirname, 'fixtures', 'real-formats');

/** A fixture repository as an in-memory workspace rooted at /real/<name>. */
function repo(name: string) {
  const root = path.resolve('/real', name);
  const files = new Map<string, string>();
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else files.set(path.resolve(root, r.replace(/\.fixture$/, '')), fs.readFileSync(path.join(dir, e.name), 'utf8'));
    }
  };
  walk(path.join(FIXTURES, name), '');
  const src = (rel: string) => {
    const s = files.get(path.resolve(root, rel));
    assert.ok(s !== undefined, `fixture ${name}/${rel}`);
    return s;
  };
  const opts = { root, readFile: (p: string) => files.get(p) };
  /** What the model sees for `rel` (its version `rel@commit` when given), as a file named `rel`. */
  const extract = (rel: string, version?: string, extra: Parameters<typeof extractPrompt>[2] = {}) =>
    extractPrompt(src(version ? `${rel}@${version}` : rel), path.resolve(root, rel), { ...opts, ...extra });
  const diff = (rel: string, from: string, to: string) =>
    diffVersions(src(`${rel}@${from}`), src(`${rel}@${to}`), { fileName: path.resolve(root, rel), provider: 'anthropic', ...opts });
  return { root, src, extract, diff, opts };
}

const lineOf = (source: string, needle: string) => {
  const at = source.indexOf(needle);
  assert.ok(at >= 0, needle);
  return new LineIndex(source).position(at).line;
};

/** No sentinel or other private-use character reaches the text; every verbatim piece equals its source. */
function assertClean(p: ExtractedPrompt, source: string): void {
  assert.ok(!/[\uE000-\uF8FF]/.test(p.text), 'no private-use characters in the text');
  for (const m of p.map) if (m.exact) assert.equal(p.text.slice(m.renderedStart, m.renderedEnd), source.slice(m.sourceStart, m.sourceEnd));
}

describe('Dotprompt (Genkit)', () => {
  // mbleigh/genkitchen prompts/madlibs.prompt, prompts/_madlibs_examples.prompt @ 3f57c2fcf80cdbce7481cf44d0f0507d3e418f3b
  test('`{{> madlibs_examples}}` is the `_madlibs_examples.prompt` partial (Dotprompt\'s underscore convention)', () => {
    const r = repo('genkitchen');
    const p = r.extract('prompts/madlibs.prompt');
    assert.deepEqual(p.problems, []);
    assert.deepEqual(p.includedFiles, ['prompts/_madlibs_examples.prompt']);
    assert.ok(p.text.includes('### A Camping We Will Go!') && !p.text.includes('{{>'));
    assert.ok(!p.text.includes('model:'), 'front matter is not text');
  });
  // firebase/genkit go/samples/x-agent-interrupts/prompts/paymentAgent.prompt @ 896592734d5ba52493e2766ab8b478988ce4e0d8
  test('static reading: `{{role "system"}}` starts a message, it is not text', () => {
    const r = repo('genkit');
    const p = r.extract('prompts/paymentAgent.prompt');
    assert.ok(!p.text.includes('{{role'), p.text);
    assert.ok(p.text.startsWith('\nYou are a helpful payment assistant.'));
    assert.ok(p.segments.some((s) => s.name === 'messages[0] (system)' && s.start === 0));
    assert.deepEqual(Object.keys(p.requestKeys ?? {}).sort(), ['front matter: model', 'front matter: tools']);
    assertClean(p, r.src('prompts/paymentAgent.prompt'));
  });
  // firebase/genkit go/samples/prompts/prompts/multi-msg.prompt @ 38727d18c827456d9810cf4a7b3d351bf10a4d58
  test('rendered: `{{media}}` is a media part between hard boundaries, not `<<<dotprompt:media…>>>` text', () => {
    const r = repo('genkit');
    const p = r.extract('prompts/multi-msg.prompt', '38727d1', { vars: { videoUrl: 'https://example.com/v.mp4', contentType: 'video/mp4' } });
    assert.equal(p.rendering?.mode, 'engine');
    assert.ok(!p.text.includes('<<<dotprompt'), p.text);
    const media = p.text.indexOf('[media: https://example.com/v.mp4]');
    assert.ok(media > 0, p.text);
    assert.ok(p.hardBoundaries?.includes(media), JSON.stringify(p.hardBoundaries));
    assert.deepEqual(p.segments.filter((s) => s.name.startsWith('messages')).map((s) => s.name), ['messages[0] (system)', 'messages[1] (user)']);
    assertClean(p, r.src('prompts/multi-msg.prompt@38727d1'));
  });
  test('consecutive versions: a new `contentType=` on the media tag diverges there; the input schema is not the request', () => {
    const r = repo('genkit');
    const d = r.diff('prompts/multi-msg.prompt', '21c9e56', '38727d1');
    assert.equal(d.fullMiss, undefined);
    assert.equal(d.divergence!.line, lineOf(r.src('prompts/multi-msg.prompt@38727d1'), '{{media url=videoUrl contentType'));
  });
  // firebase/genkit go/samples/prompts/prompts/media.prompt @ 13a6337ef5f9a150226ff7703cd20102f618d1dc → f117ad5448e83be5aa8b234bd8abaa37f596453c
  test('consecutive versions: `model: …preview-04-17` → `model: googleai/gemini-2.5-flash` is a full miss on line 2', () => {
    const d = repo('genkit').diff('prompts/media.prompt', '13a6337', 'f117ad5');
    assert.equal(d.fullMiss?.key, 'front matter: model');
    assert.equal(d.reusablePrefixTokens, 0);
    assert.equal(d.divergence!.line, 2);
  });
  // genkit-ai/samples eli5/src/ai/prompts/generate-lesson.prompt @ dbaed371111b79983cf04cfb37da2822055c1cb1 (trimmed)
  test('Gemini\'s built-in tools in `config.tools` are request keys; a sampling setting is not', () => {
    const r = repo('genkit-samples');
    const src = r.src('eli5/src/ai/prompts/generate-lesson.prompt');
    const fileName = 'eli5/src/ai/prompts/generate-lesson.prompt';
    const tools = diffVersions(src, src.replace('[{googleSearch: {}}]', '[{googleSearch: {}}, {codeExecution: {}}]'), { fileName });
    assert.equal(tools.fullMiss?.key, 'front matter: config.tools');
    assert.equal(tools.divergence!.line, 4);
    const sampling = diffVersions(src, src.replace('config:\n', 'config:\n  temperature: 0.3\n'), { fileName });
    assert.equal(sampling.noEffectOnCache, true);
  });
});

describe('POML (microsoft/poml)', () => {
  // examples/108_code_review.poml @ 1232c080c927437c03b41e007114a3dde26a94f6, examples/assets/108_sample_code.py @ d7be26f (trimmed);
  // expected rendering: examples/expects/108_code_review.txt @ 1232c08
  test('a plain-text `<document src>` is inlined, as examples/expects/108_code_review.txt shows', () => {
    const r = repo('poml');
    const p = r.extract('examples/108_code_review.poml');
    assert.ok(p.text.startsWith('# Role\n\nYou are an experienced code reviewer.\n\n# Task\n\nReview the provided Python code and suggest improvements.\n\nimport sqlite3\n'), p.text);
    assert.ok(p.text.endsWith('    return conn\n\n# Output Format\n\nProvide a concise code review with key suggestions for improvement.'), p.text);
    assert.deepEqual(p.includedFiles, ['examples/assets/108_sample_code.py']);
    assert.equal(renderedToSourceOffset(p.map, p.text.indexOf('import sqlite3')), r.src('examples/108_code_review.poml').indexOf('<document'));
  });
  // examples/201_orders_qa.poml @ f2179f86b8f0226c0ce2e7cdba3f5f7d8fb4b09b
  test('nested captions are one blank line apart (no doubled separators)', () => {
    const p = repo('poml').extract('examples/201_orders_qa.poml');
    assert.ok(!p.text.includes('\n\n\n'), JSON.stringify(p.text));
    assert.ok(p.text.includes('# Data\n\n## Orders\n\n<table src="assets/201_orders.csv">'));
  });
  // python/tests/assets/dynamic_tools.poml @ 310e9b261e05b5d4194297251c5ab3d9792e27e1
  test('`<runtime model>` is a request key; what follows `<system-msg>` is another message', () => {
    const r = repo('poml');
    const src = r.src('python/tests/assets/dynamic_tools.poml');
    const p = r.extract('python/tests/assets/dynamic_tools.poml');
    assert.equal(p.requestKeys?.['<runtime> model']?.value, '"gpt-4.1-nano"');
    assert.equal(p.text.indexOf('{{ input }}'), p.hardBoundaries?.[0]);
    const d = diffVersions(src, src.replace('gpt-4.1-nano', 'gpt-4.1-mini'), { fileName: 'dynamic_tools.poml' });
    assert.equal(d.fullMiss?.key, '<runtime> model');
  });
});

describe('Cursor rules', () => {
  // Apocrathia/homelab .cursor/rules/general.mdc @ b92766f358da7486beecebdb03f74251dec81fb2 → 07aaf4f0e225915199c48ee1ccd5842a881353e0 (trimmed)
  test('consecutive versions of an Always rule: the body edit is where it diverges; front matter is not text', () => {
    const r = repo('homelab');
    const d = r.diff('.cursor/rules/general.mdc', 'b92766f', '07aaf4f');
    assert.equal(d.fullMiss, undefined);
    // The added line's first token is the line break before it (`\n-` where the old file had `\n\n##`).
    const src = r.src('.cursor/rules/general.mdc@07aaf4f');
    assert.equal(d.divergence!.offset, src.indexOf('- **Evidence-based analysis**') - 1);
    assert.equal(d.divergence!.segment, '## Personality');
    const p = r.extract('.cursor/rules/general.mdc', '07aaf4f');
    assert.ok(p.text.startsWith('# General Guidelines'));
    assert.deepEqual(Object.keys(p.requestKeys ?? {}), ['front matter: alwaysApply'], 'an Always rule\'s description and globs do not decide anything');
  });
  // Apocrathia/homelab .cursor/rules/helm.mdc @ 1264c5428fdd7ef366fbe11c006d9a9bc16e3916 (trimmed)
  test('an Auto Attached rule: globs and description are request keys', () => {
    const p = repo('homelab').extract('.cursor/rules/helm.mdc');
    assert.deepEqual(Object.keys(p.requestKeys ?? {}).sort(), ['front matter: alwaysApply', 'front matter: description', 'front matter: globs']);
    assert.equal(p.requestKeys?.['front matter: globs']?.value, '"helm/*"');
  });
  // 10up/block-components .cursor/rules/typescript.mdc @ 163c3290b89ea4b2b64da258550a5fc1da308a0a (trimmed)
  test('Cursor\'s bare `globs: *.tsx,*.ts` (YAML rejects it) is read as Cursor reads it, without a warning', () => {
    const p = repo('block-components').extract('.cursor/rules/typescript.mdc');
    assert.deepEqual(p.problems, []);
    assert.equal(p.requestKeys?.['front matter: globs']?.value, '"*.tsx,*.ts"');
    assert.ok(p.text.startsWith('# TypeScript Guidelines'));
  });
  // Automattic/wordpress-activitypub .cursor/rules/wordpress-php-cursor-rules.mdc @ 1c428269f8938462f1398ff8b1678ba5be20e6ee (trimmed)
  test('an Always rule with empty `globs:`: editing the globs has no effect', () => {
    const r = repo('activitypub');
    const src = r.src('.cursor/rules/wordpress-php-cursor-rules.mdc');
    const d = diffVersions(src, src.replace('globs: \n', 'globs: **/*.php\n'), { fileName: '.cursor/rules/wordpress-php-cursor-rules.mdc' });
    assert.equal(d.fullMiss, undefined);
    assert.equal(d.noEffectOnCache, true);
  });
});

describe('agent instruction files', () => {
  // BonoJovi/Promps CLAUDE.md @ 087512f7f01a5c5795b2f9a8c9b0d7b8daa35acf → 0836f4da86783de61dec7c4b95f5cb0d29fe63b5 (trimmed),
  // .ai-context/README.md @ 0836f4d (trimmed); the other imported files are one-line stand-ins.
  test('CLAUDE.md imports are sent after the file, each once; a missing one is a warning at its line', () => {
    const r = repo('promps');
    const src = r.src('CLAUDE.md@0836f4d');
    const p = r.extract('CLAUDE.md', '0836f4d');
    assert.deepEqual(p.includedFiles, ['.ai-context/core/QUICK_REFERENCE.md', '.ai-context/core/DESIGN_PHILOSOPHY.md', '.ai-context/README.md', '.ai-context/development/TESTING_STRATEGY.md']);
    assert.equal(p.problems.length, 1);
    assert.match(p.problems[0].message, /METHODOLOGY\.md/);
    assert.equal(new LineIndex(src).position(p.problems[0].start).line, lineOf(src, '@.ai-context/development/METHODOLOGY.md'));
    const readme = p.segments.find((s) => s.name === '@.ai-context/README.md')!;
    assert.ok(p.text.slice(readme.start, readme.end).includes('# AI Context Directory'));
    assert.equal(renderedToSourceOffset(p.map, readme.start + 5), src.indexOf('@.ai-context/README.md'));
    assertClean(p, src);
  });
  test('consecutive versions of CLAUDE.md diverge at the first changed line', () => {
    const r = repo('promps');
    const d = r.diff('CLAUDE.md', '087512f', '0836f4d');
    assert.equal(d.divergence!.line, 5);
  });
  // hs2323/create-outsystems-astro template/GEMINI.md @ 0c5b421862bc73e3bb158eae265ea84bf456d1fe,
  // template/AGENTS.md @ 017900ef6c1a6d4fabe459045b6247549fbfde4e (trimmed)
  test('GEMINI.md imports are inlined where they stand between Gemini CLI\'s markers; links and code are not imports', () => {
    const r = repo('outsystems-astro');
    const p = r.extract('template/GEMINI.md');
    assert.deepEqual(p.includedFiles, ['template/AGENTS.md']);
    assert.ok(p.text.includes('## Imported Context\n<!-- Imported from: ./AGENTS.md -->\n# OutSystems Astro Islands'), p.text);
    assert.ok(p.text.endsWith('```\n\n<!-- End of import from: ./AGENTS.md -->\n'), JSON.stringify(p.text.slice(-80)));
    assert.equal(p.text.split('<!-- Imported from').length, 2, 'the `[AGENTS.md](./AGENTS.md)` link and `@jsxImportSource` in a fence are not imports');
    assert.deepEqual(p.problems, []);
  });
  // 0xmichalis/nftbk .clinerules @ 0b135aac7f2c4f24edd5dbf7ea043205c3ffc1a3 (trimmed);
  // AIcodeAcademy/web_app_blueprint .windsurfrules @ 75c9c3e6fa0bb2405dac2f6ddf02b71cafe6f12c (trimmed);
  // emily-li/rote-rush .clinerules/rules.md @ 27e2004f9dd6d95a25010d95d4bbaef8eeffff06 (trimmed)
  for (const [name, file] of [['nftbk', '.clinerules'], ['web-app-blueprint', '.windsurfrules'], ['rote-rush', '.clinerules/rules.md']] as const) {
    test(`${file} (${name}) is sent as it is: \`{{business}}\`, \`style={{ … }}\` and \`@docs.mdc\` are text`, () => {
      const r = repo(name);
      const p = r.extract(file);
      assert.equal(p.format, 'agent-instructions');
      assert.equal(p.text, r.src(file));
      assert.equal(p.firstVariableOffset, null);
      assert.equal(p.includedFiles, undefined);
    });
  }
});

describe('VS Code prompt files and agents (microsoft/vscode)', () => {
  // .github/prompts/find-duplicates.prompt.md @ 2710fa1efe8dbdb4918b93292d60202e55634582 → 02e8a0c61bf321b9caf40f15b017463fd724f8b4
  test('consecutive versions change `agent`, `tools` and the body: a full miss named by the first changed key (line 3)', () => {
    const d = repo('vscode').diff('.github/prompts/find-duplicates.prompt.md', '2710fa1', '02e8a0c');
    assert.equal(d.fullMiss?.key, 'front matter: agent');
    assert.equal(d.divergence!.line, 3);
    assert.equal(d.reusablePrefixTokens, 0);
  });
  // .github/agents/data.md @ 073e168817edbb5fb785eaad16cec6232e4ab154 (trimmed)
  test('`.github/agents/data.md` (no `.agent.md`) is a custom agent: front matter out, `tools` a request key', () => {
    const p = repo('vscode').extract('.github/agents/data.md');
    assert.equal(p.format, 'prompt-file');
    assert.ok(!p.text.includes('name: Data') && p.text.includes('# Role and Objective'));
    assert.ok(p.requestKeys?.['front matter: tools']);
  });
  // .github/agents/my-agent.agent.md @ 8e578969154558db13245e5e8191f534ea71bb52
  test('an agent\'s `name`/`description` only show in pickers; `target` and `tools` shape the request', () => {
    const r = repo('vscode');
    const src = r.src('.github/agents/my-agent.agent.md');
    const p = r.extract('.github/agents/my-agent.agent.md');
    assert.deepEqual(Object.keys(p.requestKeys ?? {}).sort(), ['front matter: target', 'front matter: tools']);
    const d = diffVersions(src, src.replace('description: adasdasda', 'description: Says hello'), { fileName: '.github/agents/my-agent.agent.md' });
    assert.equal(d.noEffectOnCache, true);
  });
  // .github/instructions/disposable.instructions.md @ 9d8f249284c0dd934446cd012179819db6d8e11d → 2a09391f3926ab87b2a6beb4997219c0da04733f (trimmed)
  test('an instructions file without `applyTo`: its description decides whether it loads, so a new one is a full miss', () => {
    const d = repo('vscode').diff('.github/instructions/disposable.instructions.md', '9d8f249', '2a09391');
    assert.equal(d.fullMiss?.key, 'front matter: description');
    assert.equal(d.divergence!.line, 2);
  });
});

describe('Prompty', () => {
  // Azure-Samples/contoso-chat src/api/contoso_chat/chat.prompty @ 5b32ec87be0127ea000a44cc8ded93210d79aa4b → 02e39e39d7380e37beb794c8a0fbf07065eac34e (trimmed)
  test('consecutive versions: `azure_deployment: gpt-35-turbo` → `gpt-4` is a full miss at `configuration:`', () => {
    const r = repo('contoso-chat');
    const d = r.diff('src/api/contoso_chat/chat.prompty', '5b32ec8', '02e39e3');
    assert.equal(d.fullMiss?.key, 'front matter: model.configuration');
    assert.equal(d.divergence!.line, lineOf(r.src('src/api/contoso_chat/chat.prompty@02e39e3'), '  configuration:'));
  });
  test('`sample: ${file:chat.json}` is looked for beside the file; missing, it is said and the template read statically', () => {
    const p = repo('contoso-chat').extract('src/api/contoso_chat/chat.prompty', '02e39e3');
    assert.equal(p.rendering?.mode, 'static');
    assert.ok(p.problems.some((x) => x.severity === 'info' && /chat\.json/.test(x.message)), JSON.stringify(p.problems));
    assert.ok(!/^system:/m.test(p.text) && p.text.startsWith('You are an AI agent for the Contoso Outdoors'));
    assert.ok(p.segments.some((s) => s.name === 'messages[0] (system)'));
  });
  // Azure/slm-innovator-lab basic.prompty @ 8a3cf6d5f23d64648c9369915ac13a279586028b (trimmed)
  test('rendered with its sample: `system:` / `user:` lines start messages and are not sent; contents are trimmed', () => {
    const r = repo('slm-innovator-lab');
    const p = r.extract('basic.prompty');
    assert.equal(p.rendering?.mode, 'engine');
    assert.ok(!/^(system|user):/m.test(p.text), p.text);
    assert.deepEqual(p.segments.filter((s) => s.name.startsWith('messages')).map((s) => s.name), ['messages[0] (system)', 'messages[1] (user)']);
    assert.ok(p.text.endsWith('텐트에 대해 어떤 점이 궁금하신가요?'));
    assert.deepEqual(p.hardBoundaries, [p.text.indexOf('텐트에 대해 어떤')]);
    assertClean(p, r.src('basic.prompty'));
  });
});

describe('Jinja prompt templates of agent projects', () => {
  // extractumio/ag3ntum prompts/system.j2, prompts/modules/identity.j2 @ 0feaf2ef37a66fd477e23ebcc66620e90c00dbd5,
  // prompts/modules/mounts.j2 @ 0324084b266320215d7a5efaf2db8b0965a14fff (trimmed; modules/skills.j2 left out)
  test('includes resolve from the prompts folder; a missing one is a warning at its include line', () => {
    const r = repo('ag3ntum');
    const src = r.src('prompts/system.j2');
    const p = r.extract('prompts/system.j2');
    assert.deepEqual(p.includedFiles, ['prompts/modules/identity.j2', 'prompts/modules/mounts.j2']);
    assert.equal(p.problems.length, 1);
    assert.equal(new LineIndex(src).position(p.problems[0].start).line, lineOf(src, "{% include 'modules/skills.j2' %}"));
    assert.ok(p.text.includes('# Identity') && p.text.includes('# Professional Objectivity'));
    assert.equal(p.firstVariableOffset, p.text.indexOf('{{ role_content }}'));
  });
  // Bashara-aina/Babas_Swarms_bot prompts/base.j2, prompts/role/engineering/code_reviewer.j2 @ 7bcc66600cd31e524bf4755c57dd951849801c7c (trimmed)
  test('a child that only `{% extends "../../base.j2" %}` is its parent, read statically and rendered alike', () => {
    const r = repo('babas');
    const p = r.extract('prompts/role/engineering/code_reviewer.j2');
    assert.deepEqual(p.includedFiles, ['prompts/base.j2']);
    assert.ok(!p.text.includes('{% extends') && p.text.includes('You are **{{ role }}** in the **{{ department }}** department'), p.text);
    const rendered = r.extract('prompts/role/engineering/code_reviewer.j2', undefined, { vars: { role: 'Code Reviewer', department: 'engineering', role_description: 'Reviews code', capabilities: ['review'], task: 'Review it' } });
    assert.equal(rendered.rendering?.mode, 'engine');
    assert.ok(rendered.text.includes('You are **Code Reviewer** in the **engineering** department'));
    assert.equal(rendered.text.slice(0, rendered.firstVariableOffset!), p.text.slice(0, p.firstVariableOffset!), 'the same static prefix');
  });
});

describe('promptfoo configs', () => {
  // CharlieChenyuZhang/mit-media-lab-pytutor-promptfoo promptfooconfig.yaml, prompts/pytutor-v1.txt @ 4b733276b8136f30de31a6eec046024f1a463edd (trimmed)
  test('a `.txt` prompt named by a bare path in `prompts:` is a Nunjucks template filled from `tests[0].vars`', () => {
    const p = repo('pytutor').extract('prompts/pytutor-v1.txt');
    assert.equal(p.format, 'template-jinja');
    assert.equal(p.rendering?.mode, 'engine');
    assert.equal(p.rendering?.varsFrom, 'promptfooconfig.yaml tests[0].vars');
    assert.ok(p.text.includes("content: 'How do I write a function to add 2 numbers together?'"));
    assert.equal(p.firstVariableOffset, p.text.indexOf('How do I'));
  });
  // Charca/hsds-evals promptfooconfig.yaml, prompts/user-task.txt @ e9ec2207b38ead8a1dcc9e107faf1e33c703e48b (trimmed);
  // cases/simple-form-text-prompt.yaml and tasks/simple-form.md are stand-ins in the repository's layout.
  test('`tests: file://…yaml` is read, and a `file://` var is the file\'s text', () => {
    const p = repo('hsds-evals').extract('prompts/user-task.txt');
    assert.equal(p.rendering?.varsFrom, 'promptfooconfig.yaml cases/simple-form-text-prompt.yaml[0].vars');
    assert.equal(p.text, 'Build a simple form with a name field and a submit button.\n\n');
  });
});
