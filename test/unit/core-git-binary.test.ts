// Which git we run and with what environment: an absolute binary from PATH (never one planted in the repository
// being read), GIT_NO_LAZY_FETCH=1 (a partial clone never fetches), and none of the program-starting variables.
// src/core/versions/gitBinary.ts + the adapter that uses it, src/core/versions/git.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileHistory } from '../../src/core/history';
import { GitError, listFileVersions } from '../../src/core/versions/git';
import { gitCandidates, gitEnvironment, resolveGitBinary, usableGitBinary } from '../../src/core/versions/gitBinary';
import { gitAvailable, gitEnv, makeRepo } from './fixtures/harness';

const posixGit = process.platform !== 'win32' && gitAvailable() ? false : 'needs git and a POSIX shell';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-git-binary-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `f` with some process.env variables replaced (undefined deletes), restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  set(vars);
  try {
    return await f();
  } finally {
    set(saved);
  }
}

/** A `git` script that appends a line to `marker` when it runs, then does nothing. */
function plantGit(dir: string, marker: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'git'), `#!/bin/sh\necho "planted git $*" >> "${marker}"\nexit 0\n`, { mode: 0o755 });
}

describe('gitCandidates', () => {
  it('POSIX: only absolute PATH entries, in order', () => {
    assert.deepEqual(gitCandidates({ PATH: ':.:bin:./tools:/usr/local/bin::/usr/bin:~/bin' }, 'linux'), ['/usr/local/bin/git', '/usr/bin/git']);
    assert.deepEqual(gitCandidates({}, 'linux'), []);
  });

  it('Windows: drive and UNC entries only, quotes removed, PATHEXT order restricted to .com/.exe', () => {
    const env = { Path: 'C:\\Git\\cmd;.;;relative;C:tools;\\rooted;"C:\\Program Files\\Git\\cmd";\\\\server\\share\\bin', PATHEXT: '.BAT;.CMD;.EXE;.COM' };
    assert.deepEqual(gitCandidates(env, 'win32'), [
      'C:\\Git\\cmd\\git.exe',
      'C:\\Git\\cmd\\git.com',
      'C:\\Program Files\\Git\\cmd\\git.exe',
      'C:\\Program Files\\Git\\cmd\\git.com',
      '\\\\server\\share\\bin\\git.exe',
      '\\\\server\\share\\bin\\git.com',
    ]);
    assert.deepEqual(gitCandidates({ PATH: 'D:\\bin' }, 'win32'), ['D:\\bin\\git.com', 'D:\\bin\\git.exe'], 'no PATHEXT: what libuv would try');
  });
});

describe('resolveGitBinary', { skip: posixGit }, () => {
  it('finds an executable file and ignores a relative entry that holds a git', () => {
    const dir = path.join(tmp, 'resolve');
    const rel = path.join(dir, 'rel');
    const abs = path.join(dir, 'abs');
    plantGit(rel, path.join(dir, 'MARKER'));
    plantGit(abs, path.join(dir, 'MARKER'));
    fs.mkdirSync(path.join(dir, 'notexec'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'notexec', 'git'), '', { mode: 0o644 });
    const saved = process.cwd();
    process.chdir(dir);
    try {
      assert.equal(resolveGitBinary({ PATH: `.:rel:${path.join(dir, 'notexec')}:${abs}` }, 'linux'), path.join(abs, 'git'));
      assert.equal(resolveGitBinary({ PATH: '.:rel' }, 'linux'), undefined);
    } finally {
      process.chdir(saved);
    }
  });

  it('a git path handed in (VS Code\'s git) must be absolute and executable too', () => {
    const dir = path.join(tmp, 'resolve');
    assert.equal(usableGitBinary(path.join(dir, 'abs', 'git'), 'linux'), true);
    assert.equal(usableGitBinary('abs/git', 'linux'), false, 'relative');
    assert.equal(usableGitBinary(path.join(dir, 'notexec', 'git'), 'linux'), false, 'not executable');
    assert.equal(usableGitBinary(path.join(dir, 'nope', 'git'), 'linux'), false, 'missing');
    assert.equal(usableGitBinary('C:git.exe', 'win32'), false, 'drive-relative');
  });
});

describe('gitEnvironment', () => {
  it('adds GIT_NO_LAZY_FETCH=1, drops program-starting variables, keeps the user config redirections', () => {
    const { env } = gitEnvironment({
      PATH: '/usr/bin',
      HOME: '/home/u',
      EDITOR: 'vi',
      GIT_PAGER: 'less',
      GIT_ASKPASS: '/x/askpass.sh',
      GIT_SSH_COMMAND: 'ssh -i key',
      GIT_NO_LAZY_FETCH: '0',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'core.pager',
      GIT_CONFIG_VALUE_0: 'evil',
      GIT_CONFIG_KEY_1: 'safe.directory',
      GIT_CONFIG_VALUE_1: '*',
      GIT_CONFIG_KEY_2: 'credential.https://example.com.helper',
      GIT_CONFIG_VALUE_2: 'store',
    });
    assert.deepEqual(env, {
      PATH: '/usr/bin',
      HOME: '/home/u',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'safe.directory',
      GIT_CONFIG_VALUE_0: '*',
      GIT_NO_LAZY_FETCH: '1',
      GIT_TERMINAL_PROMPT: '0',
      GIT_OPTIONAL_LOCKS: '0',
    });
    assert.deepEqual(gitEnvironment({ PATH: '/usr/bin', GIT_TERMINAL_PROMPT: '1' }), { env: { PATH: '/usr/bin', GIT_NO_LAZY_FETCH: '1', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' } });
  });
});

describe('history runs the resolved git with the hardened environment', { skip: posixGit }, () => {
  const file = 'prompts/agent.prompt.md';
  const versions = ['You are a support agent.\n', 'You are a careful support agent.\n'];
  const realGitDir = path.dirname(resolveGitBinary() ?? '/usr/bin/git');

  it('a `git` planted at the repository root is not run, even with `.` first on PATH', async () => {
    const repo = path.join(tmp, 'planted');
    makeRepo(repo, file, versions);
    const marker = path.join(tmp, 'planted-MARKER');
    plantGit(repo, marker);
    const pathValue = `.${path.delimiter}${realGitDir}`;
    // The vector is live: a plain spawn of `git` in the repository runs the planted script.
    execFileSync('git', ['--version'], { cwd: repo, env: { ...gitEnv(), PATH: pathValue } });
    assert.ok(fs.existsSync(marker), 'control: spawning a bare `git` from the repository runs the planted one');
    fs.rmSync(marker);

    await withEnv({ PATH: pathValue }, async () => {
      const cwd = process.cwd();
      process.chdir(repo);
      try {
        const h = await fileHistory(path.join(repo, file), { encoding: 'o200k_base', lint: false });
        assert.equal(h.versions.length, 2);
      } finally {
        process.chdir(cwd);
      }
    });
    assert.equal(fs.existsSync(marker), false, 'the planted git ran');
  });

  it('only relative PATH entries hold a git: "git is not installed", nothing run', async () => {
    const repo = path.join(tmp, 'relative-only');
    makeRepo(repo, file, versions);
    const marker = path.join(tmp, 'relative-only-MARKER');
    plantGit(repo, marker);
    plantGit(path.join(repo, 'bin'), marker);
    await withEnv({ PATH: `.${path.delimiter}bin` }, () =>
      assert.rejects(listFileVersions(path.join(repo, file)), (e: unknown) => e instanceof GitError && e.code === 'git-missing'),
    );
    assert.equal(fs.existsSync(marker), false);
  });

  it('git gets GIT_NO_LAZY_FETCH=1 and not EDITOR/PAGER/GIT_ASKPASS (programs git would start)', async () => {
    const repo = path.join(tmp, 'env');
    makeRepo(repo, file, versions);
    const wrapperDir = path.join(tmp, 'wrapper');
    const envDump = path.join(tmp, 'env-dump');
    fs.mkdirSync(wrapperDir, { recursive: true });
    fs.writeFileSync(path.join(wrapperDir, 'git'), `#!/bin/sh\nenv >> "${envDump}"\nexec "${path.join(realGitDir, 'git')}" "$@"\n`, { mode: 0o755 });
    await withEnv({ PATH: `${wrapperDir}${path.delimiter}${realGitDir}`, EDITOR: 'vi', PAGER: 'less', GIT_ASKPASS: '/nonexistent/askpass', GIT_NO_LAZY_FETCH: undefined }, async () => {
      const h = await fileHistory(path.join(repo, file), { encoding: 'o200k_base', lint: false });
      assert.equal(h.versions.length, 2);
    });
    const lines = fs.readFileSync(envDump, 'utf8').split('\n');
    assert.ok(lines.includes('GIT_NO_LAZY_FETCH=1'));
    assert.ok(!lines.some((l) => /^(EDITOR|PAGER|GIT_ASKPASS)=/.test(l)), 'program-starting variables passed to git');
  });

  it('a partial clone: a missing blob is an error, and nothing is fetched from the remote', async () => {
    const origin = path.join(tmp, 'origin');
    makeRepo(origin, file, versions);
    execFileSync('git', ['config', 'uploadpack.allowFilter', 'true'], { cwd: origin, env: gitEnv() });
    const clone = path.join(tmp, 'partial');
    execFileSync('git', ['clone', '-q', '--filter=blob:none', '--no-checkout', `file://${origin}`, clone], { env: gitEnv(), stdio: 'ignore' });
    fs.mkdirSync(path.join(clone, path.dirname(file)), { recursive: true }); // --no-checkout: no working tree yet
    const objects = () => execFileSync('git', ['count-objects', '-v'], { cwd: clone, env: { ...gitEnv(), GIT_NO_LAZY_FETCH: '1' }, encoding: 'utf8' });
    const before = objects();
    await assert.rejects(fileHistory(path.join(clone, file), { encoding: 'o200k_base', lint: false }), (e: unknown) => e instanceof GitError && e.code === 'git-failed' && /partial clone/.test(e.message) && !/\n/.test(e.message));
    assert.equal(objects(), before, 'objects were fetched from the promisor remote');
  });
});
