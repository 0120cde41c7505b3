// Templates (Jinja, Liquid, Handlebars, Mustache): static text vs per-request output.
// Placeholders render as their normalised tag text (a stable marker), so two versions tokenize comparably
// and a changed expression still shows up; comments are removed as the engines do.
import { RenderBuilder } from '../text';
import type { ParseProblem, PromptSegment } from '../types';

export type TemplateDialect = 'jinja' | 'liquid' | 'handlebars';

export interface TemplateTag {
  /** Source range of the whole tag, delimiters included. */
  start: number;
  end: number;
  kind: 'output' | 'control' | 'comment';
  /** The tag's inner text, trimmed, whitespace collapsed. */
  expr: string;
  /** True when the tag's output can differ between requests. */
  variable: boolean;
  /** Rendered offset of the tag's marker (comments: where they were removed). */
  renderedStart: number;
  renderedEnd: number;
}

export interface RenderedTemplate {
  text: string;
  map: RenderBuilder['map'];
  tags: TemplateTag[];
  firstVariableOffset: number | null;
  problems: ParseProblem[];
  segments: PromptSegment[];
}

interface Piece {
  kind: 'text' | 'tag';
  start: number;
  end: number;
  /** For tags. */
  tag?: Omit<TemplateTag, 'renderedStart' | 'renderedEnd'> & { trimBefore: boolean; trimAfter: boolean; standalone?: boolean };
}

// Tags that produce no per-request output by themselves (definitions, inheritance, assignments).
const STATIC_JINJA = /^(set|endset|import|from|extends|block|endblock|macro|endmacro|assign|capture|endcapture|liquid)\b/;
const BLOCK_OPEN_RAW = /^raw$/;

/** Renders a template from `offset` in `source` (front matter already removed by the caller). */
export function renderTemplate(source: string, offset: number, dialect: TemplateDialect): RenderedTemplate {
  const problems: ParseProblem[] = [];
  const pieces = dialect === 'handlebars' ? lexHandlebars(source, offset, problems) : lexJinja(source, offset, dialect, problems);
  applyWhitespaceControl(source, pieces);
  const b = new RenderBuilder();
  const tags: TemplateTag[] = [];
  let firstVariableOffset: number | null = null;
  for (const p of pieces) {
    if (p.kind === 'text') {
      b.copy(source.slice(p.start, p.end), p.start);
      continue;
    }
    const t = p.tag!;
    const renderedStart = b.length;
    if (t.kind !== 'comment') {
      const marker = dialect === 'handlebars' ? `{{${t.expr}}}` : t.kind === 'output' ? `{{ ${t.expr} }}` : `{% ${t.expr} %}`;
      b.synth(marker, t.start, t.end);
      if (t.variable && firstVariableOffset === null) firstVariableOffset = renderedStart;
    }
    tags.push({ start: t.start, end: t.end, kind: t.kind, expr: t.expr, variable: t.variable, renderedStart, renderedEnd: b.length });
  }
  const segments: PromptSegment[] = [];
  if (b.length > 0) {
    const staticEnd = firstVariableOffset ?? b.length;
    if (staticEnd > 0) segments.push({ name: 'static prefix', start: 0, end: staticEnd });
    if (staticEnd < b.length) segments.push({ name: 'after first placeholder', start: staticEnd, end: b.length });
  }
  return { text: b.text, map: b.map, tags, firstVariableOffset, problems, segments };
}

function collapse(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

function lexJinja(source: string, offset: number, dialect: TemplateDialect, problems: ParseProblem[]): Piece[] {
  const pieces: Piece[] = [];
  const open = dialect === 'jinja' ? /\{\{|\{%|\{#/g : /\{\{|\{%/g;
  let pos = offset;
  open.lastIndex = pos;
  for (let m = open.exec(source); m; m = open.exec(source)) {
    const start = m.index;
    if (start > pos) pieces.push({ kind: 'text', start: pos, end: start });
    const closeDelim = m[0] === '{{' ? '}}' : m[0] === '{%' ? '%}' : '#}';
    const closeAt = source.indexOf(closeDelim, start + 2);
    if (closeAt < 0) {
      problems.push({ message: `Unterminated template tag: \`${m[0]}\` has no closing \`${closeDelim}\`; the rest is treated as text.`, severity: 'error', start, end: Math.min(source.length, start + 2) });
      pieces.push({ kind: 'text', start, end: source.length });
      return pieces;
    }
    const end = closeAt + 2;
    let inner = source.slice(start + 2, closeAt);
    const trimBefore = inner.startsWith('-');
    const trimAfter = inner.endsWith('-');
    inner = inner.replace(/^[-+]/, '').replace(/[-+]$/, '');
    const expr = collapse(inner);
    if (m[0] === '{#') {
      pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'comment', expr, variable: false, trimBefore, trimAfter } });
      pos = end;
      open.lastIndex = pos;
      continue;
    }
    if (m[0] === '{%') {
      const word = expr.split(' ')[0];
      // Block comments and raw blocks: find the matching end tag and treat the body specially.
      if (word === 'comment' || BLOCK_OPEN_RAW.test(word) || (dialect === 'liquid' && word.startsWith('#'))) {
        if (word.startsWith('#')) {
          pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'comment', expr, variable: false, trimBefore, trimAfter } });
          pos = end;
          open.lastIndex = pos;
          continue;
        }
        const endRe = new RegExp(`\\{%-?\\s*end${word}\\s*-?%\\}`, 'g');
        endRe.lastIndex = end;
        const em = endRe.exec(source);
        if (!em) {
          problems.push({ message: `Unterminated \`{% ${word} %}\` block: \`{% end${word} %}\` is missing.`, severity: 'error', start, end });
          pieces.push({ kind: 'text', start: end, end: source.length });
          return pieces;
        }
        const blockEnd = em.index + em[0].length;
        if (word === 'comment') {
          pieces.push({ kind: 'tag', start, end: blockEnd, tag: { start, end: blockEnd, kind: 'comment', expr: 'comment', variable: false, trimBefore, trimAfter: em[0].includes('-%}') } });
        } else {
          // raw: the body is literal output; the fences themselves output nothing.
          pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'comment', expr: 'raw', variable: false, trimBefore, trimAfter } });
          pieces.push({ kind: 'text', start: end, end: em.index });
          pieces.push({ kind: 'tag', start: em.index, end: blockEnd, tag: { start: em.index, end: blockEnd, kind: 'comment', expr: 'endraw', variable: false, trimBefore: em[0].startsWith('{%-'), trimAfter: em[0].includes('-%}') } });
        }
        pos = blockEnd;
        open.lastIndex = pos;
        continue;
      }
      const variable = !STATIC_JINJA.test(word);
      pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'control', expr, variable, trimBefore, trimAfter } });
    } else {
      pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'output', expr, variable: true, trimBefore, trimAfter } });
    }
    pos = end;
    open.lastIndex = pos;
  }
  if (pos < source.length) pieces.push({ kind: 'text', start: pos, end: source.length });
  return pieces;
}

function lexHandlebars(source: string, offset: number, problems: ParseProblem[]): Piece[] {
  const pieces: Piece[] = [];
  let pos = offset;
  for (;;) {
    const start = source.indexOf('{{', pos);
    if (start < 0) break;
    // `\{{` is an escaped literal in Handlebars.
    if (start > 0 && source[start - 1] === '\\') {
      if (start - 1 > pos) pieces.push({ kind: 'text', start: pos, end: start - 1 });
      pieces.push({ kind: 'text', start, end: start + 2 });
      pos = start + 2;
      continue;
    }
    if (start > pos) pieces.push({ kind: 'text', start: pos, end: start });
    let closeDelim = '}}';
    let innerStart = start + 2;
    if (source.startsWith('{{{', start)) {
      closeDelim = '}}}';
      innerStart = start + 3;
    } else if (/^\{\{~?!--/.test(source.slice(start, start + 6))) {
      closeDelim = '--}}';
    }
    const closeAt = source.indexOf(closeDelim, innerStart);
    if (closeAt < 0) {
      problems.push({ message: `Unterminated template tag: \`{{\` has no closing \`${closeDelim}\`; the rest is treated as text.`, severity: 'error', start, end: Math.min(source.length, start + 2) });
      pieces.push({ kind: 'text', start, end: source.length });
      return pieces;
    }
    const end = closeAt + closeDelim.length;
    let inner = source.slice(innerStart, closeAt);
    const trimBefore = inner.startsWith('~');
    const trimAfter = inner.endsWith('~');
    inner = inner.replace(/^~/, '').replace(/~$/, '');
    const expr = collapse(inner);
    const sigil = expr[0] ?? '';
    let kind: 'output' | 'control' | 'comment' = 'output';
    if (sigil === '!') kind = 'comment';
    else if ('#^/>'.includes(sigil) || expr === 'else' || expr.startsWith('else ') || sigil === '=') kind = 'control';
    const tagText = closeDelim === '}}}' ? `{${expr}}` : expr;
    pieces.push({ kind: 'tag', start, end, tag: { start, end, kind, expr: tagText, variable: kind !== 'comment', trimBefore, trimAfter, standalone: kind !== 'output' } });
    pos = end;
  }
  if (pos < source.length) pieces.push({ kind: 'text', start: pos, end: source.length });
  return pieces;
}

const WS = /[ \t\r\n\f\v]/;

/** Applies `-`/`~` trims, and Mustache's rule that a block/comment tag alone on its line removes the line. */
function applyWhitespaceControl(source: string, pieces: Piece[]): void {
  for (let i = 0; i < pieces.length; i++) {
    const t = pieces[i].tag;
    if (!t) continue;
    const prev = pieces[i - 1]?.kind === 'text' ? pieces[i - 1] : undefined;
    const next = pieces[i + 1]?.kind === 'text' ? pieces[i + 1] : undefined;
    if (t.trimBefore && prev) while (prev.end > prev.start && WS.test(source[prev.end - 1])) prev.end--;
    if (t.trimAfter && next) while (next.start < next.end && WS.test(source[next.start])) next.start++;
    if (t.standalone && !t.trimBefore && !t.trimAfter) {
      // Standalone: only spaces/tabs between the previous line break (or start) and the tag, and between
      // the tag and the next line break (or end).
      const lineStartOk = !prev ? isLineStart(source, t.start) : /(^|\n)[ \t]*$/.test(source.slice(prev.start, prev.end)) && (prev.end > prev.start || isLineStart(source, t.start));
      const after = next ? source.slice(next.start, next.end) : '';
      const eol = /^[ \t]*(\r?\n|$)/.exec(after);
      if (lineStartOk && eol && (next || t.end === source.length)) {
        if (prev) while (prev.end > prev.start && (source[prev.end - 1] === ' ' || source[prev.end - 1] === '\t')) prev.end--;
        if (next) next.start += eol[0].length;
      }
    }
  }
}

function isLineStart(source: string, at: number): boolean {
  let i = at - 1;
  while (i >= 0 && (source[i] === ' ' || source[i] === '\t')) i--;
  return i < 0 || source[i] === '\n';
}
