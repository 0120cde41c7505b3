// `prompt-cache-audit lint` as a subprocess (the built dist/cli.js): folder walks that survive bad files, exit codes
// that tell findings from errors, git history as evidence, whole-prompt marking and the fragment summary, and SARIF
// valid against the official SARIF 2.1.0 schema (the one @microsoft/jest-sarif ships, checked with ajv).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import AjvDraft04 from 'ajv-draft-04';
import { gitEnv, requireBuilt, runCli } from './fixtures/harness';

requireBuilt();

const STATIC = Array.from({ length: 40 }, (_, i) => `Rule ${i + 1}: answer politely, check the order first, and never guess about refunds.`).join('\n');

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pca-cli-lint-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function sarifValidator() {
  // The official schema is draft-04: ajv (8, the project's validator) reads it through ajv-draft-04.
  // unicodeRegExp off: the schema's language-tag pattern is valid only without the u flag (as draft-04 validators read it).
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return ajv.compile(require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'));
}

describe('lint folder walks', () => {
  it('a binary, an invalid UTF-8 and an unreadable file are reported; the walk goes on; exit 3', async () => {
    const w = join(dir, 'walk');
    mkdirSync(join(w, 'prompts', 'nested'), { recursive: true });
    mkdirSync(join(w, '.github', 'prompts'), { recursive: true });
    writeFileSync(join(w, 'prompts', 'good.md'), `You are a helper.\nToday's date: 2025-06-01\n${STATIC}\n`);
    writeFileSync(join(w, 'prompts', 'nested', 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    writeFileSync(join(w, 'prompts', 'latin1.txt'), Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'));
    writeFileSync(join(w, '.github', 'prompts', 'review.prompt.md'), `---\nmode: ask\n---\n${STATIC}\n`);
    const locked = join(w, 'prompts', 'locked.md');
    writeFileSync(locked, 'secret');
    chmodSync(locked, 0o000);
    const asRoot = process.getuid?.() === 0; // root reads a 000 file anyway
    const r = await runCli(['lint', w, '--json', '--fail-on', 'none'], { env: gitEnv() });
    assert.equal(r.code, 3, r.stderr);
    const j = JSON.parse(r.stdout) as { file: string; error?: string; findings: { ruleId: string }[] }[];
    const byName = (s: string) => j.find((x) => x.file.endsWith(s));
    assert.match(byName('binary.md')!.error!, /binary file/);
    assert.match(byName('latin1.txt')!.error!, /not valid UTF-8/);
    if (!asRoot) assert.match(byName('locked.md')!.error!, /permission denied/);
    assert.deepEqual(byName('good.md')!.findings.map((f) => f.ruleId), ['volatile-prefix'], 'the readable files are linted');
    assert.ok(byName('review.prompt.md'), 'dot-directories holding prompts are walked');
    assert.match(r.stderr, /binary\.md: binary file, not a text prompt \(not linted\)/);
    // Text output: the findings, then a summary that counts the unread files; exit 3 still.
    const t = await runCli(['lint', w], { env: gitEnv() });
    assert.equal(t.code, 3);
    assert.match(t.stdout, /good\.md:2:1\s+warning\s+volatile-prefix/);
    assert.match(t.stdout, /file\(s\) not read/);
  });
  it('a request body in a prompts folder is linted; other JSON found by a walk is not', async () => {
    const w = join(dir, 'bodies');
    mkdirSync(join(w, 'prompts'), { recursive: true });
    writeFileSync(join(w, 'prompts', 'request.json'), JSON.stringify({ model: 'claude-sonnet-4-5', system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] }));
    writeFileSync(join(w, 'prompts', 'config.json'), JSON.stringify({ name: 'x', version: 2 }));
    const r = await runCli(['lint', w, '--json', '--fail-on', 'none', '--provider', 'anthropic'], { env: gitEnv() });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { file: string; findings: { ruleId: string }[] }[];
    assert.deepEqual(j.map((x) => x.file.replace(/.*\//, '')), ['request.json']);
    assert.deepEqual(j[0].findings.map((f) => f.ruleId), ['below-minimum'], 'a request body is a whole request');
  });
  it('exit codes: 0 clean, 1 findings, 2 nothing readable', async () => {
    const clean = join(dir, 'clean.md');
    writeFileSync(clean, STATIC);
    assert.equal((await runCli(['lint', clean])).code, 0);
    const bad = join(dir, 'bad.md');
    writeFileSync(bad, `Today's date: 2025-06-01\n${STATIC}`);
    assert.equal((await runCli(['lint', bad])).code, 1);
    const bin = join(dir, 'bin.md');
    writeFileSync(bin, Buffer.from([0, 1, 2, 3]));
    const r = await runCli(['lint', bin]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^prompt-cache-audit: .*bin\.md: binary file/);
  });
});

describe('lint: below-minimum for whole prompts, once per run for fragments', () => {
  it('fragments get one summary note, no per-file warning; --whole-prompt and front matter mark whole prompts', async () => {
    const a = join(dir, 'a.instructions.md');
    const b = join(dir, 'b.instructions.md');
    writeFileSync(a, 'Use tabs.\n');
    writeFileSync(b, 'Write tests first.\n');
    const r = await runCli(['lint', a, b, '--provider', 'openai']);
    assert.equal(r.code, 0, r.stdout);
    assert.doesNotMatch(r.stdout, /below-minimum/);
    assert.match(r.stdout, /note: 2 of 2 file\(s\) are fragments with fewer than 1,024 cacheable tokens/);
    const w = await runCli(['lint', a, '--provider', 'openai', '--whole-prompt']);
    assert.equal(w.code, 1);
    assert.match(w.stdout, /below-minimum\s+The cacheable prefix is \d+ tokens; OpenAI/);
    const marked = join(dir, 'whole.prompt.md');
    writeFileSync(marked, '---\nprompt-cache: whole-prompt\n---\nAnswer in one line.\n');
    const m = await runCli(['lint', marked, '--provider', 'openai', '--json']);
    assert.equal(JSON.parse(m.stdout)[0].findings[0].ruleId, 'below-minimum');
    assert.match(JSON.parse(m.stdout)[0].findings[0].evidence.summary, /Front matter `prompt-cache: whole-prompt`/);
  });
});

describe('lint: git history as evidence', () => {
  it('a literal that changed across commits is volatile, with the commits; one that never changed is not', async () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'prompts'), { recursive: true });
    const env = gitEnv();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env, stdio: 'pipe' }).toString();
    git('init', '-q');
    const file = join(repo, 'prompts', 'system.md');
    for (const day of ['01', '08', '15']) {
      writeFileSync(file, `# Support\nPrices as of 2025-03-${day}.\nPolicy effective 2024-01-01.\n${STATIC}\n`);
      git('add', '.');
      git('commit', '-q', '-m', `prices ${day}`);
    }
    const r = await runCli(['lint', file, '--json', '--fail-on', 'none'], { env });
    assert.equal(r.code, 0, r.stderr);
    const [res] = JSON.parse(r.stdout) as { findings: { ruleId: string; range: { start: { line: number } }; evidence: { kind: string; commits: { commit: string; value: string }[] } }[] }[];
    assert.equal(res.findings.length, 1, JSON.stringify(res.findings));
    const f = res.findings[0];
    assert.equal(f.range.start.line, 2, 'the changing date, not the fixed one');
    assert.equal(f.evidence.kind, 'history');
    assert.deepEqual(f.evidence.commits.map((c) => c.value), ['2025-03-01', '2025-03-08']);
    for (const c of f.evidence.commits) assert.match(c.commit, /^[0-9a-f]{40}$/);
    const off = await runCli(['lint', file, '--json', '--no-history'], { env });
    assert.deepEqual(JSON.parse(off.stdout)[0].findings, [], '--no-history: a static literal is not volatile');
  });
});

describe('lint --sarif', () => {
  it('is valid SARIF 2.1.0 (official schema), with percent-encoded URIs relative to the repository root', async () => {
    const repo = join(dir, 'sarif repo');
    mkdirSync(join(repo, 'prompts', 'ünïcode dir'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo, env: gitEnv() });
    const file = join(repo, 'prompts', 'ünïcode dir', 'a b#1.md');
    writeFileSync(file, `Intro.\nToday's date: 2025-06-01\n${STATIC}\n`);
    writeFileSync(join(repo, 'prompts', 'broken.md'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    const r = await runCli(['lint', 'prompts', '--sarif'], { cwd: repo, env: gitEnv() });
    assert.equal(r.code, 3, r.stderr);
    const sarif = JSON.parse(r.stdout);
    const validate = sarifValidator();
    const valid: boolean = validate(sarif);
    assert.ok(valid, JSON.stringify(validate.errors, null, 2));
    const run = sarif.runs[0];
    const loc = run.results[0].locations[0].physicalLocation.artifactLocation;
    assert.equal(loc.uriBaseId, 'SRCROOT');
    assert.equal(loc.uri, 'prompts/%C3%BCn%C3%AFcode%20dir/a%20b%231.md');
    assert.match(run.originalUriBaseIds.SRCROOT.uri, /^file:\/\/.*\/sarif%20repo\/$/);
    assert.equal(run.results[0].properties.evidence.kind, 'label');
    assert.equal(run.invocations[0].executionSuccessful, false);
    assert.match(run.invocations[0].toolExecutionNotifications[0].message.text, /broken\.md: binary file/);
    // From a subdirectory the URIs are still relative to the repository root.
    const sub = await runCli(['lint', join('ünïcode dir', 'a b#1.md'), '--sarif', '--fail-on', 'none'], { cwd: join(repo, 'prompts'), env: gitEnv() });
    assert.equal(JSON.parse(sub.stdout).runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri, loc.uri);
  });
  it('diff --sarif and fixes validate too', async () => {
    const prev = join(dir, 'v1.json');
    const cur = join(dir, 'v2.json');
    const tool = (name: string) => ({ name, description: `${name} tool`, input_schema: { type: 'object', properties: {} } });
    writeFileSync(prev, JSON.stringify({ system: 'S', tools: [tool('a'), tool('b')], messages: [{ role: 'user', content: 'q' }] }, null, 2));
    writeFileSync(cur, JSON.stringify({ system: 'S', tools: [tool('b'), tool('a')], messages: [{ role: 'user', content: 'q' }] }, null, 2));
    const validate = sarifValidator();
    const l = await runCli(['lint', cur, '--previous', prev, '--sarif']);
    assert.ok(validate(JSON.parse(l.stdout)), JSON.stringify(validate.errors));
    assert.ok(JSON.parse(l.stdout).runs[0].results[0].fixes.length);
    const d = await runCli(['diff', prev, cur, '--sarif']);
    assert.ok(validate(JSON.parse(d.stdout)), JSON.stringify(validate.errors));
  });
});
