// The workspace the e2e tests open: a git repository, so the extension's default baseline (the file at git
// HEAD) and its history view have commits to compare with. Either the example's history replayed by
// examples/make-history-repo.mjs, or a copy of a folder committed as is (with optional earlier versions).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** git in the workspace as the e2e author (no signing, no system config); throws with git's stderr on failure. */
export function git(cwd, ...args) {
  return execFileSync(
    'git',
    ['-c', 'user.name=Prompt Cache E2E', '-c', 'user.email=e2e@localhost', '-c', 'commit.gpgsign=false', '-c', 'init.defaultBranch=main', ...args],
    { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } },
  ).trim();
}

/** Builds the workspace described by a scenario (see scenario.mjs) at `dest`. */
export async function prepareWorkspace(scenario, dest) {
  mkdirSync(dest, { recursive: true });
  if (scenario.replayScript) {
    const { makeHistoryRepo } = await import(pathToFileURL(scenario.replayScript).href);
    makeHistoryRepo({ dir: dest });
    // Files of the example that are not versioned in its history (e.g. .vscode/settings.json).
    cpSync(scenario.source, dest, {
      recursive: true,
      force: false,
      filter: (src) => {
        const rel = path.relative(scenario.source, src).split(path.sep).join('/');
        return rel === '' || !(rel === 'history' || rel.startsWith('history/') || /(^|\/)(node_modules|\.git)(\/|$)/.test(rel));
      },
    });
  } else {
    cpSync(scenario.source, dest, { recursive: true, filter: (src) => !/[/\\](node_modules|\.git)([/\\]|$)/.test(src) });
    git(dest, 'init', '-q');
    const finals = new Map();
    for (const h of scenario.history) {
      const p = path.join(dest, h.file);
      if (!finals.has(p)) finals.set(p, readFileSync(p, 'utf8'));
    }
    for (const h of scenario.history) {
      const p = path.join(dest, h.file);
      writeFileSync(p, h.transform(finals.get(p)));
      git(dest, 'add', '-A');
      git(dest, 'commit', '-q', '--allow-empty', '-m', h.message);
    }
    for (const [p, text] of finals) writeFileSync(p, text);
    git(dest, 'add', '-A');
    git(dest, 'commit', '-q', '--allow-empty', '-m', 'Workspace as shipped');
  }
  const uncommitted = scenario.uncommitted ?? [];
  for (const o of scenario.overlay) {
    mkdirSync(path.dirname(path.join(dest, o.to)), { recursive: true });
    cpSync(o.from, path.join(dest, o.to));
  }
  for (const u of uncommitted) writeFileSync(path.join(dest, u.file), u.committed);
  if (git(dest, 'status', '--porcelain')) {
    git(dest, 'add', '-A');
    git(dest, 'commit', '-q', '-m', 'Files the e2e tests need');
  }
  // Working-tree changes a test starts from (e.g. a BOM an editor added since the last commit).
  for (const u of uncommitted) writeFileSync(path.join(dest, u.file), u.working);
  const expected = new Set(uncommitted.map((u) => u.file));
  const dirty = git(dest, 'status', '--porcelain').split('\n').filter((l) => l && !expected.has(l.replace(/^\s*\S+\s+/, '')));
  if (dirty.length) throw new Error(`workspace has unexpected uncommitted changes after set-up:\n${dirty.join('\n')}`);
  return { commits: Number(git(dest, 'rev-list', '--count', 'HEAD')), head: git(dest, 'rev-parse', 'HEAD') };
}
