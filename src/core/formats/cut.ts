// Removing pieces of a rendering that the model does not see as text (Dotprompt's role and media markers, Prompty's
// `system:` role lines, block HTML comments of CLAUDE.md): the text, its source map and every rendered offset the
// prompt carries are rebuilt without them. A cut that ends one message and starts the next becomes a hard boundary
// (the provider's chat template puts special tokens there).
import type { ExtractedPrompt, OffsetMapPiece } from '../types';

export interface RenderedCut {
  /** Rendered offsets, end exclusive. */
  start: number;
  end: number;
  /** The cut separates two messages (or a message and an attachment): a hard boundary where it was. */
  boundary?: boolean;
}

/** Removes `cuts` (rendered ranges, any order, may touch) from the prompt, in place; returns it. */
export function cutRendered(p: ExtractedPrompt, cuts: readonly RenderedCut[]): ExtractedPrompt {
  const sorted = [...cuts].filter((c) => c.end > c.start || c.boundary).sort((a, b) => a.start - b.start);
  if (sorted.length === 0) return p;
  const merged: RenderedCut[] = [];
  for (const c of sorted) {
    const last = merged[merged.length - 1];
    if (last && c.start <= last.end) {
      last.end = Math.max(last.end, c.end);
      last.boundary = last.boundary || c.boundary;
    } else merged.push({ ...c });
  }
  // A rendered offset after the cuts: minus the cut lengths before it (inside a cut: the cut's start).
  const starts = merged.map((c) => c.start);
  const removedBefore: number[] = [];
  let acc = 0;
  for (const c of merged) {
    removedBefore.push(acc);
    acc += c.end - c.start;
  }
  const at = (o: number): number => {
    let lo = 0;
    let hi = merged.length - 1;
    let k = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= o) {
        k = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (k < 0) return o;
    const c = merged[k];
    return o < c.end ? c.start - removedBefore[k] : o - removedBefore[k] - (c.end - c.start);
  };
  let text = '';
  let pos = 0;
  for (const c of merged) {
    text += p.text.slice(pos, c.start);
    pos = Math.max(pos, c.end);
  }
  text += p.text.slice(pos);
  const map: OffsetMapPiece[] = [];
  for (const piece of p.map) {
    let from = piece.renderedStart;
    // The parts of the piece outside every cut, in order.
    for (const c of merged) {
      if (c.end <= from || c.start >= piece.renderedEnd) continue;
      if (c.start > from) pushPiece(map, piece, from, c.start, at);
      from = Math.max(from, c.end);
    }
    if (from < piece.renderedEnd) pushPiece(map, piece, from, piece.renderedEnd, at);
  }
  p.text = text;
  p.map = map;
  p.segments = p.segments
    .map((s) => ({ ...s, start: at(s.start), end: at(s.end) }))
    .filter((s) => s.end > s.start);
  if (p.firstVariableOffset !== null) p.firstVariableOffset = at(p.firstVariableOffset);
  if (p.finalTurnOffset !== undefined) p.finalTurnOffset = at(p.finalTurnOffset);
  p.breakpoints = p.breakpoints.map(at);
  p.blocks = p.blocks.map(at);
  if (p.placeholders) p.placeholders = p.placeholders.map((x) => ({ ...x, renderedStart: at(x.renderedStart), renderedEnd: at(x.renderedEnd) }));
  const boundaries = new Set((p.hardBoundaries ?? []).map(at));
  for (const c of merged) if (c.boundary) boundaries.add(at(c.start));
  boundaries.delete(0);
  boundaries.delete(text.length);
  if (boundaries.size) p.hardBoundaries = [...boundaries].sort((a, b) => a - b);
  else delete p.hardBoundaries;
  return p;
}

function pushPiece(map: OffsetMapPiece[], piece: OffsetMapPiece, from: number, to: number, at: (o: number) => number): void {
  const renderedStart = at(from);
  const renderedEnd = renderedStart + (to - from);
  if (piece.exact) {
    const d = from - piece.renderedStart;
    const last = map[map.length - 1];
    if (last && last.exact && last.renderedEnd === renderedStart && last.sourceEnd === piece.sourceStart + d) {
      last.renderedEnd = renderedEnd;
      last.sourceEnd += to - from;
      return;
    }
    map.push({ renderedStart, renderedEnd, sourceStart: piece.sourceStart + d, sourceEnd: piece.sourceStart + d + (to - from), exact: true });
  } else {
    map.push({ renderedStart, renderedEnd, sourceStart: piece.sourceStart, sourceEnd: piece.sourceEnd, exact: false });
  }
}
