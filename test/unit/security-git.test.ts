// A cloned or downloaded repository must not run anything when the auditor reads its history. Each test plants one
// code-execution vector in the repository's own .git/config (or .gitattributes), pointing at a script that appends
// to a marker file, then reads history/baselines through every git path the product has: the core's fileHistory,
// the extension's git.ts and baselines (both over the core's one adapter, src/core/versions/git.ts), and the CLI's
// `history`, `diff <rev>:<path>` and `lint --against`. The marker file must stay absent. Then: no git is ever
// spawned by a bare name (bundles grepped, child_process spied on), and VS Code's git path is used only when absolute.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileHistory } from '../../src/core/history';
import { resolveGitBinary } from '../../src/core/versions/gitBinary';
import { requireBuilt, git, gitAvailable, gitEnv, makeRepo, NO_NETWORK_PRELOAD, readNetLog, runCli } from './fixtures/harness';
import { requireWithStub, vscodeStub } from './fixtures/vscode-stub';

type GitModule = typeof import('../../src/extension/git');
type BaselinesModule = typeof import('../../src/extension/baselines');

const skip = gitAvailable() ? false : 'git is not installed';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-security-git-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FILE = 'prompts/agent.prompt.md';
const V1 = 'You are a support agent.\nAnswer politely.\n';
const V2 = 'You are a support agent.\nAnswer politely and briefly.\n';
const V3 = 'You are a careful support agent.\nAnswer politely and briefly.\n';

/** A script that records that it ran (and with what), then behaves like a harmless no-op. */
function markerScript(dir: string, name: string, marker: string): string {
  const script = path.join(dir, name);
  fs.writeFileSync(script, `#!/bin/sh\necho "${name} $*" >> "${marker}"\nexit 0\n`, { mode: 0o755 });
  return script;
}

/**
 * A repository with three versions of FILE; the last commit carries a (fake) PGP signature so that signature
 * verification, when enabled by the repo's config, has something to verify.
 */
function repoWithSignedHead(dir: string): void {
  makeRepo(dir, FILE, [V1, V2]);
  fs.writeFileSync(path.join(dir, FILE), V3);
  git(dir, ['add', '--', FILE]);
  const tree = git(dir, ['write-tree']).trim();
  const parent = git(dir, ['rev-parse', 'HEAD']).trim();
  const body =
    `tree ${tree}\nparent ${parent}\nauthor Test <test@example.invalid> 1735689600 +0000\ncommitter Test <test@example.invalid> 1735689600 +0000\n` +
    'gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n -----END PGP SIGNATURE-----\n\nv3 (signed)\n';
  const commit = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: dir, env: gitEnv(), input: body, encoding: 'utf8' }).trim();
  git(dir, ['update-ref', 'refs/heads/main', commit]);
  git(dir, ['reset', '-q']); // index matches HEAD; planting the vectors comes after, so setup never trips them
}

interface Vector {
  name: string;
  plant(repo: string, marker: string, scripts: string): void;
  todo?: string;
}

const VECTORS: Vector[] = [
  {
    name: 'core.fsmonitor in .git/config',
    plant: (repo, marker, scripts) => git(repo, ['config', 'core.fsmonitor', markerScript(scripts, 'fsmonitor.sh', marker)]),
  },
  {
    name: 'log.showSignature + gpg.program in .git/config',
    plant: (repo, marker, scripts) => {
      git(repo, ['config', 'log.showSignature', 'true']);
      git(repo, ['config', 'gpg.program', markerScript(scripts, 'gpg.sh', marker)]);
    },
  },
  {
    name: 'core.hooksPath with every hook',
    plant: (repo, marker, scripts) => {
      const hooks = path.join(scripts, 'hooks');
      fs.mkdirSync(hooks, { recursive: true });
      for (const h of ['post-checkout', 'post-index-change', 'reference-transaction', 'pre-auto-gc', 'post-rewrite', 'post-merge', 'pre-commit', 'fsmonitor-watchman']) {
        markerScript(hooks, h, marker);
      }
      git(repo, ['config', 'core.hooksPath', hooks]);
    },
  },
  {
    name: 'textconv / external diff / filters via .gitattributes',
    plant: (repo, marker, scripts) => {
      fs.writeFileSync(path.join(repo, '.git', 'info', 'attributes'), '* diff=evil filter=evil\n');
      git(repo, ['config', 'diff.evil.textconv', markerScript(scripts, 'textconv.sh', marker)]);
      git(repo, ['config', 'diff.evil.command', markerScript(scripts, 'diffcmd.sh', marker)]);
      git(repo, ['config', 'diff.external', markerScript(scripts, 'diffext.sh', marker)]);
      git(repo, ['config', 'filter.evil.smudge', markerScript(scripts, 'smudge.sh', marker)]);
      git(repo, ['config', 'filter.evil.clean', markerScript(scripts, 'clean.sh', marker)]);
      git(repo, ['config', 'filter.evil.process', markerScript(scripts, 'process.sh', marker)]);
    },
  },
  {
    name: 'core.pager / pager.log / core.editor / credential.helper / core.sshCommand',
    plant: (repo, marker, scripts) => {
      git(repo, ['config', 'core.pager', markerScript(scripts, 'pager.sh', marker)]);
      git(repo, ['config', 'pager.log', markerScript(scripts, 'pagerlog.sh', marker)]);
      git(repo, ['config', 'pager.show', markerScript(scripts, 'pagershow.sh', marker)]);
      git(repo, ['config', 'core.editor', markerScript(scripts, 'editor.sh', marker)]);
      git(repo, ['config', 'credential.helper', `!${markerScript(scripts, 'credential.sh', marker)}`]);
      git(repo, ['config', 'core.sshCommand', markerScript(scripts, 'ssh.sh', marker)]);
    },
  },
];

function readMarker(marker: string): string {
  return fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
}

describe('a malicious repository config never executes', { skip }, () => {
  VECTORS.forEach((v, i) => {
    test(v.name, v.todo ? { todo: v.todo } : {}, async () => {
      const base = path.join(tmp, `v${i}`);
      const repo = path.join(base, 'repo');
      const scripts = path.join(base, 'scripts');
      const marker = path.join(base, 'MARKER');
      fs.mkdirSync(scripts, { recursive: true });
      repoWithSignedHead(repo);
      v.plant(repo, marker, scripts);
      const file = path.join(repo, FILE);
      const ran: string[] = [];
      const check = (what: string) => {
        const m = readMarker(marker);
        if (m) ran.push(`${what}: ${m.split('\n').join(' | ')}`);
        fs.rmSync(marker, { force: true });
      };

      // 1. The core's history reader, as the CLI uses it.
      const h = await fileHistory(file, { encoding: 'o200k_base', lint: false });
      assert.equal(h.versions.length, 3, 'all three versions read');
      check('core fileHistory');

      // 2. The extension's git.ts and baselines (vscode.git unavailable).
      vscodeStub().stub.state.gitExtension = undefined;
      const g = requireWithStub<GitModule>('../../src/extension/git');
      const revs = await g.fileLog(file, 50);
      assert.equal(revs.length, 3);
      assert.equal(await g.showAt(file, revs[1].hash, revs[1].path), V2);
      assert.equal((await g.headVersion(file))?.text, V3);
      const { Baselines } = requireWithStub<BaselinesModule>('../../src/extension/baselines');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const b = await new Baselines(undefined).get({ uri: vscodeStub().Uri.file(file), fileName: file, isDirty: false, getText: () => V3 } as any, 'gitHead');
      assert.match(b!.label, /^HEAD \(/);
      check('extension git.ts / baselines');

      // 3. The CLI: history, lint --against and diff <rev>:<path> (built bundle), side by side: the marker says which.
      requireBuilt();
      {
        const e = gitEnv();
        const runs = await Promise.all([
          runCli(['history', FILE], { cwd: repo, env: e }),
          runCli(['lint', FILE, '--against', 'HEAD~1', '--fail-on', 'none'], { cwd: repo, env: e }),
          runCli(['diff', `HEAD~2:${FILE}`, FILE], { cwd: repo, env: e }),
        ]);
        for (const r of runs) assert.equal(r.code, 0, r.stderr);
        check('CLI history / lint --against / diff <rev>:<path>');
      }
      assert.deepEqual(ran, [], `repository-configured programs ran:\n${ran.join('\n')}`);
    });
  });
});

// ---- No git by a bare name, anywhere -----------------------------------------------------------------------------

const dist = path.resolve(__dirname, '..', '..', 'dist');

describe('every git the product starts is the absolute, hardened one', { skip }, () => {
  const repo = path.join(tmp, 'spawn-audit');
  const file = path.join(repo, FILE);
  const realGit = resolveGitBinary()!;

  test('no bundle spawns a bare `git` (or carries another git runner)', () => {
    requireBuilt();
    const bundles = fs.readdirSync(dist).filter((f) => f.endsWith('.js'));
    assert.ok(bundles.includes('extension.js') && bundles.includes('cli.js') && bundles.includes('audit-worker.js'));
    for (const b of bundles) {
      const code = fs.readFileSync(path.join(dist, b), 'utf8');
      assert.doesNotMatch(code, /\b(execFile|execFileSync|spawn|spawnSync|exec|execSync|fork)\)?\s*\(\s*["'`]git(\.exe)?["'`]/, `${b} spawns a bare git`);
      assert.doesNotMatch(code, /simple-git|vscode\.git.{0,200}\.show\(/s, `${b} reads git some other way`);
    }
  });

  test('the extension path: child_process only ever starts the absolute git, with the hardening options', async () => {
    makeRepo(repo, FILE, [V1, V2]);
    // The module object the adapter's `import { execFile, spawn }` reads its functions from at call time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cp = require('node:child_process') as typeof import('node:child_process');
    const started: { cmd: string; args: string[] }[] = [];
    const saved = { execFile: cp.execFile, spawn: cp.spawn, exec: cp.exec, execFileSync: cp.execFileSync, spawnSync: cp.spawnSync };
    for (const name of Object.keys(saved) as (keyof typeof saved)[]) {
      const orig = saved[name] as (...a: unknown[]) => unknown;
      (cp as unknown as Record<string, unknown>)[name] = function spied(this: unknown, ...a: unknown[]) {
        started.push({ cmd: String(a[0]), args: Array.isArray(a[1]) ? a[1].map(String) : [] });
        return orig.apply(this, a);
      };
    }
    try {
      vscodeStub().stub.state.gitExtension = undefined;
      const g = requireWithStub<GitModule>('../../src/extension/git');
      const { Baselines } = requireWithStub<BaselinesModule>('../../src/extension/baselines');
      await g.fileLog(file);
      await g.showAt(file, 'HEAD~1');
      await g.headVersion(file);
      const source = g.gitVersions(file);
      for (const ref of await source.list()) await source.read(ref);
      source.close();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await new Baselines(undefined).get({ uri: vscodeStub().Uri.file(file), fileName: file, isDirty: false, getText: () => V2 } as any, 'gitHead');
    } finally {
      Object.assign(cp, saved);
    }
    assert.ok(started.length >= 5, `spied on ${started.length} starts`);
    for (const s of started) {
      assert.equal(s.cmd, realGit, `started ${JSON.stringify(s)}`);
      assert.deepEqual(s.args.slice(0, 2), ['--no-pager', '--literal-pathspecs'], JSON.stringify(s));
      assert.ok(s.args.includes('protocol.allow=never') && s.args.includes('log.showSignature=false'), JSON.stringify(s));
    }
  });

  test('the CLI path: history, diff <rev>:<path>, lint --against start only the absolute git', async () => {
    requireBuilt();
    const log = path.join(tmp, 'spawn-audit.log');
    const env = gitEnv({ PCA_NET_LOG: log });
    for (const args of [['history', FILE], ['diff', `HEAD~1:${FILE}`, FILE], ['lint', FILE, '--against', 'HEAD~1', '--fail-on', 'none']]) {
      const r = await runCli(args, { cwd: repo, env, nodeArgs: ['--require', NO_NETWORK_PRELOAD] });
      assert.equal(r.code, 0, r.stderr);
    }
    const children = readNetLog(log).filter((e) => e.kind === 'child_process').map((e) => e.detail as { cmd: string; argv: string[] });
    assert.ok(children.length >= 4);
    for (const c of children) assert.equal(c.cmd, realGit, JSON.stringify(c));
  });

  test("VS Code's git is used when PATH has none, and only when its path is absolute and executable", async () => {
    const g = requireWithStub<GitModule>('../../src/extension/git');
    const savedPath = process.env.PATH;
    const api = (p: unknown) => ({ isActive: true, exports: { getAPI: () => ({ git: { path: p } }) } });
    process.env.PATH = path.join(tmp, 'no-git-here');
    try {
      vscodeStub().stub.state.gitExtension = api(realGit);
      assert.equal((await g.headVersion(file))?.text, V2, "VS Code's absolute git path");
      vscodeStub().stub.state.gitExtension = api('git');
      await assert.rejects(g.headVersion(file), (e: unknown) => e instanceof g.GitError && e.code === 'git-missing', 'a bare name is not used');
      vscodeStub().stub.state.gitExtension = { isActive: false, exports: undefined };
      await assert.rejects(g.headVersion(file), (e: unknown) => e instanceof g.GitError && e.code === 'git-missing', 'vscode.git is never activated by us');
    } finally {
      process.env.PATH = savedPath;
      vscodeStub().stub.state.gitExtension = undefined;
    }
  });
});
