// Cancelling Audit Workspace stops the git history walk the worker started for the listed files: the walk can run for
// seconds in a long history, and nobody waits for its answer any more. A git wrapper on PATH holds `log` back until
// it is killed; stopHistoryReads() must end the read (no history, not an error) and kill it before it runs git.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { historiesFor, stopHistoryReads } from '../../src/auditWorker/workspaceAudit';
import { resolveGitBinary } from '../../src/core/versions/gitBinary';
import { git, gitAvailable } from './fixtures/harness';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pca-ws-cancel-'));
const savedPath = process.env.PATH;
after(() => {
  process.env.PATH = savedPath;
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('stopping the workspace audit kills its git log walk; the read resolves with no history', { skip: process.platform === 'win32' || !gitAvailable() ? 'needs git and a POSIX shell' : false }, async () => {
  const repo = path.join(tmp, 'repo');
  fs.mkdirSync(path.join(repo, 'prompts'), { recursive: true });
  git(repo, ['init', '-q', '-b', 'main']);
  const file = path.join(repo, 'prompts', 'system.md');
  for (const v of [1, 2]) {
    fs.writeFileSync(file, `You are the agent. Release ${v}.\n`);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', `v${v}`]);
  }
  const realGit = resolveGitBinary()!;
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  const started = path.join(tmp, 'log-started');
  const ran = path.join(tmp, 'log-ran');
  fs.writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nfor a in "$@"; do if [ "$a" = log ]; then trap 'kill $p; exit 143' TERM; echo > "${started}"; sleep 20 >/dev/null 2>&1 & p=$!; wait $p; echo > "${ran}"; fi; done\nexec "${realGit}" "$@"\n`, { mode: 0o755 });
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;

  const read = historiesFor([file]).get(file)!;
  while (!fs.existsSync(started)) await new Promise((r) => setTimeout(r, 20));
  stopHistoryReads();
  // Without the stop, this waits for the wrapper and then gets the file's two versions.
  assert.deepEqual(await read, [], 'no history after the stop');
  assert.ok(!fs.existsSync(ran), 'the walk never got to run git log');

  // The next audit reads again (nothing of the stopped read is kept), with the real git.
  process.env.PATH = savedPath;
  const again = await historiesFor([file]).get(file)!;
  assert.equal(again.length, 2);
});
