// Lint precision and recall on real prompt files (`npm run bench:lint`). Prints, per rule: the findings on the
// corpus (bench/corpus/files, provenance in bench/corpus/manifest.json), how many are labelled true/false by hand
// (bench/corpus/labels.jsonl), the precision on all files and on the held-out ones (files collected after the rules
// were written, measured before any rule was changed for them: labels with `baseline: true`), the labelled findings
// that disappeared (fixed false alarms, lost true ones), the recall on per-request values found by hand in the real
// files (bench/corpus/expected.jsonl), and the recall and false alarms on values and decoys planted into copies of
// held-out files (bench/corpus/plant.mjs).
//
// Scopes: "tuned" = the files the rules were rebuilt on; "held-out" = every file collected afterwards (manifest
// `heldout: true`); batches: `batch` in the manifest ("lint-corpus" = collected before the lint-corpus fixes,
// "lint-corpus-2" = collected after them, so held-out for the fixed rules too).
//
//   node bench/lint-precision.mjs                 figures
//   node bench/lint-precision.mjs --unlabelled    also list the findings no label covers yet (to label them)
//   node bench/lint-precision.mjs --misses        also list the expected and planted values not found, and decoy alarms
//   node bench/lint-precision.mjs --json          figures as JSON
//   node bench/lint-precision.mjs --src <dir>     lint with another source tree's src/core (earlier rules)
import * as esbuild from 'esbuild';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plantedCases } from './corpus/plant.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const corpusDir = path.join(here, 'corpus');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

/** The rule engine, bundled in memory from TypeScript (this tree's, or --src's). */
async function loadCore(srcRoot) {
  // The rule list too, so rules without a finding on the corpus still get a row (older trees may not export it).
  const entry = "export { lintPromptReport, lintPrompt } from './src/core/audit';";
  const build = (contents) => esbuild.build({
    stdin: { contents, resolveDir: srcRoot, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
    nodePaths: [path.join(root, 'node_modules')],
  });
  const out = await build(`${entry}\nexport { LINT_RULES } from './src/core/lint';\nexport { LAZY_BUNDLES } from './src/core/lazy';`)
    .catch(() => build(`${entry}\nexport { LINT_RULES } from './src/core/lint';`))
    .catch(() => build(entry));
  // The core loads its template engines and price data from bundles next to its own (src/core/lazy.ts, which reads
  // __dirname): build them beside this in-memory bundle, or templates would be read statically here and not in the
  // product. Packages still resolve from the project (__filename).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pca-lint-bench-'));
  const load = (text) => {
    const mod = { exports: {} };
    new Function('module', 'exports', 'require', '__filename', '__dirname', text)(mod, mod.exports, createRequire(path.join(root, 'package.json')), path.join(root, 'x.js'), dir);
    return mod.exports;
  };
  const core = load(out.outputFiles[0].text);
  for (const { entry: lazyEntry, bundle } of core.LAZY_BUNDLES ?? []) {
    await esbuild.build({ entryPoints: [path.join(srcRoot, lazyEntry)], outfile: path.join(dir, bundle), bundle: true, platform: 'node', format: 'cjs', logLevel: 'error', nodePaths: [path.join(root, 'node_modules')] });
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return core;
}

/** Corpus files with their provenance; `history` lists earlier versions stored beside them. */
export function loadCorpus() {
  const manifest = JSON.parse(readFileSync(path.join(corpusDir, 'manifest.json'), 'utf8'));
  return manifest.files.map((m) => ({
    ...m,
    text: readFileSync(path.join(corpusDir, 'files', m.file), 'utf8'),
    history: (m.history ?? []).map((h) => ({ commit: h.commit, date: h.date, source: readFileSync(path.join(corpusDir, 'files', h.file), 'utf8') })),
  }));
}

/** Per-request values found by hand in the real files: { file, line, text, vocabulary, note }. */
export function loadExpected() {
  const f = path.join(corpusDir, 'expected.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

export function loadLabels() {
  const f = path.join(corpusDir, 'labels.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** The provider setting of the run: a user who picked Anthropic's Claude Sonnet 4.5 (1,024-token minimum). */
export const RUN_OPTIONS = { provider: 'anthropic', model: 'claude-sonnet-4-5', encoding: 'o200k_base' };

/** A finding's identity for labels: file, rule, line and the text it points at (messages may change). */
export function findingKey(file, f, source) {
  const text = source.slice(f.range.start.offset, Math.min(f.range.end.offset, f.range.start.offset + 60)).replace(/\s+/g, ' ').trim();
  return `${file}|${f.ruleId}|${f.range.start.line}|${text}`;
}

export async function lintCorpus(core, corpus) {
  const out = [];
  for (const c of corpus) {
    const report = core.lintPromptReport
      ? core.lintPromptReport(c.text, { ...RUN_OPTIONS, fileName: c.file }, { history: c.history, previousSource: c.history.at(-1)?.source, wholePrompt: c.wholePrompt })
      : { findings: core.lintPrompt(c.text, { ...RUN_OPTIONS, fileName: c.file }) };
    for (const f of report.findings) out.push({ file: c.file, finding: f, key: findingKey(c.file, f, c.text), source: c.text });
  }
  return out;
}

async function main() {
  const core = await loadCore(option('--src') ? path.resolve(option('--src')) : root);
  const corpus = loadCorpus();
  const labelList = loadLabels();
  const labels = new Map(labelList.map((l) => [l.key, l]));
  const found = await lintCorpus(core, corpus);
  const foundKeys = new Set(found.map((x) => x.key));
  const byFile = new Map(corpus.map((c) => [c.file, c]));
  const scopes = {
    all: () => true,
    tuned: (f) => !byFile.get(f)?.heldout,
    heldout: (f) => !!byFile.get(f)?.heldout,
  };
  const batches = [...new Set(corpus.map((c) => c.batch).filter(Boolean))].sort();
  for (const b of batches) scopes[b] = (f) => byFile.get(f)?.batch === b;
  const rules = [...new Set([...(core.LINT_RULES ?? []).map((r) => r.id), ...found.map((x) => x.finding.ruleId), ...labelList.map((l) => l.rule)])].sort();
  const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');
  const stat = (rule, scope) => {
    const now = found.filter((x) => x.finding.ruleId === rule && scope(x.file));
    const lab = now.map((x) => labels.get(x.key)).filter(Boolean);
    const t = lab.filter((l) => l.label === 'true').length;
    return { findings: now.length, labelled: lab.length, true: t, false: lab.length - t, unlabelled: now.length - lab.length };
  };
  // First measurement on held-out files: the labels of the findings the rules produced when the files were added.
  const firstOf = (rule, scope) => {
    const lab = labelList.filter((l) => l.rule === rule && l.baseline && scope(l.file));
    return { labelled: lab.length, true: lab.filter((l) => l.label === 'true').length };
  };
  const rows = rules.map((rule) => {
    const all = stat(rule, scopes.all);
    const held = stat(rule, scopes.heldout);
    const first = firstOf(rule, scopes.heldout);
    // Labels whose finding is gone: fixed false alarms, or lost true findings (`superseded`: the same finding now
    // points at a slightly different text, labelled again under its new key).
    const gone = [...labels.values()].filter((l) => l.rule === rule && !l.before && !l.superseded && !foundKeys.has(l.key));
    const before = labelList.filter((l) => l.rule === rule && l.before);
    const row = { rule, all, tuned: stat(rule, scopes.tuned), heldout: held, heldoutFirst: first, fixedFalse: gone.filter((l) => l.label === 'false').length, lostTrue: gone.filter((l) => l.label === 'true').length, before: { findings: before.length, true: before.filter((l) => l.label === 'true').length }, batches: {} };
    for (const b of batches) row.batches[b] = { now: stat(rule, scopes[b]), first: firstOf(rule, scopes[b]) };
    return row;
  });

  // Recall on values found by hand in the real files: a volatile-prefix finding must cover the value's text.
  const volatileAt = new Map();
  for (const x of found) if (x.finding.ruleId === 'volatile-prefix') (volatileAt.get(x.file) ?? volatileAt.set(x.file, []).get(x.file)).push(x.finding.range);
  const expected = loadExpected().map((e) => {
    const c = byFile.get(e.file);
    let hit = false;
    if (c) {
      const lineStart = c.text.split('\n').slice(0, e.line - 1).join('\n').length + (e.line > 1 ? 1 : 0);
      const s = c.text.indexOf(e.text, lineStart);
      hit = s >= 0 && (volatileAt.get(e.file) ?? []).some((r) => r.start.offset < s + e.text.length && r.end.offset > s);
    }
    return { ...e, hit };
  });

  // Planted values (recall) and decoys (false alarms), in copies of held-out files.
  const cases = plantedCases(corpus);
  const plant = new Map();
  const misses = [];
  for (const c of cases) {
    const report = core.lintPromptReport
      ? core.lintPromptReport(c.source, { ...RUN_OPTIONS, fileName: c.fileName }, { history: c.history })
      : { findings: core.lintPrompt(c.source, { ...RUN_OPTIONS, fileName: c.fileName }) };
    const overlaps = (ids) => report.findings.some((f) => ids.includes(f.ruleId) && f.range.start.offset < c.span[1] && f.range.end.offset > c.span[0]);
    const hit = c.decoy ? overlaps(['volatile-prefix', 'placeholder-before-static']) : overlaps(['volatile-prefix']);
    const r = plant.get(c.name) ?? { decoy: c.decoy, hits: 0, cases: 0, top: [0, 0], body: [0, 0] };
    r.cases++;
    r[c.where][1]++;
    if (hit) {
      r.hits++;
      r[c.where][0]++;
    }
    if (hit === !!c.decoy) misses.push(`${c.decoy ? 'decoy flagged' : 'missed'}: ${c.name}: ${c.file} line ${c.line}`);
    plant.set(c.name, r);
  }
  const planted = [...plant.values()].filter((r) => !r.decoy);
  const decoys = [...plant.values()].filter((r) => r.decoy);
  const sum = (xs, k) => xs.reduce((a, x) => a + x[k], 0);
  const recall = { found: sum(planted, 'hits'), planted: sum(planted, 'cases'), top: [planted.reduce((a, r) => a + r.top[0], 0), planted.reduce((a, r) => a + r.top[1], 0)], body: [planted.reduce((a, r) => a + r.body[0], 0), planted.reduce((a, r) => a + r.body[1], 0)] };
  const alarms = { flagged: sum(decoys, 'hits'), decoys: sum(decoys, 'cases') };
  const heldFiles = corpus.filter((c) => c.heldout);
  const summary = {
    files: corpus.length,
    heldoutFiles: heldFiles.length,
    repositories: new Set(corpus.map((c) => c.repo)).size,
    heldoutRepositories: new Set(heldFiles.map((c) => c.repo)).size,
    labels: labels.size,
    labelsHeldout: [...labels.values()].filter((l) => byFile.get(l.file)?.heldout).length,
    labelsBefore: [...labels.values()].filter((l) => l.before).length,
  };
  if (flag('--json')) {
    console.log(JSON.stringify({ ...summary, rules: rows, expected: { found: expected.filter((e) => e.hit).length, values: expected.length, vocabulary: [expected.filter((e) => e.vocabulary && e.hit).length, expected.filter((e) => e.vocabulary).length] }, recall, alarms, byPlant: Object.fromEntries(plant) }, null, 2));
    return;
  }
  console.log(`corpus: ${summary.files} files from ${summary.repositories} repositories; held out: ${summary.heldoutFiles} files from ${summary.heldoutRepositories} repositories`);
  console.log(`labels: ${summary.labels} findings labelled by hand (${summary.labelsHeldout} on held-out files; ${summary.labelsBefore} of the rules before the rebuild)`);
  console.log(`run: provider ${RUN_OPTIONS.provider}, model ${RUN_OPTIONS.model}; earlier versions (history and drift rules) for ${corpus.filter((c) => c.history.length).length} file(s)\n`);
  const fmt = (s) => `${s.findings}/${s.labelled}/${pct(s.true, s.labelled)}`;
  const first = (f) => (f.labelled ? `${f.true}/${f.labelled} ${pct(f.true, f.labelled)}` : '–');
  const table = [['rule', 'findings', 'labelled', 'true', 'false', 'precision', 'tuned f/l/p', 'held-out f/l/p', ...batches.flatMap((b) => [`${b}: first`, `${b}: now f/l/p`]), 'fixed FP', 'lost TP', 'pre-rebuild']];
  for (const r of rows) {
    table.push([r.rule, r.all.findings, r.all.labelled, r.all.true, r.all.false, pct(r.all.true, r.all.labelled), fmt(r.tuned), fmt(r.heldout), ...batches.flatMap((b) => [first(r.batches[b].first), fmt(r.batches[b].now)]), r.fixedFalse, r.lostTrue, r.before.findings ? `${r.before.true}/${r.before.findings} ${pct(r.before.true, r.before.findings)}` : '–'].map(String));
  }
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
  console.log('  (f/l/p = findings / labelled / precision. "<batch>: first" = precision of the rules as they were when the batch was');
  console.log('   collected, before any change made for it: lint-corpus = the rules of b4ab81f, lint-corpus-2 = the lint-corpus fixes.)');
  const ex = expected.filter((e) => e.hit).length;
  const exv = expected.filter((e) => e.vocabulary);
  console.log(`\nrecall on per-request values found by hand in the real files (volatile-prefix at the value): ${ex}/${expected.length} = ${pct(ex, expected.length)}; named with the issue's vocabulary: ${exv.filter((e) => e.hit).length}/${exv.length} = ${pct(exv.filter((e) => e.hit).length, exv.length)}`);
  console.log(`recall on planted per-request values (volatile-prefix at the planted place): ${recall.found}/${recall.planted} = ${pct(recall.found, recall.planted)} (top of the prompt ${recall.top[0]}/${recall.top[1]}, in the body ${recall.body[0]}/${recall.body[1]})`);
  for (const r of planted) console.log(`  ${[...plant].find(([, v]) => v === r)[0].padEnd(52)} ${r.hits}/${r.cases}`);
  console.log(`decoys flagged (false alarms on fixed values planted the same way): ${alarms.flagged}/${alarms.decoys} = ${pct(alarms.flagged, alarms.decoys)}`);
  for (const r of decoys) console.log(`  ${[...plant].find(([, v]) => v === r)[0].padEnd(52)} ${r.hits}/${r.cases}`);
  if (flag('--misses')) {
    for (const e of expected.filter((x) => !x.hit)) console.log(`  missed (real): ${e.file}:${e.line} ${e.text}${e.vocabulary ? '' : ' (by meaning)'}`);
    for (const m of misses) console.log(`  ${m}`);
  }
  if (flag('--unlabelled')) {
    console.log('\nunlabelled findings:');
    for (const x of found.filter((y) => !labels.has(y.key))) {
      const lines = x.source.split('\n');
      const l = x.finding.range.start.line;
      console.log(JSON.stringify({ key: x.key, file: x.file, rule: x.finding.ruleId, line: l, text: x.key.split('|').slice(3).join('|'), context: lines.slice(Math.max(0, l - 2), l + 1).join(' ⏎ ').slice(0, 300), evidence: x.finding.evidence?.summary }));
    }
  }
}

export { loadCore };
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
