#!/usr/bin/env node
// Builds a throwaway git repository that replays the example prompt versions as commits, so `history`
// can be demonstrated and tested without relying on this repository's own history (fresh clones, CI).
// Usage: node examples/make-history-repo.mjs [--out <dir>]   → prints the repository's path
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const historyDir = join(here, 'support-agent', 'history');

/**
 * Creates the repository and returns its path and commits (oldest first).
 * @param {{ dir?: string }} [options]
 * @returns {{ dir: string, commits: { hash: string, message: string }[] }}
 */
export function makeHistoryRepo(options = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'prompt-cache-history-'));
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(historyDir, 'manifest.json'), 'utf8'));
  const git = (args, env = {}) =>
    execFileSync('git', ['-c', 'user.name=Example Author', '-c', 'user.email=author@example.com', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git(['init', '-q']);
  const commits = [];
  manifest.commits.forEach((c, i) => {
    if (c.rename && existsSync(join(dir, c.rename.from))) {
      renameSync(join(dir, c.rename.from), join(dir, c.rename.to));
      git(['add', '-A', '--', c.rename.from, c.rename.to]);
    }
    for (const [target, version] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, target)), { recursive: true });
      copyFileSync(join(historyDir, version), join(dir, target));
      git(['add', '--', target]);
    }
    // Fixed dates keep the example history (and screenshots) reproducible.
    const date = new Date(Date.UTC(2026, 2, 1 + i, 9, 0, 0)).toISOString();
    git(['commit', '-q', '-m', c.message], { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    commits.push({ hash: git(['rev-parse', 'HEAD']).trim(), message: c.message });
  });
  return { dir, commits };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outIdx = process.argv.indexOf('--out');
  const { dir, commits } = makeHistoryRepo(outIdx > 0 ? { dir: process.argv[outIdx + 1] } : {});
  console.log(dir);
  console.error(`${commits.length} commits. Try: node dist/cli.js history ${join(dir, 'system-prompt.md')}`);
}
