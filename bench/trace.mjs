// `prompt-cache-audit trace` on a large Claude Code session (`node bench/trace.mjs`, also run by bench/run.mjs):
// - a generated ~100 MB session (tool results, thinking, compactions every ~150k tokens of history), audited as a
//   whole CLI process (`trace --json`): seconds, MB/s;
// - the same trace against a naive baseline that re-tokenizes the whole history on every call with tiktoken (WASM):
//   timed in this run on a ~6 MB session (both sides on the same file), and extrapolated to the 100 MB one by the
//   history bytes the naive approach would tokenize (it is quadratic; ours tokenizes each distinct block once).
// Prints figures as ratios and one final JSON line {"trace_claude_100mb": {...}}. Never fails on timing.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const cli = path.join(root, 'dist', 'cli.js');
const targetMb = Number(process.env.BENCH_TRACE_MB ?? 100);
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
const WORDS = Array.from({ length: 3000 }, (_, i) => {
  let w = '';
  let n = 2 + (i % 9);
  let s = i * 7919 + 13;
  while (n--) w += String.fromCharCode(97 + ((s = (s * 48271) % 2147483647) % 26));
  return w;
});
const text = (bytes) => {
  let out = '';
  while (out.length < bytes) {
    const r = rand();
    out += r < 0.08 ? '\n  ' : r < 0.12 ? '(); ' : r < 0.15 ? ' = ' : ' ';
    out += WORDS[Math.floor(rand() * WORDS.length)];
  }
  return out;
};

/** Writes a Claude Code session of about `mb` megabytes; returns its calls and the history bytes a naive audit re-reads. */
async function generate(file, mb) {
  const out = createWriteStream(file);
  const write = (o) => new Promise((res) => (out.write(JSON.stringify(o) + '\n') ? res() : out.once('drain', res)));
  let t = Date.parse('2026-10-01T08:00:00Z');
  let parent = null;
  let n = 0;
  let bytes = 0;
  let calls = 0;
  let history = 0; // bytes of the current history (what one naive call re-tokenizes)
  let naiveBytes = 0;
  let read = 18000;
  let writeTok = 0;
  const base = (type) => {
    t += 1500;
    const uuid = `u-${++n}`;
    const l = { parentUuid: parent, isSidechain: false, userType: 'external', cwd: '/repo', sessionId: 'bench', version: '2.0.30', gitBranch: 'main', type, uuid, timestamp: new Date(t).toISOString() };
    parent = uuid;
    return l;
  };
  const line = async (o, contentBytes) => {
    const s = JSON.stringify(o);
    bytes += s.length + 1;
    history += contentBytes;
    await write(o);
  };
  await line({ ...base('user'), message: { role: 'user', content: text(400) } }, 400);
  while (bytes < mb * 1e6) {
    calls++;
    naiveBytes += history;
    const thinking = text(300 + rand() * 800);
    const reply = text(100 + rand() * 400);
    const cmd = text(60);
    const id = `msg_${calls}`;
    const usage = { input_tokens: 3, cache_creation_input_tokens: writeTok, cache_read_input_tokens: read, cache_creation: { ephemeral_5m_input_tokens: writeTok, ephemeral_1h_input_tokens: 0 }, output_tokens: 200, service_tier: 'standard' };
    for (const block of [{ type: 'thinking', thinking, signature: 'sig' }, { type: 'text', text: reply }, { type: 'tool_use', id: `t${calls}`, name: 'Bash', input: { command: cmd } }]) {
      await line({ ...base('assistant'), requestId: `req_${calls}`, message: { model: 'claude-opus-4-6', id, type: 'message', role: 'assistant', content: [block], stop_reason: null, stop_sequence: null, usage } }, JSON.stringify(block).length);
    }
    const result = text(8000 + rand() * 50000);
    await line({ ...base('user'), message: { role: 'user', content: [{ tool_use_id: `t${calls}`, type: 'tool_result', content: result }] } }, result.length + 60);
    read += writeTok;
    writeTok = Math.round((thinking.length + reply.length + result.length) / 4);
    if (history > 600_000) {
      // Compaction: the history restarts from a summary.
      const b = base('system');
      b.parentUuid = null;
      await line({ ...b, subtype: 'compact_boundary', content: 'Conversation compacted', compactMetadata: { trigger: 'auto', preTokens: read + writeTok } }, 0);
      history = 0;
      await line({ ...base('user'), message: { role: 'user', content: text(3000) }, isCompactSummary: true }, 3000);
      read = 18000;
      writeTok = 1000;
    }
  }
  await new Promise((res) => out.end(res));
  return { calls, naiveBytes };
}

/** The naive audit: for every call, tokenize its whole history again with tiktoken. */
function naive(file) {
  const { get_encoding } = require('tiktoken');
  const enc = get_encoding('o200k_base');
  const fs = require('node:fs');
  const t0 = performance.now();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const texts = new Map();
  let tokens = 0;
  const seen = new Set();
  for (const l of lines) {
    if (!l) continue;
    const o = JSON.parse(l);
    if (o.type === 'system' && o.subtype === 'compact_boundary') {
      texts.set(o.uuid, []);
      continue;
    }
    const prev = (o.parentUuid && texts.get(o.parentUuid)) || [];
    const blocks = o.message ? (Array.isArray(o.message.content) ? o.message.content : [{ type: 'text', text: o.message.content }]) : [];
    const mine = prev.concat(blocks.map((b) => JSON.stringify(b)));
    texts.set(o.uuid, mine);
    if (o.type === 'assistant' && o.message?.usage && !seen.has(o.message.id)) {
      seen.add(o.message.id);
      for (const s of prev) tokens += enc.encode(s, [], []).length;
    }
  }
  enc.free();
  return { ms: performance.now() - t0, tokens };
}

// CPU time of the child too (GNU time, when installed): on a shared machine wall time also counts other processes' turns.
const gnuTime = existsSync('/usr/bin/time');
function ours(file) {
  const t0 = performance.now();
  const args = [cli, 'trace', file, '--json'];
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`trace exited ${r.status}: ${(r.stderr || '').split('\n')[0]}`);
  const cpu = gnuTime ? (r.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
  const s = JSON.parse(r.stdout).sessions[0];
  return { ms, cpuMs: cpu.length === 2 ? (cpu[0] + cpu[1]) * 1000 : null, calls: s.calls.length, breaks: s.totals.breaks };
}

if (process.argv[2] === '--generate') {
  // `node bench/trace.mjs --generate <file> <MB>`: only write the session (for profiling).
  console.log(JSON.stringify(await generate(process.argv[3], Number(process.argv[4] ?? 10))));
  process.exit(0);
}
if (!existsSync(cli)) {
  console.log(JSON.stringify({ trace_claude_100mb: { error: 'dist/cli.js is missing: npm run build' } }));
  process.exit(0);
}
const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-bench-trace-'));
try {
  const small = path.join(dir, 'small.jsonl');
  const big = path.join(dir, 'big.jsonl');
  const gs = await generate(small, 6);
  seed = 7;
  const gb = await generate(big, targetMb);
  const mbSmall = statSync(small).size / 1e6;
  const mbBig = statSync(big).size / 1e6;
  const n = naive(small);
  const o = ours(small);
  const ob = ours(big);
  const naiveBig = (n.ms / gs.naiveBytes) * gb.naiveBytes;
  const entry = {
    unit: 'ms',
    sessionMb: Math.round(mbBig * 10) / 10,
    calls: ob.calls,
    breaks: ob.breaks,
    oursMs: ob.ms,
    oursCpuMs: ob.cpuMs,
    oursMbPerS: mbBig / (ob.ms / 1000),
    under10s: ob.ms < 10_000,
    loadavg: os.loadavg(),
    small: { mb: Math.round(mbSmall * 10) / 10, calls: o.calls, oursMs: o.ms, naiveTiktokenMs: n.ms, naiveTokens: n.tokens, vsNaive: Math.round((n.ms / o.ms) * 100) / 100 },
    naiveTiktokenMsExtrapolated: naiveBig,
    vsNaive: Math.round((naiveBig / ob.ms) * 100) / 100,
  };
  entry.summary =
    `trace --json on a ${f1(mbBig)} MB Claude Code session (${ob.calls} calls): ${f1(ob.ms / 1000)} s (${f1(entry.oursMbPerS)} MB/s, whole process${ob.cpuMs !== null ? `; CPU ${f1(ob.cpuMs / 1000)} s` : ''}; load ${os.loadavg()[0].toFixed(1)}) | ` +
    `naive re-tokenize-every-call with tiktoken WASM: ${f1(n.ms)} ms vs ours ${f1(o.ms)} ms on ${f1(mbSmall)} MB (${o.calls} calls) -> ${entry.small.vsNaive}x; ` +
    `extrapolated to ${f1(mbBig)} MB ~${f1(naiveBig / 1000)} s -> ${entry.vsNaive}x`;
  console.log(`trace_claude_100mb: ${entry.summary}`);
  console.log(JSON.stringify({ trace_claude_100mb: entry }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
