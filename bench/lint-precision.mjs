// Lint precision and recall on real prompt files (`npm run bench:lint`). Prints, per rule, the findings on the
// corpus (bench/corpus/files, provenance in bench/corpus/manifest.json), how many are labelled true/false by hand
// (bench/corpus/labels.jsonl), the precision, and the recall on per-request values planted into copies of the
// files (bench/corpus/plant.mjs). The figures "before" are those of the rules as they were when the labels were
// first made (labels carry `before: true` for findings the old rules produced), so the comparison is in one run.
//
//   node bench/lint-precision.mjs                 figures
//   node bench/lint-precision.mjs --unlabelled    also list the findings no label covers yet (to label them)
//   node bench/lint-precision.mjs --json          figures as JSON
//   node bench/lint-precision.mjs --heldout       precision on the held-out files only (added after the rules were fixed)
//   node bench/lint-precision.mjs --src <dir>     lint with another source tree's src/core (the "before" rules)
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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
  const out = await esbuild.build({
    stdin: { contents: "export { lintPromptReport, lintPrompt } from './src/core/audit';", resolveDir: srcRoot, loader: 'ts' },
    bundle: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
    nodePaths: [path.join(root, 'node_modules')],
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', '__filename', '__dirname', out.outputFiles[0].text)(mod, mod.exports, createRequire(path.join(root, 'package.json')), path.join(root, 'x.js'), root);
  return mod.exports;
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
      ? core.lintPromptReport(c.text, { ...RUN_OPTIONS, fileName: c.file }, { history: c.history, wholePrompt: c.wholePrompt })
      : { findings: core.lintPrompt(c.text, { ...RUN_OPTIONS, fileName: c.file }) };
    for (const f of report.findings) out.push({ file: c.file, finding: f, key: findingKey(c.file, f, c.text), source: c.text });
  }
  return out;
}

function ratio(a, b) {
  return b ? `${((100 * a) / b).toFixed(1)}%` : '–';
}

async function main() {
  const core = await loadCore(option('--src') ? path.resolve(option('--src')) : root);
  const corpus = loadCorpus();
  const labels = new Map(loadLabels().map((l) => [l.key, l]));
  const found = await lintCorpus(core, corpus);
  const rules = [...new Set([...found.map((x) => x.finding.ruleId), ...[...labels.values()].map((l) => l.rule)])].sort();
  const heldout = new Set(corpus.filter((c) => c.heldout).map((c) => c.file));
  const scope = flag('--heldout') ? (file) => heldout.has(file) : () => true;
  const rows = [];
  for (const rule of rules) {
    const now = found.filter((x) => x.finding.ruleId === rule && scope(x.file));
    const lab = now.map((x) => labels.get(x.key)).filter(Boolean);
    const t = lab.filter((l) => l.label === 'true').length;
    const before = [...labels.values()].filter((l) => l.rule === rule && l.before && scope(l.file));
    const bt = before.filter((l) => l.label === 'true').length;
    rows.push({ rule, findings: now.length, labelled: lab.length, true: t, false: lab.length - t, unlabelled: now.length - lab.length, precision: lab.length ? t / lab.length : null, before: { findings: before.length, true: bt, precision: before.length ? bt / before.length : null } });
  }
  // Recall: each planted value must be found by volatile-prefix at its place.
  const cases = plantedCases(corpus);
  const recall = new Map();
  let hits = 0;
  const misses = [];
  for (const c of cases) {
    const report = core.lintPromptReport
      ? core.lintPromptReport(c.source, { ...RUN_OPTIONS, fileName: c.fileName }, { history: c.history })
      : { findings: core.lintPrompt(c.source, { ...RUN_OPTIONS, fileName: c.fileName }) };
    const hit = report.findings.some((f) => f.ruleId === 'volatile-prefix' && f.range.start.offset < c.span[1] && f.range.end.offset > c.span[0]);
    const r = recall.get(c.name) ?? { found: 0, planted: 0 };
    r.planted++;
    if (hit) {
      r.found++;
      hits++;
    } else misses.push(`${c.name}: ${c.file} line ${c.line}`);
    recall.set(c.name, r);
  }
  const labelledTotal = [...labels.values()].length;
  if (flag('--json')) {
    console.log(JSON.stringify({ files: corpus.length, labels: labelledTotal, rules: rows, recall: { found: hits, planted: cases.length, byPlant: Object.fromEntries(recall) } }, null, 2));
    return;
  }
  if (flag('--heldout')) console.log(`held-out files only: ${heldout.size} (collected and labelled after the rules were rebuilt)`);
  console.log(`corpus: ${corpus.length} files, ${labelledTotal} labelled findings (${[...labels.values()].filter((l) => l.before).length} from the rules before the rebuild)`);
  console.log(`run: provider ${RUN_OPTIONS.provider}, model ${RUN_OPTIONS.model}; git history for ${corpus.filter((c) => c.history.length).length} file(s)\n`);
  const table = [['rule', 'findings', 'labelled', 'true', 'false', 'unlabelled', 'precision', 'before: findings', 'before: precision']];
  for (const r of rows) table.push([r.rule, r.findings, r.labelled, r.true, r.false, r.unlabelled, r.precision === null ? '–' : ratio(r.true, r.labelled), r.before.findings, r.before.precision === null ? '–' : ratio(r.before.true, r.before.findings)].map(String));
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
  console.log(`\nrecall on planted per-request values (volatile-prefix, at the planted place): ${hits}/${cases.length} = ${ratio(hits, cases.length)}`);
  for (const [name, r] of recall) console.log(`  ${name.padEnd(40)} ${r.found}/${r.planted}`);
  if (misses.length && flag('--misses')) for (const m of misses) console.log(`  missed: ${m}`);
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
