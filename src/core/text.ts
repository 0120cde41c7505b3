// Small text utilities shared by the core: line/column lookup and rendered → source offset mapping.
import type { OffsetMapPiece, SourcePosition } from './types';

/** Line starts of a text; lines break after \n, after \r\n, and after a lone \r (as editors do). */
export class LineIndex {
  private readonly starts: number[];
  constructor(private readonly text: string) {
    const starts = [0];
    if (text.indexOf('\r') < 0) {
      // No \r (most files): indexOf finds each \n natively, several times faster than a charCodeAt loop.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 1-based line and column (UTF-16 units) of a 0-based offset, clamped into the text. */
  position(offset: number): SourcePosition {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { offset: o, line: lo + 1, column: o - this.starts[lo] + 1 };
  }
  /** Offset of the start of a 1-based line. */
  lineStart(line: number): number {
    return this.starts[Math.max(0, Math.min(line - 1, this.starts.length - 1))];
  }
}

/** Builds the rendered text and its offset map together, so the two can never drift apart. */
export class RenderBuilder {
  text = '';
  readonly map: OffsetMapPiece[] = [];

  get length(): number {
    return this.text.length;
  }
  /** Appends text copied verbatim from source[sourceStart, sourceStart + s.length). */
  copy(s: string, sourceStart: number): void {
    if (!s) return;
    this.push(s, sourceStart, sourceStart + s.length, true);
  }
  /** Appends synthetic text (markers, punctuation) that stands for source[sourceStart, sourceEnd). */
  synth(s: string, sourceStart: number, sourceEnd = sourceStart): void {
    if (!s) return;
    this.push(s, sourceStart, sourceEnd, false);
  }
  private push(s: string, sourceStart: number, sourceEnd: number, exact: boolean): void {
    const last = this.map[this.map.length - 1];
    const renderedStart = this.text.length;
    this.text += s;
    // Merge contiguous exact pieces: keeps maps of plain text to a single piece.
    if (exact && last && last.exact && last.renderedEnd === renderedStart && last.sourceEnd === sourceStart) {
      last.renderedEnd += s.length;
      last.sourceEnd += s.length;
      return;
    }
    this.map.push({ renderedStart, renderedEnd: renderedStart + s.length, sourceStart, sourceEnd, exact });
  }
}

/** Maps a rendered offset back to a source offset (exact inside verbatim pieces, else the piece's origin). */
export function renderedToSourceOffset(map: readonly OffsetMapPiece[], renderedOffset: number, sourceLength?: number): number {
  if (map.length === 0) return 0;
  let lo = 0;
  let hi = map.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (map[mid].renderedStart <= renderedOffset) lo = mid;
    else hi = mid - 1;
  }
  const p = map[lo];
  if (renderedOffset >= p.renderedEnd) {
    // Past the end of the last piece (e.g. end of text): the end of that piece's source.
    return p.sourceEnd;
  }
  if (p.exact) return p.sourceStart + (renderedOffset - p.renderedStart);
  const r = p.sourceStart;
  return sourceLength === undefined ? r : Math.min(r, sourceLength);
}

/** Maps a source offset to the first rendered offset that comes from at or after it (for lint findings). */
export function sourceToRenderedOffset(map: readonly OffsetMapPiece[], sourceOffset: number): number | null {
  let best: number | null = null;
  for (const p of map) {
    if (p.exact && sourceOffset >= p.sourceStart && sourceOffset < p.sourceEnd) {
      return p.renderedStart + (sourceOffset - p.sourceStart);
    }
    if (!p.exact && sourceOffset >= p.sourceStart && sourceOffset < Math.max(p.sourceEnd, p.sourceStart + 1)) {
      return p.renderedStart;
    }
    if (p.sourceStart >= sourceOffset && (best === null || p.renderedStart < best)) best = p.renderedStart;
  }
  return best;
}

/** True when the first 8 KB hold a NUL byte (what git and editors use to call a file binary). */
export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8192);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/** Problem messages are shown on one line (diagnostics, stderr): collapse whitespace, show control characters. */
export function oneLineMessage(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).trim();
}
