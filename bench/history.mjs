// `prompt-cache-audit history` on a long history: 300 versions of a 600 KB prompt (one edit per commit, at a random
// place: a changed word, an inserted sentence, a deleted line, an appended example). Baseline timed in the same run:
// git's own cost of producing the same texts, `git log` for the commits + one `git show <commit>:<path>` per commit
// (what a shell loop does). Ours: the whole `node dist/cli.js history <file> --json` process.
// Usage: node bench/history.mjs [--versions N] [--kb SIZE] [--reps N] [--keep]   (after `npm run build`; --keep leaves
// the repository in place for profiling)
// Prints figures and one final JSON line with one named entry per figure (merged into bench/results.json).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePrompt, rng } from './tokenizer-corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const VERSIONS = arg('--versions', 300);
const KB = arg('--kb', 600);
const REPS = arg('--reps', 3);
const FILE = 'prompts/system.md';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.invalid',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  NO_COLOR: '1',
};

/** The versions: each one edit of the previous one. */
function versions() {
  const r = rng(7);
  let text = makePrompt(KB * 1024, 3);
  const out = [text];
  const extra = makePrompt(64 * 1024, 11).split('\n').filter((l) => l.trim());
  const pick = () => extra[Math.floor(r() * extra.length)];
  for (let i = 1; i < VERSIONS; i++) {
    const at = text.indexOf('\n', Math.floor(r() * text.length)) + 1 || text.length;
    const k = r();
    if (k < 0.15) text += `\n${pick()}\n`; // append an example
    else if (k < 0.4) {
      const end = text.indexOf('\n', at);
      text = text.slice(0, at) + text.slice(end < 0 ? text.length : end + 1); // delete a line
    } else if (k < 0.7) text = text.slice(0, at) + `${pick()}\n` + text.slice(at); // insert a line
    else {
      const sp = text.indexOf(' ', at);
      text = sp < 0 ? text + ' x' : text.slice(0, sp) + ' really' + text.slice(sp); // change a word
    }
    out.push(text);
  }
  return out;
}

/** One commit per version, written with git fast-import (seconds instead of minutes of `git commit`). */
function makeRepo(dir, texts) {
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  const parts = [];
  texts.forEach((t, i) => {
    const data = Buffer.from(t);
    const msg = `version ${i + 1}`;
    parts.push(Buffer.from(`commit refs/heads/main\nmark :${i + 1}\ncommitter Bench <bench@example.invalid> ${1_700_000_000 + i * 3600} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}\n`));
    if (i > 0) parts.push(Buffer.from(`from :${i}\n`));
    parts.push(Buffer.from(`M 100644 inline ${FILE}\ndata ${data.length}\n`), data, Buffer.from('\n'));
  });
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  // As `git commit` leaves them (300 commits stay below gc.auto): loose objects, not fast-import's delta chains.
  const packs = path.join(dir, '.git', 'objects', 'pack');
  for (const f of readdirSync(packs).filter((n) => n.endsWith('.pack'))) {
    const pack = path.join(packs, f);
    const data = readFileSync(pack);
    rmSync(pack);
    rmSync(pack.replace(/\.pack$/, '.idx'), { force: true });
    execFileSync('git', ['unpack-objects', '-q'], { cwd: dir, env, input: data, maxBuffer: 1 << 30 });
  }
  execFileSync('git', ['checkout', '-q', 'main'], { cwd: dir, env });
}

function timed(fn) {
  const t0 = performance.now();
  const out = fn();
  return { ms: performance.now() - t0, out };
}

/** git itself: the commits touching the file, then one `git show` per commit, as a shell loop would. */
function plainGit(dir) {
  const log = execFileSync('git', ['log', '--follow', '--format=%H', '--', FILE], { cwd: dir, env, encoding: 'utf8' });
  let bytes = 0;
  for (const c of log.trim().split('\n')) bytes += execFileSync('git', ['show', `${c}:${FILE}`], { cwd: dir, env, maxBuffer: 1 << 28 }).length;
  return bytes;
}

function ours(dir) {
  const r = spawnSync(process.execPath, [cli, 'history', FILE, '--json'], { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`history exited ${r.status}: ${(r.stderr || '').split('\n')[0]}`);
  return JSON.parse(r.stdout).length;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-bench-history-'));
const results = {};
try {
  const texts = versions();
  const t = timed(() => makeRepo(path.join(dir, 'repo'), texts));
  const repo = path.join(dir, 'repo');
  console.log(`history bench: ${VERSIONS} versions of a ${KB} KB prompt (repository built in ${f1(t.ms / 1000)} s)`);
  const g = [];
  const o = [];
  let diffs = 0;
  for (let i = 0; i < REPS; i++) {
    g.push(timed(() => plainGit(repo)).ms);
    const run = timed(() => ours(repo));
    o.push(run.ms);
    diffs = run.out;
  }
  const gm = median(g);
  const om = median(o);
  const ratio = Math.round((om / gm) * 100) / 100;
  results.history_300_versions = {
    unit: 'ms',
    versions: VERSIONS,
    promptKB: KB,
    diffs,
    ours: om,
    plainGitLogShow: gm,
    oursOverGit: ratio,
    reps: REPS,
    summary: `node dist/cli.js history --json, ${VERSIONS} versions of a ${KB} KB prompt (whole process): ${f1(om)} ms | git log + ${VERSIONS}× git show ${f1(gm)} ms -> ours/git = ${ratio}× (target ≤ 3×)`,
  };
  console.log(`history_300_versions: ${results.history_300_versions.summary}`);
} finally {
  if (process.argv.includes('--keep')) console.log(`kept ${path.join(dir, 'repo')}`);
  else rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(results));
