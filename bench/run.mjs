// Tokenizer benchmark (`npm run bench` = build, then this). Prints each figure as a ratio against baselines
// timed in the same run, and writes bench/results.json with one named entry per figure. Never fails on timing.
// Our code is loaded from the dist/tokenizer.js bundle (built by scripts/build.mjs, with dist/ranks/*.bin).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePrompt } from './tokenizer-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');

const bundle = path.join(root, 'dist', 'tokenizer.js');
if (!existsSync(bundle)) {
  // The build may have stopped on an unrelated entry; bundle just the tokenizer so the bench still runs.
  const esbuild = require('esbuild');
  esbuild.buildSync({ entryPoints: [path.join(root, 'bench/tokenizer-api.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'warning' });
}
const ours = require(bundle);
const { get_encoding } = require('tiktoken');
const gptO200k = require('gpt-tokenizer/encoding/o200k_base');
const { Tiktoken: JsTiktoken } = require('js-tiktoken/lite');

const results = {};
const lines = [];
function record(name, entry) {
  results[name] = entry;
  lines.push(`${name}: ${entry.summary}`);
  console.log(`${name}: ${entry.summary}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
function time(fn, reps) {
  const t = [];
  let out;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = fn();
    t.push(performance.now() - t0);
  }
  return { ms: median(t), all: t, out };
}
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (base, x) => Math.round((base / x) * 100) / 100;
/** For each `node -e` script (printing one number of ms), the median over `reps` fresh processes. */
function freshProcessMedians(scripts, reps) {
  const ms = {};
  for (const [k, src] of Object.entries(scripts)) {
    const xs = [];
    for (let i = 0; i < reps; i++) xs.push(Number(execFileSync(process.execPath, ['-e', src], { cwd: root }).toString().trim()));
    ms[k] = median(xs);
  }
  return ms;
}
function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? null : n;
}

const ENC = 'o200k_base';
const enc = ours.getEncoder(ENC);
const tk = get_encoding(ENC);
const jsTk = new JsTiktoken(require('js-tiktoken/ranks/o200k_base'));
const tkEncode = (s) => tk.encode(s, [], []);
const gptEncode = (s) => gptO200k.encode(s);
const jsEncode = (s) => jsTk.encode(s, [], []);

const prompt1m = makePrompt(1_000_000, 1);
const prompt100k = prompt1m.slice(0, 100_000);
// Sanity: the figures compare like with like only if the ids agree.
{
  const a = enc.encode(prompt100k);
  const b = tkEncode(prompt100k);
  if (firstDiff(a, b) !== null) throw new Error('ids differ from tiktoken on the bench prompt');
}

// 1. Full 1 MB encode throughput.
{
  const MB = Buffer.byteLength(prompt1m) / 1e6;
  const cold = time(() => ours.getEncoder('cl100k_base').encode(prompt1m), 1).ms; // first use of cl100k: empty piece cache
  const o = time(() => enc.encode(prompt1m), quick ? 3 : 7);
  const t = time(() => tkEncode(prompt1m), quick ? 2 : 5);
  const g = time(() => gptEncode(prompt1m), quick ? 2 : 5);
  record('full_encode_1mb', {
    unit: 'MB/s',
    ours: MB / (o.ms / 1000),
    oursColdCl100k: MB / (cold / 1000),
    tiktokenWasm: MB / (t.ms / 1000),
    gptTokenizer: MB / (g.ms / 1000),
    ms: { ours: o.ms, oursColdCl100k: cold, tiktokenWasm: t.ms, gptTokenizer: g.ms },
    vsTiktoken: ratio(t.ms, o.ms),
    vsGptTokenizer: ratio(g.ms, o.ms),
    summary: `ours ${f1(MB / (o.ms / 1000))} MB/s (${f1(o.ms)} ms; first-ever encode with empty cache ${f1(cold)} ms, cl100k) | tiktoken WASM ${f1(MB / (t.ms / 1000))} MB/s -> ${ratio(t.ms, o.ms)}x | gpt-tokenizer ${f1(MB / (g.ms / 1000))} MB/s -> ${ratio(g.ms, o.ms)}x`,
  });
}

// 2. Core tokenize + diff of two versions (an edit in the middle), 100 KB and 1 MB.
for (const [label, text] of [['100kb', prompt100k], ['1mb', prompt1m]]) {
  const mid = text.indexOf(' ', text.length >> 1);
  const changed = text.slice(0, mid) + ' really' + text.slice(mid);
  const reps = quick ? 3 : label === '1mb' ? 5 : 15;
  const run = (fn) => time(() => firstDiff(fn(text), fn(changed)), reps);
  const o = run((s) => enc.tokenize(s).ids);
  const t = run(tkEncode);
  const g = run(gptEncode);
  if (o.out !== t.out) throw new Error(`first divergent token differs: ${o.out} vs ${t.out}`);
  record(`tokenize_diff_${label}`, {
    unit: 'ms',
    ours: o.ms,
    tiktokenWasm: t.ms,
    gptTokenizer: g.ms,
    firstDivergentToken: o.out,
    vsTiktoken: ratio(t.ms, o.ms),
    vsGptTokenizer: ratio(g.ms, o.ms),
    summary: `tokenize both versions + first divergent token (#${o.out}): ours ${f1(o.ms)} ms | tiktoken WASM ${f1(t.ms)} ms -> ${ratio(t.ms, o.ms)}x | gpt-tokenizer ${f1(g.ms)} ms -> ${ratio(g.ms, o.ms)}x`,
  });
}

// 3. Single-character edits through the incremental tokenizer alone (the whole updated audit, in the audit worker,
// is bench/audit-worker.mjs's audit_edit_* figures).
for (const [label, text] of [['100kb', prompt100k], ['1mb', prompt1m]]) {
  const inc = new ours.IncrementalTokenizer(ours.getBpeEncoder(ENC), text);
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
  const times = [];
  const n = quick ? 200 : 1000;
  for (let i = 0; i < n; i++) {
    const len = inc.text.length;
    const off = Math.floor(rand() * len);
    const k = rand();
    const t0 = performance.now();
    // insert, delete or replace one char; the result carries the first divergent token
    const r = k < 0.4 ? inc.applyEdit(off, 0, 'x') : k < 0.7 ? inc.applyEdit(off, Math.min(1, len - off), '') : inc.applyEdit(off, Math.min(1, len - off), 'e');
    times.push(performance.now() - t0);
    if (r.firstChangedToken < 0) throw new Error('bad result');
  }
  const final = inc.text;
  const j = time(() => jsEncode(final), label === '1mb' ? (quick ? 1 : 2) : 5).ms;
  const t = time(() => tkEncode(final), quick ? 2 : 5).ms;
  if (firstDiff(inc.ids, tkEncode(final)) !== null) throw new Error('incremental ids differ from tiktoken after the edits');
  const med = median(times);
  const p95 = pct(times, 95);
  record(`tokenizer_edit_${label}`, {
    unit: 'ms',
    median: med,
    p95,
    edits: n,
    fullReencode: { jsTiktoken: j, tiktokenWasm: t },
    vsJsTiktoken: ratio(j, med),
    vsTiktoken: ratio(t, med),
    summary: `tokenizer only, updated ids + first divergent token: median ${f1(med)} ms, p95 ${f1(p95)} ms over ${n} edits | full re-encode js-tiktoken ${f1(j)} ms -> ${ratio(j, med)}x | tiktoken WASM ${f1(t)} ms -> ${ratio(t, med)}x`,
  });
}

// 3b. Typing: consecutive one-char insertions at one place in 1 MB (the editor's common case).
{
  const inc = new ours.IncrementalTokenizer(ours.getBpeEncoder(ENC), prompt1m);
  const sentence = "Don't forget: the model's cache is keyed by the exact token prefix, so edit late sections only. ";
  let at = prompt1m.indexOf('\n\n', 400_000) + 2;
  const times = [];
  for (let i = 0; i < (quick ? 200 : 1000); i++) {
    const ch = sentence[i % sentence.length];
    const t0 = performance.now();
    inc.applyEdit(at++, 0, ch);
    times.push(performance.now() - t0);
  }
  if (firstDiff(inc.ids, tkEncode(inc.text)) !== null) throw new Error('incremental ids differ from tiktoken after typing');
  const med = median(times);
  const p95 = pct(times, 95);
  const full = results.tokenizer_edit_1mb?.fullReencode ?? {};
  record('typing_1mb', {
    unit: 'ms',
    median: med,
    p95,
    edits: times.length,
    vsJsTiktoken: full.jsTiktoken ? ratio(full.jsTiktoken, med) : undefined,
    vsTiktoken: full.tiktokenWasm ? ratio(full.tiktokenWasm, med) : undefined,
    summary: `typing ${times.length} chars at one place in 1 MB: median ${f1(med)} ms, p95 ${f1(p95)} ms per keystroke (updated ids + first divergent token) | vs full re-encode js-tiktoken ${full.jsTiktoken ? ratio(full.jsTiktoken, med) : '?'}x, tiktoken WASM ${full.tiktokenWasm ? ratio(full.tiktokenWasm, med) : '?'}x`,
  });
}

// 4. A 200,000-char unbroken run (one pre-token): heap merge vs tiktoken's quadratic merge.
{
  const entry = { unit: 'ms' };
  const parts = [];
  for (const [unit, label] of [['a', 'letters'], [' ', 'spaces']]) {
    const text = unit.repeat(200_000);
    const first = time(() => enc.encode(text), 1).ms; // includes the heap merge's first (unoptimized) run
    const o = time(() => enc.encode(text), 5).ms;
    // CPU time too: on a shared 2-core machine wall time also counts other processes' turns.
    const c0 = process.cpuUsage();
    enc.encode(text);
    const cu = process.cpuUsage(c0);
    const cpu = (cu.user + cu.system) / 1000;
    // tiktoken takes ~35 s at 200K: time it at 10K and 20K and extrapolate quadratically (a*n^2 fit on 20K).
    const t10 = time(() => tkEncode(unit.repeat(10_000)), 1).ms;
    const t20 = time(() => tkEncode(unit.repeat(20_000)), 1).ms;
    const t200 = t20 * 100;
    entry[label] = { ours: o, oursFirstRun: first, oursCpuMs: cpu, tiktokenWasm10k: t10, tiktokenWasm20k: t20, tiktokenWasm200kExtrapolated: t200, vsTiktoken: ratio(t200, o) };
    parts.push(`${label}: ours ${f1(o)} ms (first run ${f1(first)} ms, CPU ${f1(cpu)} ms) | tiktoken WASM ${f1(t20)} ms at 20K (${f1(t10)} at 10K), ~${f1(t200 / 1000)} s at 200K extrapolated (x100, quadratic) -> ${ratio(t200, o)}x`);
  }
  entry.summary = parts.join(' ; ');
  record('run_200k', entry);
}

// 5. Encoder start-up in a fresh process: load + first encode of a short string.
{
  const scripts = {
    ours: `const t0=performance.now();const m=require(${JSON.stringify(bundle)});m.getEncoder('o200k_base').encode('hello world');console.log(performance.now()-t0)`,
    jsTiktoken: `const t0=performance.now();const {Tiktoken}=require('js-tiktoken/lite');new Tiktoken(require('js-tiktoken/ranks/o200k_base')).encode('hello world');console.log(performance.now()-t0)`,
    tiktokenWasm: `const t0=performance.now();require('tiktoken').get_encoding('o200k_base').encode('hello world');console.log(performance.now()-t0)`,
  };
  const ms = freshProcessMedians(scripts, quick ? 2 : 5);
  record('encoder_startup', {
    unit: 'ms',
    ...ms,
    vsJsTiktoken: ratio(ms.jsTiktoken, ms.ours),
    vsTiktoken: ratio(ms.tiktokenWasm, ms.ours),
    summary: `fresh process, load o200k_base + first encode: ours ${f1(ms.ours)} ms | js-tiktoken ${f1(ms.jsTiktoken)} ms -> ${ratio(ms.jsTiktoken, ms.ours)}x | tiktoken WASM ${f1(ms.tiktokenWasm)} ms -> ${ratio(ms.tiktokenWasm, ms.ours)}x`,
  });
}

// 5b. Cold 1 MB encode in a fresh process (empty piece cache, unoptimized code): load + encode.
{
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-bench-'));
  try {
    const file = path.join(dir, 'prompt.txt');
    writeFileSync(file, prompt1m);
    const read = `require('fs').readFileSync(${JSON.stringify(file)},'utf8')`;
    const scripts = {
      ours: `const s=${read};const t0=performance.now();require(${JSON.stringify(bundle)}).getEncoder('o200k_base').encode(s);console.log(performance.now()-t0)`,
      tiktokenWasm: `const s=${read};const t0=performance.now();require('tiktoken').get_encoding('o200k_base').encode(s,[],[]);console.log(performance.now()-t0)`,
      gptTokenizer: `const s=${read};const t0=performance.now();require('gpt-tokenizer/encoding/o200k_base').encode(s);console.log(performance.now()-t0)`,
    };
    const ms = freshProcessMedians(scripts, quick ? 1 : 3);
    record('cold_encode_1mb_fresh_process', {
      unit: 'ms',
      ...ms,
      vsTiktoken: ratio(ms.tiktokenWasm, ms.ours),
      vsGptTokenizer: ratio(ms.gptTokenizer, ms.ours),
      summary: `fresh process, load o200k_base + encode 1 MB once: ours ${f1(ms.ours)} ms | tiktoken WASM ${f1(ms.tiktokenWasm)} ms -> ${ratio(ms.tiktokenWasm, ms.ours)}x | gpt-tokenizer ${f1(ms.gptTokenizer)} ms -> ${ratio(ms.gptTokenizer, ms.ours)}x`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 6. Whole CLI process: `prompt-cache-audit diff a b --json` on two 1 MB versions vs a plain tiktoken script.
const cli = path.join(root, 'dist', 'cli.js');
if (existsSync(cli)) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-bench-'));
  try {
    const a = path.join(dir, 'old.md');
    const b = path.join(dir, 'new.md');
    const mid = prompt1m.indexOf(' ', 500_000);
    writeFileSync(a, prompt1m);
    writeFileSync(b, prompt1m.slice(0, mid) + ' really' + prompt1m.slice(mid));
    const plain = path.join(dir, 'plain.cjs');
    writeFileSync(
      plain,
      `const fs=require('fs');const {get_encoding}=require(${JSON.stringify(require.resolve('tiktoken'))});const e=get_encoding('o200k_base');` +
        `const x=e.encode(fs.readFileSync(process.argv[2],'utf8'),[],[]);const y=e.encode(fs.readFileSync(process.argv[3],'utf8'),[],[]);` +
        `let i=0;const n=Math.min(x.length,y.length);while(i<n&&x[i]===y[i])i++;console.log(JSON.stringify({firstDivergentToken:i}));`,
    );
    const runProc = (args) => {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
      return { ms: performance.now() - t0, status: r.status, stderr: r.stderr };
    };
    const c = [], p = [];
    let status = 0;
    let err = '';
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      const r = runProc([cli, 'diff', a, b, '--json']);
      c.push(r.ms);
      if (r.status !== 0) {
        status = r.status;
        err = r.stderr.split('\n')[0];
      }
      p.push(runProc([plain, a, b]).ms);
    }
    const cm = median(c);
    const pm = median(p);
    record('cli_diff_1mb_process', {
      unit: 'ms',
      cli: cm,
      plainTiktokenScript: pm,
      cliExitStatus: status,
      vsPlainTiktoken: ratio(pm, cm),
      summary: `node dist/cli.js diff a b --json (two 1 MB versions, whole process): ${f1(cm)} ms${status ? ` (exit ${status}: ${err})` : ''} | plain node + tiktoken WASM script ${f1(pm)} ms -> ${ratio(pm, cm)}x`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// 7. The extension-side benches (audit worker round trip and stalls; activation and first-audit start-up),
// `history` on 300 versions of a 600 KB prompt against git's own log + show loop, and `trace` of a 100 MB Claude Code
// session against re-tokenizing every call, `lint` with git history against `lint --no-history`: each prints a final JSON line whose entries are merged into results.json.
for (const name of ['audit-worker.mjs', 'activation.mjs', 'history.mjs', 'lint-history.mjs', 'trace.mjs']) {
  const script = path.join(here, name);
  if (!existsSync(script)) continue;
  const r = spawnSync(process.execPath, [script, ...(quick && name === 'history.mjs' ? ['--reps', '1'] : [])], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  process.stdout.write(r.stdout);
  const jsonLine = r.stdout.split('\n').reverse().find((l) => l.trim().startsWith('{'));
  if (jsonLine) {
    try {
      for (const [k, v] of Object.entries(JSON.parse(jsonLine))) results[k] = v;
    } catch {
      results[name] = { error: `bench/${name} printed a line that is not JSON` };
    }
  } else if (r.status !== 0) {
    results[name] = { error: `bench/${name} exited ${r.status}: ${(r.stderr || '').split('\n')[0]}` };
  }
}

// 8. The same stall in a real VS Code, from the last e2e run (`npm run test:e2e` opens and edits a 1 MB prompt with
// the extension host's stall probe on): reported with its date, since this script does not start VS Code.
const e2eStall = path.join(root, 'test-results', 'e2e', 'host-stall-1mb.json');
if (existsSync(e2eStall)) {
  try {
    const e = JSON.parse(readFileSync(e2eStall, 'utf8'));
    record('host_stall_1mb_vscode', {
      unit: 'ms',
      ...e,
      measuredAt: statSync(e2eStall).mtime.toISOString(),
      source: 'test-results/e2e/host-stall-1mb.json (npm run test:e2e)',
      summary: `real VS Code (code-server), extension host, opening a 1 MB prompt and typing ${e.typedChars} chars: largest event-loop stall ${f1(e.maxStallMs)} ms (GC, VS Code, other extensions and CPU contention included; this extension's longest synchronous task ${e.oursMaxTaskMs === undefined ? '?' : `${f1(e.oursMaxTaskMs)} ms, ${e.oursMaxTask}`}) | the same host in the 10 s before: ${e.idleBeforeMs === null ? '?' : f1(e.idleBeforeMs)} ms; from the e2e run of ${statSync(e2eStall).mtime.toISOString().slice(0, 16)}`,
    });
  } catch (err) {
    results.host_stall_1mb_vscode = { error: `unreadable ${path.relative(root, e2eStall)}: ${err.message}` };
  }
}

const out = {
  generatedAt: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadavg: os.loadavg() },
  encoding: ENC,
  prompt: { chars: prompt1m.length, bytes: Buffer.byteLength(prompt1m), tokens: enc.encode(prompt1m).length },
  figures: results,
};
const resultsFile = path.join(here, 'results.json');
writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${path.relative(root, resultsFile)} (${Object.keys(results).length} figures)`);
