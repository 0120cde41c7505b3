// The keystroke path: for formats whose rendered text IS the source text (plain text, Markdown) or the source after
// its front matter (prompt files), a source edit maps to one rendered edit at a known offset, so the rendered prompt
// is updated in place of re-extracting the whole file (3–5 ms per MB). Everything here is proportional to the edit
// (plus native string searches); anything it cannot prove unchanged falls back to the core's extraction.
import { extractPrompt, markdownSections } from '../../core/formats';
import type { DocumentEdit } from '../auditProtocol';
import type { Rendered } from './coreBridge';

/**
 * Rendered offset of a single source edit when it provably leaves the rendering rules untouched, else null.
 * Prompt files: the edit must lie in the body, after a closed front matter block, or after the first line when
 * there is none (only the first line can open a front matter block).
 */
export function directRenderedOffset(rendered: Rendered, sourceHead: () => string, edit: DocumentEdit): number | null {
  switch (rendered.format) {
    case 'text':
    case 'markdown':
    case 'raw':
      return edit.offset;
    case 'prompt-file': {
      if (rendered.frontMatter) {
        const bodyStart = rendered.frontMatter.end;
        // A closing fence at the very end of the file (no newline) would be changed by typing right after it.
        if (edit.offset < bodyStart || sourceHead().charCodeAt(bodyStart - 1) !== 10) return null;
        return edit.offset - bodyStart;
      }
      // No block (problems would hold an unclosed one): only an edit of the first line can open one.
      if (rendered.problems.length > 0) return null;
      const firstLineEnd = rendered.text.indexOf('\n'); // the rendering is the whole source here
      if (firstLineEnd < 0 || edit.offset <= firstLineEnd) return null;
      return edit.offset;
    }
    default:
      return null; // templates and JSON re-render: one edit can change the rendering anywhere
  }
}

const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;
/** First chars of the lines Markdown sections depend on (`#` headings, ``` / ~~~ fences). */
const isSectionLead = (c: number) => c === 35 || c === 96 || c === 126;

function hasLineBreak(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isLineBreak(s.charCodeAt(i))) return true;
  return false;
}

/**
 * The rendered prompt after one edit at rendered offset `at` (`deleted` = the replaced text of `before`, `inserted`
 * its replacement); `after` is the new rendered text. Quick audits read text, map, segments, firstVariableOffset
 * and the parse problems (unchanged: they lie in the front matter); placeholders are dropped (only the lint rules
 * of a full audit read them, and a full audit renders the file itself).
 */
export function renderedAfterEdit(prev: Rendered, before: string, after: string, at: number, deleted: number, inserted: string): Rendered {
  const delta = inserted.length - deleted;
  const map = prev.map.length === 1 ? [{ ...prev.map[0], renderedEnd: after.length, sourceEnd: prev.map[0].sourceEnd + delta }] : remapEmpty(prev, after);
  const segments = prev.format === 'text' || prev.format === 'raw' ? prev.segments : sectionsAfterEdit(prev, before, after, at, deleted, inserted);
  const firstVariableOffset = prev.format === 'prompt-file' ? firstVariableAfterEdit(prev.firstVariableOffset, before, after, at, deleted, inserted.length) : prev.firstVariableOffset;
  return { ...prev, text: after, map, segments, firstVariableOffset, placeholders: undefined };
}

/** An empty rendering has no map piece: the edit gives it one, starting where the body starts in the source. */
function remapEmpty(prev: Rendered, after: string) {
  const sourceStart = prev.frontMatter?.end ?? 0;
  return after.length === 0 ? [] : [{ renderedStart: 0, renderedEnd: after.length, sourceStart, sourceEnd: sourceStart + after.length, exact: true }];
}

function sectionsAfterEdit(prev: Rendered, before: string, after: string, at: number, deleted: number, inserted: string): Rendered['segments'] {
  const segs = prev.segments;
  // Sections change only when a heading or fence line changes. A one-line edit of a line that starts with none of
  // `#`, `` ` ``, `~` (before and after) changes no such line; sections after it only move. The "(before the first
  // heading)" section exists only when that part is not blank, so edits there are recomputed.
  const firstHeading = segs.length === 0 ? Infinity : segs[0].name === '(before the first heading)' ? segs[1]?.start ?? Infinity : segs[0].start;
  let simple = at >= firstHeading || segs.length === 0;
  if (simple) simple = !hasLineBreak(inserted) && !hasLineBreak(before.slice(at, at + deleted));
  if (simple) {
    let lineStart = at;
    while (lineStart > 0 && !isLineBreak(before.charCodeAt(lineStart - 1))) lineStart--;
    simple = !isSectionLead(before.charCodeAt(lineStart)) && !isSectionLead(after.charCodeAt(lineStart));
  }
  if (!simple) return markdownSections(after, 0);
  const delta = inserted.length - deleted;
  if (delta === 0) return segs;
  const end = at + deleted;
  return segs.map((s) => ({ ...s, start: s.start >= end && s.start > at ? s.start + delta : s.start, end: s.end >= end ? s.end + delta : s.end }));
}

/**
 * Where the first `${…}` prompt-file variable starts after an edit. Every variable ends with its only `}`, so a
 * variable that ends before the edit is unaffected and no new one can start before it; a variable that overlaps
 * the edit starts after the last `}` before it and at a `${` before the edit's end; one after the edit is an old one
 * moved. Only the small window that can hold a new variable is re-extracted (by the core).
 */
function firstVariableAfterEdit(prevFirst: number | null, before: string, after: string, at: number, deleted: number, insertedLength: number): number | null {
  if (prevFirst !== null) {
    const prevEnd = before.indexOf('}', prevFirst);
    if (prevEnd >= 0 && prevEnd < at) return prevFirst; // ends before the edit: still the first
  }
  const editEnd = at + insertedLength;
  // (1) A variable overlapping or touching the edit.
  const lastBrace = at > 0 ? after.lastIndexOf('}', at - 1) : -1;
  const candidate = after.indexOf('${', lastBrace + 1);
  if (candidate >= 0 && candidate < editEnd) {
    // Variables starting before editEnd end at the first `}` at or after their third char: at the latest this one.
    const close = after.indexOf('}', editEnd + 1);
    const windowEnd = close < 0 ? after.length : close + 1;
    // A leading space: the window must not be read as front matter.
    const v = extractPrompt(` ${after.slice(candidate, windowEnd)}`, 'window.prompt.md').firstVariableOffset;
    if (v !== null) return candidate + v - 1;
  }
  // (2) Otherwise the first variable after the edit, an old one moved; known only when the old first one was there.
  if (prevFirst === null) return null;
  if (prevFirst >= at + deleted) return prevFirst + insertedLength - deleted;
  return fullFirstVariable(after); // the old first one overlapped the edit: rescan (rare)
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
