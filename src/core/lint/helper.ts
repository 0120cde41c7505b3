// What every lint rule shares: the rule shape, the context it reads, offsets ↔ positions ↔ tokens, the provider
// facts the rules need (one small seam onto providers.ts), and the template "move this line" fix.
import { tokensBefore } from '../divergence';
import type { TokenizedText } from '../encodings';
import { formatCount } from '../numbers';
import { CACHE_RULES, minimumFor } from '../providers';
import { LineIndex, renderedToSourceOffset, sourceToRenderedOffset } from '../text';
import type { ExtractedPrompt, LintFinding, PromptPlaceholder, ProviderId, Severity, SourceRange, TextEdit } from '../types';

/** Token counts in messages read like the CLI's tables: 3,412, not 3412. */
export const count = formatCount;

/** An earlier version of the file, oldest first in `LintContext.history`. */
export interface HistoryVersion {
  /** A commit hash (or any stable id: a snapshot key). */
  commit: string;
  /** ISO 8601 date, when known. */
  date?: string;
  source: string;
}

export interface LintContext {
  source: string;
  prompt: ExtractedPrompt;
  tokens: TokenizedText;
  fileName: string;
  provider?: ProviderId;
  model?: string;
  /** The version this one is compared with (drift rules: line endings, BOM, whitespace, key order). */
  previous?: { source: string; prompt: ExtractedPrompt; tokens: TokenizedText };
  /**
   * Earlier versions of the file (e.g. its git history), oldest first. A literal that changed across them is
   * volatile even in a static file. Optional: the CLI passes it for files in git; other callers may.
   */
  history?: readonly HistoryVersion[];
  /**
   * This file is the whole request (not a fragment sent inside a larger one): the provider minimum applies to it.
   * Request bodies are whole requests anyway; front matter `prompt-cache: whole-prompt` marks a file too.
   */
  wholePrompt?: boolean;
}

/** What the docs page, the in-product explanations and SARIF say about a rule: written once, in the rule's file. */
export interface LintRuleInfo {
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** One paragraph: what is wrong and what to do (SARIF fullDescription, media/rules.md). */
  explanation: string;
  /** The docs page's extra paragraph: what exactly is reported and what is not. */
  details?: string;
  /** What each finding's `evidence` says. */
  evidence: string;
}

export interface LintRule extends LintRuleInfo {
  check(h: LintHelper): LintFinding[];
}

export class LintHelper {
  readonly lines: LineIndex;
  /** Tokens of the rendered prompt. */
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
  tokensBefore(renderedOffset: number): number {
    return tokensBefore(this.ctx.tokens, renderedOffset);
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
  toRendered(sourceOffset: number): number | null {
    return sourceToRenderedOffset(this.ctx.prompt.map, sourceOffset);
  }
  /** Where per-request content is expected: the final user turn (request bodies), else the end. */
  get prefixEnd(): number {
    return this.ctx.prompt.finalTurnOffset ?? this.ctx.prompt.text.length;
  }
  /** Request bodies are generated per request: every value in them was produced for this request. */
  get isRequestBody(): boolean {
    return this.ctx.prompt.format.startsWith('json-');
  }
  /**
   * Where a request body's generated part ends: tools and system prompt are built for each request, but the
   * conversation after them replays earlier turns verbatim (a timestamp in an old tool result stays put).
   */
  get generatedEnd(): number {
    const { segments, text } = this.ctx.prompt;
    for (const s of segments) {
      const m = /^(messages|contents|input)\[(\d+)\]$/.exec(s.name);
      if (!m) continue;
      const role = segments.find((r) => r.name === `${s.name}.role`);
      if (role && /system|developer/.test(text.slice(role.start, role.end))) continue;
      return Math.min(s.start, this.prefixEnd);
    }
    return this.prefixEnd;
  }
}

// ---------- provider facts (the one place lint reads providers.ts) ----------

/** The provider's minimum cacheable prefix, or undefined where it is a block or less (self-hosted engines). */
export function providerMinimum(provider: ProviderId, model?: string): { tokens: number; label?: string; name: string } | undefined {
  const rule = CACHE_RULES[provider];
  const min = minimumFor(rule, model);
  if (min.tokens <= 16) return undefined;
  return { tokens: min.tokens, label: min.label, name: rule.name };
}

/** Anthropic's breakpoint limits: at most this many `cache_control` markers, looking back this many blocks. */
export function anthropicBreakpointLimits(): { maxBreakpoints: number; lookbackBlocks: number } {
  const rule = CACHE_RULES.anthropic;
  return { maxBreakpoints: rule.maxBreakpoints ?? 4, lookbackBlocks: rule.lookbackBlocks ?? 20 };
}

// ---------- the template "move the line to the end" fix ----------

/**
 * Moves the line holding a placeholder to the end of the file. Offered only when that cannot change the
 * template's structure: the line holds static text and output placeholders only, sits outside every
 * block (if/for/each…), blocks are balanced, and no whitespace control or `extends` is involved.
 */
export function moveLineFix(h: LintHelper, p: PromptPlaceholder): LintFinding['fix'] | undefined {
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

// ---------- text helpers ----------

/** Lines of a text with their start offsets (\r\n, \n and \r all end a line). */
export function splitLines(s: string): { start: number; text: string }[] {
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

/** Shortens a quoted value for a message. */
export function clip(s: string, max = 60): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
