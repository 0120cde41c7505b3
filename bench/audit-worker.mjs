// Audit worker round trip and host stall: a plain Node process plays the extension host. It starts the built
// dist/audit-worker.js, opens a prompt (100 KB, then 1 MB), applies 200 single-character edits (each followed by an
// audit request, as the extension does after its debounce) and records, per edit, the worker's time for the updated
// audit (apply the edit + audit) and the round trip, plus the longest event-loop stall of this (host) thread.
// Baselines timed in the same run: a full re-encode of the same text with js-tiktoken and with tiktoken (WASM), which
// is what every keystroke would cost without incremental tokenization, and the worker's full tokenize+audit on open.
// Usage: node bench/audit-worker.mjs [--edits N] [--mb SIZE]   (after `npm run build`)
// Prints figures and one final JSON line with one named entry per figure (merged into bench/results.json).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { rng } from './tokenizer-corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workerPath = path.join(root, 'dist', 'audit-worker.js');
if (!existsSync(workerPath)) {
  console.error('dist/audit-worker.js is missing: run `npm run build` first');
  process.exit(1);
}
const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const EDITS = arg('--edits', 200);
const SIZES = process.argv.includes('--mb') ? [arg('--mb', 1)] : [100 / 1024, 1];
const require = createRequire(import.meta.url);

function makePrompt(bytes) {
  const r = rng(42);
  const words = 'the model cache prefix token request system tool user answer must should never always return json schema field value example step context policy'.split(' ');
  const parts = ['---\nmode: agent\ndescription: benchmark prompt\n---\n# System\n\nYou are a careful assistant.\n\n'];
  let size = parts[0].length;
  let i = 0;
  while (size < bytes) {
    let block;
    const k = i++ % 3;
    if (k === 0) {
      const n = 20 + Math.floor(r() * 60);
      block = Array.from({ length: n }, () => words[Math.floor(r() * words.length)]).join(' ') + '.\n\n';
    } else if (k === 1) {
      block = '```ts\nexport function step' + i + '(input: string): number {\n  return input.length * ' + Math.floor(r() * 1000) + ';\n}\n```\n\n';
    } else {
      block = JSON.stringify({ name: `tool_${i}`, description: words.slice(0, 8).join(' '), parameters: { type: 'object', properties: { q: { type: 'string' } } } }, null, 2) + '\n\n';
    }
    parts.push(block);
    size += block.length;
  }
  return parts.join('').slice(0, bytes);
}

const uri = 'file:///bench/big.prompt.md';

/** Longest gap between 1 ms timer ticks (beyond the interval) while `work` runs. */
async function watchStalls(work) {
  let last = performance.now();
  let max = 0;
  const t = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last - 1);
    last = now;
  }, 1);
  try {
    const value = await work();
    return { value, maxStallMs: max };
  } finally {
    clearInterval(t);
  }
}

function medianOf(reps, fn) {
  const t = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

async function benchSize(text) {
  // Control, timed in the same run: the same stall probe with the host idle for 1 s. On a loaded 2-core machine the
  // OS alone causes gaps of tens of ms; the figures below are meaningful relative to this one.
  const idle = await watchStalls(() => new Promise((r) => setTimeout(r, 1000)));

  // Host-thread stall: the phases' own probes (opening, editing), and the event-loop histogram over the whole run.
  const hist = monitorEventLoopDelay({ resolution: 1 });
  hist.enable();

  const t0 = performance.now();
  const worker = new Worker(workerPath);
  const pending = new Map();
  let nextId = 1;
  let workerStartupMs = 0;
  const ready = new Promise((resolve) => {
    worker.on('message', (m) => {
      if (m.type === 'ready') {
        workerStartupMs = m.startupMs;
        resolve();
        return;
      }
      const p = pending.get(m.requestId);
      if (p) {
        pending.delete(m.requestId);
        if (m.type === 'error') p.reject(new Error(m.message));
        else p.resolve(m);
      } else if (m.type === 'error' || m.type === 'resync') {
        console.error('worker:', m);
      }
    });
  });
  worker.on('error', (e) => {
    console.error(e);
    process.exit(1);
  });
  const request = (msg) =>
    new Promise((resolve, reject) => {
      const requestId = nextId++;
      pending.set(requestId, { resolve, reject });
      worker.postMessage({ ...msg, requestId });
    });

  let version = 1;
  const openPhase = await watchStalls(async () => {
  await ready;
  const spawnMs = performance.now() - t0;
  worker.postMessage({ type: 'configure', settings: { provider: 'openai', model: '', encoding: 'auto', pricePerMillionTokens: null } });
  const tOpen = performance.now();
  worker.postMessage({ type: 'open', uri, fileName: 'big.prompt.md', version, text });
  worker.postMessage({ type: 'setBaseline', uri, baseline: { text, label: 'bench baseline' } });
  const first = await request({ type: 'audit', uri, version, full: false });
  const openMs = performance.now() - tOpen;
  const tFull = performance.now();
  await request({ type: 'audit', uri, version, full: true });
  const fullAuditMs = performance.now() - tFull;
  return { spawnMs, first, openMs, fullAuditMs };
  });
  const { spawnMs, first, openMs, fullAuditMs } = openPhase.value;

  // Reset the stall measure: the figures that matter are while the file is opened and edited, both included.
  const r = rng(7);
  let doc = text;
  const rtts = [];
  const workerMs = [];
  let incremental = 0;
  const editPhase = await watchStalls(async () => {
  for (let i = 0; i < EDITS; i++) {
    const offset = Math.floor(r() * doc.length);
    const insert = i % 2 === 0;
    const edit = insert ? { offset, deleteLength: 0, text: 'abcdefghij'[i % 10] } : { offset, deleteLength: 1, text: '' };
    doc = doc.slice(0, edit.offset) + edit.text + doc.slice(edit.offset + edit.deleteLength);
    version++;
    const ts = performance.now();
    worker.postMessage({ type: 'change', uri, version, edits: [edit] });
    const ans = await request({ type: 'audit', uri, version, full: false });
    rtts.push(performance.now() - ts);
    // Work inside the worker: applying the edit (re-extract + incremental tokenize) and the audit itself.
    workerMs.push(ans.result.timings.tokenizeMs + ans.result.timings.totalMs);
    if (ans.result.timings.incremental) incremental++;
    if (ans.version !== version) throw new Error(`stale answer ${ans.version} != ${version}`);
  }
  });
  // One last full audit of the edited text, checked against a fresh open of the same text (exactness guard).
  const last = await request({ type: 'audit', uri, version, full: true });
  worker.postMessage({ type: 'open', uri: uri + '#check', fileName: 'big.prompt.md', version: 1, text: doc });
  worker.postMessage({ type: 'setBaseline', uri: uri + '#check', baseline: { text, label: 'bench baseline' } });
  const check = await request({ type: 'audit', uri: uri + '#check', version: 1, full: true });
  const consistent = last.result.diff.new.tokens === check.result.diff.new.tokens && last.result.diff.firstDivergentToken === check.result.diff.firstDivergentToken;

  hist.disable();
  await worker.terminate();
  // The control again, after the run: machine load drifts during a run.
  const idleAfter = await watchStalls(() => new Promise((r) => setTimeout(r, 1000)));

  const sorted = [...rtts].sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const median = q(0.5);
  const p95 = q(0.95);
  const maxStallMs = Math.max(openPhase.maxStallMs, editPhase.maxStallMs, hist.max / 1e6 - 1);
  // Baselines, after the worker is gone (so they do not share the CPU with it): a full re-encode per keystroke.
  const { get_encoding } = require('tiktoken');
  const { Tiktoken: JsTiktoken } = require('js-tiktoken/lite');
  const tk = get_encoding('o200k_base');
  const jsTk = new JsTiktoken(require('js-tiktoken/ranks/o200k_base'));
  const reps = text.length > 500_000 ? 2 : 5;
  const fullReencode = { jsTiktoken: medianOf(reps, () => jsTk.encode(doc, [], [])), tiktokenWasm: medianOf(reps, () => tk.encode(doc, [], [])) };
  tk.free();
  const workerSorted = [...workerMs].sort((a, b) => a - b);
  const wq = (p) => workerSorted[Math.min(workerSorted.length - 1, Math.floor(p * workerSorted.length))];

  const result = {
    promptBytes: text.length,
    tokens: first.result.diff.new.tokens,
    edits: EDITS,
    workerSpawnMs: +spawnMs.toFixed(1),
    workerStartupMs: +workerStartupMs.toFixed(1),
    openAndFirstAuditMs: +openMs.toFixed(1),
    fullAuditMs: +fullAuditMs.toFixed(1),
    roundTripMedianMs: +median.toFixed(2),
    roundTripP95Ms: +p95.toFixed(2),
    roundTripMaxMs: +sorted[sorted.length - 1].toFixed(2),
    workerComputeMedianMs: +wq(0.5).toFixed(2),
    workerComputeP95Ms: +wq(0.95).toFixed(2),
    fullReencodeMs: { jsTiktoken: +fullReencode.jsTiktoken.toFixed(1), tiktokenWasm: +fullReencode.tiktokenWasm.toFixed(1) },
    incrementalEdits: incremental,
    maxMainThreadStallMs: +maxStallMs.toFixed(1),
    maxStallWhileOpeningMs: +openPhase.maxStallMs.toFixed(1),
    maxStallWhileEditingMs: +editPhase.maxStallMs.toFixed(1),
    idleControlStallMs: +Math.max(idle.maxStallMs, idleAfter.maxStallMs).toFixed(1),
    // Ratios against the baseline timed in this run (full tokenize+audit on open, which an in-host audit would block for).
    openVsRoundTripRatio: +(openMs / median).toFixed(1),
    openVsStallRatio: +(openMs / Math.max(maxStallMs, 0.1)).toFixed(1),
    // A keystroke's updated audit against a full re-encode of the text (what a non-incremental tokenizer would pay).
    vsJsTiktoken: +(fullReencode.jsTiktoken / wq(0.5)).toFixed(1),
    vsTiktoken: +(fullReencode.tiktokenWasm / wq(0.5)).toFixed(1),
    findingsAfterEdits: last.result.diff.findings.length,
    consistentWithFreshOpen: consistent,
  };
  console.log(`prompt: ${(text.length / 1048576).toFixed(2)} MB, ${result.tokens} tokens; worker start ${result.workerSpawnMs} ms`);
  console.log(`open + first audit (full tokenize, in the worker): ${result.openAndFirstAuditMs} ms; full audit with lint: ${result.fullAuditMs} ms`);
  console.log(`${EDITS} single-character edits: round trip median ${result.roundTripMedianMs} ms, p95 ${result.roundTripP95Ms} ms, max ${result.roundTripMaxMs} ms (${incremental} incremental; worker compute median ${result.workerComputeMedianMs} ms, p95 ${result.workerComputeP95Ms} ms)`);
  console.log(`largest host event-loop stall: ${result.maxMainThreadStallMs} ms overall; opening ${result.maxStallWhileOpeningMs} ms, editing ${result.maxStallWhileEditingMs} ms; idle control (same probe, host idle, before and after) ${result.idleControlStallMs} ms`);
  console.log(`ratios: open / median round trip ${result.openVsRoundTripRatio}×, open / largest stall ${result.openVsStallRatio}×`);
  console.log(`incremental result equals a fresh open of the edited text: ${consistent}`);
  return result;
}

const figures = {};
const f = (x) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
for (const mb of SIZES) {
  const bytes = Math.round(mb * 1024 * 1024);
  const label = bytes >= 1024 * 1024 ? `${+(bytes / 1048576).toFixed(1)}mb` : `${Math.round(bytes / 1024)}kb`;
  console.log(`\n== ${label} ==`);
  const r = await benchSize(makePrompt(bytes));
  figures[`audit_edit_${label}`] = {
    unit: 'ms',
    ...r,
    summary:
      `single-char edit -> updated audit in the worker: median ${f(r.workerComputeMedianMs)} ms, p95 ${f(r.workerComputeP95Ms)} ms; ` +
      `round trip from the host median ${f(r.roundTripMedianMs)} ms, p95 ${f(r.roundTripP95Ms)} ms | full re-encode js-tiktoken ${f(r.fullReencodeMs.jsTiktoken)} ms -> ${r.vsJsTiktoken}x | tiktoken WASM ${f(r.fullReencodeMs.tiktokenWasm)} ms -> ${r.vsTiktoken}x`,
  };
  if (label === '100kb') {
    // What a user waits for when opening the first prompt: the worker starts, loads the encoder, audits.
    const ms = r.workerSpawnMs + r.openAndFirstAuditMs;
    figures.first_audit_100kb_extension = {
      unit: 'ms',
      totalMs: +ms.toFixed(1),
      workerSpawnMs: r.workerSpawnMs,
      openAndFirstAuditMs: r.openAndFirstAuditMs,
      fullReencodeJsTiktokenMs: r.fullReencodeMs.jsTiktoken,
      summary: `first audit of a 100 KB prompt in the extension (worker start, encoder load, tokenize, audit): ${f(ms)} ms (worker start ${f(r.workerSpawnMs)} ms) | one js-tiktoken encode of the text alone, encoder already loaded: ${f(r.fullReencodeMs.jsTiktoken)} ms`,
    };
  }
  if (bytes >= 1024 * 1024) {
    figures[`host_stall_${label}`] = {
      unit: 'ms',
      maxStallMs: r.maxMainThreadStallMs,
      whileOpeningMs: r.maxStallWhileOpeningMs,
      whileEditingMs: r.maxStallWhileEditingMs,
      idleControlMs: r.idleControlStallMs,
      openInHostMs: r.openAndFirstAuditMs,
      vsOpenInHost: r.openVsStallRatio,
      summary: `largest host event-loop stall while a ${label} prompt is opened and edited: ${f(r.maxMainThreadStallMs)} ms (idle control ${f(r.idleControlStallMs)} ms) | tokenize+audit on the host thread would block ${f(r.openAndFirstAuditMs)} ms -> ${r.openVsStallRatio}x`,
    };
  }
}
for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${v.summary}`);
console.log(JSON.stringify(figures));
