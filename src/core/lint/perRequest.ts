// What varies per request, and how a rule can tell: by NAME (a placeholder or a "Today's date:" label whose words
// say so, matched as whole words), by where it is (a request body is generated per request), or by history (a
// literal that changed across the file's earlier versions). Shape alone (a date, a hex string) is never enough
// in a static file: pinned SHAs, example timestamps and fixed ids never change. Fenced code blocks and examples
// are quiet zones: their values illustrate, they are not sent differently per request.
import type { HistoryVersion } from './helper';

// ---------- names ----------

/** Splits an identifier or expression into lower-case words: `currentDate`, `current_date`, `git.user.email`. */
export function wordsOf(expr: string): string[] {
  return expr
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * Words (or word pairs) that name a value produced per request. Matched as whole words, so `validate` is not
 * "date" and `return_format` is not "turn".
 */
const PER_REQUEST_WORDS = new Set([
  'date', 'time', 'now', 'today', 'tonight', 'yesterday', 'tomorrow', 'timestamp', 'datetime', 'clock', 'epoch', 'utc',
  'user', 'username', 'login', 'email', 'session', 'uuid', 'guid', 'nonce', 'random', 'cwd', 'pwd', 'workdir',
  'selection', 'input', 'query', 'question', 'clipboard',
]);
/** Words for a kind of id: per request only with a word that says whose (`session_uuid`) or when called (`uuid4()`). */
const ID_WORDS = new Set(['uuid', 'guid', 'random']);
const ID_QUALIFIERS = new Set(['session', 'request', 'trace', 'conversation', 'correlation', 'user', 'run', 'thread', 'message']);
const PER_REQUEST_PAIRS = [
  ['request', 'id'], ['trace', 'id'], ['conversation', 'id'], ['correlation', 'id'], ['thread', 'id'], ['message', 'id'], ['run', 'id'],
  ['working', 'directory'], ['current', 'directory'], ['git', 'status'], ['current', 'branch'], ['recent', 'commits'],
  ['selected', 'text'], ['current', 'file'], ['open', 'files'], ['user', 'info'],
  // Ids of one run of something (a spawned subagent, a task, a tool call) and more of what a harness captures.
  ['subagent', 'id'], ['task', 'id'], ['job', 'id'], ['call', 'id'], ['invocation', 'id'], ['execution', 'id'], ['span', 'id'],
  ['git', 'commits'], ['git', 'log'], ['git', 'diff'], ['git', 'branch'],
];
/** What a user typed: `user_prompt`, `user_message`, `user_query` are per request although `prompt` alone is configuration. */
const USER_OWNERS = new Set(['user', 'human', 'customer', 'current', 'latest', 'last', 'new']);
const USER_CONTENT_HEADS = new Set(['prompt', 'message', 'messages', 'msg', 'query', 'request', 'input', 'question', 'text', 'content', 'utterance', 'ask', 'reply']);
/** VS Code prompt-file variables: per request (the selection, the current file) or per workspace (fixed). */
const PROMPT_FILE_PER_REQUEST = /^(?:input:.*|selection|selectedText|file|fileBasename|fileDirname|fileBasenameNoExtension)$/;
const PROMPT_FILE_PER_WORKSPACE = /^(?:workspaceFolder|workspaceFolderBasename)$/;

/** A name whose last word is one of these names configuration (`date_format`, `user_instructions`), not a value. */
const CONFIG_HEADS = new Set([
  'format', 'formats', 'style', 'type', 'types', 'template', 'templates', 'schema', 'schemas', 'instructions', 'instruction',
  'description', 'descriptions', 'example', 'examples', 'prompt', 'prompts', 'rules', 'rule', 'policy', 'policies', 'guidelines',
  'locale', 'timezone', 'zone', 'language', 'lang', 'tone', 'persona', 'role', 'roles', 'tools', 'tool', 'limit', 'limits',
  'max', 'min', 'count', 'enabled', 'mode', 'config', 'settings', 'option', 'options', 'label', 'labels', 'field', 'fields',
  'placeholder', 'hint', 'name_field', 'pattern', 'regex', 'unit', 'units', 'precision',
  'strategy', 'strategies', 'criteria', 'guide', 'guidance', 'checklist', 'rubric',
]);
/** Modifiers that make a date fixed per deployment: `knowledge_cutoff_date`, `release_date`. */
const FIXED_MODIFIERS = new Set(['ex', 'example', 'examples', 'sample', 'samples', 'shot', 'shots', 'demo', 'cutoff', 'knowledge', 'release', 'released', 'build', 'launch', 'founded', 'founding', 'effective', 'published', 'copyright', 'birth', 'created', 'updated',
  // A date that changes once a year (`last_new_year_date`, `current_year_start_date`) is the same for a whole year.
  'year', 'yearly', 'annual', 'annually']);
/** Names of things fixed per deployment (they do not end the cacheable prefix). */
const DEPLOYMENT_HEADS = new Set([
  ...CONFIG_HEADS, 'agent', 'assistant', 'bot', 'company', 'organization', 'org', 'product', 'brand', 'app', 'application',
  'platform', 'model', 'version', 'system', 'capabilities', 'skills', 'functions', 'identity', 'team', 'project', 'repo',
  'repository', 'domain', 'workspace', 'namespace', 'env', 'environment', 'shell', 'os',
]);

export interface NameVerdict {
  /** The word (or words) that say the value varies per request. */
  word: string;
}

/** The identifier a placeholder expression outputs: `user.name | default("x")` → `user.name`; `now()` → `now`. */
export function headExpression(expr: string): string {
  const e = expr.trim().replace(/^[#^/>&{]+|\}+$/g, '').trim();
  const noFilter = e.split(/\s*\|(?!\|)\s*/)[0];
  // Liquid: `'now' | date: …`: the literal is what varies.
  const literal = /^['"]([\w -]+)['"]$/.exec(noFilter);
  if (literal) return literal[1];
  return noFilter;
}

/** An expression without its string literals: the words of `raise_exception("…user message…")` are not names. */
export function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, ' ');
}

/** Whether a name says its value varies per request (`current_date`, `user.email`, `request_id`, `${selection}`). */
export function namedPerRequest(expr: string): NameVerdict | undefined {
  const raw = expr.trim();
  if (PROMPT_FILE_PER_WORKSPACE.test(raw)) return undefined;
  if (PROMPT_FILE_PER_REQUEST.test(raw)) return { word: raw.startsWith('input:') ? 'input' : raw };
  const headExpr = headExpression(raw);
  // Liquid's `'now' | date` names its value with a literal; any other literal is text, not a name.
  const words = wordsOf(/^['"][\w -]+['"]$/.test(headExpr.trim()) ? headExpr : withoutStrings(headExpr));
  if (words.length === 0) return undefined;
  const head = words[words.length - 1];
  if (USER_CONTENT_HEADS.has(head) && words.slice(0, -1).some((w) => USER_OWNERS.has(w))) return { word: `${words.find((w) => USER_OWNERS.has(w))} ${head}` };
  if (CONFIG_HEADS.has(head)) return undefined;
  if (words.some((w) => FIXED_MODIFIERS.has(w))) return undefined;
  for (let i = 0; i + 1 < words.length; i++) {
    const pair = PER_REQUEST_PAIRS.find(([a, b]) => a === words[i] && b === words[i + 1]);
    if (pair) return { word: pair.join(' ') };
  }
  const hit = words.find((w) => PER_REQUEST_WORDS.has(w));
  // A bare `{{UUID}}` names a kind of value (often a redaction token for a fixed id); it is generated per request
  // when it is called (`uuid4()`) or says whose id it is (`session_uuid`, "Request ID: {{ uuid }}" via the label).
  const bareId = hit && ID_WORDS.has(hit) && !words.some((w) => ID_QUALIFIERS.has(w));
  if (hit && !bareId) return { word: hit };
  // Calls and filters in the whole expression: `datetime.now().strftime(…)`, `'now' | date`, `uuid4()`.
  const code = withoutStrings(raw);
  const call = /\b(now|today|utcnow|strftime_now|uuid[14]?|random)\s*\(/i.exec(code) ?? /^['"]now['"]/.exec(raw.trim());
  if (call) return { word: call[1] ?? 'now' };
  const all = wordsOf(code);
  const nowWord = all.find((w) => w === 'now' || w === 'today' || w === 'utcnow');
  return nowWord ? { word: nowWord } : undefined;
}

/** Whether a placeholder's name says it is fixed per deployment (`instructions`, `tools`, `agent_name`). */
export function namedPerDeployment(expr: string): boolean {
  const words = wordsOf(headExpression(expr));
  if (words.length === 0) return false;
  // A bare `prompt` (or `current_prompt`) is what this request asks; `system_prompt` is configuration.
  if (words.length === 1 && words[0] === 'prompt') return false;
  if (namedPerRequest(expr)) return false;
  if (PROMPT_FILE_PER_WORKSPACE.test(expr.trim())) return true;
  return DEPLOYMENT_HEADS.has(words[words.length - 1]) || (words.length > 1 && DEPLOYMENT_HEADS.has(words[0]) && words[words.length - 1] === 'name');
}

/** A template variable that may change between requests: named so, or at least not named fixed per deployment. */
export function mayVaryPerRequest(expr: string): boolean {
  return !!namedPerRequest(expr) || !namedPerDeployment(expr);
}

/**
 * Request bodies render their strings JSON-escaped ("line one\\nline two"). The line-based checks need the lines:
 * this view replaces each two-character escape with two characters that read the same way (`\\n` → " \n"),
 * so offsets are unchanged and findings map back exactly.
 */
export function lineView(text: string): string {
  return text.replace(/\\(["\\/bfnrt])/g, (_m, c: string) => (c === 'n' || c === 'r' ? ' \n' : c === 't' ? '  ' : ` ${c}`));
}

// ---------- quiet zones: code blocks and examples ----------

/** Rendered ranges whose values illustrate rather than vary: fenced code blocks, `<example>` blocks, example lines. */
export function quietZones(text: string): [number, number][] {
  return [...codeBlocks(text), ...exampleZones(text)];
}

/** Fenced code blocks: shown code, whose `${…}` and `{{…}}` nobody fills in. */
export function codeBlocks(text: string): [number, number][] {
  const zones: [number, number][] = [];
  // Fenced code blocks (``` or ~~~, three or more, closed by the same fence or the end of the text).
  // Prompts kept as JS string literals escape their fences (\\`\\`\\`): the same fence once unescaped.
  const fence = /^[ \t]{0,3}((?:\\?`){3,}|~{3,})[^\n]*$/gm;
  let open: { start: number; marker: string } | undefined;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const marker = m[1].replace(/\\/g, '');
    if (!open) open = { start: m.index, marker };
    else if (marker[0] === open.marker[0] && marker.length >= open.marker.length && m[0].trim() === m[1]) {
      zones.push([open.start, m.index + m[0].length]);
      open = undefined;
    }
  }
  if (open) zones.push([open.start, text.length]);
  return zones;
}

/** `<example>` blocks, example lines and "Examples" sections: their values illustrate. */
function exampleZones(text: string): [number, number][] {
  const zones: [number, number][] = [];
  // <example>…</example>, <examples>…</examples>, <sample…>.
  const tag = /<(examples?|sample[\w-]*|example[\w-]*)\b[^>]*>[\s\S]*?<\/\1>/gi;
  for (let m = tag.exec(text); m; m = tag.exec(text)) zones.push([m.index, m.index + m[0].length]);
  // Lines that say they are examples.
  const exampleLine = /^[^\n]*(?:\be\.g\.|\bfor example\b|\bfor instance\b|\bexamples?\s*:)[^\n]*$/gim;
  for (let m = exampleLine.exec(text); m; m = exampleLine.exec(text)) zones.push([m.index, m.index + m[0].length]);
  // Sections headed "Example(s)": up to the next heading of the same or a higher level.
  const heading = /^(#{1,6})[ \t]+(.*)$/gm;
  const heads: { at: number; level: number; example: boolean }[] = [];
  for (let m = heading.exec(text); m; m = heading.exec(text)) heads.push({ at: m.index, level: m[1].length, example: /\bexamples?\b|\bsample\b/i.test(m[2]) });
  heads.forEach((hd, i) => {
    if (!hd.example) return;
    const next = heads.slice(i + 1).find((x) => x.level <= hd.level);
    zones.push([hd.at, next ? next.at : text.length]);
  });
  return zones;
}

/** Inline code spans (`` `${selection}` ``): in a document, a placeholder quoted in backticks shows the syntax. */
export function inlineCodeSpans(text: string): [number, number][] {
  const zones: [number, number][] = [];
  const re = /(`+)(?!`)[^`\n]+?\1(?!`)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) zones.push([m.index, m.index + m[0].length]);
  return zones;
}

export function inZones(zones: readonly [number, number][], start: number, end: number): boolean {
  return zones.some(([a, b]) => start < b && end > a);
}

// ---------- shapes ----------

const MONTHS = 'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?';
const DAYS = '(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?';

export interface Shape {
  kind: string;
  re: RegExp;
}

/** Values that look generated: in a request body they were produced for this request. */
export const VALUE_SHAPES: readonly Shape[] = [
  { kind: 'timestamp', re: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g },
  { kind: 'UUID', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  { kind: 'epoch time', re: /\b1[5-9]\d{8}(?:\d{3})?\b/g },
  { kind: 'time of day', re: /\b(?:[01]?\d|2[0-3]):[0-5]\d:[0-5]\d\b/g },
  { kind: 'date', re: new RegExp(`\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{2,4}|(?:${DAYS},?\\s+)?(?:${MONTHS})\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}|\\d{1,2} (?:${MONTHS}) \\d{4})\\b`, 'g') },
  { kind: 'long hex id', re: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/gi },
  { kind: 'e-mail address', re: /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g },
];

/** The nil UUID and all-zero ids are placeholders, never generated values. */
export function isPlaceholderValue(v: string): boolean {
  return /^[0-]+$/.test(v) || /^(?:f+-?)+$/i.test(v) || /@example\.(?:com|org|net)$/i.test(v);
}

/** Output of a command run per request, pasted into the prompt by a harness. */
export const COMMAND_OUTPUT: readonly Shape[] = [
  { kind: '`git status` output', re: /^[ \t]*(?:On branch [\w./-]+|Your branch is (?:up to date|ahead|behind)[^\n]*|Changes not staged for commit:|Changes to be committed:|Untracked files:)[ \t]*$/gm },
];

// ---------- labels: "Today's date: 2025-06-01", "The current date is {}." ----------

export interface LabelledValue {
  /** Rendered offsets of the whole "label: value" text. */
  start: number;
  end: number;
  label: string;
  value: string;
  word: string;
}

/** Role markers of transcripts ("User: hi"): a turn, not a value. */
const ROLE_LABEL = /^(?:user|human|assistant|ai|bot|system|model|customer|agent|me|you|q|a)$/i;

// `Label: value` / `Label = value` at the start of a line (after a bullet, bold or a `# ` heading), or
// `<label>value</label>`, or "The current date is …" / "Today is …" / "It is now …" phrases.
// A label may end with a short qualifier in parentheses: "Request time (epoch): …", "Timestamp (ms): …".
const LABEL_LINE = /^[ \t]*(?:[-*•>]\s+|#{1,6}\s+)?(?:\*\*|__)?([A-Za-z][A-Za-z'’ _.-]{0,40}?(?:[ \t]*\([A-Za-z ,/]{1,20}\))?)(?:\*\*|__)?[ \t]*(?::|=|：)(?:\*\*|__)?[ \t]*(\S[^\n]*)?$/gm;
const LABEL_TAG = /<([a-z][\w-]{1,40})>([^<\n]{1,400})<\/\1>/gi;
const LABEL_PHRASE =
  /\b(?:(?:the\s+)?(?:current|today's|today’s)\s+(?:date(?:\s+and\s+time)?|time(?:\s+and\s+date)?|datetime)\s+is|today\s+is|it\s+is\s+(?:now|currently)|the\s+time\s+is|the\s+user(?:'s|’s)\s+[a-z ]{2,30}?\s+is)\s+(\S[^\n]{0,80})/gi;

function valueFits(word: string, value: string): boolean {
  const v = value.trim();
  if (!v) return false;
  // A template/format placeholder or an expression where the value goes: `{}`, `{date}`, `${…}`, `<date>`, `%s`.
  if (/[{}$<%]/.test(v.slice(0, 3)) || /^\[[^\]]*\]$/.test(v)) return true;
  const words = v.split(/\s+/).length;
  switch (word) {
    case 'date': case 'time': case 'now': case 'today': case 'timestamp': case 'datetime': case 'clock': case 'epoch': case 'utc':
    case 'tonight': case 'yesterday': case 'tomorrow':
      return /\d/.test(v) || new RegExp(`^(?:${DAYS}|${MONTHS})\\b`, 'i').test(v);
    case 'cwd': case 'pwd': case 'workdir': case 'working directory': case 'current directory':
      return /^[`'"]?(?:[/~]|[A-Za-z]:[\\/])/.test(v);
    case 'git status': case 'recent commits':
      return true;
    case 'current branch':
      return words <= 3;
    case 'session': case 'uuid': case 'guid': case 'nonce': case 'request id': case 'trace id': case 'conversation id': case 'correlation id': case 'thread id': case 'message id': case 'run id':
      return /^[`'"]?[\w.:-]{6,}[`'"]?$/.test(v.split(/\s+/)[0]) && /\d/.test(v);
    case 'user': case 'username': case 'login': case 'email': case 'user info':
      return words <= 6 && !/[.!?]$/.test(v) || /@/.test(v);
    default:
      return words <= 12;
  }
}

const TIME_WORDS = new Set(['date', 'time', 'timestamp', 'datetime', 'clock', 'epoch', 'utc']);
const NOW_QUALIFIERS = new Set(['today', 'current', 'now', 'local', 'request', 'session', 'server', 'system', 'utc', 'started', 'start']);

/**
 * A label is a weaker signal than a placeholder's name: "Date: 2024-01-01" is a document's date, "Role GUID: …" a
 * fixed id, "Question: …" a few-shot example, "Email: support@…" a contact. Those need a word that says "now" or
 * "this request/user".
 */
function labelSays(word: string, words: string[], value = ''): boolean {
  // An epoch time (10 or 13 digits) is a moment of capture whatever the label says; a bare date may be a document's.
  if (TIME_WORDS.has(word)) return words.some((w) => NOW_QUALIFIERS.has(w)) || /^1[5-9]\d{8}(?:\d{3})?\b/.test(value.trim());
  if (word === 'uuid' || word === 'guid' || word === 'random') return words.some((w) => ID_QUALIFIERS.has(w));
  if (word === 'email') return words.some((w) => w === 'user' || w === 'author' || w === 'account' || w === 'git');
  if (word === 'input' || word === 'query' || word === 'question' || word === 'selection' || word === 'clipboard') return false;

  return true;
}

/** "label: value" pairs whose label names a per-request value (and whose value is one, not prose). */
export function labelledValues(text: string): LabelledValue[] {
  const out: LabelledValue[] = [];
  const consider = (start: number, end: number, label: string, value: string) => {
    if (ROLE_LABEL.test(label.trim())) return;
    const verdict = namedPerRequest(label.replace(/['’]s\b/g, ''));
    if (!verdict || !labelSays(verdict.word, wordsOf(label.replace(/['’]s\b/g, '')), value)) return;
    // "User query: How do I …?" is a few-shot example far more often than this request's text; with a template slot
    // as its value ("User's last message: {{ conversation[-1] }}") it is the request's text.
    if (USER_CONTENT_HEADS.has(verdict.word.split(' ').pop() ?? '') && !/^[{$<%[]/.test(value.trim())) return;
    if (!valueFits(verdict.word, value)) return;
    out.push({ start, end, label: label.trim(), value: value.trim(), word: verdict.word });
  };
  LABEL_LINE.lastIndex = 0;
  for (let m = LABEL_LINE.exec(text); m; m = LABEL_LINE.exec(text)) {
    const label = m[1];
    const value = m[2] ?? '';
    // `gitStatus:` opens a block: its value may be prose or the next lines.
    const isBlock = /^git\s*status$/i.test(label.replace(/([a-z])([A-Z])/g, '$1 $2'));
    if (!value && !isBlock) continue;
    consider(m.index + (m[0].length - m[0].trimStart().length), m.index + m[0].length, label, isBlock && !value ? '(block)' : value);
  }
  LABEL_TAG.lastIndex = 0;
  for (let m = LABEL_TAG.exec(text); m; m = LABEL_TAG.exec(text)) consider(m.index, m.index + m[0].length, m[1].replace(/[_-]/g, ' '), m[2]);
  LABEL_PHRASE.lastIndex = 0;
  for (let m = LABEL_PHRASE.exec(text); m; m = LABEL_PHRASE.exec(text)) {
    const phrase = m[0].slice(0, m[0].length - m[1].length).trim();
    // The value ends with its sentence: "The user's OS version is darwin 24.5.0. The absolute path …".
    const value = m[1].replace(/\.(?:\s.*)?$/, '');
    const label = /user/i.test(phrase) ? phrase.replace(/^the\s+/i, '').replace(/\s+is$/i, '') : /time/i.test(phrase) && !/date/i.test(phrase) ? 'current time' : /now|currently/i.test(phrase) ? 'now' : 'today date';
    consider(m.index, m.index + m[0].length, label, value);
  }
  return out;
}

// ---------- Claude Code commands: `$ARGUMENTS` and `!`cmd`` are filled in on every invocation ----------

/** Slash commands, skills and agents of Claude Code and OpenCode (by folder, or by the front matter keys only they use). */
export function isClaudeCodeCommand(fileName: string, source: string): boolean {
  const f = fileName.replace(/\\/g, '/');
  if (/(?:^|\/)\.claude\/(?:commands|skills|agents)\//.test(f) || /(?:^|\/)plugins\/[^/]+\/(?:commands|skills|agents)\//.test(f)) return true;
  // OpenCode's commands use the same `$ARGUMENTS` and `!`cmd`` syntax.
  if (/(?:^|\/)\.?opencode\/commands?\//.test(f)) return true;
  // Only the front matter counts: a YAML example of `argument-hint:` further down (an issue about commands) does not.
  return frontMatterHasCommandKey(source);
}

function frontMatterHasCommandKey(source: string): boolean {
  const m = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(source);
  return !!m && /^(?:allowed-tools|argument-hint)\s*:/m.test(m[1]);
}

export interface CommandValue {
  start: number;
  end: number;
  kind: 'arguments' | 'command';
  /** The shell command (`git status`) or the argument (`$ARGUMENTS`, `$1`). */
  value: string;
}

/** `$ARGUMENTS`, `$1`…`$9` (what the user typed after the command) and `!`git status`` (run, its output pasted in). */
export function commandValues(text: string): CommandValue[] {
  const out: CommandValue[] = [];
  const re = /!`([^`\n]+)`|\$ARGUMENTS\b|\$[1-9](?![\w.])/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ start: m.index, end: m.index + m[0].length, kind: m[1] ? 'command' : 'arguments', value: m[1] ?? m[0] });
  }
  return out;
}

// ---------- placeholders written as text (a static file some app fills in) ----------

export interface TextPlaceholder {
  start: number;
  end: number;
  expr: string;
}

// `{{ current_date }}`, `{{$input}}` (Semantic Kernel), `${userName}`, `{current_date}` (str.format), `<%= now %>`.
// An f-string field may call something: `{datetime.now(timezone.utc).strftime('%B %d, %Y')}`, `{date.today()}`.
const TEXT_PLACEHOLDER = /\{\{\s*\$?([^{}\n]{1,80}?)\s*\}\}|\$\{([^{}\n]{1,80})\}|(?<![{$\w])\{([A-Za-z_][\w.]{0,60}(?:\([^{}()\n]{0,40}\)[\w.]*)*(?:\([^{}\n]{0,40}\))?)\}(?!\})|<%=?\s*([^%\n]{1,60}?)\s*%>/g;

export function textPlaceholders(text: string): TextPlaceholder[] {
  const out: (TextPlaceholder & { bare: boolean; dollar: boolean })[] = [];
  TEXT_PLACEHOLDER.lastIndex = 0;
  for (let m = TEXT_PLACEHOLDER.exec(text); m; m = TEXT_PLACEHOLDER.exec(text)) {
    const expr = (m[1] ?? m[2] ?? m[3] ?? m[4]).trim();
    // Mustache/Handlebars sections and comments (`{{#x}}`, `{{/x}}`, `{{^x}}`, `{{!x}}`, `{{>x}}`) output nothing.
    if (/^[#/^!>]/.test(expr)) continue;
    // Braces around a literal object (`{{"queries": [...]}}`, `{{scratchpad: "…", tool: ""}}`, str.format's escaped
    // braces) hold data, not a name; `${input:topic}` is VS Code's syntax and stays.
    if (!/^input:/.test(expr) && (/^["']/.test(expr) || /[\w"']\s*:\s*["'[{\d]/.test(expr))) continue;
    out.push({ start: m.index, end: m.index + m[0].length, expr, bare: m[3] !== undefined, dollar: m[2] !== undefined });
  }
  // A text whose slots are `${…}` (a JS template literal, a VS Code prompt file) fills in nothing else: its bare
  // `{messageId}` is literal text, e.g. a link format the model is shown ("The dollar prefix is required").
  const slots = out.some((p) => p.dollar) ? out.filter((p) => !p.bare) : out;
  return slots.map(({ start, end, expr }) => ({ start, end, expr }));
}

// ---------- history: literals that changed across earlier versions ----------

/** Numbers-like literals in a line: dates, times, ids, counts. Masked, two lines are "the same line". */
const LITERAL = /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b(?=[0-9a-f]*\d)[0-9a-f]{7,}\b|\d+(?:[.:,/]\d+)*/gi;

export interface LiteralChange {
  /** Offsets of the literal in the line. */
  start: number;
  end: number;
  value: string;
  commits: { commit: string; date?: string; value: string }[];
}

function maskLine(line: string): { mask: string; literals: { start: number; end: number; value: string }[] } {
  const literals: { start: number; end: number; value: string }[] = [];
  LITERAL.lastIndex = 0;
  const mask = line.replace(LITERAL, (v: string, at: number) => {
    literals.push({ start: at, end: at + v.length, value: v });
    return '\u0000';
  });
  return { mask: mask.trim(), literals };
}

/**
 * For each line of `current` holding literals, the earlier versions in which a line with the same text around
 * the literals held another value. Lines are matched by that masked text, so moved lines still match.
 */
export class LiteralHistory {
  private readonly exact: Set<string>[] = [];
  private readonly byMask: Map<string, string[]>[] = [];
  constructor(private readonly versions: readonly HistoryVersion[]) {
    for (const v of versions) {
      const exact = new Set<string>();
      const byMask = new Map<string, string[]>();
      for (const line of v.source.split(/\r\n|\n|\r/)) {
        exact.add(line.trim());
        const { mask, literals } = maskLine(line);
        if (literals.length === 0 || !byMask.has(mask)) byMask.set(mask, literals.map((l) => l.value));
      }
      this.exact.push(exact);
      this.byMask.push(byMask);
    }
  }
  get size(): number {
    return this.versions.length;
  }
  changesIn(line: string): LiteralChange[] {
    const { mask, literals } = maskLine(line);
    // Too little text around the literals to say it is the same line ("1.", "Step 3:").
    if (literals.length === 0 || mask.replace(/[^A-Za-z]/g, '').length < 4) return [];
    const out: LiteralChange[] = [];
    literals.forEach((lit, k) => {
      const commits: LiteralChange['commits'] = [];
      let next = lit.value;
      // Newest → oldest: a version that had another value here than the version after it.
      for (let i = this.versions.length - 1; i >= 0; i--) {
        const value = this.exact[i].has(line.trim()) ? lit.value : this.byMask[i].get(mask)?.[k];
        if (value === undefined) continue;
        if (value !== next) commits.push({ commit: this.versions[i].commit, date: this.versions[i].date, value });
        next = value;
      }
      if (commits.length) out.push({ ...lit, commits: commits.reverse() });
    });
    return out;
  }
}
