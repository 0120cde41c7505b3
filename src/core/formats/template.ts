// Templates (Jinja, Liquid, Handlebars, Mustache): static text vs per-request output.
// Placeholders render as their normalised tag text (a stable marker), so two versions tokenize comparably
// and a changed expression still shows up; comments are removed as the engines do.
import { RenderBuilder } from '../text';
import type { ParseProblem, PromptSegment } from '../types';
import { MAX_INCLUDE_DEPTH, type IncludeResolver } from './includes';
import { handlebarsTagNames, jinjaTagNames, RequestScope } from './templateNames';

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
  /** Free variables the tag reads. */
  names?: string[];
  /** Reads only names declared fixed per deployment. */
  perDeployment?: boolean;
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

export interface Piece {
  kind: 'text' | 'tag';
  start: number;
  end: number;
  /** For tags. */
  tag?: Omit<TemplateTag, 'renderedStart' | 'renderedEnd' | 'names' | 'perDeployment'> & { trimBefore: boolean; trimAfter: boolean; standalone?: boolean };
}

const BLOCK_OPEN_RAW = /^raw$/;

export interface StaticTemplateOptions {
  /** Names fixed per deployment (`promptCache.deploymentVariables`): reading them does not end the static prefix. */
  deploymentVariables?: readonly string[];
  /** Reads included templates and partials; without one, include tags stay as markers. */
  includes?: IncludeResolver;
  /** Extensions tried for an include or partial name without one (e.g. `.hbs` for `{{> footer}}`). */
  extensions?: readonly string[];
  /** File-name prefixes tried first for a partial (Dotprompt: `_`). */
  partialPrefixes?: readonly string[];
}

/** The literal template name of an include/partial tag, or null when the tag is none or its name is computed. */
export function includedName(dialect: TemplateDialect, kind: TemplateTag['kind'], expr: string): string | null {
  if (kind !== 'control') return null;
  if (dialect === 'handlebars') {
    const m = /^>\s*("([^"]+)"|'([^']+)'|([^\s"'()]+))/.exec(expr);
    return m ? m[2] ?? m[3] ?? m[4] : null;
  }
  const m = /^(include|render)\s+(["'])([^"']+)\2/.exec(expr) ?? (dialect === 'liquid' ? /^(include|render)\s+([^\s,"']+)()/.exec(expr) : null);
  if (!m) return null;
  return m[3] || m[2];
}

/** Renders a template from `offset` in `source` (front matter already removed by the caller). */
export function renderTemplate(source: string, offset: number, dialect: TemplateDialect, options: StaticTemplateOptions = {}): RenderedTemplate {
  const problems: ParseProblem[] = [];
  const b = new RenderBuilder();
  const tags: TemplateTag[] = [];
  const scope = new RequestScope(options.deploymentVariables);
  const state = { firstVariableOffset: null as number | null };
  renderFile({ source, offset, path: options.includes?.main, mapTo: null, stack: [] }, dialect, options, b, tags, problems, scope, state);
  const firstVariableOffset = state.firstVariableOffset;
  const segments: PromptSegment[] = [];
  if (b.length > 0) {
    const staticEnd = firstVariableOffset ?? b.length;
    if (staticEnd > 0) segments.push({ name: 'static prefix', start: 0, end: staticEnd });
    if (staticEnd < b.length) segments.push({ name: 'after first placeholder', start: staticEnd, end: b.length });
  }
  return { text: b.text, map: b.map, tags, firstVariableOffset, problems, segments };
}

interface FileToRender {
  source: string;
  offset: number;
  /** Absolute path, when known. */
  path?: string;
  /** For an included file: the main file's source range its output maps to (the include tag). */
  mapTo: { start: number; end: number } | null;
  /** Paths of the files including this one (cycle check). */
  stack: string[];
  /** Blocks a child template (`{% extends %}`) overrides: rendered instead of this file's block of that name. */
  overrides?: Map<string, BlockOverride>;
}

interface BlockOverride {
  file: FileToRender;
  pieces: Piece[];
  /** Piece indices of the block's content, end exclusive. */
  from: number;
  to: number;
}

type RenderContext = {
  dialect: TemplateDialect; options: StaticTemplateOptions; b: RenderBuilder; tags: TemplateTag[]; problems: ParseProblem[]; scope: RequestScope;
  state: { firstVariableOffset: number | null };
};

/** `{% extends "name" %}` (Liquid: `{% layout %}`) before any output: the template renders its parent. */
function extendsTarget(pieces: readonly Piece[], source: string): { name: string; tag: Piece } | null {
  for (const p of pieces) {
    if (p.kind === 'text') {
      if (source.slice(p.start, p.end).trim() === '') continue;
      return null;
    }
    if (p.tag!.kind === 'comment') continue;
    const m = /^(?:extends|layout)\s+(["'])([^"']+)\1/.exec(p.tag!.expr);
    return m ? { name: m[2], tag: p } : null;
  }
  return null;
}

/** The name of a `{% block name %}` tag, or null. */
function blockName(p: Piece): string | null {
  return p.tag?.kind === 'control' ? /^block\s+([\w-]+)/.exec(p.tag.expr)?.[1] ?? null : null;
}

/** Index of the `{% endblock %}` closing the block opened at `open` (nested blocks counted), or pieces.length. */
function blockEnd(pieces: readonly Piece[], open: number): number {
  let depth = 0;
  for (let i = open + 1; i < pieces.length; i++) {
    const t = pieces[i].tag;
    if (t?.kind !== 'control') continue;
    if (/^block\b/.test(t.expr)) depth++;
    else if (/^endblock\b/.test(t.expr)) {
      if (depth === 0) return i;
      depth--;
    }
  }
  return pieces.length;
}

function renderFile(
  f: FileToRender, dialect: TemplateDialect, options: StaticTemplateOptions, b: RenderBuilder, tags: TemplateTag[], problems: ParseProblem[],
  scope: RequestScope, state: { firstVariableOffset: number | null },
): void {
  const local: ParseProblem[] = [];
  const pieces = dialect === 'handlebars' ? lexHandlebars(f.source, f.offset, local) : lexJinja(f.source, f.offset, dialect, local);
  applyWhitespaceControl(f.source, pieces);
  // Problems of an included file are reported at the include tag of the main file.
  for (const p of local) problems.push(f.mapTo ? { ...p, message: `${options.includes?.relative(f.path ?? '') ?? 'included file'}: ${p.message}`, start: f.mapTo.start, end: f.mapTo.end } : p);
  const ctx: RenderContext = { dialect, options, b, tags, problems, scope, state };
  const ext = dialect === 'handlebars' ? null : extendsTarget(pieces, f.source);
  if (ext && options.includes?.enabled) {
    // What is sent is the parent, with this template's blocks in place of the parent's: text outside blocks is
    // not output (Jinja, Liquid layouts).
    const site = f.mapTo ?? { start: ext.tag.start, end: ext.tag.end };
    const r = options.includes.resolve(ext.name, f.path, options.extensions);
    if (!r.ok) {
      problems.push({ message: `Parent template ${r.problem}; the blocks are read without it.`, severity: 'warning', start: site.start, end: site.end });
    } else if (f.stack.includes(r.path) || r.path === f.path || f.stack.length + 1 > MAX_INCLUDE_DEPTH) {
      problems.push({ message: `Parent template \`${ext.name}\` extends in a cycle or too deep; not expanded.`, severity: 'warning', start: site.start, end: site.end });
    } else {
      const overrides = new Map<string, BlockOverride>();
      for (let i = 0; i < pieces.length; i++) {
        const name = blockName(pieces[i]);
        if (name === null) continue;
        const close = blockEnd(pieces, i);
        if (!overrides.has(name)) overrides.set(name, { file: f, pieces, from: i + 1, to: close });
      }
      // A grandchild's blocks win over this template's.
      for (const [k, v] of f.overrides ?? []) overrides.set(k, v);
      const parent: FileToRender = { source: r.source, offset: 0, path: r.path, mapTo: site, stack: [...f.stack, f.path ?? ''], overrides };
      renderFile(parent, dialect, options, b, tags, problems, scope, state);
      return;
    }
  }
  renderPieces(f, pieces, 0, pieces.length, ctx);
}

function renderPieces(f: FileToRender, pieces: readonly Piece[], from: number, to: number, c: RenderContext): void {
  const { dialect, options, b, tags, problems, scope, state } = c;
  const at = (start: number, end: number) => f.mapTo ?? { start, end };
  for (let i = from; i < to; i++) {
    const p = pieces[i];
    if (p.kind === 'text') {
      const text = f.source.slice(p.start, p.end);
      if (f.mapTo) b.synth(text, f.mapTo.start, f.mapTo.end);
      else b.copy(text, p.start);
      continue;
    }
    const t = p.tag!;
    const name = blockName(p);
    const override = name !== null ? f.overrides?.get(name) : undefined;
    if (override) {
      // The child's block replaces this one (its own text, in its own coordinates).
      renderPieces(override.file, override.pieces, override.from, override.to, c);
      i = blockEnd(pieces, i);
      continue;
    }
    const renderedStart = b.length;
    const src = at(t.start, t.end);
    if (t.kind === 'comment') {
      tags.push({ start: src.start, end: src.end, kind: t.kind, expr: t.expr, variable: false, renderedStart, renderedEnd: renderedStart });
      continue;
    }
    const names = dialect === 'handlebars' ? handlebarsTagNames(t.expr) : jinjaTagNames(t.kind, t.expr);
    if (dialect === 'handlebars' && /^(#?\s*)?(history|media)\b/.test(t.expr)) names.reads.push('messages');
    const included = includedName(dialect, t.kind, t.expr);
    if (included !== null && options.includes?.enabled) {
      const r = options.includes.resolve(included, f.path, options.extensions, options.partialPrefixes);
      if (r.ok && (f.stack.includes(r.path) || r.path === f.path)) {
        problems.push({ message: `Include cycle: ${[...f.stack, f.path ?? '', r.path].map((x) => options.includes!.relative(x)).join(' → ')}; not expanded.`, severity: 'warning', start: src.start, end: src.end });
      } else if (r.ok && f.stack.length + 1 > MAX_INCLUDE_DEPTH) {
        problems.push({ message: `Includes nest deeper than ${MAX_INCLUDE_DEPTH} levels at \`${included}\`; not expanded.`, severity: 'warning', start: src.start, end: src.end });
      } else if (r.ok) {
        const child: FileToRender = { source: r.source, offset: 0, path: r.path, mapTo: src, stack: [...f.stack, f.path ?? ''] };
        renderFile(child, dialect, options, b, tags, problems, scope, state);
        continue;
      } else {
        problems.push({ message: `Included template ${r.problem}.`, severity: 'warning', start: src.start, end: src.end });
      }
    }
    const marker = dialect === 'handlebars' ? `{{${t.expr}}}` : t.kind === 'output' ? `{{ ${t.expr} }}` : `{% ${t.expr} %}`;
    b.synth(marker, src.start, src.end);
    // An include that could not be read stands for text we do not know: it may vary.
    const variable = scope.visit(names) || included !== null;
    if (variable && state.firstVariableOffset === null) state.firstVariableOffset = renderedStart;
    const perDeployment = !variable && names.reads.length > 0 && names.reads.every((n) => scope.isDeployment(n));
    tags.push({ start: src.start, end: src.end, kind: t.kind, expr: t.expr, variable, renderedStart, renderedEnd: b.length, names: names.reads, ...(perDeployment ? { perDeployment } : {}) });
  }
}

function collapse(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

export function lexJinja(source: string, offset: number, dialect: TemplateDialect, problems: ParseProblem[]): Piece[] {
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
      // `variable` is decided by the names the tag reads (renderFile); the lexer only classifies.
      pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'control', expr, variable: true, trimBefore, trimAfter } });
    } else {
      pieces.push({ kind: 'tag', start, end, tag: { start, end, kind: 'output', expr, variable: true, trimBefore, trimAfter } });
    }
    pos = end;
    open.lastIndex = pos;
  }
  if (pos < source.length) pieces.push({ kind: 'text', start: pos, end: source.length });
  return pieces;
}

export function lexHandlebars(source: string, offset: number, problems: ParseProblem[]): Piece[] {
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
export function applyWhitespaceControl(source: string, pieces: Piece[]): void {
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
