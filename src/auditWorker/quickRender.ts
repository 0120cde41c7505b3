// The keystroke path: for formats whose rendered text IS the source text (plain text, Markdown) or the source after
// its front matter (prompt files), a source edit maps to one rendered edit at a known offset, so the rendered prompt
// is updated in place of re-extracting the whole file (3–5 ms per MB). Everything here is proportional to the edit:
// the text is read through a TextReader (the tokenizer's blocks), in windows that grow only as far as a search must
// go; anything it cannot prove unchanged falls back to the core's extraction.
import { extractPrompt, markdownLeadLines, sectionsFromLeadLines, type MarkdownLeadLine } from '../core/formats';
import type { DocumentEdit } from './protocol';
import type { RenderedLayout, TextReader } from './coreBridge';

/**
 * A rendering's layout as the keystroke path keeps it: plus, for Markdown, the lines the sections depend on
 * (fences, headings), read once when an edit first changes one, then spliced: a heading edit re-reads one line.
 */
export type QuickLayout = RenderedLayout & { leadLines?: readonly MarkdownLeadLine[] };

/**
 * Rendered offset of a single source edit when it provably leaves the rendering rules untouched, else null.
 * Prompt files: the edit must lie in the body, after a closed front matter block, or after the first line when
 * there is none (only the first line can open a front matter block). `text` is the current rendered text.
 */
export function directRenderedOffset(rendered: QuickLayout, sourceHead: string, text: TextReader, edit: DocumentEdit): number | null {
  switch (rendered.format) {
    case 'text':
    case 'markdown':
    case 'raw':
      return edit.offset;
    case 'prompt-file': {
      if (rendered.frontMatter) {
        const bodyStart = rendered.frontMatter.end;
        // A closing fence at the very end of the file (no newline) would be changed by typing right after it.
        if (edit.offset < bodyStart || sourceHead.charCodeAt(bodyStart - 1) !== 10) return null;
        return edit.offset - bodyStart;
      }
      // No block (problems would hold an unclosed one): only an edit of the first line can open one.
      if (rendered.problems.length > 0) return null;
      // The rendering is the whole source here; the edit must start after the first '\n'.
      return indexIn(text, '\n', 0, edit.offset) < 0 ? null : edit.offset;
    }
    default:
      return null; // templates and JSON re-render: one edit can change the rendering anywhere
  }
}

const FIRST_WINDOW = 256;
const MAX_WINDOW = 1 << 16;

/**
 * The text of [from, to) read forwards in windows that start small and double (a search near its start reads
 * little): yields each window's start and chars, plus `overlap` chars past it (a needle spanning two windows).
 */
function* windowsForward(text: TextReader, from: number, to: number, overlap = 0): Generator<[number, string]> {
  to = Math.min(to, text.length);
  for (let pos = Math.max(0, from), w = FIRST_WINDOW; pos < to; pos += w, w = Math.min(w * 2, MAX_WINDOW)) {
    yield [pos, text.textSlice(pos, Math.min(pos + w + overlap, text.length))];
  }
}

/** The text of [0, to) read backwards from `to` in growing windows, each with `overlap` chars past its end. */
function* windowsBackward(text: TextReader, to: number, overlap = 0): Generator<[number, string]> {
  for (let end = Math.min(to, text.length), w = FIRST_WINDOW; end > 0; end -= w, w = Math.min(w * 2, MAX_WINDOW)) {
    const start = Math.max(0, end - w);
    yield [start, text.textSlice(start, Math.min(end + overlap, text.length))];
  }
}

/** First index i in [from, to) where `needle` starts in the text (-1 if none). */
export function indexIn(text: TextReader, needle: string, from: number, to: number = text.length): number {
  for (const [pos, chunk] of windowsForward(text, from, to, needle.length - 1)) {
    const k = chunk.indexOf(needle);
    if (k >= 0) return pos + k < to ? pos + k : -1;
  }
  return -1;
}

const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
/** First chars of the lines Markdown sections depend on (`#` headings, ``` / ~~~ fences). */
const isSectionLead = (c: number) => c === 35 || c === 96 || c === 126;

function hasLineBreak(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isLineBreak(s.charCodeAt(i))) return true;
  return false;
}

/** Start of the line holding offset `at` (just after the last line break before it). */
function lineStartBefore(text: TextReader, at: number): number {
  for (const [start, chunk] of windowsBackward(text, at)) {
    for (let j = chunk.length - 1; j >= 0; j--) if (isLineBreak(chunk.charCodeAt(j))) return start + j + 1;
  }
  return 0;
}

/** End of the line holding offset `at` (its first line break at or after `at`, or the text's end). */
function lineEndFrom(text: TextReader, at: number): number {
  for (const [pos, chunk] of windowsForward(text, at, text.length)) {
    for (let j = 0; j < chunk.length; j++) if (isLineBreak(chunk.charCodeAt(j))) return pos + j;
  }
  return text.length;
}

/** Whether [from, to) holds a non-blank char (String.prototype.trim's whitespace is regex `\s`). */
function hasContent(text: TextReader, from: number, to: number): boolean {
  for (const [pos, chunk] of windowsForward(text, from, to)) if (/\S/.test(chunk.slice(0, to - pos))) return true;
  return false;
}

/**
 * The rendering after one edit at rendered offset `at` that replaced the text `deleted` with `inserted`; `after`
 * reads the new rendered text. Quick audits read map, segments, firstVariableOffset and the parse problems
 * (unchanged: they lie in the front matter); placeholders are dropped (only the lint rules of a full audit read
 * them, and a full audit renders the file itself). Only `after` is read: before the edit, chars before `at` were
 * the same, and the replaced ones are `deleted`.
 */
export function renderedAfterEdit(prev: QuickLayout, after: TextReader, at: number, deleted: string, inserted: string): QuickLayout {
  const delta = inserted.length - deleted.length;
  const map = prev.map.length === 1 ? [{ ...prev.map[0], renderedEnd: after.length, sourceEnd: prev.map[0].sourceEnd + delta }] : remapEmpty(prev, after.length);
  const sections = prev.format === 'text' || prev.format === 'raw' ? { segments: prev.segments, leadLines: prev.leadLines } : sectionsAfterEdit(prev, after, at, deleted, inserted);
  const firstVariableOffset = prev.format === 'prompt-file' ? firstVariableAfterEdit(prev.firstVariableOffset, after, at, deleted.length, inserted.length) : prev.firstVariableOffset;
  return { ...prev, map, ...sections, firstVariableOffset, placeholders: undefined };
}

/** An empty rendering has no map piece: the edit gives it one, starting where the body starts in the source. */
function remapEmpty(prev: RenderedLayout, length: number) {
  const sourceStart = prev.frontMatter?.end ?? 0;
  return length === 0 ? [] : [{ renderedStart: 0, renderedEnd: length, sourceStart, sourceEnd: sourceStart + length, exact: true }];
}

function sectionsAfterEdit(prev: QuickLayout, after: TextReader, at: number, deleted: string, inserted: string): Pick<QuickLayout, 'segments' | 'leadLines'> {
  const segs = prev.segments;
  const delta = inserted.length - deleted.length;
  const end = at + deleted.length;
  const lineStart = lineStartBefore(after, at);
  // Sections change only when a heading or fence line changes. A one-line edit of a line that starts with none of
  // `#`, `` ` ``, `~` (before and after) changes no such line; sections after it only move. The "(before the first
  // heading)" section exists only when that part is not blank, so edits there are recomputed.
  const firstHeading = segs.length === 0 ? Infinity : segs[0].name === '(before the first heading)' ? segs[1]?.start ?? Infinity : segs[0].start;
  let simple = at >= firstHeading || segs.length === 0;
  if (simple) simple = !hasLineBreak(inserted) && !hasLineBreak(deleted);
  if (simple) {
    // The line's first char before the edit: unchanged when it lies before the edit, else the first replaced char
    // (or, when nothing was replaced, the char the insertion now precedes).
    const leadBefore = lineStart < at ? after.charCodeAt(lineStart) : deleted.length > 0 ? deleted.charCodeAt(0) : after.charCodeAt(at + inserted.length);
    simple = !isSectionLead(leadBefore) && !isSectionLead(after.charCodeAt(lineStart));
  }
  if (simple) {
    if (delta === 0) return { segments: segs, leadLines: prev.leadLines };
    return {
      segments: segs.map((s) => ({ ...s, start: s.start >= end && s.start > at ? s.start + delta : s.start, end: s.end >= end ? s.end + delta : s.end })),
      // No lead line starts on the edited line (its first char is no lead): later ones only move.
      leadLines: prev.leadLines?.map((l) => (l.start > at ? { ...l, start: l.start + delta } : l)),
    };
  }
  // Lead lines are per line: re-read the lines the edit touched, [lineStart, lineEnd) now and
  // [lineStart, lineEnd - delta] before; the first time, read them all.
  let leadLines: readonly MarkdownLeadLine[];
  if (prev.leadLines) {
    const lineEnd = lineEndFrom(after, at + inserted.length);
    const old = prev.leadLines;
    const keep = firstAtOrAfter(old, lineStart);
    const resume = firstAtOrAfter(old, lineEnd - delta + 1);
    leadLines = [
      ...old.slice(0, keep),
      ...markdownLeadLines(after.textSlice(lineStart, lineEnd), 0, lineStart),
      ...old.slice(resume).map((l) => ({ ...l, start: l.start + delta })),
    ];
  } else {
    leadLines = markdownLeadLines(after.text);
  }
  return { segments: sectionsFromLeadLines(leadLines, 0, after.length, (a, b) => hasContent(after, a, b)), leadLines };
}

/** Index of the first lead line starting at or after `offset` (they are sorted by start). */
function firstAtOrAfter(leads: readonly MarkdownLeadLine[], offset: number): number {
  let lo = 0;
  let hi = leads.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (leads[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Where the first `${…}` prompt-file variable starts after an edit. Every variable ends with its only `}`, so a
 * variable that ends before the edit is unaffected and no new one can start before it; a variable that overlaps
 * the edit starts after the last `}` before it and at a `${` before the edit's end; one after the edit is an old one
 * moved. Only the small window that can hold a new variable is re-extracted (by the core).
 */
function firstVariableAfterEdit(prevFirst: number | null, after: TextReader, at: number, deleted: number, insertedLength: number): number | null {
  // The old first variable ended before the edit (its `}` lies in the unchanged text before `at`): still the first.
  if (prevFirst !== null && indexIn(after, '}', prevFirst, at) >= 0) return prevFirst;
  const editEnd = at + insertedLength;
  // (1) A variable overlapping or touching the edit.
  const candidate = variableStartBefore(after, at, editEnd);
  if (candidate >= 0) {
    // Variables starting before editEnd end at the first `}` at or after their third char: at the latest this one.
    const close = indexIn(after, '}', editEnd + 1);
    const windowEnd = close < 0 ? after.length : close + 1;
    // A leading space: the window must not be read as front matter.
    const v = extractPrompt(` ${after.textSlice(candidate, windowEnd)}`, 'window.prompt.md').firstVariableOffset;
    if (v !== null) return candidate + v - 1;
  }
  // (2) Otherwise the first variable after the edit, an old one moved; known only when the old first one was there.
  if (prevFirst === null) return null;
  if (prevFirst >= at + deleted) return prevFirst + insertedLength - deleted;
  return fullFirstVariable(after.text); // the old first one overlapped the edit: rescan (rare)
}

/**
 * The first `${` that starts after the last `}` before `at` and before `editEnd` (-1 if none): where a variable
 * overlapping the edit would start. One backward pass in growing windows, each read once; it stops at that `}`.
 */
export function variableStartBefore(text: TextReader, at: number, editEnd: number): number {
  let earliest = -1;
  // One char more than each window: a `${` that straddles two windows is seen in the earlier one (and, in the
  // first window, one whose `$` is the edit's last char).
  for (const [start, chunk] of windowsBackward(text, editEnd, 1)) {
    const brace = at - 1 - start >= 0 ? chunk.lastIndexOf('}', at - 1 - start) : -1;
    const k = chunk.indexOf('${', brace + 1);
    if (k >= 0) earliest = start + k;
    if (brace >= 0) break;
  }
  return earliest;
}

function fullFirstVariable(text: string): number | null {
  const v = extractPrompt(` ${text}`, 'window.prompt.md').firstVariableOffset;
  return v === null ? null : v - 1;
}

/**
 * Line starts of a text, kept up to date under edits (splice, not rebuild), for 1-based line/column of offsets in
 * O(log lines). Same rules as the core's LineIndex: a line ends after \n, \r\n or a lone \r.
 */
export class LineStarts {
  private starts: Uint32Array;
  private n = 0;
  private textLength: number;

  constructor(text: string) {
    this.starts = new Uint32Array(64);
    this.textLength = text.length;
    this.push(0);
    this.scan((i) => text.charCodeAt(i), 1, text.length);
  }

  private push(v: number): void {
    if (this.n === this.starts.length) {
      const grown = new Uint32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[this.n++] = v;
  }

  /** Appends every line start p in [from, to] (a start depends on text[p - 1] and text[p]). */
  private scan(charAt: (i: number) => number, from: number, to: number, out: number[] | undefined = undefined): void {
    for (let p = Math.max(1, from); p <= to; p++) {
      const c = charAt(p - 1);
      if (c === 10 || (c === 13 && charAt(p) !== 10)) {
        if (out) out.push(p);
        else this.push(p);
      }
    }
  }

  /**
   * Applies an edit. `charAt` reads the text after it (NaN past its end), `length` is its length; only chars
   * around the edit are read, so a text kept as pieces is never joined.
   */
  applyEdit(charAt: (i: number) => number, length: number, offset: number, deleteLength: number, insertLength: number): void {
    const delta = insertLength - deleteLength;
    // Starts in [offset, offset + deleteLength] of the old text depend on changed chars: replaced by a rescan of
    // [offset, offset + insertLength] of the new text. Later ones move by delta; earlier ones stay.
    const fresh: number[] = [];
    this.scan(charAt, offset, Math.min(offset + insertLength, length), fresh);
    let lo = 1; // the start 0 of the first line never moves
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.starts[mid] < offset) lo = mid + 1;
      else hi = mid;
    }
    let j = lo;
    while (j < this.n && this.starts[j] <= offset + deleteLength) j++;
    const tail = this.n - j;
    const newN = lo + fresh.length + tail;
    if (newN > this.starts.length) {
      const grown = new Uint32Array(Math.max(newN, this.starts.length * 2));
      grown.set(this.starts.subarray(0, this.n));
      this.starts = grown;
    }
    this.starts.copyWithin(lo + fresh.length, j, this.n);
    for (let i = 0; i < fresh.length; i++) this.starts[lo + i] = fresh[i];
    if (delta !== 0) for (let i = lo + fresh.length; i < newN; i++) this.starts[i] += delta;
    this.n = newN;
    this.textLength = length;
  }

  /** 1-based line and column (UTF-16 units) of an offset, clamped into the text. */
  position(offset: number): { offset: number; line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.textLength));
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, column: o - this.starts[lo] + 1 };
  }
}
