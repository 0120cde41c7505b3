// Lint rules: what makes a prompt miss the prefix cache. Few false alarms by design: a value is only
// "volatile" when its shape says so (timestamps, UUIDs, "today is …") or when it changed since the
// previous version; content in the final user turn is expected to vary and is never flagged.
import { isMap, isScalar, isSeq, type Pair } from 'yaml';
import { tokensBefore } from './divergence';
import type { TokenizedText } from './encodings';
import { parseJsonWithRanges } from './formats/json';
import { formatCount } from './numbers';
import { CACHE_RULES, minimumFor } from './providers';
import { LineIndex, renderedToSourceOffset, sourceToRenderedOffset } from './text';
import type { ExtractedPrompt, LintFinding, PromptPlaceholder, ProviderId, Severity, SourceRange, TextEdit } from './types';

/** Token counts in messages read like the CLI's tables: 3,412, not 3412. */
const count = formatCount;

export interface LintContext {
  source: string;
  prompt: ExtractedPrompt;
  tokens: TokenizedText;
  fileName: string;
  provider?: ProviderId;
  model?: string;
  previous?: { source: string; prompt: ExtractedPrompt; tokens: TokenizedText };
}

export interface LintRuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity;
  explanation: string;
}

/** Stable rule ids with a title and explanation (the extension links diagnostic codes to these; see docs/rules.md). */
export const LINT_RULES: readonly LintRuleInfo[] = [
  {
    id: 'volatile-prefix',
    title: 'Volatile value in the cacheable prefix',
    defaultSeverity: 'warning',
    explanation:
      'A date, time, timestamp, UUID, long hex id or "today is …" line sits before static content. Providers reuse only the exact token prefix, so every request with a new value recomputes everything after it. Move the value to the end (the final user message) or make it coarser (a date instead of a time).',
  },
  {
    id: 'placeholder-before-static',
    title: 'Template placeholder before a large static block',
    defaultSeverity: 'warning',
    explanation:
      'The first placeholder whose output varies per request ends the cacheable prefix: the static text after it is recomputed on every request. Put static instructions first and per-request values last. The fix moves the placeholder line below the static content when that cannot change the template\'s structure.',
  },
  {
    id: 'below-minimum',
    title: 'Cacheable prefix below the provider minimum',
    defaultSeverity: 'warning',
    explanation:
      'Providers cache nothing below a minimum prefix length (OpenAI 1024 tokens; Anthropic 1024–4096 by model; Gemini 2048–4096), and say nothing about it. Either grow the static prefix (e.g. move examples or tool docs into it) or accept that this prompt is never cached.',
  },
  {
    id: 'line-ending-drift',
    title: 'Line endings differ from the previous version',
    defaultSeverity: 'warning',
    explanation:
      'CRLF and LF are different tokens. A file re-saved with other line endings (or with mixed endings) misses the cache from the first changed line break. The fix normalises line endings to the previous version\'s.',
  },
  {
    id: 'bom',
    title: 'Byte order mark at the start of the file',
    defaultSeverity: 'warning',
    explanation:
      'A UTF-8 BOM is an invisible character that some loaders keep and others strip; when it appears or disappears, the very first token changes and nothing is reused. The fix removes it.',
  },
  {
    id: 'trailing-whitespace-drift',
    title: 'Trailing whitespace changed',
    defaultSeverity: 'warning',
    explanation:
      'A line differs from the previous version only in trailing spaces or tabs. Invisible in the editor, it still changes tokens and invalidates everything after the line. The fix restores the previous trailing whitespace.',
  },
  {
    id: 'reordered-keys',
    title: 'JSON keys or tools in a different order',
    defaultSeverity: 'warning',
    explanation:
      'Key order is part of the bytes the provider sees: tools or keys serialised in another order (map iteration, async tool discovery, json.dumps without sort_keys) are a cache miss from the first moved key. The fix restores the previous order.',
  },
  {
    id: 'too-many-breakpoints',
    title: 'More than 4 Anthropic cache breakpoints',
    defaultSeverity: 'error',
    explanation: 'The Anthropic Messages API accepts at most 4 `cache_control` breakpoints per request (top-level automatic caching uses one of them); more is an error.',
  },
  {
    id: 'breakpoint-beyond-lookback',
    title: 'Breakpoint beyond the 20-block lookback',
    defaultSeverity: 'warning',
    explanation:
      'Anthropic checks for earlier cache entries only about 20 blocks back from each breakpoint. With more than 20 blocks between this breakpoint and the previous one (or the start), a prefix written earlier is not found. Add an intermediate breakpoint.',
  },
];

export function lintExtracted(ctx: LintContext): LintFinding[] {
  const h = new Helper(ctx);
  const findings: LintFinding[] = [];
  findings.push(...volatilePrefix(h), ...placeholderBeforeStatic(h), ...belowMinimum(h), ...lineEndingDrift(h), ...bom(h), ...trailingWhitespaceDrift(h), ...reorderedKeys(h), ...breakpoints(h));
  // A volatile placeholder is also "a placeholder before static text": keep the more specific finding.
  const volatileAt = new Set(findings.filter((f) => f.ruleId === 'volatile-prefix').map((f) => f.range.start.offset));
  for (let i = findings.length - 1; i >= 0; i--) {
    if (findings[i].ruleId === 'placeholder-before-static' && volatileAt.has(findings[i].range.start.offset)) findings.splice(i, 1);
  }
  findings.sort((a, b) => a.range.start.offset - b.range.start.offset || a.ruleId.localeCompare(b.ruleId));
  return findings;
}

class Helper {
  readonly lines: LineIndex;
  readonly N: number;
  constructor(readonly ctx: LintContext) {
    this.lines = new LineIndex(ctx.source);
    this.N = ctx.tokens.ids.length;
  }
  range(start: number, end: number): SourceRange {
    return { start: this.lines.position(start), end: this.lines.position(end) };
  }
  /** Tokens from a rendered offset to the end: what a change there makes the provider recompute. */
  atRiskFromRendered(renderedOffset: number): number {
    return this.N - tokensBefore(this.ctx.tokens, renderedOffset);
  }
  /** Whether the character at a source offset reaches the model (not front matter, not JSON whitespace). */
  isRendered(sourceOffset: number): boolean {
    return this.ctx.prompt.map.some((p) => sourceOffset >= p.sourceStart && sourceOffset < (p.exact ? p.sourceEnd : Math.max(p.sourceEnd, p.sourceStart + 1)));
  }
  atRiskFromSource(sourceOffset: number): number {
    const r = sourceToRenderedOffset(this.ctx.prompt.map, sourceOffset);
    return r === null ? 0 : this.atRiskFromRendered(r);
  }
  toSource(renderedOffset: number): number {
    return renderedToSourceOffset(this.ctx.prompt.map, renderedOffset, this.ctx.source.length);
  }
  /** Where per-request content is expected: final user turn, else the end. */
  get prefixEnd(): number {
    return this.ctx.prompt.finalTurnOffset ?? this.ctx.prompt.text.length;
  }
}

// ---------- volatile-prefix ----------

interface VolatilePattern {
  kind: string;
  re: RegExp;
  /** Only flag when the value changed since the previous version (shape alone is not enough). */
  onlyIfChanged?: boolean;
}

const MONTHS = 'Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?';

const VOLATILE: VolatilePattern[] = [
  { kind: 'timestamp', re: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/g },
  { kind: '"today is …" line', re: /\b(?:today is|today's date is|current date(?: and time)?(?: is)?:?|current time(?: is)?:?|the date is|the time is|it is now|now is)\s+\S[^\n]{0,60}/gi },
  { kind: 'time of day', re: /\b(?:[01]?\d|2[0-3]):[0-5]\d:[0-5]\d\b/g },
  { kind: 'UUID', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  { kind: 'long hex id', re: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/gi },
  { kind: 'request/session id', re: /\b(?:request|session|trace|conversation|correlation)[ _-]?(?:id|number|no\.?)\s*[:=#]?\s*[\w-]{4,}/gi },
  // Environment blocks injected by agent harnesses: a working directory path, `git status` output.
  { kind: 'working directory', re: /\b(?:current working directory|working directory|cwd)\s*(?:is\s*)?[:=]?\s*(?:[/~][^\s`'"]*|[A-Za-z]:\\[^\s`'"]*)/gi },
  { kind: 'git status', re: /\bOn branch [\w./-]+|\bYour branch is (?:up to date|ahead|behind)[^\n]*|\bChanges not staged for commit:/g },
  { kind: 'date', re: new RegExp(`\\b(?:\\d{4}-\\d{2}-\\d{2}|\\d{1,2}/\\d{1,2}/\\d{2,4}|(?:${MONTHS})\\.? \\d{1,2}(?:st|nd|rd|th)?,? \\d{4}|\\d{1,2} (?:${MONTHS}) \\d{4})\\b`, 'g'), onlyIfChanged: true },
];

/** Fewer tokens than this after a volatile value: not worth a warning. */
const TAIL_TOLERANCE_TOKENS = 32;

const VOLATILE_NAME = /(date|time|now|today|timestamp|uuid|nonce|request_?id|session_?id|trace_?id|random|counter|turn|cwd|git_?status|env(ironment)?)/i;

function volatilePrefix(h: Helper): LintFinding[] {
  const { prompt, previous } = h.ctx;
  const out: LintFinding[] = [];
  const limit = h.prefixEnd;
  const text = prompt.text;
  const covered: [number, number][] = [];
  const inTag = (s: number, e: number) => (prompt.placeholders ?? []).some((p) => s < p.renderedEnd && e > p.renderedStart);
  const overlaps = (s: number, e: number) => covered.some(([a, b]) => s < b && e > a);
  for (const pat of VOLATILE) {
    pat.re.lastIndex = 0;
    for (let m = pat.re.exec(text); m; m = pat.re.exec(text)) {
      const s = m.index;
      const e = s + m[0].length;
      if (s >= limit) break;
      if (inTag(s, e) || overlaps(s, e)) continue;
      // Little follows: a volatile value at the very end costs only itself (e.g. "Today is …" as the last line).
      if (h.atRiskFromRendered(e) < TAIL_TOLERANCE_TOKENS) continue;
      if (pat.onlyIfChanged && (!previous || previous.prompt.text.includes(m[0]))) continue;
      covered.push([s, e]);
      const ss = h.toSource(s);
      const se = h.toSource(e);
      const atRisk = h.atRiskFromRendered(s);
      const value = m[0].length > 60 ? `${m[0].slice(0, 57)}…` : m[0];
      out.push({
        ruleId: 'volatile-prefix',
        // A changed plain date may be a deliberate edit: say what it costs, without alarm.
        severity: pat.onlyIfChanged ? 'info' : 'warning',
        message: `Volatile ${pat.kind} in the cacheable prefix: \`${value.trim()}\`${pat.onlyIfChanged ? ' (changed since the previous version)' : ''}. Each new value makes the provider recompute the ${count(atRisk)} tokens from here on; move it to the end (e.g. the final user message) or make it coarser.`,
        range: h.range(ss, Math.max(se, ss + 1)),
        tokensAtRisk: atRisk,
      });
    }
  }
  // Template placeholders whose names say they change per request (date, now, request_id, git status …).
  for (const p of prompt.placeholders ?? []) {
    if (!p.variable || p.kind !== 'output' || p.renderedStart >= limit || !VOLATILE_NAME.test(p.expr)) continue;
    const atRisk = h.atRiskFromRendered(p.renderedStart);
    if (h.atRiskFromRendered(p.renderedEnd) < TAIL_TOLERANCE_TOKENS) continue;
    const fix = moveLineFix(h, p);
    out.push({
      ruleId: 'volatile-prefix',
      severity: 'warning',
      message: `Placeholder \`${p.expr}\` looks per-request (date/time/id/environment) and precedes ${count(atRisk)} tokens of the prompt: every new value recomputes them. Render it at the end instead.`,
      range: h.range(p.sourceStart, p.sourceEnd),
      tokensAtRisk: atRisk,
      ...(fix ? { fix } : {}),
    });
  }
  return out;
}

// ---------- placeholder-before-static ----------

const STATIC_AFTER_MIN_TOKENS = 256;

function placeholderBeforeStatic(h: Helper): LintFinding[] {
  const { prompt } = h.ctx;
  const first = (prompt.placeholders ?? []).find((p) => p.variable);
  if (!first) return [];
  // Static tokens after the first variable placeholder: rendered text outside any placeholder.
  const after = prompt.placeholders!.filter((p) => p.renderedStart >= first.renderedStart);
  let staticChars = 0;
  let cursor = first.renderedEnd;
  for (const p of after.slice(1)) {
    staticChars += Math.max(0, p.renderedStart - cursor);
    cursor = Math.max(cursor, p.renderedEnd);
  }
  staticChars += Math.max(0, prompt.text.length - cursor);
  const atRisk = h.atRiskFromRendered(first.renderedStart);
  // Approximate static tokens by their share of characters after the placeholder.
  const tail = Math.max(1, prompt.text.length - first.renderedStart);
  const staticTokens = Math.round((atRisk * staticChars) / tail);
  if (staticTokens < STATIC_AFTER_MIN_TOKENS || staticTokens < 0.25 * h.N) return [];
  const fix = moveLineFix(h, first);
  const staticBefore = h.N - atRisk;
  return [
    {
      ruleId: 'placeholder-before-static',
      severity: 'warning',
      message: `\`${first.expr}\` varies per request and comes before ~${count(staticTokens)} tokens of static text: only the ${count(staticBefore)} tokens before it can be cached. Put static content first and per-request values last.`,
      range: h.range(first.sourceStart, first.sourceEnd),
      tokensAtRisk: atRisk,
      ...(fix ? { fix } : {}),
    },
  ];
}

/**
 * Moves the line holding a placeholder to the end of the file. Offered only when that cannot change the
 * template's structure: the line holds static text and output placeholders only, sits outside every
 * block (if/for/each…), blocks are balanced, and no whitespace control or `extends` is involved.
 */
function moveLineFix(h: Helper, p: PromptPlaceholder): LintFinding['fix'] | undefined {
  const { source, prompt } = h.ctx;
  if (p.kind !== 'output') return undefined;
  const all = prompt.placeholders ?? [];
  // Child templates render only their blocks: moving text outside them would change the output.
  if (all.some((q) => q.kind === 'control' && /^extends\b/.test(q.expr))) return undefined;
  const line = h.lines.position(p.sourceStart).line;
  const lineStart = h.lines.lineStart(line);
  if (h.lines.position(p.sourceEnd).line !== line) return undefined;
  if (line >= h.lines.lineCount) return undefined; // already the last line
  const nextStart = h.lines.lineStart(line + 1);
  // The line must hold no control tag and sit outside every block (depth 0), and blocks must be balanced,
  // so the end of the file is also at depth 0: then moving the line cannot change the structure.
  if (all.some((q) => q.kind === 'control' && q.sourceStart < nextStart && q.sourceEnd > lineStart)) return undefined;
  const depthAt = (offset: number) => all.filter((q) => q.kind === 'control' && q.sourceEnd <= offset).reduce((d, q) => d + blockDelta(q.expr), 0);
  if (depthAt(lineStart) !== 0 || depthAt(source.length + 1) !== 0) return undefined;
  // Whitespace control (`{%-`, `-%}`, `~`) next to the line could glue it to its neighbours.
  if (/[-~]%?\}\s*$/.test(source.slice(Math.max(0, lineStart - 8), lineStart)) || /^\s*\{[{%]?[-~]/.test(source.slice(nextStart, nextStart + 8))) return undefined;
  if (prompt.frontMatter && lineStart < prompt.frontMatter.end) return undefined;
  const lineText = source.slice(lineStart, nextStart);
  const body = lineText.replace(/\r?\n$|\r$/, '');
  // Nothing but whitespace after this line means it is already at the end.
  if (!source.slice(nextStart).trim()) return undefined;
  const eol = /\r\n/.test(source) ? '\r\n' : '\n';
  const endsWithNewline = /\r?\n$/.test(source);
  const end = source.length;
  const edits: TextEdit[] = [
    { range: h.range(lineStart, nextStart), newText: '' },
    { range: h.range(end, end), newText: endsWithNewline ? `${body}${eol}` : `${eol}${body}` },
  ];
  return { title: `Move the \`${p.expr}\` line to the end of the prompt`, edits };
}

const OPENERS = /^(if|for|unless|case|capture|tablerow|paginate|form|macro|call|filter|with|block|autoescape|raw|trans)\b/;

/** +1 for a tag that opens a block, -1 for one that closes it (Jinja, Liquid, Handlebars, Mustache). */
function blockDelta(expr: string): number {
  const e = expr.trim();
  if (/^end/.test(e) || e.startsWith('/')) return -1;
  if (e.startsWith('#') || e.startsWith('^')) return 1;
  if (/^set\s+[\w.]+\s*$/.test(e)) return 1; // block form of {% set x %}…{% endset %}
  return OPENERS.test(e) ? 1 : 0;
}

// ---------- below-minimum ----------

function belowMinimum(h: Helper): LintFinding[] {
  const { prompt, provider, model } = h.ctx;
  if (h.N === 0) return [];
  let prefixTokens = h.N;
  if (prompt.firstVariableOffset !== null) prefixTokens = tokensBefore(h.ctx.tokens, prompt.firstVariableOffset);
  else if (prompt.breakpoints.length) prefixTokens = tokensBefore(h.ctx.tokens, prompt.breakpoints[prompt.breakpoints.length - 1]);
  else if (prompt.finalTurnOffset !== undefined) prefixTokens = tokensBefore(h.ctx.tokens, prompt.finalTurnOffset);
  const where = h.range(0, Math.min(h.ctx.source.length, h.lines.lineCount > 1 ? h.lines.lineStart(2) - 1 : h.ctx.source.length));
  if (provider) {
    if (provider === 'vllm' || provider === 'sglang' || provider === 'llamacpp') return [];
    const rule = CACHE_RULES[provider];
    const min = minimumFor(rule, model);
    // Claude 4.7+ counts ~30% more tokens than the o200k_base stand-in: judge the minimum in stand-in tokens.
    if (prefixTokens >= (min.standInTokens ?? min.tokens)) return [];
    return [
      {
        ruleId: 'below-minimum',
        severity: 'warning',
        message: `The cacheable prefix is ${count(prefixTokens)} tokens; ${rule.name} caches nothing below ${count(min.tokens)} tokens${min.label ? ` (${min.label})` : ''}, silently.`,
        range: where,
        tokensAtRisk: prefixTokens,
      },
    ];
  }
  // No provider chosen: only speak up for substantial prompts just under the common 1024-token minimum.
  if (prefixTokens >= 512 && prefixTokens < 1024) {
    return [
      {
        ruleId: 'below-minimum',
        severity: 'info',
        message: `The cacheable prefix is ${count(prefixTokens)} tokens, below the 1024-token minimum of OpenAI and most Anthropic models: it is never cached there.`,
        range: where,
        tokensAtRisk: prefixTokens,
      },
    ];
  }
  return [];
}

// ---------- line endings, BOM, trailing whitespace ----------

type Eol = '\r\n' | '\n' | '\r';

function lineBreaks(s: string): { offset: number; eol: Eol }[] {
  const out: { offset: number; eol: Eol }[] = [];
  const re = /\r\n|\n|\r/g;
  for (let m = re.exec(s); m; m = re.exec(s)) out.push({ offset: m.index, eol: m[0] as Eol });
  return out;
}

function dominant(breaks: { eol: Eol }[]): Eol | undefined {
  const counts = new Map<Eol, number>();
  for (const b of breaks) counts.set(b.eol, (counts.get(b.eol) ?? 0) + 1);
  let best: Eol | undefined;
  for (const [k, v] of counts) if (!best || v > counts.get(best)!) best = k;
  return best;
}

const EOL_NAME: Record<Eol, string> = { '\r\n': 'CRLF', '\n': 'LF', '\r': 'CR' };

function lineEndingDrift(h: Helper): LintFinding[] {
  const breaks = lineBreaks(h.ctx.source);
  if (breaks.length === 0) return [];
  const prevBreaks = h.ctx.previous ? lineBreaks(h.ctx.previous.source) : [];
  const target = prevBreaks.length ? dominant(prevBreaks)! : dominant(breaks)!;
  const kinds = new Set(breaks.map((b) => b.eol));
  const off = breaks.filter((b) => b.eol !== target);
  if (off.length === 0) return [];
  // Without a previous version, uniform endings are fine; only a mix is drift in the making.
  if (!prevBreaks.length && kinds.size < 2) return [];
  // Breaks the model never sees (front matter, whitespace between JSON tokens) cannot cost anything.
  const seen = off.filter((b) => h.isRendered(b.offset));
  if (seen.length === 0) return [];
  const first = seen[0];
  const edits: TextEdit[] = off.map((b) => ({ range: h.range(b.offset, b.offset + b.eol.length), newText: target }));
  return [
    {
      ruleId: 'line-ending-drift',
      severity: prevBreaks.length ? 'warning' : 'info',
      message: prevBreaks.length
        ? `${off.length} line break(s) are ${[...new Set(off.map((b) => EOL_NAME[b.eol]))].join('/')} but the previous version used ${EOL_NAME[target]}: the prompt's tokens change from the first one on.`
        : `Mixed line endings (${[...kinds].map((k) => EOL_NAME[k]).join(' and ')}): re-saving the file will change them and miss the cache.`,
      range: h.range(first.offset, first.offset + first.eol.length),
      tokensAtRisk: h.atRiskFromSource(first.offset),
      fix: { title: `Normalise line endings to ${EOL_NAME[target]}`, edits },
    },
  ];
}

function bom(h: Helper): LintFinding[] {
  if (!h.ctx.source.startsWith('\uFEFF') || !h.isRendered(0)) return [];
  const prev = h.ctx.previous?.source;
  if (prev !== undefined && prev.startsWith('\uFEFF')) return [];
  return [
    {
      ruleId: 'bom',
      severity: prev !== undefined ? 'warning' : 'info',
      message: prev !== undefined ? 'A byte order mark appeared at the start of the file: the first token changes, nothing is reused.' : 'The file starts with a byte order mark; loaders differ on keeping it, so it can change the very first token.',
      range: h.range(0, 1),
      tokensAtRisk: h.atRiskFromSource(0),
      fix: { title: 'Remove the byte order mark', edits: [{ range: h.range(0, 1), newText: '' }] },
    },
  ];
}

function splitLines(s: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    out.push({ start, text: s.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, text: s.slice(start) });
  return out;
}

function trailingWhitespaceDrift(h: Helper): LintFinding[] {
  const prev = h.ctx.previous?.source;
  if (prev === undefined) return [];
  const a = splitLines(prev);
  const b = splitLines(h.ctx.source);
  const out: LintFinding[] = [];
  const n = Math.min(a.length, b.length);
  // Walk the lines the versions share; stop at the first real (non-whitespace) difference.
  for (let i = 0; i < n; i++) {
    if (a[i].text === b[i].text) continue;
    const sa = a[i].text.replace(/[ \t]+$/, '');
    const sb = b[i].text.replace(/[ \t]+$/, '');
    if (sa !== sb) break;
    const oldWs = a[i].text.slice(sa.length);
    const start = b[i].start + sb.length;
    const end = b[i].start + b[i].text.length;
    const atRisk = h.atRiskFromSource(start < end ? start : Math.max(0, start - 1));
    if (!h.isRendered(start < end ? start : Math.max(0, start - 1))) continue;
    out.push({
      ruleId: 'trailing-whitespace-drift',
      severity: 'warning',
      message: `Line ${i + 1} differs from the previous version only in trailing whitespace: invisible, yet ${count(atRisk)} tokens after it are recomputed.`,
      range: h.range(start, Math.max(end, start)),
      tokensAtRisk: atRisk,
      fix: { title: 'Restore the previous trailing whitespace', edits: [{ range: h.range(start, end), newText: oldWs }] },
    });
    if (out.length >= 20) break;
  }
  return out;
}

// ---------- reordered-keys ----------

function reorderedKeys(h: Helper): LintFinding[] {
  const { prompt, previous, source } = h.ctx;
  if (!previous || !prompt.format.startsWith('json') || !previous.prompt.format.startsWith('json')) return [];
  const cur = parseJsonWithRanges(source).doc;
  const old = parseJsonWithRanges(previous.source).doc;
  if (!cur || !old) return [];
  const out: LintFinding[] = [];
  walkPair(h, old.contents, cur.contents, '', out);
  return out;
}


function keyOf(p: Pair): string {
  return isScalar(p.key) ? String(p.key.value) : String(p.key);
}

function rangeOf(n: unknown): [number, number] {
  const r = (n as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function toolName(n: unknown): string | undefined {
  if (!isMap(n)) return undefined;
  const direct = n.get('name');
  if (typeof direct === 'string') return direct;
  const fn = n.get('function');
  if (isMap(fn)) {
    const nm = fn.get('name');
    if (typeof nm === 'string') return nm;
  }
  return undefined;
}

function walkPair(h: Helper, a: unknown, b: unknown, path: string, out: LintFinding[]): void {
  const src = h.ctx.source;
  if (isMap(a) && isMap(b)) {
    const ak = a.items.map(keyOf);
    const bk = b.items.map(keyOf);
    const common = new Set(ak.filter((k) => bk.includes(k)));
    const aOrder = ak.filter((k) => common.has(k));
    const bOrder = bk.filter((k) => common.has(k));
    const moved = bOrder.findIndex((k, i) => k !== aOrder[i]);
    if (moved >= 0) {
      const pair = b.items.find((p) => keyOf(p) === bOrder[moved])!;
      const at = rangeOf(pair.key)[0];
      const sameSet = ak.length === bk.length && common.size === ak.length;
      const fix = sameSet ? permuteFix(h, b.items, ak.map((k) => b.items.findIndex((p) => keyOf(p) === k))) : undefined;
      out.push({
        ruleId: 'reordered-keys',
        severity: 'warning',
        message: `Keys of ${path || 'the top-level object'} are in a different order than in the previous version (was ${aOrder.map((k) => `"${k}"`).join(', ')}): a cache miss from "${bOrder[moved]}" on.`,
        range: h.range(at, rangeOf(pair.key)[1]),
        tokensAtRisk: h.atRiskFromSource(at),
        ...(fix ? { fix: { title: 'Restore the previous key order', edits: [fix] } } : {}),
      });
    }
    for (const p of b.items) {
      const k = keyOf(p);
      const q = a.items.find((x) => keyOf(x) === k);
      if (q) walkPair(h, q.value, p.value, path ? `${path}.${k}` : k, out);
    }
    return;
  }
  if (isSeq(a) && isSeq(b)) {
    const an = a.items.map(toolName);
    const bn = b.items.map(toolName);
    const named = an.length > 1 && an.every((x) => x !== undefined) && bn.every((x) => x !== undefined) && new Set(an).size === an.length;
    if (named) {
      const common = new Set(an.filter((x) => bn.includes(x)));
      const aOrder = an.filter((x) => common.has(x));
      const bOrder = bn.filter((x) => common.has(x));
      const moved = bOrder.findIndex((k, i) => k !== aOrder[i]);
      if (moved >= 0) {
        const idx = bn.indexOf(bOrder[moved]);
        const at = rangeOf(b.items[idx])[0];
        const sameSet = an.length === bn.length && common.size === an.length;
        const fix = sameSet ? permuteFix(h, b.items, an.map((n) => bn.indexOf(n))) : undefined;
        const what = /(^|\.)tools$/.test(path) ? 'Tools' : `Items of ${path}`;
        out.push({
          ruleId: 'reordered-keys',
          severity: 'warning',
          message: `${what} are in a different order than in the previous version (was ${aOrder.join(', ')}): a cache miss from "${bOrder[moved]}" (${path}[${idx}]) on.`,
          range: h.range(at, Math.min(src.length, at + 1)),
          tokensAtRisk: h.atRiskFromSource(at),
          ...(fix ? { fix: { title: `Restore the previous ${what === 'Tools' ? 'tool' : 'item'} order`, edits: [fix] } } : {}),
        });
      }
      // Compare each item with its namesake, so a moved tool's own keys are judged against itself.
      b.items.forEach((item, i) => {
        const j = an.indexOf(bn[i]);
        if (j >= 0) walkPair(h, a.items[j], item, `${path}[${i}]`, out);
      });
      return;
    }
    b.items.forEach((item, i) => {
      if (i < a.items.length) walkPair(h, a.items[i], item, `${path}[${i}]`, out);
    });
  }
}

/** Replaces the members' text so that slot i holds member order[i]; separators and indentation stay put. */
function permuteFix(h: Helper, items: readonly unknown[], order: number[]): TextEdit | undefined {
  const src = h.ctx.source;
  if (order.some((i) => i < 0)) return undefined;
  const spans = items.map((it) => {
    if (isMap(it) || isSeq(it) || isScalar(it)) return rangeOf(it);
    const p = it as Pair;
    return [rangeOf(p.key)[0], rangeOf(p.value)[1]] as [number, number];
  });
  if (spans.some(([s, e]) => e <= s)) return undefined;
  let text = '';
  for (let i = 0; i < spans.length; i++) {
    const [s, e] = spans[order[i]];
    text += src.slice(s, e);
    if (i + 1 < spans.length) text += src.slice(spans[i][1], spans[i + 1][0]);
  }
  const start = spans[0][0];
  const end = spans[spans.length - 1][1];
  return { range: h.range(start, end), newText: text };
}

// ---------- Anthropic breakpoints ----------

function breakpoints(h: Helper): LintFinding[] {
  const { prompt } = h.ctx;
  if (prompt.format !== 'json-anthropic' || prompt.breakpoints.length === 0) return [];
  const out: LintFinding[] = [];
  const rule = CACHE_RULES.anthropic;
  const max = rule.maxBreakpoints ?? 4;
  const srcOffsets = prompt.breakpointSourceOffsets ?? [];
  const keyRange = (i: number) => {
    const s = srcOffsets[i] ?? 0;
    return h.range(s, s + '"cache_control"'.length);
  };
  if (prompt.breakpoints.length > max) {
    const extra = [...srcOffsets].sort((x, y) => x - y)[max] ?? 0;
    out.push({
      ruleId: 'too-many-breakpoints',
      severity: 'error',
      message: `${prompt.breakpoints.length} cache_control breakpoints; the Messages API accepts at most ${max} per request (the request is rejected).`,
      range: h.range(extra, extra + '"cache_control"'.length),
      tokensAtRisk: h.N,
    });
  }
  const lookback = rule.lookbackBlocks ?? 20;
  let prev = 0;
  prompt.breakpoints.forEach((bp, i) => {
    const between = prompt.blocks.filter((x) => x > prev && x <= bp).length;
    if (between > lookback) {
      out.push({
        ruleId: 'breakpoint-beyond-lookback',
        severity: 'warning',
        message: `${between} blocks lie between this breakpoint and the ${i === 0 ? 'start of the request' : 'previous breakpoint'}; Anthropic looks back only ~${lookback} blocks for an earlier cache entry. Add a breakpoint in between.`,
        range: keyRange(i),
        tokensAtRisk: h.atRiskFromRendered(prev),
      });
    }
    prev = bp;
  });
  return out;
}
