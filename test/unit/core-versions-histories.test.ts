// Many files' earlier versions in one git walk (readFileHistories, src/core/versions/git.ts), what `lint` and Audit
// Workspace read for the history evidence; and versionsAt, `lint --against` for many files. Against real temporary
// repositories, compared with the per-file reads they replace (GitVersionSource, versionAt).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { GitVersionSource, readFileHistories, versionAt, versionsAt } from '../../src/core/versions/git';
import { resolveGitBinary } from '../../src/core/versions/gitBinary';
import { git, gitAvailable } from './fixtures/harness';

const skip = gitAvailable() && process.platform !== 'win32' ? false : 'needs git and a POSIX shell';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-histories-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function commitAll(repo: string, message: string): void {
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', message]);
}

function write(repo: string, rel: string, text: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
}

/** What the per-file read gave (one `git log --follow` and one reader per file): commit, date, text, oldest first. */
async function perFile(file: string, max: number): Promise<{ commit: string; date: string; source: string }[]> {
  const src = new GitVersionSource(file);
  try {
    const out = [];
    for (const v of await src.list({ max })) {
      try {
        out.push({ commit: v.commit, date: v.date, source: (await src.read(v)).text });
      } catch {
        // not text: skipped, as lint skipped it
      }
    }
    return out;
  } finally {
    src.close();
  }
}

/** A git that logs each subcommand it runs to `log`, then runs the real one. */
function countingGit(log: string): string {
  const gitPath = resolveGitBinary()!;
  const bin = path.join(tmp, 'counting-git');
  fs.writeFileSync(bin, `#!/bin/sh\nfor a in "$@"; do case "$a" in -*|*=*) ;; *) echo "$a" >> "${log}"; break;; esac; done\nexec "${gitPath}" "$@"\n`, { mode: 0o755 });
  return bin;
}

describe('readFileHistories', { skip }, () => {
  const repo = path.join(tmp, 'repo');
  fs.mkdirSync(repo);
  git(repo, ['init', '-q', '-b', 'main']);
  const names = ['prompts/a.md', 'prompts/b.md', 'prompts/deep/c.md', 'other/é d.md', 'AGENTS.md'];
  for (let i = 1; i <= 8; i++) {
    // Each commit touches some of the files (not all), with a literal that changes.
    names.forEach((rel, k) => {
      if (i === 1 || (i + k) % 3 === 0) write(repo, rel, `You are ${rel}.\nPolicy version: ${i}.${k}\n`);
    });
    write(repo, 'src/code.ts', `export const n = ${i};\n`);
    commitAll(repo, `commit ${i}`);
  }
  const files = names.map((rel) => path.join(repo, rel));

  test('the versions the per-file read gave: same commits, dates and texts, oldest first, at most max', async () => {
    for (const max of [20, 2]) {
      const got = await readFileHistories(files, { max });
      for (const f of files) {
        assert.deepEqual(got.get(f)?.map(({ commit, date, source }) => ({ commit, date, source })), await perFile(f, max), `${path.relative(repo, f)}, max ${max}`);
      }
    }
  });

  test('one `git log` for all files of a repository, one reader for the texts (not a walk per file)', async () => {
    const log = path.join(tmp, 'subcommands.log');
    fs.rmSync(log, { force: true });
    const got = await readFileHistories(files, { binary: countingGit(log) });
    assert.equal(got.size, files.length);
    const runs = fs.readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(runs.filter((r) => r === 'log').length, 1, runs.join(' '));
    assert.equal(runs.filter((r) => r === 'cat-file').length, 2, 'sizes, then texts');
    assert.equal(runs.filter((r) => r === 'rev-parse').length, 4, 'one per folder (prompts, prompts/deep, other, the root)');
  });

  test('a rename inside the folder is followed (the version before it has the old path)', async () => {
    const r = path.join(tmp, 'rename');
    fs.mkdirSync(r);
    git(r, ['init', '-q', '-b', 'main']);
    const long = 'Answer politely and check the order first.\n'.repeat(20);
    write(r, 'prompts/old.md', `Release 1\n${long}`);
    commitAll(r, 'add');
    git(r, ['mv', 'prompts/old.md', 'prompts/new.md']);
    commitAll(r, 'rename');
    write(r, 'prompts/new.md', `Release 2\n${long}`);
    commitAll(r, 'edit');
    const got = (await readFileHistories([path.join(r, 'prompts/new.md')])).get(path.join(r, 'prompts/new.md'));
    assert.deepEqual(got?.map((v) => [v.path, v.source.split('\n')[0]]), [['prompts/old.md', 'Release 1'], ['prompts/new.md', 'Release 1'], ['prompts/new.md', 'Release 2']]);
  });

  test('outside git, never committed, no commits yet: no entry and no error; invalid UTF-8 versions are left out', async () => {
    fs.writeFileSync(path.join(tmp, 'loose.md'), 'x');
    write(repo, 'prompts/untracked.md', 'x');
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    git(empty, ['init', '-q']);
    fs.writeFileSync(path.join(empty, 'a.md'), 'x');
    const bad = path.join(tmp, 'latin1');
    fs.mkdirSync(bad);
    git(bad, ['init', '-q', '-b', 'main']);
    write(bad, 'p.md', 'version one\n');
    commitAll(bad, '1');
    write(bad, 'p.md', Buffer.from('caf\xe9\n', 'latin1'));
    commitAll(bad, '2');
    write(bad, 'p.md', 'version three\n');
    commitAll(bad, '3');
    const got = await readFileHistories([path.join(tmp, 'loose.md'), path.join(repo, 'prompts/untracked.md'), path.join(empty, 'a.md'), path.join(tmp, 'gone', 'x.md'), path.join(bad, 'p.md')]);
    assert.deepEqual([...got.keys()], [path.join(bad, 'p.md')]);
    assert.deepEqual(got.get(path.join(bad, 'p.md'))!.map((v) => v.source), ['version one\n', 'version three\n']);
  });

  test('a shallow clone: the versions in the clone, nothing fetched', async () => {
    const clone = path.join(tmp, 'shallow');
    git(tmp, ['clone', '-q', '--depth', '3', `file://${repo}`, clone]);
    const f = path.join(clone, 'prompts/a.md');
    const got = (await readFileHistories([f])).get(f)!;
    assert.ok(got.length >= 1 && got.length < (await perFile(path.join(repo, 'prompts/a.md'), 20)).length, `${got.length} versions`);
    assert.deepEqual(got.map((v) => v.commit), (await perFile(f, 20)).map((v) => v.commit));
  });

  test('bounded: a byte budget drops the oldest versions first; a long walk stops at maxCommits', async () => {
    const all = await readFileHistories(files);
    const total = [...all.values()].flat().reduce((n, v) => n + Buffer.byteLength(v.source), 0);
    const cut = await readFileHistories(files, { maxBytes: Math.floor(total / 2) });
    for (const f of files) {
      const kept = cut.get(f) ?? [];
      const full = all.get(f)!;
      assert.deepEqual(kept, full.slice(full.length - kept.length), 'the newest versions are kept');
    }
    assert.ok([...cut.values()].flat().length < [...all.values()].flat().length);
    const short = await readFileHistories(files, { maxCommits: 2 });
    const newest = new Set(git(repo, ['log', '-2', '--format=%H']).trim().split('\n'));
    assert.ok([...short.values()].flat().every((v) => newest.has(v.commit)), 'only versions from the 2 newest commits');
    assert.ok([...short.values()].flat().length < [...all.values()].flat().length);
  });
});

describe('versionsAt', { skip }, () => {
  test('many files at a revision: what versionAt gives for each, one reader per repository', async () => {
    const repo = path.join(tmp, 'at');
    fs.mkdirSync(repo);
    git(repo, ['init', '-q', '-b', 'main']);
    write(repo, 'prompts/a.md', 'a1');
    write(repo, 'b.md', 'b1');
    commitAll(repo, '1');
    write(repo, 'prompts/a.md', 'a2');
    write(repo, 'prompts/c.md', 'c2');
    commitAll(repo, '2');
    const files = ['prompts/a.md', 'b.md', 'prompts/c.md', 'prompts/none.md'].map((rel) => path.join(repo, rel));
    const got = await versionsAt(files, 'HEAD~1');
    for (const f of files) assert.deepEqual(got.get(f), await versionAt(f, 'HEAD~1'), f);
    await assert.rejects(versionsAt(files, 'no-such-ref'), /unknown git revision "no-such-ref"/);
  });
});
