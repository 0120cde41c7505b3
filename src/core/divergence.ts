// Token-exact divergence between two rendered prompts. Providers reuse K/V only for the common TOKEN
// prefix, which can be shorter than the common character prefix (BPE merges across an edit's seam).
import type { Encoder, TokenizedText } from './encodings';

export interface TokenDivergence {
  old: TokenizedText;
  new: TokenizedText;
  /** Length of the longest common token prefix; null when the sequences are identical. */
  firstDivergentToken: number | null;
  reusablePrefixTokens: number;
  recomputedTokens: number;
  /** Rendered offsets where the first differing token starts in each text; null when identical. */
  renderedOffset: { old: number; new: number } | null;
}

/** Length of the longest common prefix of two id arrays. */
export function commonTokenPrefix(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

export function tokenDivergence(oldText: string, newText: string, encoder: Encoder, boundaries?: { old?: number[]; new?: number[] }): TokenDivergence {
  const o = tokenizePieces(encoder, oldText, boundaries?.old);
  const n = oldText === newText && sameList(boundaries?.old, boundaries?.new) ? o : tokenizePieces(encoder, newText, boundaries?.new);
  return divergenceOfTokens(o, n);
}

function sameList(a?: number[], b?: number[]): boolean {
  return (a ?? []).join(',') === (b ?? []).join(',');
}

/**
 * Tokenizes text in pieces split at hard boundaries (where a chat template puts special tokens, so BPE
 * cannot merge across), concatenating ids and shifting starts.
 */
export function tokenizePieces(encoder: Encoder, text: string, boundaries?: number[]): TokenizedText {
  const cuts = [...new Set((boundaries ?? []).filter((b) => b > 0 && b < text.length))].sort((a, b) => a - b);
  if (cuts.length === 0) return encoder.tokenize(text);
  const parts: TokenizedText[] = [];
  const offsets: number[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    parts.push(encoder.tokenize(text.slice(prev, c)));
    offsets.push(prev);
    prev = c;
  }
  const total = parts.reduce((n, p) => n + p.ids.length, 0);
  const ids = new Uint32Array(total);
  const starts = new Uint32Array(total + 1);
  let k = 0;
  parts.forEach((p, i) => {
    ids.set(p.ids, k);
    for (let j = 0; j < p.ids.length; j++) starts[k + j] = p.starts[j] + offsets[i];
    k += p.ids.length;
  });
  starts[total] = text.length;
  return { ids, starts };
}

export function divergenceOfTokens(o: TokenizedText, n: TokenizedText): TokenDivergence {
  const k = commonTokenPrefix(o.ids, n.ids);
  const identical = k === o.ids.length && k === n.ids.length;
  if (identical) {
    return { old: o, new: n, firstDivergentToken: null, reusablePrefixTokens: n.ids.length, recomputedTokens: 0, renderedOffset: null };
  }
  return {
    old: o,
    new: n,
    firstDivergentToken: k,
    reusablePrefixTokens: k,
    recomputedTokens: n.ids.length - k,
    // starts[len] is the text length, so a pure append/truncation points at the end of the shorter text.
    renderedOffset: { old: o.starts[k], new: n.starts[k] },
  };
}

/** Number of tokens that start before a rendered offset (a block boundary → a token count). */
export function tokensBefore(t: TokenizedText, renderedOffset: number): number {
  let lo = 0;
  let hi = t.ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t.starts[mid] < renderedOffset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
