// `prompt-cache-audit lint` on a folder of 300 prompt files with 40 commits of history (each commit edits a tenth of
// the files, a release literal among the edits). Baseline timed in the same run: the same lint with --no-history (no
// git at all), so the figure is what reading history costs. `--cli <path>` times another build (e.g. main's dist).
// Usage: node bench/lint-history.mjs [--files N] [--commits N] [--reps N] [--cli dist/cli.js]   (after `npm run build`)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePrompt } from './tokenizer-corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argOf = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
};
const FILES = Number(argOf('--files', 300));
const COMMITS = Number(argOf('--commits', 40));
const REPS = Number(argOf('--reps', 3));
const cli = path.resolve(argOf('--cli', path.join(root, 'dist', 'cli.js')));
const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.invalid', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.invalid' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });

const repo = mkdtempSync(path.join(os.tmpdir(), 'pca-bench-lint-history-'));
try {
  git(repo, 'init', '-q', '-b', 'main');
  const text = (i, c) => `You are assistant ${i}.\nRelease: 2025.${c} (policy ${i}.${c})\n${makePrompt(1500 + ((i * 7919) % 4000), i + 1)}\n`;
  const last = new Array(FILES).fill(0);
  for (let c = 0; c < COMMITS; c++) {
    for (let i = 0; i < FILES; i++) {
      if (c > 0 && (i + c) % 10 !== 0) continue;
      const dir = path.join(repo, 'prompts', `team${i % 6}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `p${String(i).padStart(3, '0')}.md`), text(i, c));
      last[i] = c;
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', `commit ${c}`);
  }
  const run = (...extra) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'lint', 'prompts', '--fail-on', 'none', ...extra], { cwd: repo, env, encoding: 'utf8', maxBuffer: 64 << 20 });
    const ms = performance.now() - t0;
    const summary = /(\d+) file\(s\), (\d+) finding\(s\)/.exec(r.stdout)?.[0] ?? `exit ${r.status}: ${r.stderr.slice(0, 200)}`;
    return { ms, summary };
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const times = (extra) => {
    const rs = Array.from({ length: REPS }, () => run(...extra));
    return { ms: median(rs.map((r) => r.ms)), summary: rs[0].summary };
  };
  const withHistory = times([]);
  const noHistory = times(['--no-history']);
  console.log(`${FILES} files, ${COMMITS} commits; ${path.relative(root, cli) || cli}`);
  console.log(`lint (history):    ${(withHistory.ms / 1000).toFixed(2)} s  ${withHistory.summary}`);
  console.log(`lint --no-history: ${(noHistory.ms / 1000).toFixed(2)} s  ${noHistory.summary}`);
  console.log(`history costs ${((withHistory.ms - noHistory.ms) / 1000).toFixed(2)} s (${(withHistory.ms / noHistory.ms).toFixed(2)}× the lint without it)`);
  const summary = `prompt-cache-audit lint of ${FILES} prompt files with ${COMMITS} commits of history (whole process): ${(withHistory.ms / 1000).toFixed(2)} s | the same lint with --no-history ${(noHistory.ms / 1000).toFixed(2)} s -> history costs ${(withHistory.ms / noHistory.ms).toFixed(2)}x`;
  console.log(`lint_history_300_files: ${summary}`);
  console.log(JSON.stringify({ lint_history_300_files: { unit: 'ms', files: FILES, commits: COMMITS, withHistoryMs: withHistory.ms, noHistoryMs: noHistory.ms, ratio: withHistory.ms / noHistory.ms, summary } }));
} finally {
  rmSync(repo, { recursive: true, force: true });
}
