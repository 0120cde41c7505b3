// Planted values for recall and for false alarms: copies of held-out corpus files (real prompt files collected after
// the rules were written) with a per-request value inserted where harnesses put one (the top of a system prompt, an
// environment block, a line in the body), and decoys that must NOT be flagged (timestamps in code blocks, example
// UUIDs in docs, pinned SHAs, release dates, configuration placeholders). Deterministic: a seeded rng picks the host
// file, the place and the value. Each case says where the finding must be (or must not be, for a decoy).
// Used by bench/lint-precision.mjs; `node bench/corpus/plant.mjs <outdir>` writes the copies out for inspection.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rng } from '../tokenizer-corpus.mjs';

// ---------- generated values, varied the way real harnesses write them ----------

const pad = (n, w = 2) => String(n).padStart(w, '0');
const pick = (r, xs) => xs[(r() * xs.length) | 0];
const int = (r, lo, hi) => lo + ((r() * (hi - lo + 1)) | 0);
function hex(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += '0123456789abcdef'[(r() * 16) | 0];
  // A generated id has letters and digits; make sure of both so the value reads as one.
  return s.replace(/^./, pick(r, '789')).replace(/.$/, pick(r, 'abcdef'));
}
const b32 = (r, n) => Array.from({ length: n }, () => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[(r() * 32) | 0]).join('');
const uuid = (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${pick(r, '89ab')}${hex(r, 3)}-${hex(r, 12)}`;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
function date(r) {
  const y = int(r, 2024, 2026);
  const m = int(r, 1, 12);
  const d = int(r, 1, 28);
  return pick(r, [
    `${y}-${pad(m)}-${pad(d)}`,
    `${MONTHS[m - 1]} ${d}, ${y}`,
    `${pick(r, DAYS)}, ${MONTHS[m - 1]} ${d}, ${y}`,
    `${pad(m)}/${pad(d)}/${y}`,
    `${d} ${MONTHS[m - 1].slice(0, 3)} ${y}`,
    `${pick(r, DAYS)} ${y}-${pad(m)}-${pad(d)}`,
  ]);
}
const time = (r) => pick(r, [`${pad(int(r, 0, 23))}:${pad(int(r, 0, 59))}:${pad(int(r, 0, 59))}`, `${int(r, 1, 12)}:${pad(int(r, 0, 59))} ${pick(r, ['AM', 'PM'])}`]);
const isoTs = (r) => `${int(r, 2024, 2026)}-${pad(int(r, 1, 12))}-${pad(int(r, 1, 28))}T${pad(int(r, 0, 23))}:${pad(int(r, 0, 59))}:${pad(int(r, 0, 59))}${pick(r, ['Z', '.412Z', '+02:00', '-07:00'])}`;
const epoch = (r) => String(1718000000 + int(r, 0, 60_000_000));
const epochMs = (r) => `${epoch(r)}${pad(int(r, 0, 999), 3)}`;
const FIRST = ['Jane', 'Rahul', 'Li', 'Amara', 'Tomás', 'Yuki', 'Olga', 'Kwame', 'Sofia', 'Dev'];
const LAST = ['Doe', 'Kumar', 'Wei', 'Okafor', 'García', 'Tanaka', 'Petrova', 'Mensah', 'Rossi', 'Patel'];
const person = (r) => {
  const f = pick(r, FIRST);
  const l = pick(r, LAST);
  return { name: `${f} ${l}`, email: `${f.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}.${l.toLowerCase().normalize('NFD').replace(/[^a-z]/g, '')}@${pick(r, ['acme-corp.io', 'contoso.dev', 'fabrikam.co.uk', 'initech.net'])}` };
};
const cwd = (r) => pick(r, [`/Users/${pick(r, FIRST).toLowerCase()}/code/${pick(r, ['shop', 'api', 'infra', 'web-app'])}`, `/home/dev${int(r, 1, 90)}/src/${pick(r, ['billing', 'search', 'agent'])}`, `C:\\Users\\${pick(r, FIRST)}\\source\\repos\\${pick(r, ['Portal', 'Tools'])}`]);
const branch = (r) => pick(r, ['feat/cache-audit', 'fix/login-timeout', 'main', `users/${pick(r, FIRST).toLowerCase()}/spike-${int(r, 1, 99)}`]);

/**
 * Per-request values, one line (or block) each, as harnesses write them. `hosts` picks the files they go into:
 * text (Markdown / plain prompts, instruction files), body (a request body's system prompt), or a template dialect
 * (the value is then a placeholder of that dialect, with a per-request name).
 */
const PLANTS = [
  { name: "Today's date line", hosts: 'text', lines: (r) => [`Today's date: ${date(r)}`] },
  { name: 'current date sentence', hosts: 'text', lines: (r) => [`The current date is ${date(r)}.`] },
  { name: 'current time', hosts: 'text', lines: (r) => [`Current time: ${time(r)} ${pick(r, ['UTC', 'CET', 'PST', 'IST'])}`] },
  { name: 'request timestamp (ISO)', hosts: 'text', lines: (r) => [`Request timestamp: ${isoTs(r)}`] },
  { name: 'epoch seconds', hosts: 'text', lines: (r) => [`Request time (epoch): ${epoch(r)}`] },
  { name: 'epoch milliseconds', hosts: 'text', lines: (r) => [`Timestamp (ms): ${epochMs(r)}`] },
  { name: 'session id (UUID)', hosts: 'text', lines: (r) => [`Session ID: ${uuid(r)}`] },
  { name: 'request id', hosts: 'text', lines: (r) => [`Request ID: req_${b32(r, 26)}`] },
  { name: 'trace id', hosts: 'text', lines: (r) => [`Trace ID: ${hex(r, 32)}`] },
  { name: 'conversation id', hosts: 'text', lines: (r) => [`Conversation ID: conv-${hex(r, 12)}`] },
  { name: 'nonce', hosts: 'text', lines: (r) => [`Nonce: ${hex(r, 16)}`] },
  { name: 'user name and e-mail', hosts: 'text', lines: (r) => { const p = person(r); return [`Git user: ${p.name} <${p.email}>`]; } },
  { name: 'user e-mail', hosts: 'text', lines: (r) => [`User email: ${person(r).email}`] },
  { name: 'signed-in user sentence', hosts: 'text', lines: (r) => [`The user's name is ${person(r).name}.`] },
  { name: 'working directory', hosts: 'text', lines: (r) => [`Working directory: ${cwd(r)}`] },
  { name: '<user_info> block', hosts: 'text', lines: (r) => [`<user_info>The user's OS version is darwin 24.5.0. The absolute path of the user's workspace is ${cwd(r)}.</user_info>`] },
  { name: 'gitStatus block', hosts: 'text', lines: (r) => ['gitStatus: This is the git status at the start of the conversation. Note that this status is a snapshot in time, and will not update during the conversation.', `Current branch: ${branch(r)}`, '', 'Status:', `M ${pick(r, ['src/index.ts', 'app/models.py', 'README.md'])}`] },
  { name: 'git status output', hosts: 'text', lines: (r) => [`On branch ${branch(r)}`, "Your branch is up to date with 'origin/main'.", '', 'Changes not staged for commit:', `\tmodified:   ${pick(r, ['src/app.ts', 'lib/db.py'])}`] },
  { name: 'environment block', hosts: 'text', lines: (r) => ['<env>', `Working directory: ${cwd(r)}`, 'Is directory a git repo: Yes', `Platform: ${pick(r, ['darwin', 'linux', 'win32'])}`, `Today's date: ${date(r)}`, '</env>'] },
  { name: '{{ current_date }} in a static prompt file', hosts: 'text', lines: (r) => [pick(r, ['Current date: {{ current_date }}', 'Today is {{today}}.', 'The time is {{ current_time }}.'])] },
  { name: '{user_name} str.format slot', hosts: 'txt', lines: (r) => [pick(r, ['You are talking to {user_name}.', 'Current date: {current_date}', 'Session: {session_id}'])] },
  { name: '${userEmail} JS template slot', hosts: 'txt', lines: (r) => [pick(r, ['Signed in as ${userEmail}.', 'Today is ${today}.', 'Request ${requestId}'])] },
  { name: '${selection} in a VS Code prompt file', hosts: 'prompt-file', lines: (r) => [pick(r, ['Selected code: ${selection}', 'Ticket: ${input:ticket:Ticket number}', 'Current file: ${file}'])] },
  { name: '$ARGUMENTS / !`git status` in a Claude Code command', hosts: 'claude-command', lines: (r) => [pick(r, ['Task: $ARGUMENTS', '- Current git status: !`git status`', '- Diff: !`git diff HEAD`'])] },
  { name: 'Jinja placeholder', hosts: 'jinja', lines: (r) => [pick(r, ['Today is {{ current_date }}.', 'You are talking to {{ user.name }} ({{ user.email }}).', "Local time: {{ now().strftime('%H:%M') }}", 'Session: {{ session_id }}'])] },
  { name: 'Handlebars placeholder', hosts: 'hbs', lines: (r) => [pick(r, ['Current date: {{currentDate}}', 'User: {{user.displayName}} <{{user.email}}>', 'Request {{requestId}}'])] },
  { name: 'Mustache placeholder', hosts: 'mustache', lines: (r) => [pick(r, ['Working directory: {{cwd}}', 'Today: {{today}}', 'Session {{session.id}}'])] },
  { name: 'Liquid placeholder', hosts: 'liquid', lines: (r) => [pick(r, ['Today is {{ "now" | date: "%Y-%m-%d" }}.', 'Customer: {{ user.email }}'])] },
  { name: 'Prompty placeholder', hosts: 'prompty', lines: (r) => [pick(r, ['The current date is {{current_date}}.', 'Session: {{session_id}}', 'User: {{user_name}}'])] },
  { name: 'Dotprompt placeholder', hosts: 'dotprompt', lines: (r) => [pick(r, ['Today is {{currentDate}}.', 'User id: {{userId}}', 'Request {{requestId}}'])] },
  { name: 'timestamp in a request body', hosts: 'body', lines: (r) => [`Generated at ${isoTs(r)}.`] },
  { name: 'UUID in a request body', hosts: 'body', lines: (r) => [`Trace ${uuid(r)} for this call.`] },
  { name: 'e-mail in a request body', hosts: 'body', lines: (r) => [`Signed in as ${person(r).email}.`] },
  { name: 'epoch in a request body', hosts: 'body', lines: (r) => [`Request received at ${epochMs(r)}.`] },
  { name: 'literal that changed across versions', hosts: 'history', lines: () => ['Prices as of 2025-01-0%V%.'] },
  { name: 'counter that changed across versions', hosts: 'history', lines: () => ['Catalogue version 4.%V% (%V%12 products).'] },
];

/** Values that look volatile but are fixed: they must not be flagged (a false alarm if they are). */
const DECOYS = [
  { name: 'timestamp in a code block', hosts: 'text', lines: (r) => ['```json', `{ "created_at": "${isoTs(r)}", "id": "${uuid(r)}" }`, '```'] },
  { name: 'log line in a code block', hosts: 'text', lines: (r) => ['```', `[${isoTs(r)}] INFO request ${hex(r, 12)} served in 42 ms`, '```'] },
  { name: 'example UUID in docs', hosts: 'text', lines: (r) => [`For example, an order id looks like ${uuid(r)}.`] },
  { name: 'pinned action SHA', hosts: 'text', lines: (r) => [`Pin actions to a commit: \`uses: actions/checkout@${hex(r, 40)}\``] },
  { name: 'pinned commit in prose', hosts: 'text', lines: (r) => [`The schema is frozen at commit ${hex(r, 40)}; do not change it.`] },
  { name: 'nil UUID', hosts: 'text', lines: () => ['Use the nil UUID 00000000-0000-0000-0000-000000000000 for anonymous records.'] },
  { name: 'release date', hosts: 'text', lines: (r) => [`Released on ${date(r)}. Knowledge cutoff: ${pick(r, MONTHS)} 2024.`] },
  { name: "a document's date label", hosts: 'text', lines: (r) => [`Date: ${date(r)}`] },
  { name: 'support e-mail', hosts: 'text', lines: () => ['Contact: support@example.com for billing questions.'] },
  { name: 'example dates in an example line', hosts: 'text', lines: (r) => [`e.g. "due ${date(r)}" or "every Monday at ${time(r)}"`] },
  { name: 'date format placeholder', hosts: 'text', lines: () => ['Write dates as {{date_format}} and times as {{time_format}}.'] },
  { name: 'type names with per-request words', hosts: 'text', lines: () => ['Emit `SessionStartedEvent` before `UserPromptSubmitted`; the session identifier is opaque.'] },
  { name: 'escaped JSON braces in a format string', hosts: 'txt', lines: () => ['Reply as {{"query": "<your search>", "date": "<YYYY-MM-DD>"}} and nothing else.'] },
  { name: 'prompt variables documented in inline code', hosts: 'text', lines: () => ['Available variables: `${selection}`, `${file}`, `{{current_date}}`.'] },
  { name: 'deployment-fixed template variable', hosts: 'jinja', lines: () => ['You are {{ agent_name }}, the assistant of {{ company_name }}.'] },
  { name: 'configuration placeholder with a per-request word', hosts: 'jinja', lines: () => ['Format dates as {{ date_format }}; answer in {{ user_language }}.'] },
];

// ---------- hosts and places ----------

const HOSTS = {
  text: (c) => /\.(md|txt|mdc)$/.test(c.file) && !/\.prompt\.md$/.test(c.file) && !/commands\//.test(c.file),
  txt: (c) => /\.txt$/.test(c.file),
  'prompt-file': (c) => /\.md$/.test(c.file) && !/commands\//.test(c.file),
  // A command file itself, not the CLAUDE.md / README.md that documents a commands folder.
  'claude-command': (c) => /\.claude\/commands\/|\/commands\/[^/]+\.md$/.test(c.file) && !/(?:^|\/)(?:CLAUDE|AGENTS|README)\.md$/i.test(c.file),
  jinja: (c) => /\.(j2|jinja2?)$/.test(c.file),
  hbs: (c) => /\.(hbs|handlebars)$/.test(c.file),
  mustache: (c) => /\.(hbs|mustache)$/.test(c.file),
  liquid: (c) => /\.(md|txt)$/.test(c.file) && !/commands\//.test(c.file),
  prompty: (c) => /\.prompty$/.test(c.file),
  dotprompt: (c) => /\.prompt$/.test(c.file),
  body: (c) => /\.(md|txt)$/.test(c.file) && c.text.length > 1500,
  history: (c) => /\.(md|txt)$/.test(c.file) && !/commands\//.test(c.file),
};
/** The file name a host copy gets, so the format follows the dialect of the planted value. */
const RENAME = {
  'prompt-file': (f) => f.replace(/(\.prompt)?\.md$/, '.prompt.md'),
  mustache: (f) => f.replace(/\.(hbs|handlebars)$/, '.mustache'),
  liquid: (f) => f.replace(/\.(md|txt)$/, '.liquid'),
};

/** Lines where a value can go: not in front matter or a code fence, and with at least ~100 tokens after them. */
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
    if (/^\s*((\\?`){3}|~~~)/.test(l)) inFence = !inFence;
    if (/<example/i.test(l)) inExample = true;
    if (/<\/example/i.test(l)) inExample = false;
    if (/^#{1,6}\s/.test(l)) inExampleSection = /\bexamples?\b|\bsample\b/i.test(l);
    if (inExample || inExampleSection || inFence || lines.slice(i + 1).join('\n').length < 400) continue;
    // Only at a blank line, and not right before a table, a tag or a template block (they would change meaning).
    if (/^\s*$/.test(l) && !/^\s*[|<{]/.test(lines[i + 1] ?? '')) ok.push(i);
  }
  return ok;
}

/** Where harnesses put a per-request value: the top (after any front matter), or a line in the body. */
function placeFor(r, text, kind) {
  const lines = text.split('\n');
  let top = 0;
  if (lines[0] === '---') top = lines.indexOf('---', 1) + 1;
  // Prompty and Dotprompt bodies start with a role line (`system:`, `{{role "system"}}`): the value goes after it.
  if (/^(system|user):\s*$|^\{\{\s*role /.test(lines[top] ?? '')) top++;
  const slots = insertionLines(text);
  const where = kind === 'decoy' ? 'body' : pick(r, ['top', 'top', 'body']);
  if (where === 'top' || slots.length === 0) return { at: top - 1, where: 'top' };
  return { at: pick(r, slots), where: 'body' };
}

/** The cases: { name, decoy?, file (derived name), fileName, source, line (1-based), span, where, history? }. */
export function plantedCases(corpus, perPlant = 8, seed = 1212) {
  const r = rng(seed);
  // Held-out files only: the rules were not tuned on them.
  const hosts = corpus.filter((c) => c.heldout);
  const out = [];
  const add = (plant, decoy) => {
    for (let k = 0; k < perPlant; k++) {
      if (plant.hosts === 'body') {
        out.push(bodyCase(plant, hosts, r, k, decoy));
        continue;
      }
      // Hosts long enough that a value at the top has static text after it (a value at the very end costs only itself).
      const pool = hosts.filter(HOSTS[plant.hosts]).filter((c) => c.text.length >= 700);
      if (!pool.length) continue;
      const c = pick(r, pool);
      const { at, where } = placeFor(r, c.text, decoy ? 'decoy' : 'value');
      const lines = c.text.split('\n');
      const value = plant.lines(r);
      const make = (v) => [...lines.slice(0, at + 1), ...value.map((x) => x.replace(/%V%/g, String(v))), ...lines.slice(at + 1)].join('\n');
      const rename = RENAME[plant.hosts] ?? ((f) => f);
      const fileName = rename(c.file);
      const source = make(9);
      const start = at < 0 ? 0 : lines.slice(0, at + 1).join('\n').length + 1;
      const inserted = value.map((x) => x.replace(/%V%/g, '9')).join('\n');
      const item = { name: plant.name, decoy, file: `${c.file}#plant-${out.length}${path.extname(fileName)}`, fileName, source, line: at + 2, span: [start, start + inserted.length], where };
      // A changed literal: three earlier versions with other values (a fake history with stable commit ids).
      if (plant.hosts === 'history') item.history = [1, 3, 5].map((v, i) => ({ commit: `plant${i}`.padEnd(40, '0'), date: `2025-01-0${v}T00:00:00Z`, source: make(v) }));
      out.push(item);
    }
  };
  for (const p of PLANTS) add(p, false);
  for (const d of DECOYS) add(d, true);
  return out;
}

function bodyCase(plant, hosts, r, k, decoy) {
  // A request body built around a held-out prompt file: its text is the system prompt, the planted value goes in it.
  const c = pick(r, hosts.filter(HOSTS.body));
  const { at, where } = placeFor(r, c.text, decoy ? 'decoy' : 'value');
  const lines = c.text.split('\n');
  const value = plant.lines(r).join('\n');
  const system = [...lines.slice(0, at + 1), value, ...lines.slice(at + 1)].join('\n');
  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, system, messages: [{ role: 'user', content: 'Summarise the instructions above.' }] }, null, 2);
  // The line of the planted value in the serialised body: the system string is one JSON line.
  const escaped = JSON.stringify(value).slice(1, -1);
  const start = body.indexOf(escaped);
  const line = body.slice(0, start).split('\n').length;
  return { name: plant.name, decoy, file: `${c.file}#body-${k}.json`, fileName: 'request.json', source: body, line, span: [start, start + escaped.length], where };
}

export const PLANT_NAMES = PLANTS.map((p) => p.name);
export const DECOY_NAMES = DECOYS.map((d) => d.name);

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const { loadCorpus } = await import('../lint-precision.mjs');
  const outDir = process.argv[2] ?? 'planted';
  for (const c of plantedCases(loadCorpus())) {
    const f = path.join(outDir, c.file.replace(/[#]/g, '_'));
    mkdirSync(path.dirname(f), { recursive: true });
    writeFileSync(f, c.source);
  }
}
