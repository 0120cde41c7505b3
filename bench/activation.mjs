// Start-up figures users feel (`node bench/activation.mjs`, also run by bench/run.mjs):
// - extension activation: require(dist/extension.js) + activate() against the `vscode` stand-in of the unit
//   tests, in fresh processes, next to what one eager encoder load would have added (js-tiktoken's), and the size
//   of the bundle activation parses (the decoder client, dist/decoder-client.js, loads on first use only);
// - first audit of a 100 KB prompt including encoder start-up: `prompt-cache-audit diff --json` as a whole
//   process, next to a bare `node` start (the floor) and a plain tiktoken (WASM) tokenize-and-compare script.
// Prints figures as ratios and one final JSON line {"activation": {...}, "first_audit_100kb_cli": {...}}. Never fails
// on timing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePrompt } from './tokenizer-corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x) => x.toFixed(1);

function nodeEval(code, args = []) {
  const r = spawnSync(process.execPath, ['-e', code, ...args], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr || `exit ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function wall(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(r.stderr || `exit ${r.status}`);
  return ms;
}

if (!existsSync(path.join(root, 'dist', 'extension.js'))) {
  console.error('bench/activation: run `npm run build` first');
  process.exit(2);
}

// Activation, measured inside a fresh process (node's own start-up excluded).
const activateCode = `
const Module = require('node:module');
const base = require('./test/unit/fixtures/vscode-stub.cjs');
// The unit tests' stand-in covers what they load; anything else activation touches becomes a no-op.
const bag = () => new Proxy({}, { get: (t, k) => (k in t ? t[k] : k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : noop), set: (t, k, v) => ((t[k] = v), true) });
const noop = new Proxy(function () {}, { get: (_t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : noop), apply: () => bag(), construct: () => bag() });
const fallback = (o) => new Proxy(o, { get: (t, k) => (t[k] !== undefined ? (t[k] && typeof t[k] === 'object' ? fallback(t[k]) : t[k]) : noop) });
// esbuild's CommonJS interop copies the module's own keys, so every name the bundle reads must exist up front.
const stub = {};
for (const k of ['window', 'workspace', 'languages', 'commands', 'extensions', 'env', 'CodeAction', 'CodeActionKind', 'ConfigurationTarget', 'Diagnostic', 'DiagnosticSeverity', 'EventEmitter', 'Hover', 'MarkdownString', 'ProgressLocation', 'Range', 'RelativePattern', 'StatusBarAlignment', 'TextEditorRevealType', 'ThemeColor', 'Uri', 'ViewColumn', 'WorkspaceEdit']) {
  const v = base[k];
  stub[k] = v === undefined ? noop : v && typeof v === 'object' ? fallback(v) : v;
}
const load = Module._load;
Module._load = (req, parent, isMain) => (req === 'vscode' ? stub : load(req, parent, isMain));
const t0 = performance.now();
const ext = require('./dist/extension.js');
const t1 = performance.now();
const ctx = { subscriptions: [], extensionUri: base.Uri.file(process.cwd()), globalStorageUri: base.Uri.file(require('os').tmpdir()), storageUri: undefined, workspaceState: { get() {}, update() {} }, globalState: { get() {}, update() {} } };
ext.activate(ctx);
const t2 = performance.now();
for (const d of ctx.subscriptions) { try { d.dispose(); } catch {} }
console.log(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1 }));
process.exit(0);
`;
const eagerEncoderCode = `
const t0 = performance.now();
const { Tiktoken } = require('js-tiktoken/lite');
const r = require('js-tiktoken/ranks/o200k_base'); const enc = new Tiktoken(r.default ?? r);
enc.encode('hello');
console.log(JSON.stringify({ ms: performance.now() - t0 }));
`;
const act = [];
const eager = [];
for (let i = 0; i < runs; i++) {
  act.push(nodeEval(activateCode));
  eager.push(nodeEval(eagerEncoderCode).ms);
}
const bundleBytes = (name) => {
  const file = path.join(root, 'dist', name);
  return existsSync(file) ? statSync(file).size : null;
};
const activation = {
  requireAndActivateMs: median(act.map((a) => a.requireMs + a.activateMs)),
  activateMs: median(act.map((a) => a.activateMs)),
  eagerJsTiktokenLoadMs: median(eager),
  extensionBundleBytes: bundleBytes('extension.js'),
  decoderClientBundleBytes: bundleBytes('decoder-client.js'),
  // `npm run build` bundles are readable with source maps; `--production` (the VSIX) ones are minified.
  minifiedBundle: !/\/\/# sourceMappingURL=/.test(readFileSync(path.join(root, 'dist', 'extension.js'), 'utf8')),
};
const kb = (bytes) => (bytes === null ? 'missing' : `${(bytes / 1024).toFixed(1)} KB`);
console.log(
  `activation: require + activate ${f1(activation.requireAndActivateMs)} ms median (activate() ${f1(activation.activateMs)} ms; target ≤ 50 ms); ` +
    `an eager js-tiktoken o200k load would add ${f1(activation.eagerJsTiktokenLoadMs)} ms (${f1(activation.eagerJsTiktokenLoadMs / activation.requireAndActivateMs)}×)`,
);
console.log(
  `activation bundle: dist/extension.js ${kb(activation.extensionBundleBytes)} (${activation.minifiedBundle ? 'minified, as packaged' : 'development build'}); ` +
    `loaded on first measurement: dist/decoder-client.js ${kb(activation.decoderClientBundleBytes)}`,
);

// First audit of a 100 KB prompt, whole process, encoder start-up included.
const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-startup-'));
try {
  const oldText = makePrompt(100_000, 1);
  const at = Math.floor(oldText.length / 3);
  const newText = `${oldText.slice(0, at)}X${oldText.slice(at)}`;
  const a = path.join(dir, 'old.md');
  const b = path.join(dir, 'new.md');
  writeFileSync(a, oldText);
  writeFileSync(b, newText);
  const tiktokenScript = path.join(dir, 'tiktoken-diff.cjs');
  writeFileSync(
    tiktokenScript,
    `const { get_encoding } = require(${JSON.stringify(path.join(root, 'node_modules', 'tiktoken'))});
const fs = require('fs');
const enc = get_encoding('o200k_base');
const x = enc.encode(fs.readFileSync(process.argv[2], 'utf8'), [], []);
const y = enc.encode(fs.readFileSync(process.argv[3], 'utf8'), [], []);
let i = 0; while (i < x.length && i < y.length && x[i] === y[i]) i++;
console.log(i);`,
  );
  const cli = [];
  const bare = [];
  const tk = [];
  for (let i = 0; i < runs; i++) {
    cli.push(wall(process.execPath, [path.join(root, 'dist', 'cli.js'), 'diff', a, b, '--json']));
    bare.push(wall(process.execPath, ['-e', '0']));
    tk.push(wall(process.execPath, [tiktokenScript, a, b]));
  }
  const firstAudit = { cliDiff100KBMs: median(cli), bareNodeStartMs: median(bare), tiktokenWasmScriptMs: median(tk) };
  console.log(
    `first audit of a 100 KB prompt (whole process, encoder start-up included): ${f1(firstAudit.cliDiff100KBMs)} ms median ` +
      `(target ≤ 300 ms; bare node start ${f1(firstAudit.bareNodeStartMs)} ms; a plain tiktoken WASM tokenize-and-compare script ` +
      `${f1(firstAudit.tiktokenWasmScriptMs)} ms = ${f1(firstAudit.tiktokenWasmScriptMs / firstAudit.cliDiff100KBMs)}× ours)`,
  );
  // One named entry per figure (merged into bench/results.json by bench/run.mjs).
  const x = (base, v) => +(base / v).toFixed(1);
  console.log(
    JSON.stringify({
      activation: {
        unit: 'ms',
        runs,
        ...activation,
        vsEagerJsTiktoken: x(activation.eagerJsTiktokenLoadMs, activation.requireAndActivateMs),
        summary: `require(dist/extension.js) + activate(): ${f1(activation.requireAndActivateMs)} ms median (activate() ${f1(activation.activateMs)} ms) | an eager js-tiktoken o200k load ${f1(activation.eagerJsTiktokenLoadMs)} ms -> ${x(activation.eagerJsTiktokenLoadMs, activation.requireAndActivateMs)}x`,
      },
      first_audit_100kb_cli: {
        unit: 'ms',
        runs,
        ...firstAudit,
        vsTiktokenScript: x(firstAudit.tiktokenWasmScriptMs, firstAudit.cliDiff100KBMs),
        summary: `prompt-cache-audit diff of a 100 KB prompt, whole process with encoder start-up: ${f1(firstAudit.cliDiff100KBMs)} ms median (bare node ${f1(firstAudit.bareNodeStartMs)} ms) | plain tiktoken WASM script ${f1(firstAudit.tiktokenWasmScriptMs)} ms -> ${x(firstAudit.tiktokenWasmScriptMs, firstAudit.cliDiff100KBMs)}x`,
      },
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
