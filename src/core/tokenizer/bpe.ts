// Byte-pair merging of one pre-token, with tiktoken's exact semantics: repeatedly merge the adjacent pair
// whose concatenated bytes have the lowest rank, the leftmost one on ties, until no pair is a token.
// Two implementations with identical results: tiktoken's own O(n²) scan, kept for the shortest pieces and as
// the reference the tests check the other against, and a linked list + 4-ary heap, O(n log n), for the rest
// (a 200k-char run of letters or spaces is one piece; the quadratic scan takes tens of seconds on it).
import type { RankTable } from './rankTable';

/**
 * Pieces longer than this many bytes use the heap merge. Measured (CPU time, mixed content): the heap is
 * already ~15% faster at 8 bytes and 1.5x at 128; most pieces of ordinary text are whole tokens and never merge.
 */
export const HEAP_THRESHOLD = 8;

// Heap keys pack (rank, byte position) into one float64: rank * 2^32 + position orders by rank, then by
// position, which is exactly tiktoken's "lowest rank, leftmost first" rule. Ranks < 2^20, positions < 2^32.
const POS_SPAN = 4294967296;

export class BytePairMerger {
  private starts = new Int32Array(256);
  private ranks = new Int32Array(256);
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private pairRank = new Int32Array(256);
  private heap = new Float64Array(768);

  constructor(private readonly table: RankTable) {}

  /**
   * Merges `buf[0..len)` (len >= 2; callers handle pieces that are whole tokens) and writes the tokens'
   * ids and byte offsets into `outIds`/`outStarts`, which must have room for `len` entries. Returns the count.
   */
  merge(buf: Uint8Array, len: number, outIds: Uint32Array, outStarts: Uint32Array): number {
    return len <= HEAP_THRESHOLD
      ? this.mergeQuadratic(buf, len, outIds, outStarts)
      : this.mergeHeap(buf, len, outIds, outStarts);
  }

  /** tiktoken's algorithm: parts[i] = (start, rank of the pair starting at part i). */
  mergeQuadratic(buf: Uint8Array, len: number, outIds: Uint32Array, outStarts: Uint32Array): number {
    const table = this.table;
    if (this.starts.length < len + 1) this.grow(len + 1);
    const starts = this.starts;
    const ranks = this.ranks;
    const NONE = 0x7fffffff;
    let n = len + 1; // parts, including the end sentinel
    for (let i = 0; i < len - 1; i++) {
      starts[i] = i;
      const r = table.rank(buf, i, i + 2);
      ranks[i] = r < 0 ? NONE : r;
    }
    starts[len - 1] = len - 1;
    ranks[len - 1] = NONE;
    starts[len] = len;
    ranks[len] = NONE;
    for (;;) {
      let min = NONE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (ranks[i] < min) {
          min = ranks[i];
          at = i;
        }
      }
      if (at < 0) break;
      // Merge part at+1 into part at; the pairs starting at at-1 and at now span different bytes.
      starts.copyWithin(at + 1, at + 2, n);
      ranks.copyWithin(at + 1, at + 2, n);
      n--;
      if (at > 0) {
        const r = at + 1 < n ? table.rank(buf, starts[at - 1], starts[at + 1]) : -1;
        ranks[at - 1] = r < 0 ? NONE : r;
      }
      const r = at + 2 < n ? table.rank(buf, starts[at], starts[at + 2]) : -1;
      ranks[at] = r < 0 ? NONE : r;
    }
    for (let i = 0; i < n - 1; i++) {
      outIds[i] = table.rank(buf, starts[i], starts[i + 1]);
      outStarts[i] = starts[i];
    }
    return n - 1;
  }

  /** Same result in O(n log n): parts form a linked list over byte positions; stale heap entries are skipped. */
  mergeHeap(buf: Uint8Array, len: number, outIds: Uint32Array, outStarts: Uint32Array): number {
    const table = this.table;
    if (this.next.length < len + 1) this.grow(len + 1);
    if (this.heap.length < 3 * len) this.heap = new Float64Array(3 * len);
    const next = this.next;
    const prev = this.prev;
    const pairRank = this.pairRank; // rank of the pair starting at a part; -1 none; -2 part merged away
    const heap = this.heap;
    // The binary heap is written out inline (no closures): this loop is the whole cost of a long run.
    let size = 0;
    for (let i = 0; i <= len; i++) {
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    for (let i = 0; i < len - 1; i++) {
      const r = table.rank(buf, i, i + 2);
      pairRank[i] = r;
      // Keys pushed in increasing position order need no sift when ranks are equal, so build by pushing.
      if (r >= 0) size = heapPush(heap, size, r * POS_SPAN + i);
    }
    pairRank[len - 1] = -1;
    while (size > 0) {
      const key = heap[0];
      size = heapPopTop(heap, size);
      const r = Math.floor(key / POS_SPAN);
      const i = key - r * POS_SPAN;
      if (pairRank[i] !== r) continue; // stale: the pair at i changed or i was merged away
      const j = next[i];
      const k = next[j];
      next[i] = k;
      if (k <= len) prev[k] = i;
      pairRank[j] = -2;
      const nr = k < len ? table.rank(buf, i, next[k]) : -1;
      pairRank[i] = nr;
      if (nr >= 0) size = heapPush(heap, size, nr * POS_SPAN + i);
      if (i > 0) {
        const p = prev[i];
        const pr = table.rank(buf, p, k);
        pairRank[p] = pr;
        if (pr >= 0) size = heapPush(heap, size, pr * POS_SPAN + p);
      }
    }
    let n = 0;
    for (let i = 0; i < len; i = next[i]) {
      outIds[n] = table.rank(buf, i, next[i]);
      outStarts[n++] = i;
    }
    return n;
  }

  private grow(n: number): void {
    let cap = this.starts.length;
    while (cap < n) cap *= 2;
    this.starts = new Int32Array(cap);
    this.ranks = new Int32Array(cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.pairRank = new Int32Array(cap);
  }
}

// A 4-ary min-heap: half the depth of a binary one, its four children adjacent in memory; measured 5-10%
// faster than a binary heap on 200k-byte runs (CPU time).

/** Adds `key` to the min-heap `heap[0..size)`; returns the new size. */
function heapPush(heap: Float64Array, size: number, key: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 2;
    const pk = heap[parent];
    if (pk <= key) break;
    heap[i] = pk;
    i = parent;
  }
  heap[i] = key;
  return size + 1;
}

/** Removes the minimum `heap[0]` from the min-heap `heap[0..size)`; returns the new size. */
function heapPopTop(heap: Float64Array, size: number): number {
  const n = size - 1;
  const last = heap[n];
  let i = 0;
  for (;;) {
    const first = 4 * i + 1;
    if (first >= n) break;
    let c = first;
    let ck = heap[first];
    const end = first + 4 < n ? first + 4 : n;
    for (let j = first + 1; j < end; j++) {
      const jk = heap[j];
      if (jk < ck) {
        c = j;
        ck = jk;
      }
    }
    if (ck >= last) break;
    heap[i] = ck;
    i = c;
  }
  heap[i] = last;
  return n;
}
