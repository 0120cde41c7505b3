// The one git adapter (src/core/versions/git.ts) against real temporary repositories: the file at a revision
// (versionAt, used by `diff <rev>:<path>`, `lint --against` and the extension's HEAD baseline), the object reader
// behind every read (one `git cat-file --batch`), and the git VersionSource.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { GitError, GitObjectReader, GitVersionSource, listFileVersions, repositoryOf, versionAt } from '../../src/core/versions/git';
import { UnreadableVersionError, type VersionSource } from '../../src/core/versions/index';
import { git, gitAvailable, makeRepo } from './fixtures/harness';

const skip = gitAvailable() ? false : 'git is not installed';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-versions-git-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const V1 = '\uFEFFYou are a support agent.\n';
const V2 = '\uFEFFYou are a careful support agent.\n';

describe('versionAt', { skip }, () => {
  const repo = path.join(tmp, 'repo');
  const hashes = makeRepo(repo, 'prompts/a.md', [V1, V2]);
  fs.mkdirSync(path.join(repo, 'dir'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'dir', 'x.md'), 'x');
  fs.writeFileSync(path.join(repo, 'latin1.md'), Buffer.from('caf\xe9\n', 'latin1'));
  git(repo, ['add', '-A']);
  git(repo, ['commit', '-q', '-m', 'more']);
  const file = path.join(repo, 'prompts', 'a.md');

  test('the text at a revision (BOM kept), the commit it names, the path in the repository', async () => {
    assert.deepEqual(await versionAt(file, 'HEAD~1'), { text: V2, commit: hashes[1], path: 'prompts/a.md' });
    assert.equal((await versionAt(file, hashes[0].slice(0, 10)))?.text, V1);
    assert.equal((await versionAt(path.join(repo, 'elsewhere.md'), 'HEAD', { pathInRepo: 'prompts/a.md' }))?.text, V2, 'pathInRepo: where it was (renames)');
  });

  test('not at that revision: undefined; unknown or option-like revisions: "unknown git revision"', async () => {
    assert.equal(await versionAt(path.join(repo, 'dir', 'x.md'), hashes[0]), undefined);
    for (const ref of ['no-such-ref', '--output=/tmp/x', 'HEAD\nHEAD', '']) {
      await assert.rejects(versionAt(file, ref), (e: unknown) => e instanceof GitError && e.code === 'unknown-revision' && /^unknown git revision "/.test(e.message), JSON.stringify(ref));
    }
  });

  test('a directory or invalid UTF-8 at the revision: the message a file on disk gets', async () => {
    await assert.rejects(versionAt(path.join(repo, 'dir'), 'HEAD'), (e: unknown) => e instanceof UnreadableVersionError && e.message === 'HEAD:dir: is a directory, not a text prompt');
    await assert.rejects(versionAt(path.join(repo, 'latin1.md'), 'HEAD'), (e: unknown) => e instanceof UnreadableVersionError && e.reason === 'invalid-utf8' && e.message === 'HEAD:latin1.md: not valid UTF-8 text');
  });

  test('HEAD of a repository without commits: "not committed yet"; of a broken one: git failed, with its reason', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    git(empty, ['init', '-q']);
    await assert.rejects(versionAt(path.join(empty, 'a.md'), 'HEAD'), (e: unknown) => e instanceof GitError && e.code === 'not-committed');
    const broken = path.join(tmp, 'broken');
    makeRepo(broken, 'a.md', ['x']);
    fs.writeFileSync(path.join(broken, '.git', 'refs', 'heads', 'main'), `${'0'.repeat(39)}1\n`);
    await assert.rejects(versionAt(path.join(broken, 'a.md'), 'HEAD'), (e: unknown) => e instanceof GitError && e.code === 'git-failed' && e.message === 'git failed: bad object HEAD');
  });

  test('outside a repository; in a folder that no longer exists (the nearest existing folder decides)', async () => {
    await assert.rejects(versionAt(path.join(tmp, 'x.md'), 'HEAD'), (e: unknown) => e instanceof GitError && e.code === 'not-a-repo' && e.message.endsWith('x.md: not inside a git repository'));
    assert.equal(await versionAt(path.join(repo, 'gone', 'deeper', 'x.md'), 'HEAD'), undefined);
    assert.equal((await repositoryOf(path.join(repo, 'gone', 'x.md'))).root, fs.realpathSync(repo));
  });
});

describe('GitObjectReader: one cat-file for many reads', { skip }, () => {
  const repo = path.join(tmp, 'reader');
  const big = 'many words of a long prompt\n'.repeat(40_000); // ~1.1 MB: many pipe chunks
  makeRepo(repo, 'big.md', [big, `${big}one more line\n`]);

  test('answers in order, whole objects across chunks, missing ones as undefined; one process', async () => {
    const reader = new GitObjectReader(fs.realpathSync(repo));
    try {
      const names = ['HEAD:big.md', 'HEAD~1:big.md', 'HEAD:nope.md', 'HEAD^{commit}', 'HEAD~1:big.md', 'HEAD:big.md'];
      const got = await Promise.all(names.map((n) => reader.read(n)));
      assert.equal(got[0]!.bytes.toString(), `${big}one more line\n`);
      assert.equal(got[1]!.bytes.toString(), big);
      assert.equal(got[2], undefined);
      assert.equal(got[3]!.type, 'commit');
      assert.equal(got[4]!.bytes.toString(), big);
      assert.equal(got[5]!.type, 'blob');
      await assert.rejects(reader.read('HEAD:big.md\nHEAD'), /line break/);
    } finally {
      reader.close();
    }
    await assert.rejects(reader.read('HEAD:big.md'), /closed/);
  });
});

describe('GitVersionSource', { skip }, () => {
  test('is a VersionSource of kind git: list oldest first, read each text; a symbolic link is not a text prompt', async () => {
    const repo = path.join(tmp, 'source');
    makeRepo(repo, 'p.md', ['one\n', 'two\n']);
    fs.rmSync(path.join(repo, 'p.md'));
    fs.symlinkSync('/etc/passwd', path.join(repo, 'p.md'));
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', 'now a link']);
    const source = new GitVersionSource(path.join(repo, 'p.md'));
    const asInterface: VersionSource = source;
    try {
      const refs = await source.list();
      assert.equal(asInterface.kind, 'git');
      assert.deepEqual(refs.map((r) => [r.fileName, r.label.slice(8), r.mode]), [['p.md', 'v1', '100644'], ['p.md', 'v2', '100644'], ['p.md', 'now a link', '120000']]);
      assert.equal((await asInterface.read(refs[1])).text, 'two\n');
      await assert.rejects(source.read(refs[2]), (e: unknown) => e instanceof UnreadableVersionError && /a symbolic link, not a text prompt$/.test(e.message));
      assert.equal((await listFileVersions(path.join(repo, 'p.md'), { max: 2 })).limited, true);
    } finally {
      source.close();
    }
  });
});
