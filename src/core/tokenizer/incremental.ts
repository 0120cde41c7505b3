// Incremental re-tokenization: keeps a text's tokens and its pre-token ("chunk") table, and after an edit
// re-encodes only the chunks the edit can affect. Tokens are the concatenation of BPE(chunk) over the
// pre-tokenizer's chunks, so it suffices to find a restart point where chunking cannot change (left edge) and
// the first place after the edit where the new chunking falls back onto the old one (right edge).
//
// Left edge: restart at the last old chunk boundary at or before min(k - 4, start of the whitespace run that
// ends at k - 1), k = the edit offset moved off a surrogate pair. Why that bound: these patterns have no
// lookbehind or anchors, and a match decides where it ends by looking at most 3 chars past its end (a
// contraction like 're, or 3 digits), except inside a whitespace run, where `\s*[\r\n]+` and `\s+(?!\S)`
// look across the whole run. Restarting at the chunk that holds the edit is wrong for ~6% of random edits
// (e.g. `hello` + `'s` becomes one chunk).
// Right edge: rescan until a new chunk boundary at or after the edit's end lands on an old boundary shifted by
// the edit's length; from there the text, and therefore the chunking and tokens, are the same as before.
//
// Text cost follows the edit, not the document: the text is kept as a rope of ~8 KB blocks (a flat 1 MB
// string rebuilt per edit costs ~1.3 ms once the regex flattens it), and the pre-tokenizer runs over a local
// window copied out of the rope. (The token tables still cost O(distance from the previous edit); see `pc`.)
// A match found in a window ending at E < text.length is the full text's match when the engine cannot have
// read past E - 2 (so nothing it read, not even half a surrogate pair, was cut off): under these patterns a
// match reads at most 2 chars (a contraction, or the char that ends a run) past its end, except one starting
// in whitespace, which reads its whole whitespace run plus one char. So a window match [p, e) is trusted when
// e <= E - 4 and a non-whitespace char lies in [e, E - 2]; otherwise the window is reloaded at p, twice as long.
import { getBpeEncoder, type Encoder, type EncodingName } from '../encodings';
import { BpeEncoder, TokenBuffer } from './encoder';
import { isWhiteSpace } from './patterns';

export interface EditResult {
  /** Length of the common token prefix of the old and new versions (0-based index of the first differing token). */
  firstChangedToken: number;
  /** True when the token sequence did not change at all. */
  identical: boolean;
  /** Old tokens that were replaced, starting at `replacedFrom` (a chunk boundary at or before the edit). */
  removedTokens: number;
  /** New tokens that replaced them. */
  insertedTokens: number;
  replacedFrom: number;
  oldTokenCount: number;
  tokenCount: number;
  /** Chars re-encoded in the new text: [rescanFrom, rescanTo). */
  rescanFrom: number;
  rescanTo: number;
}

export interface IncrementalTokenizerOptions {
  /** Right context (chars past the edit) of the first window the pre-tokenizer re-scans; windows grow by doubling. Tests shrink it. */
  windowChars?: number;
  /** Target block size of the text's rope (chars). Tests shrink it. */
  ropeBlockChars?: number;
}

export class IncrementalTokenizer {
  private readonly rope: Rope;
  /** The flat text, built on demand (undefined after an edit until `text` is read). */
  private _text: string | undefined;
  private _ids: Uint32Array;
  /** Token starts (UTF-16), with one extra slot kept = text.length. */
  private _starts: Uint32Array;
  private nTok = 0;
  /** Chunk start offsets and first-token indices, each with a sentinel entry (text.length, nTok). */
  private chunkStart: Uint32Array;
  private chunkTok: Uint32Array;
  private nChunk = 0;
  // Pending shifts: entries at index >= pc of chunkStart/chunkTok, and at index >= pt of _starts, are stored
  // minus (pcChar, pcTok) / ptChar (mod 2^32). Edits move the pending point instead of rewriting every later
  // entry, so an edit costs O(distance from the previous edit) rather than O(tokens after it): typing in one
  // place is near-free, and a random edit in 1 MB rewrites a third of the table on average instead of half.
  private pc: number;
  private pcChar = 0;
  private pcTok = 0;
  private pt: number;
  private ptChar = 0;
  private readonly re: RegExp;
  // Scratch for the rescanned region.
  private readonly region = new TokenBuffer(256);
  private regionChunkStart: Uint32Array = new Uint32Array(64);
  private regionChunkTok: Uint32Array = new Uint32Array(64);

  private readonly windowChars: number;

  readonly encoder: BpeEncoder;

  /** `encoder`: one from getEncoder() (or an encoding name). */
  constructor(encoder: Encoder | EncodingName, text: string, options: IncrementalTokenizerOptions = {}) {
    if (typeof encoder === 'string') encoder = getBpeEncoder(encoder);
    if (!(encoder instanceof BpeEncoder)) throw new TypeError('IncrementalTokenizer needs an encoder from getEncoder()');
    this.encoder = encoder;
    this.re = encoder.newPreTokenizer();
    this._text = text;
    this.rope = new Rope(text, Math.max(1, Math.floor(options.ropeBlockChars ?? ROPE_BLOCK)));
    this.windowChars = Math.max(1, Math.floor(options.windowChars ?? WINDOW_CHARS));
    const out = new TokenBuffer(Math.max(16, (text.length >> 2) + 16));
    let cs: Uint32Array = new Uint32Array(Math.max(16, (text.length >> 2) + 16));
    let ct: Uint32Array = new Uint32Array(cs.length);
    let nc = 0;
    const re = this.re;
    re.lastIndex = 0;
    while (re.lastIndex < text.length) {
      const start = re.lastIndex;
      if (!re.test(text)) throw new Error(`pre-tokenizer failed at offset ${start}`);
      if (nc + 1 >= cs.length) {
        cs = growU32(cs, nc, nc + 2);
        ct = growU32(ct, nc, nc + 2);
      }
      cs[nc] = start;
      ct[nc++] = out.length;
      encoder.appendPiece(text.slice(start, re.lastIndex), start, out);
    }
    if (nc + 1 > cs.length) {
      cs = growU32(cs, nc, nc + 1);
      ct = growU32(ct, nc, nc + 1);
    }
    cs[nc] = text.length;
    ct[nc] = out.length;
    this.chunkStart = cs;
    this.chunkTok = ct;
    this.nChunk = nc;
    this.nTok = out.length;
    this._ids = out.ids;
    this._starts = out.starts;
    if (this._starts.length < this.nTok + 1) {
      this._starts = growU32(this._starts, this.nTok, this.nTok + 1);
    }
    this._starts[this.nTok] = text.length;
    this.pc = this.nChunk + 1;
    this.pt = this.nTok + 1;
  }

  private chunkStartAt(i: number): number {
    return i >= this.pc ? (this.chunkStart[i] + this.pcChar) >>> 0 : this.chunkStart[i];
  }
  private chunkTokAt(i: number): number {
    return i >= this.pc ? (this.chunkTok[i] + this.pcTok) >>> 0 : this.chunkTok[i];
  }
  /** Moves the chunk tables' pending point to `target`, settling or unsettling the entries in between. */
  private movePendingChunks(target: number): void {
    const end = this.nChunk + 1;
    const cs = this.chunkStart;
    const ct = this.chunkTok;
    if (this.pc < target) {
      for (let i = this.pc, e = Math.min(target, end); i < e; i++) {
        cs[i] += this.pcChar;
        ct[i] += this.pcTok;
      }
    } else {
      for (let i = target, e = Math.min(this.pc, end); i < e; i++) {
        cs[i] -= this.pcChar;
        ct[i] -= this.pcTok;
      }
    }
    this.pc = target;
    if (target >= end) this.pcChar = this.pcTok = 0;
  }
  /** Same for the token starts. */
  private movePendingTokens(target: number): void {
    const end = this.nTok + 1;
    const st = this._starts;
    if (this.pt < target) {
      for (let i = this.pt, e = Math.min(target, end); i < e; i++) st[i] += this.ptChar;
    } else {
      for (let i = target, e = Math.min(this.pt, end); i < e; i++) st[i] -= this.ptChar;
    }
    this.pt = target;
    if (target >= end) this.ptChar = 0;
  }

  get encoding(): EncodingName {
    return this.encoder.name;
  }
  /** The whole text: O(1) when unchanged since the last read, else joined from the rope (~1 ms per MB). */
  get text(): string {
    return (this._text ??= this.rope.toString());
  }
  /** Length of the text in UTF-16 units (O(1), unlike `text.length` right after an edit). */
  get length(): number {
    return this.rope.length;
  }
  /** text.slice(from, to) in O(to - from), without building the whole text after an edit. */
  textSlice(from: number, to: number): string {
    const n = this.rope.length;
    from = Math.max(0, Math.min(n, Math.trunc(from) || 0));
    to = Math.max(from, Math.min(n, Math.trunc(to) || 0));
    return this.rope.slice(from, to);
  }
  /** text.charCodeAt(i) in O(log blocks) (NaN outside the text). */
  charCodeAt(i: number): number {
    return i >= 0 && i < this.rope.length ? this.rope.charCodeAt(i) : NaN;
  }
  get tokenCount(): number {
    return this.nTok;
  }
  /** Current token ids (a view: valid until the next edit; copy it to keep it). */
  get ids(): Uint32Array {
    return this._ids.subarray(0, this.nTok);
  }
  /** UTF-16 start of each token, plus text.length at the end (a view, like `ids`). */
  get starts(): Uint32Array {
    this.movePendingTokens(this.nTok + 1); // settle every pending shift: O(tokens after the last edit)
    return this._starts.subarray(0, this.nTok + 1);
  }
  /** UTF-16 offset of the char holding token i's first byte (text.length for i === tokenCount). */
  tokenStart(i: number): number {
    if (!(i >= 0 && i <= this.nTok)) throw new RangeError(`token index ${i} out of range 0..${this.nTok}`);
    return i >= this.pt ? (this._starts[i] + this.ptChar) >>> 0 : this._starts[i];
  }
  /** Index of the token holding the char at `offset` (tokenCount when offset === text.length). */
  tokenAt(offset: number): number {
    let lo = 0;
    let hi = this.nTok; // invariant: starts[lo] <= offset < starts[hi]
    if (offset >= this.rope.length) return this.nTok;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.tokenStart(mid) <= offset) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Replaces `deleteLength` chars at `offset` with `insertText` and updates the tokens. */
  applyEdit(offset: number, deleteLength: number, insertText: string): EditResult {
    const rope = this.rope;
    const oldLength = rope.length;
    if (!Number.isInteger(offset) || !Number.isInteger(deleteLength) || offset < 0 || deleteLength < 0 || offset + deleteLength > oldLength) {
      throw new RangeError(`edit (${offset}, ${deleteLength}) outside the text (length ${oldLength})`);
    }
    const delta = insertText.length - deleteLength;
    const editEnd = offset + insertText.length; // in the new text

    // Left edge (see the header comment).
    let k = offset;
    if (k > 0) {
      const c = rope.charCodeAt(k - 1);
      if (c >= 0xd800 && c <= 0xdbff) k--; // a high surrogate before k may pair with what follows
    }
    let ws = k;
    ws = rope.whiteSpaceRunStart(ws);
    const bound = Math.min(k - 4, ws);
    const nChunk = this.nChunk;
    let c0 = 0;
    if (bound > 0) {
      let lo = 0;
      let hi = nChunk; // start(lo) <= bound < start(hi) (the sentinel start(nChunk) = old.length >= bound + 4)
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (this.chunkStartAt(mid) <= bound) lo = mid;
        else hi = mid;
      }
      c0 = lo;
    }
    const from = this.chunkStartAt(c0);
    const t0 = this.chunkTokAt(c0);

    // An edit that fails below (a pre-tokenizer bug) is undone, so the tokenizer keeps the old text and tokens.
    const removedText = rope.slice(offset, offset + deleteLength);
    rope.replace(offset, deleteLength, insertText);
    const newLength = oldLength + delta;
    let nrc = 0;
    let p = from;
    let resync = -1;
    try {
      // Rescan until a boundary at/after the edit end coincides with a shifted old boundary. The regex runs over
      // win = text[winStart, winEnd); its matches are trusted when they end at or before `trusted` (see header).
      let winSize = editEnd - from + this.windowChars; // the edit plus some right context
      let winStart = from;
      let winEnd = from;
      let win = '';
      let trusted = from;
      const loadWindow = (start: number): void => {
        winStart = start;
        winEnd = Math.min(newLength, start + winSize);
        win = rope.slice(start, winEnd);
        if (winEnd === newLength) {
          trusted = newLength;
          return;
        }
        let z = winEnd - 2 - winStart; // last non-whitespace char at or before E - 2 (window-relative)
        while (z >= 0 && isWhiteSpace(win.charCodeAt(z))) z--;
        trusted = Math.min(winStart + z, winEnd - 4);
      };
      loadWindow(from);
      const region = this.region;
      region.length = 0;
      let oc = c0; // old chunk pointer: first old chunk with cs[oc] >= p - delta
      const re = this.re;
      for (;;) {
        if (p >= editEnd) {
          const q = p - delta;
          while (oc < nChunk && this.chunkStartAt(oc) < q) oc++;
          if (this.chunkStartAt(oc) === q) {
            resync = oc;
            break;
          }
        }
        if (p >= newLength) {
          resync = nChunk; // unreachable in practice: the end is always an old boundary (checked above)
          break;
        }
        let end: number;
        for (;;) {
          if (p < winEnd) {
            re.lastIndex = p - winStart;
            if (re.test(win)) {
              end = re.lastIndex + winStart;
              if (end <= trusted) break;
            } else if (winEnd === newLength) {
              throw new Error(`pre-tokenizer failed at offset ${p}`);
            }
          }
          winSize *= 2;
          loadWindow(p);
        }
        if (nrc === this.regionChunkStart.length) {
          this.regionChunkStart = growU32(this.regionChunkStart, nrc, nrc + 1);
          this.regionChunkTok = growU32(this.regionChunkTok, nrc, nrc + 1);
        }
        this.regionChunkStart[nrc] = p;
        this.regionChunkTok[nrc++] = region.length;
        this.encoder.appendPiece(win.slice(p - winStart, end - winStart), p, region);
        p = end;
      }
    } catch (err) {
      rope.replace(offset, insertText.length, removedText);
      throw err;
    }
    this._text = undefined;
    const region = this.region;

    const oldTok = this.nTok;
    const t1 = this.chunkTokAt(resync);
    const removed = t1 - t0;
    const inserted = region.length;
    const firstChanged = this.commonPrefix(t0, t1, region);

    // Splice tokens and starts: old [t0, t1) -> region; the old tail keeps its stored values and its pending
    // shift grows by the edit's length.
    const tokDelta = inserted - removed;
    const newTok = oldTok + tokDelta;
    this.movePendingTokens(t1);
    this._ids = spliceU32(this._ids, oldTok, t0, t1, region.ids, inserted, 0);
    this._starts = spliceU32(this._starts, oldTok + 1, t0, t1, region.starts, inserted, 0);
    this.pt = t0 + inserted;
    this.ptChar += delta;
    // Same for chunks; region token indices become absolute (t0 + relative).
    const rTok = this.regionChunkTok;
    for (let i = 0; i < nrc; i++) rTok[i] += t0;
    this.movePendingChunks(resync);
    this.chunkStart = spliceU32(this.chunkStart, nChunk + 1, c0, resync, this.regionChunkStart, nrc, 0);
    this.chunkTok = spliceU32(this.chunkTok, nChunk + 1, c0, resync, rTok, nrc, 0);
    const newChunks = nChunk + nrc - (resync - c0);
    this.pc = c0 + nrc;
    this.pcChar += delta;
    this.pcTok += tokDelta;
    this.nChunk = newChunks;
    this.nTok = newTok;
    return {
      firstChangedToken: firstChanged,
      identical: firstChanged === oldTok && oldTok === newTok,
      removedTokens: removed,
      insertedTokens: inserted,
      replacedFrom: t0,
      oldTokenCount: oldTok,
      tokenCount: newTok,
      rescanFrom: from,
      rescanTo: p,
    };
  }

  /** Common prefix length of the old ids and (old[0..t0) + region + old[t1..]). */
  private commonPrefix(t0: number, t1: number, region: TokenBuffer): number {
    const ids = this._ids;
    const oldTok = this.nTok;
    const n = region.length;
    for (let j = 0; j < n; j++) {
      if (t0 + j >= oldTok || ids[t0 + j] !== region.ids[j]) return t0 + j;
    }
    // The region matched; the new sequence continues with old[t1..], compared against old[t0 + n..].
    if (t0 + n === t1) return oldTok; // identical
    const newTok = oldTok + n - (t1 - t0);
    let a = t0 + n;
    let b = t1;
    while (a < oldTok && b < oldTok && ids[a] === ids[b]) {
      a++;
      b++;
    }
    return Math.min(a, newTok);
  }
}

/** Copies arr[0..len) into a new array with capacity >= need (grown geometrically). */
function growU32(arr: Uint32Array, len: number, need: number): Uint32Array {
  let cap = Math.max(16, arr.length);
  while (cap < need) cap *= 2;
  const out = new Uint32Array(cap);
  out.set(arr.subarray(0, len));
  return out;
}

/** arr[0..len) with [from, to) replaced by src[srcFrom .. srcFrom + count); reuses arr when it has room. */
function spliceU32(arr: Uint32Array, len: number, from: number, to: number, src: Uint32Array, count: number, srcFrom: number): Uint32Array {
  const newLen = len - (to - from) + count;
  let out = arr;
  if (newLen > arr.length) {
    out = new Uint32Array(Math.max(newLen + (newLen >> 3), 16));
    out.set(arr.subarray(0, from));
    out.set(arr.subarray(to, len), from + count);
  } else if (to - from !== count) {
    out.copyWithin(from + count, to, len);
  }
  out.set(src.subarray(srcFrom, srcFrom + count), from);
  return out;
}

/** Target block size of the rope: small enough that rebuilding a block per edit is cheap (µs). */
const ROPE_BLOCK = 8192;
/** Initial re-scan window: most edits resync within a few chunks; copying 1 KB costs well under a µs per 100 chars. */
const WINDOW_CHARS = 1024;

/**
 * The text as a list of blocks with their start offsets: an edit rewrites one or a few blocks (O(block size +
 * block count)), and reads copy only what they need. Blocks may split a surrogate pair; reads concatenate.
 */
class Rope {
  private blocks: string[] = [];
  private starts: number[] = [];
  length = 0;

  constructor(text: string, private readonly block: number) {
    this.blocks = splitBlocks(text, block);
    this.reindex(0);
  }

  private reindex(from: number): void {
    const b = this.blocks;
    let pos = from > 0 ? this.starts[from - 1] + b[from - 1].length : 0;
    this.starts.length = b.length;
    for (let i = from; i < b.length; i++) {
      this.starts[i] = pos;
      pos += b[i].length;
    }
    this.length = pos;
  }

  /** Index of the block holding char `pos` (the last block for pos === length). */
  private find(pos: number): number {
    const st = this.starts;
    let lo = 0;
    let hi = st.length; // st[lo] <= pos < st[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (st[mid] <= pos) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  charCodeAt(pos: number): number {
    const i = this.find(pos);
    return this.blocks[i].charCodeAt(pos - this.starts[i]);
  }

  /** Start of the run of Rust-`\s` chars that ends at `pos` (pos itself when the char before it is not one). */
  whiteSpaceRunStart(pos: number): number {
    if (pos <= 0) return 0;
    let i = this.find(pos - 1);
    for (;;) {
      const b = this.blocks[i];
      const s = this.starts[i];
      let j = pos - s;
      while (j > 0 && isWhiteSpace(b.charCodeAt(j - 1))) j--;
      pos = s + j;
      if (j > 0 || i === 0) return pos;
      i--;
    }
  }

  slice(from: number, to: number): string {
    if (to <= from) return '';
    let i = this.find(from);
    const b = this.blocks;
    const st = this.starts;
    if (to <= st[i] + b[i].length) return b[i].slice(from - st[i], to - st[i]);
    let out = b[i].slice(from - st[i]);
    for (i++; i < b.length && st[i] + b[i].length < to; i++) out += b[i];
    if (i < b.length) out += b[i].slice(0, to - st[i]);
    return out;
  }

  replace(offset: number, deleteLength: number, insertText: string): void {
    const b = this.blocks;
    const st = this.starts;
    let i = this.find(offset);
    const j = this.find(offset + deleteLength);
    let text = b[i].slice(0, offset - st[i]) + insertText + b[j].slice(offset + deleteLength - st[j]);
    let last = j;
    // Keep blocks from shrinking away: merge a small result with its next block.
    const small = this.block >> 2;
    if (text.length < small && last + 1 < b.length) text += b[++last];
    if (text.length < small && i > 0) text = b[--i] + text;
    const pieces = text.length > 2 * this.block ? splitBlocks(text, this.block) : text.length > 0 || b.length === 1 ? [text] : [];
    b.splice(i, last - i + 1, ...pieces);
    if (b.length === 0) b.push('');
    this.reindex(i);
  }

  toString(): string {
    return this.blocks.length === 1 ? this.blocks[0] : this.blocks.join('');
  }
}

function splitBlocks(text: string, block: number): string[] {
  if (text.length <= 2 * block) return [text];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += block) out.push(text.slice(i, i + block));
  return out;
}
