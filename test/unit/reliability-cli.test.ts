// The CLI against hostile input: every user error is ONE line on stderr, prefixed `prompt-cache-audit:`, exit code
// 2, nothing on stdout, never a stack trace and never a hang. Odd-but-valid text (empty, BOM, CRLF, mixed line
// endings, huge) is audited. Git situations: not a repository, git missing, shallow clone, detached HEAD, a file not
// yet committed, a rename, a merge commit. Runs dist/cli.js in child processes (built by `npm test`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { requireBuilt, git, gitAvailable, gitEnv, makeRepo, runCli, type RunResult } from './fixtures/harness';

requireBuilt();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-reliability-cli-'));
fs.chmodSync(tmp, 0o755); // readable by `nobody` for the permission test
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const f = (name: string) => path.join(tmp, name);

const BASE = 'You are a support agent for Acme.\nAnswer politely.\nNever promise refunds.\n';

before(() => {
  fs.writeFileSync(f('a.md'), BASE);
  fs.writeFileSync(f('b.md'), BASE.replace('politely', 'politely and briefly'));
  fs.writeFileSync(f('empty.md'), '');
  fs.writeFileSync(f('empty2.md'), '');
  fs.writeFileSync(f('bom.md'), `\uFEFF${BASE}`);
  fs.writeFileSync(f('crlf.md'), BASE.replace(/\n/g, '\r\n'));
  fs.writeFileSync(f('mixed.md'), 'line one\r\nline two\nline three\rline four\n\r\n');
  fs.writeFileSync(f('binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
  fs.writeFileSync(f('latin1.md'), Buffer.from('caf\xe9 cr\xe8me\n', 'latin1'));
  fs.writeFileSync(f('utf16.md'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hello\n', 'utf16le')]));
  fs.writeFileSync(f('broken.json'), '{"model": "gpt-4o", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}');
  fs.writeFileSync(f('broken-fm.prompt.md'), '---\nmode: agent\ntools: [a, b\ndescription: "unterminated\n---\nYou are helpful.\n');
  fs.writeFileSync(f('unterminated.j2'), 'You are {{ persona.\n{% if user %}Hello{% endif\nBye {# never closed\n');
  fs.writeFileSync(f('secret.md'), BASE);
  fs.chmodSync(f('secret.md'), 0o000);
  fs.mkdirSync(f('dir.md'));
  execFileSync('mkfifo', [f('fifo.md')]);
});

/** One clear line on stderr, a distinct exit code (2), nothing on stdout, no stack trace. */
function assertUserError(r: RunResult, pattern: RegExp, what: string): void {
  assert.equal(r.timedOut, false, `${what}: hung (killed after the timeout)`);
  assert.equal(r.code, 2, `${what}: exit ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 1, `${what}: expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0], /^prompt-cache-audit: /, what);
  assert.match(lines[0], pattern, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |Error: |node:internal|\.ts:\d+|\.js:\d+/, `${what}: stack trace or internal detail on stderr`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
}

const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(args, { cwd: tmp, timeoutMs: 20_000, ...opts });

describe('CLI user errors: one line, exit 2, no stack trace', { concurrency: 4 }, () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', ['diff', 'a.md', 'b.md', '--frobnicate'], /unknown option/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['missing argument', ['diff', 'a.md'], /missing required argument/],
    ['missing old file', ['diff', 'nope.md', 'b.md'], /nope\.md: no such file/],
    ['missing new file', ['diff', 'a.md', 'nope.md'], /nope\.md: no such file/],
    ['a directory', ['diff', 'a.md', 'dir.md'], /dir\.md: is a directory/],
    ['binary file', ['diff', 'a.md', 'binary.md'], /binary\.md: binary file/],
    ['invalid UTF-8 (latin1)', ['diff', 'a.md', 'latin1.md'], /latin1\.md: not valid UTF-8/],
    ['UTF-16 with NULs', ['diff', 'a.md', 'utf16.md'], /utf16\.md: (binary|not valid UTF-8)/],
    ['unknown encoding', ['diff', 'a.md', 'b.md', '--encoding', 'rot13'], /--encoding: unknown encoding "rot13"/],
    ['unknown provider', ['diff', 'a.md', 'b.md', '--provider', 'skynet'], /--provider: unknown provider/],
    ['bad --price', ['diff', 'a.md', 'b.md', '--price', '-3'], /--price/],
    ['bad --fail-over', ['diff', 'a.md', 'b.md', '--fail-over', 'lots'], /--fail-over/],
    ['bad --fail-on', ['lint', 'a.md', '--fail-on', 'always'], /--fail-on/],
    ['lint: no such file or glob', ['lint', 'nothing-here/**/*.md'], /no files match/],
    ['lint: binary file', ['lint', 'binary.md'], /binary\.md: binary file/],
    ['lint --previous with several files', ['lint', 'a.md', 'b.md', '--previous', 'a.md'], /--previous needs exactly one file/],
    ['history: bad --max', ['history', 'a.md', '--max', '0'], /--max/],
    ['history: not a repository', ['history', 'a.md'], /not inside a git repository/],
    ['history: missing file outside a repository', ['history', 'nope/nope.md'], /nope/],
    ['measure: unknown preset', ['measure', 'a.md', 'b.md', '--preset', 'huge'], /unknown preset "huge"/],
    ['measure: missing model file', ['measure', 'a.md', 'b.md', '--model', 'none.onnx'], /not found/],
    ['measure: a text file as the model', ['measure', 'a.md', 'b.md', '--model', 'a.md', '--cache-dir', 'cache'], /not an ONNX model/],
    ['measure: --runs below 3', ['measure', 'a.md', 'b.md', '--runs', '1'], /--runs/],
    ['measure: binary input', ['measure', 'a.md', 'binary.md', '--preset', 'tiny'], /binary file/],
  ];
  for (const [what, args, pattern] of cases) {
    test(what, async () => assertUserError(await run(args), pattern, what));
  }

  test(
    'a FIFO (named pipe) as input is refused at once, not read forever',
    async () => assertUserError(await run(['diff', 'a.md', 'fifo.md'], { timeoutMs: 5_000 }), /fifo\.md: not a regular file/, 'FIFO'),
  );

  test('an unreadable file (permission denied, as user nobody)', async (t) => {
    let setpriv = true;
    try {
      execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true'], { stdio: 'ignore' });
    } catch {
      setpriv = false;
    }
    if (!setpriv || process.getuid?.() !== 0) {
      t.skip('needs root and setpriv to run as nobody');
      return;
    }
    const r = await runCli(['diff', 'a.md', 'secret.md'], { cwd: tmp, wrapper: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'], timeoutMs: 20_000 });
    assertUserError(r, /secret\.md: permission denied/, 'chmod 000 as nobody');
  });

  test('--help and --version succeed on stdout', async () => {
    const h = await run(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /diff/);
    const v = await run(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+/);
  });
});

describe('CLI: odd but valid text is audited', () => {
  test('empty vs empty: identical, exit 0', async () => {
    const r = await run(['diff', 'empty.md', 'empty2.md', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.new.tokens, 0);
    assert.equal(j.firstDivergentToken, null);
  });

  test('empty → text and text → empty', async () => {
    for (const [o, n] of [['empty.md', 'a.md'], ['a.md', 'empty.md']]) {
      const r = await run(['diff', o, n, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout);
      assert.equal(j.firstDivergentToken, 0);
      assert.equal(j.reusablePrefixTokens, 0);
      for (const p of j.providers) assert.ok(Number.isFinite(p.hitRatio), `${p.id}: hitRatio ${p.hitRatio}`);
    }
  });

  test('a BOM is kept and diverges at token 0 (it is sent)', async () => {
    const r = await run(['diff', 'a.md', 'bom.md', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.firstDivergentToken, 0);
    assert.equal(j.divergence.line, 1);
  });

  test('CRLF vs LF diverges at the first line end, with a line/column in the new file', async () => {
    const r = await run(['diff', 'a.md', 'crlf.md', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.firstDivergentToken > 0);
    assert.equal(j.divergence.line, 1);
  });

  test('mixed line endings and lone CR: lines counted as editors do', async () => {
    fs.writeFileSync(f('mixed2.md'), 'line one\r\nline two\nline three\rline FOUR\n\r\n');
    const r = await run(['diff', 'mixed.md', 'mixed2.md', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.divergence.line, 4, 'a lone CR ends line 3');
  });

  test('malformed JSON body: a problem with a position, exit 0, the rest still audited', async () => {
    const r = await run(['lint', 'broken.json', '--json', '--fail-on', 'none']);
    assert.equal(r.code, 0, r.stderr);
    const [res] = JSON.parse(r.stdout) as { problems: { start: number; message: string }[] }[];
    assert.ok(res.problems.length >= 1, 'a parse problem is reported');
    const d = await run(['diff', 'broken.json', 'broken.json', '--json']);
    assert.equal(d.code, 0, d.stderr);
    assert.ok(JSON.parse(d.stdout).new.tokens > 0, 'the readable part is still tokenized');
  });

  test('malformed front matter and unterminated template tags: problems, not failures', async () => {
    for (const file of ['broken-fm.prompt.md', 'unterminated.j2']) {
      const r = await run(['lint', file, '--fail-on', 'none']);
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      const d = await run(['diff', file, file, '--json']);
      assert.equal(d.code, 0, d.stderr);
      assert.ok(JSON.parse(d.stdout).new.tokens > 0, `${file}: still tokenized`);
    }
  });

  test('a 5 MB file is audited within a bounded time', async () => {
    const line = 'Answer the customer in plain words and cite the policy section you used.\n';
    const big = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    fs.writeFileSync(f('big.md'), big);
    fs.writeFileSync(f('big2.md'), big.slice(0, big.length / 2) + 'CHANGED ' + big.slice(big.length / 2));
    const t0 = performance.now();
    const r = await run(['diff', 'big.md', 'big2.md', '--json'], { timeoutMs: 120_000 });
    const ms = performance.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.ok(j.firstDivergentToken > 100_000, 'diverges in the middle');
    assert.ok(ms < 60_000, `5 MB took ${ms.toFixed(0)} ms`);
  });
});

describe('CLI history in unusual git situations', { skip: gitAvailable() ? false : 'git is not installed' }, () => {
  const V = ['You are helpful.\nRule one.\n', 'You are helpful.\nRule two.\n', 'You are very helpful.\nRule two.\n', 'You are very helpful.\nRule three.\n'];
  let repo = '';
  before(() => {
    repo = f('repo');
    makeRepo(repo, 'p.prompt.md', V.slice(0, 2));
    git(repo, ['mv', 'p.prompt.md', 'renamed.prompt.md']);
    git(repo, ['commit', '-q', '-m', 'rename']);
    fs.writeFileSync(path.join(repo, 'renamed.prompt.md'), V[2]);
    git(repo, ['commit', '-q', '-am', 'v3']);
    // A merge commit: a side branch edits another file, main edits the prompt, then merge.
    git(repo, ['checkout', '-q', '-b', 'side', 'HEAD~1']);
    fs.writeFileSync(path.join(repo, 'other.md'), 'other\n');
    git(repo, ['add', 'other.md']);
    git(repo, ['commit', '-q', '-m', 'side']);
    git(repo, ['checkout', '-q', 'main']);
    fs.writeFileSync(path.join(repo, 'renamed.prompt.md'), V[3]);
    git(repo, ['commit', '-q', '-am', 'v4']);
    git(repo, ['merge', '-q', '--no-edit', '--no-ff', 'side']);
    fs.writeFileSync(path.join(repo, 'untracked.prompt.md'), 'not committed\n');
  });

  const hist = (cwd: string, file: string, env?: NodeJS.ProcessEnv) => runCli(['history', file, '--json'], { cwd, env: env ?? gitEnv(), timeoutMs: 30_000 });

  test('a rename and a merge commit: every version, oldest first, renames followed', async () => {
    const r = await hist(repo, 'renamed.prompt.md');
    assert.equal(r.code, 0, r.stderr);
    const diffs = JSON.parse(r.stdout) as { subject: string; path: string; firstDivergentToken: number | null }[];
    assert.deepEqual(diffs.map((d) => d.subject), ['v2', 'rename', 'v3', 'v4']);
    assert.equal(diffs[1].firstDivergentToken, null, 'a pure rename does not change the tokens');
    assert.equal(diffs[0].path, 'p.prompt.md');
  });

  test('detached HEAD', async () => {
    const d = f('detached');
    execFileSync('git', ['clone', '-q', repo, d], { env: gitEnv() });
    git(d, ['checkout', '-q', '--detach', 'HEAD~1']);
    const r = await hist(d, 'renamed.prompt.md');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).length >= 1);
  });

  test('shallow clone (depth 1): one version, a note that history is truncated and where, exit 0', async () => {
    const d = f('shallow');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${repo}`, d], { env: gitEnv() });
    const head = git(d, ['rev-parse', 'HEAD']).trim().slice(0, 8);
    const r = await runCli(['history', 'renamed.prompt.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /only one version in history, nothing to compare/);
    assert.match(r.stdout, new RegExp(`note: History is truncated: this is a shallow clone, and ${head} is the oldest commit it holds`));
    const j = await hist(d, 'renamed.prompt.md');
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), []);
    assert.match(j.stderr, /^prompt-cache-audit: note: History is truncated/m, 'JSON output keeps stdout parseable: the note goes to stderr');
  });

  test('a non-ASCII, spaced file name: every version read (not empty), renames followed', async () => {
    const d = f('names');
    const rules = 'Rule A.\nRule B.\nRule C.\nRule D.\n'; // long enough for git to see a rename with an edit
    makeRepo(d, 'プロンプト 1.md', [V[0] + rules, V[1] + rules]);
    git(d, ['mv', 'プロンプト 1.md', 'café "prompt".md']);
    fs.writeFileSync(path.join(d, 'café "prompt".md'), V[2] + rules);
    git(d, ['commit', '-q', '-am', 'rename with an edit']);
    const r = await hist(d, 'café "prompt".md');
    assert.equal(r.code, 0, r.stderr);
    const diffs = JSON.parse(r.stdout) as { path: string; old: { tokens: number }; new: { tokens: number }; divergence: { line: number } }[];
    assert.deepEqual(diffs.map((x) => x.path), ['プロンプト 1.md', 'café "prompt".md']);
    assert.ok(diffs.every((x) => x.old.tokens > 3 && x.new.tokens > 3), 'a version read as empty');
    assert.deepEqual(diffs.map((x) => x.divergence.line), [2, 1]);
  });

  test('invalid UTF-8 and binary versions in history: a note each (as on disk), the rest compared, exit 0', async () => {
    const d = f('bad-history');
    makeRepo(d, 'p.md', ['Hello.\n']);
    fs.writeFileSync(path.join(d, 'p.md'), Buffer.from('caf\xe9\n', 'latin1'));
    git(d, ['commit', '-q', '-am', 'latin-1']);
    const bad = git(d, ['rev-parse', 'HEAD']).trim().slice(0, 8);
    fs.writeFileSync(path.join(d, 'p.md'), Buffer.from([0, 1, 2, 3]));
    git(d, ['commit', '-q', '-am', 'binary']);
    fs.writeFileSync(path.join(d, 'p.md'), 'Hello.\nBye.\n');
    git(d, ['commit', '-q', '-am', 'v2']);
    const r = await runCli(['history', 'p.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`note: p.md at ${bad}: not valid UTF-8 text: left out`));
    assert.match(r.stdout, /: binary file, not a text prompt: left out/);
    const j = await hist(d, 'p.md');
    assert.equal(JSON.parse(j.stdout).length, 1, 'v1 → v2, around the two unreadable versions');
  });

  test('diff <rev>:<path> of invalid UTF-8 or binary: the message the file gets on disk', async () => {
    const d = f('bad-rev');
    makeRepo(d, 'latin1.md', ['placeholder\n']);
    fs.copyFileSync(f('latin1.md'), path.join(d, 'latin1.md'));
    fs.copyFileSync(f('binary.md'), path.join(d, 'binary.md'));
    git(d, ['add', '-A']);
    git(d, ['commit', '-q', '-m', 'bad bytes']);
    const onDisk = await runCli(['diff', 'latin1.md', 'latin1.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 });
    assertUserError(onDisk, /^prompt-cache-audit: latin1\.md: not valid UTF-8 text$/, 'disk');
    fs.rmSync(path.join(d, 'latin1.md'));
    fs.rmSync(path.join(d, 'binary.md'));
    assertUserError(await runCli(['diff', 'HEAD:latin1.md', 'a.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 }), /^prompt-cache-audit: HEAD:latin1\.md: not valid UTF-8 text$/, 'git');
    assertUserError(await runCli(['diff', 'HEAD:binary.md', 'a.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 }), /^prompt-cache-audit: HEAD:binary\.md: binary file, not a text prompt$/, 'git binary');
    assertUserError(await runCli(['diff', 'HEAD~5:latin1.md', 'a.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 }), /not a readable <git revision>:<path> \(unknown git revision "HEAD~5"\)/, 'bad rev');
    assertUserError(await runCli(['diff', 'HEAD:nope.md', 'a.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 }), /not a readable <git revision>:<path> \(nope\.md does not exist at HEAD\)/, 'not at rev');
  });

  test('a revision that looks like an option is refused, never passed to git as one', async () => {
    const out = f('injected-output');
    assertUserError(await runCli(['lint', 'renamed.prompt.md', `--against=--output=${out}`], { cwd: repo, env: gitEnv(), timeoutMs: 30_000 }), /unknown git revision "--output=/, 'option-like ref');
    assertUserError(await runCli(['diff', '--', `--output=${out}:renamed.prompt.md`, 'renamed.prompt.md'], { cwd: repo, env: gitEnv(), timeoutMs: 30_000 }), /unknown git revision/, 'option-like rev in diff');
    assert.equal(fs.existsSync(out), false);
  });

  test('git failed: git\'s own one-line reason (a repository git refuses to read)', async () => {
    const d = f('broken');
    makeRepo(d, 'p.md', ['x\n', 'y\n']);
    fs.writeFileSync(path.join(d, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(d, '.git', 'refs', 'heads', 'main'), `${'0'.repeat(39)}1\n`);
    const r = await runCli(['history', 'p.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 });
    assertUserError(r, /^prompt-cache-audit: git failed: \S/, 'corrupt ref');
  });

  test('a file not yet committed: one line, exit 2', async () => {
    assertUserError(await runCli(['history', 'untracked.prompt.md'], { cwd: repo, env: gitEnv(), timeoutMs: 30_000 }), /not committed yet \(no commit touches it\)/, 'untracked');
  });

  test('a repository without any commit: one line, exit 2', async () => {
    const d = f('fresh');
    fs.mkdirSync(d);
    git(d, ['init', '-q']);
    fs.writeFileSync(path.join(d, 'x.md'), 'x\n');
    assertUserError(await runCli(['history', 'x.md'], { cwd: d, env: gitEnv(), timeoutMs: 30_000 }), /not committed yet \(the repository has no commits yet\)/, 'no commits');
  });

  test('git not installed (PATH without git): one line, exit 2, for history and lint --against', async () => {
    const bin = f('bin-without-git');
    fs.mkdirSync(bin, { recursive: true });
    const env = gitEnv({ PATH: bin });
    assertUserError(await hist(repo, 'renamed.prompt.md', env), /git is not installed/, 'history without git');
    assertUserError(
      await runCli(['lint', 'renamed.prompt.md', '--against', 'HEAD~1'], { cwd: repo, env, timeoutMs: 30_000 }),
      /git is not installed/,
      'lint --against without git',
    );
  });

  test('lint --against: unknown revision is a user error; a file new since that revision lints fine', async () => {
    assertUserError(await runCli(['lint', 'renamed.prompt.md', '--against', 'no-such-ref'], { cwd: repo, env: gitEnv(), timeoutMs: 30_000 }), /unknown git revision/, 'bad ref');
    const r = await runCli(['lint', 'untracked.prompt.md', '--against', 'HEAD', '--fail-on', 'none'], { cwd: repo, env: gitEnv(), timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
  });

  test('lint --against outside a repository is a user error', async () => {
    assertUserError(await runCli(['lint', 'a.md', '--against', 'HEAD'], { cwd: tmp, env: gitEnv(), timeoutMs: 30_000 }), /not inside a git repository/, 'no repo');
  });
});
