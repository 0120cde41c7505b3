// Planted per-request values for recall: copies of real corpus files with a known volatile value inserted at a
// known line (deterministic: a seeded rng picks the file and the line). Each case says where the finding must be.
// Used by bench/lint-precision.mjs; `node bench/corpus/plant.mjs <outdir>` writes the copies out for inspection.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rng } from '../tokenizer-corpus.mjs';

/**
 * What a harness injects per request, as it appears in real prompts (issue 12's misses among them). `kind`
 * picks the files it goes into: `text` (Markdown / plain prompts and instruction files), `template` (Jinja,
 * Handlebars), `body` (a request body's system prompt), `history` (a literal whose value differs per version).
 */
const PLANTS = [
  { name: "Today's date line", kind: 'text', lines: (r) => [`Today's date: 2025-${pad(1 + (r() * 12) | 0)}-${pad(1 + (r() * 28) | 0)}`] },
  { name: 'current date sentence', kind: 'text', lines: () => ['The current date is Monday, March 3, 2025.'] },
  { name: 'gitStatus block', kind: 'text', lines: () => ['gitStatus: This is the git status at the start of the conversation. Note that this status is a snapshot in time.', 'Current branch: feat/cache-audit', '', 'Status:', 'M src/index.ts'] },
  { name: 'git status output', kind: 'text', lines: () => ['On branch main', "Your branch is up to date with 'origin/main'."] },
  { name: 'working directory', kind: 'text', lines: (r) => [`Working directory: /Users/dev${(r() * 90) | 0}/projects/shop`] },
  { name: 'user name and e-mail', kind: 'text', lines: () => ['Git user: Jane Doe <jane.doe@acme-corp.io>'] },
  { name: 'user e-mail', kind: 'text', lines: () => ['User email: rahul.k@contoso.dev'] },
  { name: 'epoch time', kind: 'text', lines: (r) => [`Request timestamp: ${1718000000 + ((r() * 1e6) | 0)}`] },
  { name: 'nonce', kind: 'text', lines: (r) => [`Nonce: ${hex(r, 16)}`] },
  { name: 'session id', kind: 'text', lines: (r) => [`Session ID: ${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`] },
  { name: '{{ current_date }} in a prompt file', kind: 'text', lines: () => ['Current date: {{ current_date }}'] },
  { name: '${selection} in a prompt file', kind: 'text', lines: () => ['Selected code: ${selection}'] },
  { name: '<user_info> block', kind: 'text', lines: () => ["<user_info>The user's OS version is darwin 24.5.0. The absolute path of the user's workspace is /Users/ana/code/app.</user_info>"] },
  { name: 'template date placeholder', kind: 'template', lines: () => ['Today is {{ current_date }}.'] },
  { name: 'template user placeholder', kind: 'template', lines: () => ['You are talking to {{ user.name }} ({{ user.email }}).'] },
  { name: 'template now() call', kind: 'template', lines: () => ["Local time: {{ now().strftime('%H:%M') }}"] },
  { name: 'template session id', kind: 'template', lines: () => ['Session: {{ session_id }}'] },
  { name: 'timestamp in a request body', kind: 'body', lines: (r) => [`Generated at 2025-06-${pad(1 + (r() * 28) | 0)}T${pad((r() * 24) | 0)}:${pad((r() * 60) | 0)}:${pad((r() * 60) | 0)}Z.`] },
  { name: 'UUID in a request body', kind: 'body', lines: (r) => [`Trace ${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-b${hex(r, 3)}-${hex(r, 12)} for this call.`] },
  { name: 'e-mail in a request body', kind: 'body', lines: () => ['Signed in as li.wei@example-shop.com.'] },
  { name: 'literal that changed across versions', kind: 'history', lines: () => ['Prices as of 2025-01-0%V%.'] },
  { name: 'counter that changed across versions', kind: 'history', lines: () => ['Catalogue version 4.%V% (%V%12 products).'] },
];

function pad(n) {
  return String(n).padStart(2, '0');
}
function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[(r() * 16) | 0];
  // A generated id has letters and digits; make sure of both so the value reads as one.
  return s.replace(/^./, '7').replace(/.$/, 'c');
}

const TEMPLATE = /\.(j2|jinja2?|hbs|mustache|liquid|prompty)$/;

/** Lines where a harness would put a value: not in front matter, not in a code fence, with ~100 tokens after it. */
function insertionLines(text) {
  const lines = text.split('\n');
  const ok = [];
  let inFence = false;
  let inExample = false;
  let inExampleSection = false;
  let inFront = lines[0] === '---';
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (inFront) {
      if (i > 0 && l === '---') inFront = false;
      continue;
    }
    // Fences as the rule sees them, escaped ones too (prompts kept as JS strings write \`\`\`).
    if (/^\s*((\\?`){3}|~~~)/.test(l)) inFence = !inFence;
    // Not inside an <example> block either: the rule leaves examples alone, by design.
    if (/<example/i.test(l)) inExample = true;
    if (/<\/example/i.test(l)) inExample = false;
    // …nor in a section headed "Example(s)" (up to the next heading).
    if (/^#{1,6}\s/.test(l)) inExampleSection = /\bexamples?\b|\bsample\b/i.test(l);
    if (inExample || inExampleSection) continue;
    // Not inside a code block, a table, an <example> or a template block tag line, and only before a blank or heading line.
    // At least ~100 tokens must follow: a value at the very end costs only itself (the rule's tail tolerance).
    if (inFence || i < 1 || lines.slice(i + 1).join('\n').length < 400) continue;
    if (/^\s*$/.test(l) && !/^\s*[|<{]/.test(lines[i + 1] ?? '')) ok.push(i);
  }
  return ok;
}

/** The planted cases: { name, file (derived name), fileName, source, line (1-based), span (source offsets of the value), history? }. */
export function plantedCases(corpus, perPlant = 6, seed = 1212) {
  const r = rng(seed);
  const out = [];
  const texts = corpus.filter((c) => !TEMPLATE.test(c.file) && !c.file.endsWith('.json') && insertionLines(c.text).length);
  const templates = corpus.filter((c) => /\.(j2|jinja2?|hbs|mustache)$/.test(c.file) && insertionLines(c.text).length);
  for (const plant of PLANTS) {
    for (let k = 0; k < perPlant; k++) {
      if (plant.kind === 'body') {
        out.push(bodyCase(plant, corpus, r, k));
        continue;
      }
      const pool = plant.kind === 'template' ? templates : texts;
      if (!pool.length) continue;
      const c = pool[(r() * pool.length) | 0];
      const slots = insertionLines(c.text);
      const at = slots[(r() * slots.length) | 0];
      const lines = c.text.split('\n');
      const value = plant.lines(r);
      const make = (v) => [...lines.slice(0, at + 1), ...value.map((x) => x.replace(/%V%/g, String(v))), ...lines.slice(at + 1)].join('\n');
      const ext = path.extname(c.file);
      const fileName = plant.name === '${selection} in a prompt file' ? c.file.replace(/(\.prompt)?\.md$|\.txt$|$/, '.prompt.md') : c.file;
      const source = make(9);
      const start = lines.slice(0, at + 1).join('\n').length + 1;
      const inserted = value.map((x) => x.replace(/%V%/g, '9')).join('\n');
      const item = { name: plant.name, file: `${c.file}#plant-${out.length}${ext}`, fileName, source, line: at + 2, span: [start, start + inserted.length] };
      // A changed literal: three earlier versions with other values (a fake history with stable commit ids).
      if (plant.kind === 'history') item.history = [1, 3, 5].map((v, i) => ({ commit: `plant${i}`.padEnd(40, '0'), date: `2025-01-0${v}T00:00:00Z`, source: make(v) }));
      out.push(item);
    }
  }
  return out;
}

function bodyCase(plant, corpus, r, k) {
  // A request body built around a real prompt file: its text is the system prompt, the planted value goes in it.
  const texts = corpus.filter((c) => !c.file.endsWith('.json') && c.text.length > 1500 && insertionLines(c.text).length);
  const c = texts[(r() * texts.length) | 0];
  const lines = c.text.split('\n');
  const slots = insertionLines(c.text);
  const at = slots[(r() * slots.length) | 0];
  const value = plant.lines(r).join('\n');
  const system = [...lines.slice(0, at + 1), value, ...lines.slice(at + 1)].join('\n');
  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, system, messages: [{ role: 'user', content: 'Summarise the instructions above.' }] }, null, 2);
  // The line of the planted value in the serialised body: the system string is one JSON line.
  const escaped = JSON.stringify(value).slice(1, -1);
  const start = body.indexOf(escaped);
  const line = body.slice(0, start).split('\n').length;
  return { name: plant.name, file: `${c.file}#body-${k}.json`, fileName: 'request.json', source: body, line, span: [start, start + escaped.length] };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const { loadCorpus } = await import('../lint-precision.mjs');
  const outDir = process.argv[2] ?? 'planted';
  for (const c of plantedCases(loadCorpus())) {
    const f = path.join(outDir, c.file.replace(/[#]/g, '_'));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, c.source);
  }
}
