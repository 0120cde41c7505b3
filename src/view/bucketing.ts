// Heatmap geometry shared by the panel (webview) and its tests: bucketing token positions into columns and finding
// the tokens of the rows on screen. Pure and allocation-light: a 1 MB prompt has ~250k tokens.

/** Index of the last token whose start is <= offset (binary search over `starts`, which is sorted). */
export function tokenAtOffset(starts: ArrayLike<number>, tokenCount: number, offset: number): number {
  let lo = 0;
  let hi = tokenCount - 1;
  if (hi < 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Line start offsets of a text (\n, \r\n and lone \r end a line, as in the editor). */
export function lineStarts(text: string): Uint32Array {
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  const out = new Uint32Array(n);
  let k = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) out[k++] = i + 1;
  }
  return out;
}

export interface HistoryBucketRow {
  /** Tokens in this version. */
  tokens: number;
  /** First token that differs from the previous version; null when identical, 0 for the oldest version. */
  firstDivergentToken: number | null;
}

/**
 * State of each column of a history row: 0 = beyond this version's length, 1 = reused from the previous version,
 * 2 = recomputed, 3 = contains the divergence. Columns span [c·maxTokens/columns, (c+1)·maxTokens/columns).
 */
export function bucketHistoryRow(row: HistoryBucketRow, maxTokens: number, columns: number): Uint8Array {
  const out = new Uint8Array(columns);
  if (maxTokens <= 0) return out;
  const per = maxTokens / columns;
  const div = row.firstDivergentToken;
  for (let c = 0; c < columns; c++) {
    const start = c * per;
    const end = (c + 1) * per;
    if (start >= row.tokens) break;
    if (div === null || end <= div) out[c] = 1;
    else if (start <= div && div < end) out[c] = 3;
    else out[c] = 2;
  }
  return out;
}

/** Rows of a virtualised list visible in a viewport, with an overscan so fast scrolling shows no gaps. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rowCount: number, overscan = 10): { first: number; last: number } {
  if (rowCount === 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rowCount - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last };
}

/** Downsamples a layers × positions matrix to at most `columns` position columns (max of each bucket). */
export function bucketMatrix(values: ArrayLike<number>, layers: number, positions: number, columns: number): { data: Float32Array; columns: number } {
  const cols = Math.max(1, Math.min(columns, positions));
  const data = new Float32Array(layers * cols);
  for (let l = 0; l < layers; l++) {
    for (let c = 0; c < cols; c++) {
      const from = Math.floor((c * positions) / cols);
      const to = Math.max(from + 1, Math.floor(((c + 1) * positions) / cols));
      let m = 0;
      for (let p = from; p < to; p++) {
        const v = values[l * positions + p];
        if (v > m) m = v;
      }
      data[l * cols + c] = m;
    }
  }
  return { data, columns: cols };
}
