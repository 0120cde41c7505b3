// The CLI as a subprocess: JSON shape, exit codes 0/1/2, SARIF, one-line errors.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as esbuild from 'esbuild';
// @ts-expect-error: plain ESM script without type declarations
import { makeHistoryRepo } from '../../examples/make-history-repo.mjs';
import { LAZY_BUNDLES } from '../../src/core/lazy';
import { PROVIDER_IDS } from '../../src/core/ids';

const root = resolve(__dirname, '../..');
const ex = (p: string) => join(root, 'examples/support-agent', p);
let work = '';
let cli = '';

// Bundle the CLI the way scripts/build.mjs does, so the test needs no prior build. The bundle lives under
// node_modules/.cache so that its runtime requires (js-tiktoken rank data) resolve from this project.
before(async () => {
  const cacheDir = join(root, 'node_modules/.cache');
  mkdirSync(cacheDir, { recursive: true });
  work = mkdtempSync(join(cacheDir, 'pca-cli-test-'));
  cli = join(work, 'cli.js');
  await esbuild.build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode', 'onnxruntime-node', 'tiktoken', 'gpt-tokenizer'],
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
  });
  // The core's lazily required dependencies (ajv, prices, model tokenizers; the template engines) are bundles of their
  // own, next to it.
  for (const { entry, bundle } of LAZY_BUNDLES) {
    await esbuild.build({ entryPoints: [join(root, entry)], outfile: join(work, bundle), bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'silent' });
  }
  // Prebuilt rank tables next to the bundle, as `npm run build` writes them (start-up in ms, not ~0.3 s).
  try {
    const { writeRankTables } = await import('../../src/core/tokenizer/buildRankTables');
    writeRankTables(work);
  } catch {
    // Without them the bundle builds its tables from js-tiktoken at start-up: slower, same results.
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}, cwd = root): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      done({ code, stdout, stderr });
    });
  });
}

it('scripts/build.mjs builds every lazy bundle of the core next to dist/\'s bundles', () => {
  const build = readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8');
  for (const { entry, bundle } of LAZY_BUNDLES) assert.ok(build.includes(`{ in: '${entry}', out: '${bundle.replace(/\.js$/, '')}' }`), `${entry} -> ${bundle} missing from scripts/build.mjs`);
});

describe('cli diff', { concurrency: 3 }, () => {
  it('--json prints one object with the documented fields', async () => {
    const r = await run(['diff', ex('history/system-prompt.md/v3.md'), ex('history/system-prompt.md/v4.md'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.encoding, 'o200k_base');
    assert.equal(typeof j.old.tokens, 'number');
    assert.equal(typeof j.new.tokens, 'number');
    assert.equal(typeof j.firstDivergentToken, 'number');
    assert.equal(j.reusablePrefixTokens + j.recomputedTokens, j.new.tokens);
    assert.deepEqual(Object.keys(j.divergence).slice(0, 3), ['offset', 'line', 'column']);
    assert.equal(j.divergence.line, 3);
    assert.ok(Array.isArray(j.providers) && j.providers.length === PROVIDER_IDS.length);
    for (const p of j.providers) assert.deepEqual([typeof p.id, typeof p.cachedTokens, typeof p.hitRatio], ['string', 'number', 'number']);
    assert.equal(r.stderr, '');
  });
  it('identical files: divergence null, exit 0', async () => {
    const r = await run(['diff', ex('system-prompt.md'), ex('system-prompt.md'), '--json']);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout);
    assert.equal(j.divergence, null);
    assert.equal(j.firstDivergentToken, null);
  });
  it('human output is a compact table without colour when not a TTY', async () => {
    const r = await run(['diff', ex('history/reply.j2/v1.j2'), ex('history/reply.j2/v2.j2'), '--provider', 'openai']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /divergence\s+token \d+/);
    assert.match(r.stdout, /openai/);
    assert.ok(!r.stdout.includes('\x1b['));
  });
  it('colour: FORCE_COLOR adds it, NO_COLOR wins over it', async () => {
    const args = ['diff', ex('history/reply.j2/v1.j2'), ex('history/reply.j2/v2.j2'), '--provider', 'openai'];
    assert.ok((await run(args, { NO_COLOR: '', FORCE_COLOR: '1' })).stdout.includes('\x1b['));
    assert.ok(!(await run(args, { NO_COLOR: '1', FORCE_COLOR: '1' })).stdout.includes('\x1b['));
  });
  it('--fail-over: exit 1 above the threshold, 0 below', async () => {
    const a = ex('history/system-prompt.md/v3.md');
    const b = ex('history/system-prompt.md/v4.md');
    assert.equal((await run(['diff', a, b, '--fail-over', '50', '--json'])).code, 1);
    assert.equal((await run(['diff', ex('history/system-prompt.md/v1.md'), ex('history/system-prompt.md/v2.md'), '--fail-over', '50', '--json'])).code, 0);
  });
  it('--price and --model change the estimate', async () => {
    const r = await run(['diff', ex('history/system-prompt.md/v3.md'), ex('history/system-prompt.md/v4.md'), '--json', '--provider', 'openai', '--price', '10', '--model', 'gpt-4o']);
    const j = JSON.parse(r.stdout);
    assert.equal(j.providers[0].costPer1kRequests.pricePerMTok, 10);
    assert.equal(j.encoding, 'o200k_base');
  });
  it('--sarif prints valid SARIF 2.1.0 with the divergence and findings', async () => {
    const r = await run(['diff', ex('history/system-prompt.md/v3.md'), ex('history/system-prompt.md/v4.md'), '--sarif']);
    assert.equal(r.code, 0);
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    assert.match(s.$schema, /sarif-2\.1\.0/);
    const run0 = s.runs[0];
    assert.equal(run0.tool.driver.name, 'prompt-cache-audit');
    const ruleIds = run0.tool.driver.rules.map((x: { id: string }) => x.id);
    for (const res of run0.results) {
      assert.ok(ruleIds.includes(res.ruleId));
      assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      const reg = res.locations[0].physicalLocation.region;
      assert.ok(reg.startLine >= 1 && reg.startColumn >= 1);
      assert.ok(!res.locations[0].physicalLocation.artifactLocation.uri.startsWith('/'));
    }
    assert.ok(run0.results.some((x: { ruleId: string }) => x.ruleId === 'cache-divergence'));
    assert.ok(run0.results.some((x: { ruleId: string }) => x.ruleId === 'volatile-prefix'));
  });
});

describe('cli errors: one line on stderr, exit 2', { concurrency: 3 }, () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', ['diff', '--bogus', 'a', 'b'], /unknown option '--bogus'/],
    ['missing file', ['diff', 'nope-1.md', 'nope-2.md'], /nope-1\.md: no such file/],
    ['bad encoding', ['diff', ex('reply.j2'), ex('reply.j2'), '--encoding', 'x'], /--encoding: unknown encoding "x"/],
    ['bad provider', ['diff', ex('reply.j2'), ex('reply.j2'), '--provider', 'acme'], /--provider: unknown provider/],
    ['bad percent', ['diff', ex('reply.j2'), ex('reply.j2'), '--fail-over', '150'], /--fail-over: expected a number between 0 and 100/],
    ['bad price', ['diff', ex('reply.j2'), ex('reply.j2'), '--price', '-1'], /--price/],
    ['missing argument', ['diff', ex('reply.j2')], /missing required argument/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['directory', ['diff', ex(''), ex('reply.j2')], /is a directory/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const r = await run(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    });
  }
  it('binary file', async () => {
    const bin = join(work, 'blob.bin');
    writeFileSync(bin, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff]));
    const r = await run(['diff', bin, ex('reply.j2')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /binary file/);
  });
  it('rules --json lists the dated provider rules', async () => {
    const r = await run(['rules', '--json']);
    assert.equal(r.code, 0);
    const rules = JSON.parse(r.stdout);
    assert.equal(rules.length, PROVIDER_IDS.length);
    for (const x of rules) assert.match(x.rule.checked, /^\d{4}-\d{2}-\d{2}$/);
  });
  it('rules --provider --model --json prints the one rule for that model, with prices and per-field sources', async () => {
    const r = await run(['rules', '--provider', 'openai', '--model', 'gpt-4.1', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    for (const k of ['provider', 'model', 'minimumTokens', 'unit', 'readMultiplier', 'writeMultiplier', 'inputPerMTok', 'ttl', 'source', 'checked']) assert.ok(k in j, k);
    assert.deepEqual([j.provider, j.model, j.minimumTokens, j.unit.kind, j.readMultiplier, j.inputPerMTok], ['openai', 'gpt-4.1', 1024, 'step', 0.25, 2]);
    assert.match(j.fields.minimumTokens.source, /^https:\/\//);
    assert.match(j.priceSource, /@pydantic\/genai-prices/);
    const human = await run(['rules', '--provider', 'anthropic', '--model', 'claude-opus-4-7']);
    assert.match(human.stdout, /minimumTokens +2048 +2026-\d\d-\d\d +unverified +https:\/\//);
  });
  it('--rules adds a provider for diff, lint and rules; a bad file is one clear line naming the field', async () => {
    const f = join(work, 'acme-rules.json');
    const S = (value: unknown) => ({ value, source: 'https://example.com/acme', checked: '2026-12-01' });
    writeFileSync(f, JSON.stringify({ providers: [{ id: 'acme-test', name: 'Acme', summary: 'token prefix', minimumTokens: S(1), unit: S({ kind: 'token' }), readMultiplier: S(0.1), writeMultiplier: S({ '5m': 1 }), ttl: S({ options: ['5m'], default: '5m' }), tokenizer: S({ kind: 'exact', encoding: 'o200k_base' }) }] }));
    const d = await run(['diff', ex('history/system-prompt.md/v3.md'), ex('history/system-prompt.md/v4.md'), '--rules', f, '--provider', 'acme-test', '--json']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(JSON.parse(d.stdout).providers[0].id, 'acme-test');
    const list = await run(['rules', '--rules', f, '--json']);
    assert.ok(JSON.parse(list.stdout).some((p: { id: string }) => p.id === 'acme-test'));
    writeFileSync(f, JSON.stringify({ providers: [{ id: 'openai', readMultiplier: { value: -1, source: 'https://x', checked: '2026-12-01' } }] }));
    const bad = await run(['rules', '--rules', f]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /acme-rules\.json: does not follow the rules schema:[\s\S]*providers\[0\] \(openai\)\.readMultiplier\.value: must be >= 0/);
  });
  it('--help and --version exit 0', async () => {
    assert.equal((await run(['--help'])).code, 0);
    const v = await run(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^\d+\.\d+\.\d+/);
  });
});

describe('cli lint', { concurrency: 3 }, () => {
  it('finds the date placeholder in the example template; exit 1 on warnings', async () => {
    const r = await run(['lint', ex('reply.j2'), '--json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.equal(j[0].findings[0].ruleId, 'volatile-prefix');
    assert.ok(j[0].findings[0].fix);
  });
  it('globs and directories; clean files exit 0 with --fail-on error', async () => {
    const r = await run(['lint', 'examples/support-agent/*.md', '--fail-on', 'error']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 file\(s\)/);
    const d = await run(['lint', 'examples/support-agent', '--json', '--fail-on', 'none']);
    assert.equal(d.code, 0);
    const files = JSON.parse(d.stdout).map((x: { file: string }) => x.file);
    // Folder walks take the default prompt-file globs (src/core/promptFiles.ts); cli-lint.test.ts covers the rest.
    assert.ok(files.includes('examples/support-agent/reply.j2') && files.includes('examples/support-agent/draft-refund-reply.prompt.md') && files.length > 4, 'directories expand to prompt files recursively');
    assert.ok(!files.includes('examples/support-agent/history/manifest.json'), 'other JSON found by a walk is not a prompt');
    const named = await run(['lint', ex('history/manifest.json'), '--json', '--fail-on', 'none']);
    assert.equal(JSON.parse(named.stdout).length, 1, 'a JSON file named explicitly is linted');
  });
  it('--previous enables drift rules; --sarif is valid', async () => {
    const r = await run(['lint', ex('history/request.json/v3.json'), '--previous', ex('history/request.json/v2.json'), '--sarif']);
    assert.equal(r.code, 1);
    const s = JSON.parse(r.stdout);
    assert.equal(s.runs[0].results[0].ruleId, 'reordered-keys');
    assert.ok(s.runs[0].results[0].fixes[0].artifactChanges[0].replacements.length > 0);
  });
  it('parse problems are reported (text and SARIF), not thrown', async () => {
    const bad = join(work, 'broken.json');
    writeFileSync(bad, '{"messages": [{"role": "user", "content": "hi"}');
    const r = await run(['lint', bad]);
    assert.equal(r.code, 1, 'a file that cannot be parsed fails lint');
    assert.match(r.stdout, /broken\.json:1:\d+ error: Malformed JSON/);
    const s = JSON.parse((await run(['lint', bad, '--sarif'])).stdout);
    assert.equal(s.runs[0].results[0].ruleId, 'parse-problem');
  });
  it('a glob matching nothing is an error', async () => {
    const r = await run(['lint', 'examples/**/*.nothing']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no files match/);
  });
});

describe('cli history', () => {
  let repo = '';
  before(() => {
    repo = makeHistoryRepo().dir;
  });
  after(() => rmSync(repo, { recursive: true, force: true }));
  it('--json: one DiffResult per consecutive pair, each with its commit', async () => {
    const r = await run(['history', join(repo, 'system-prompt.md'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.length, 4);
    for (const d of j) {
      assert.match(d.commit, /^[0-9a-f]{40}$/);
      assert.ok('firstDivergentToken' in d && 'providers' in d && 'date' in d && 'subject' in d);
    }
    assert.equal((await run(['history', join(repo, 'system-prompt.md'), '--json', '--max', '2'])).stdout.includes('"commit"'), true);
    assert.equal(JSON.parse((await run(['history', join(repo, 'system-prompt.md'), '--json', '--max', '2'])).stdout).length, 1);
  });
  it('diff accepts <revision>:<path> for either version', async () => {
    const r = await run(['diff', 'HEAD~3:request.json', 'request.json', '--json', '--provider', 'anthropic'], {}, repo);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).divergence.segment, 'tools[0].name');
    const bad = await run(['diff', 'nope:request.json', 'request.json'], {}, repo);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a readable <git revision>:<path>/);
  });
  it('human table and churn', async () => {
    const r = await run(['history', join(repo, 'system-prompt.md')]);
    assert.match(r.stdout, /churn/);
    assert.match(r.stdout, /# Parcelpoint Support Assistant\s+3×/);
  });
  it('lint --against a git revision enables drift rules', async () => {
    const r = await run(['lint', join(repo, 'request.json'), '--against', 'HEAD~3', '--json']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(JSON.parse(r.stdout)[0].findings[0].ruleId, 'reordered-keys');
    const bad = await run(['lint', join(repo, 'request.json'), '--against', 'no-such-ref']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown git revision/);
  });
  it('errors: not a repository, bad --max', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'pca-nogit-'));
    const f = join(outside, 'x.md');
    writeFileSync(f, 'x');
    const r = await run(['history', f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not inside a git repository/);
    assert.equal((await run(['history', join(repo, 'system-prompt.md'), '--max', '0'])).code, 2);
    rmSync(outside, { recursive: true, force: true });
  });
});
