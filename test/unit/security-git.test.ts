// A cloned or downloaded repository must not run anything when the auditor reads its history. Each test plants one
// code-execution vector in the repository's own .git/config (or .gitattributes), pointing at a script that appends
// to a marker file, then reads history/baselines through every git path the product has: the core's fileHistory
// (simple-git), the CLI's `history` and `lint --against`, and the extension's git.ts fallback (git CLI). The
// marker file must stay absent.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileHistory } from '../../src/core/history';
import { requireBuilt, git, gitAvailable, gitEnv, makeRepo, runCli } from './fixtures/harness';
import { requireWithStub, vscodeStub } from './fixtures/vscode-stub';

type GitModule = typeof import('../../src/extension/git');

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

      // 1. The core's history reader (simple-git), as the CLI and tests use it.
      const h = await fileHistory(file, { encoding: 'o200k_base', lint: false });
      assert.equal(h.versions.length, 3, 'all three versions read');
      check('core fileHistory');

      // 2. The extension's git.ts (vscode.git unavailable → git CLI fallback).
      vscodeStub().stub.state.gitExtension = undefined;
      const g = requireWithStub<GitModule>('../../src/extension/git');
      const revs = await g.fileLog(file, 50);
      assert.equal(revs.length, 3);
      assert.equal(await g.showAt(file, revs[1].hash, revs[1].path), V2);
      assert.ok(await g.headHash(file));
      check('extension git.ts');

      // 3. The CLI: history and lint --against (built bundle).
      requireBuilt();
      {
        const e = gitEnv();
        const r1 = await runCli(['history', FILE], { cwd: repo, env: e });
        assert.equal(r1.code, 0, r1.stderr);
        check('CLI history');
        const r2 = await runCli(['lint', FILE, '--against', 'HEAD~1', '--fail-on', 'none'], { cwd: repo, env: e });
        assert.equal(r2.code, 0, r2.stderr);
        check('CLI lint --against');
      }
      assert.deepEqual(ran, [], `repository-configured programs ran:\n${ran.join('\n')}`);
    });
  });
});
