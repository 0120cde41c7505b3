// The encoder: regex pre-tokenizer + per-piece BPE over a compact rank table, with a bounded cache of
// piece -> tokens (real prompts repeat the same words; a Map hit skips UTF-8 encoding and merging).
import type { Encoder, TokenizedText } from '../encodings';
import type { BpeEncodingName as EncodingName } from '../ids';
import { BytePairMerger } from './bpe';
import { preTokenizer, type ClassMode } from './patterns';
import type { RankTable } from './rankTable';

/** Growable (id, UTF-16 start) arrays that token output is appended to. */
export class TokenBuffer {
  ids: Uint32Array;
  starts: Uint32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.ids = new Uint32Array(capacity);
    this.starts = new Uint32Array(capacity);
  }
  reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.ids.length) return;
    let cap = this.ids.length * 2;
    while (cap < need) cap *= 2;
    const ids = new Uint32Array(cap);
    ids.set(this.ids.subarray(0, this.length));
    const starts = new Uint32Array(cap);
    starts.set(this.starts.subarray(0, this.length));
    this.ids = ids;
    this.starts = starts;
  }
}

/** Cached tokens of a piece: one id, or [id0, charOffset0, id1, charOffset1, ...] relative to the piece. */
type CachedPiece = number | Uint32Array;

const CACHE_LIMIT = 200_000;
/** Longer pieces are not cached: they are rare, and would pin large strings. */
const CACHE_MAX_PIECE = 64;

export class BpeEncoder implements Encoder {
  private readonly merger: BytePairMerger;
  private readonly regex: RegExp;
  private readonly cache = new Map<string, CachedPiece>();
  private buf = new Uint8Array(1024);
  private byteChar = new Uint32Array(1024); // char offset (in the piece) of the char holding each byte
  private mergedIds = new Uint32Array(1024);
  private mergedStarts = new Uint32Array(1024);
  // ignoreBOM: a leading U+FEFF is prompt text like any other; the default decoder would drop it.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly specialBytes: Map<number, Uint8Array>;

  constructor(
    readonly name: EncodingName,
    readonly table: RankTable,
    specialTokens: Record<string, number> = {},
    /** How the pre-tokenizer writes Unicode classes; the default suits the runtime (both give the same ids). */
    classMode?: ClassMode,
  ) {
    this.merger = new BytePairMerger(table);
    this.regex = preTokenizer(name, classMode);
    const te = new TextEncoder();
    this.specialBytes = new Map(Object.entries(specialTokens).map(([text, id]) => [id, te.encode(text)]));
  }

  /** A fresh sticky pre-tokenizer regex (callers set lastIndex and test(); the piece is [old lastIndex, new lastIndex)). */
  newPreTokenizer(): RegExp {
    return new RegExp(this.regex.source, this.regex.flags);
  }

  encode(text: string): Uint32Array {
    const out = new TokenBuffer(Math.max(16, (text.length >> 2) + 16));
    this.encodeRange(text, 0, text.length, out);
    return out.ids.slice(0, out.length);
  }

  tokenize(text: string): TokenizedText {
    const out = new TokenBuffer(Math.max(16, (text.length >> 2) + 16));
    this.encodeRange(text, 0, text.length, out);
    const ids = out.ids.slice(0, out.length);
    const starts = new Uint32Array(out.length + 1);
    starts.set(out.starts.subarray(0, out.length));
    starts[out.length] = text.length;
    return { ids, starts };
  }

  /** Encodes the pre-tokens of `text` starting at `from` (a pre-token boundary) until `to`. */
  encodeRange(text: string, from: number, to: number, out: TokenBuffer): void {
    const re = this.regex;
    re.lastIndex = from;
    let start = from;
    while (start < to) {
      // test() rather than exec(): no match array is allocated, which is a third of the cost per piece.
      if (!re.test(text)) throw new Error(`pre-tokenizer failed at offset ${start}`); // unreachable: every position matches
      const end = re.lastIndex;
      this.appendPiece(text.slice(start, end), start, out);
      start = end;
    }
  }

  /** Appends the tokens of one pre-token `piece` found at char offset `start`. */
  appendPiece(piece: string, start: number, out: TokenBuffer): void {
    const cached = this.cache.get(piece);
    if (cached !== undefined) {
      if (typeof cached === 'number') {
        if (out.length === out.ids.length) out.reserve(1);
        out.ids[out.length] = cached;
        out.starts[out.length++] = start;
      } else {
        const n = cached.length >> 1;
        out.reserve(n);
        for (let i = 0; i < n; i++) {
          out.ids[out.length] = cached[2 * i];
          out.starts[out.length++] = start + cached[2 * i + 1];
        }
      }
      return;
    }
    const len = this.utf8(piece);
    const whole = this.table.rank(this.buf, 0, len);
    let entry: CachedPiece;
    if (whole >= 0) {
      // tiktoken takes a piece that is itself a token as-is, without merging.
      entry = whole;
      if (out.length === out.ids.length) out.reserve(1);
      out.ids[out.length] = whole;
      out.starts[out.length++] = start;
    } else {
      if (this.mergedIds.length < len) {
        this.mergedIds = new Uint32Array(len * 2);
        this.mergedStarts = new Uint32Array(len * 2);
      }
      const n = this.merger.merge(this.buf, len, this.mergedIds, this.mergedStarts);
      out.reserve(n);
      const ascii = len === piece.length;
      const cacheIt = piece.length <= CACHE_MAX_PIECE;
      const e = cacheIt ? new Uint32Array(2 * n) : undefined;
      for (let i = 0; i < n; i++) {
        const rel = ascii ? this.mergedStarts[i] : this.byteChar[this.mergedStarts[i]];
        out.ids[out.length] = this.mergedIds[i];
        out.starts[out.length++] = start + rel;
        if (e) {
          e[2 * i] = this.mergedIds[i];
          e[2 * i + 1] = rel;
        }
      }
      if (!e) return;
      entry = e;
    }
    if (piece.length <= CACHE_MAX_PIECE) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(piece, entry);
    }
  }

  /** UTF-8 encodes `s` into this.buf (lone surrogates become U+FFFD, as TextEncoder does); returns the length. */
  private utf8(s: string): number {
    const n = s.length;
    if (this.buf.length < 3 * n) {
      this.buf = new Uint8Array(3 * n + 16);
      this.byteChar = new Uint32Array(3 * n + 16);
    }
    const buf = this.buf;
    const byteChar = this.byteChar;
    let p = 0;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        byteChar[p] = i;
        buf[p++] = c;
      } else if (c < 0x800) {
        byteChar[p] = byteChar[p + 1] = i;
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else {
        if (c >= 0xd800 && c <= 0xdfff) {
          const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
          if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            byteChar[p] = byteChar[p + 1] = byteChar[p + 2] = byteChar[p + 3] = i;
            buf[p++] = 0xf0 | (c >> 18);
            buf[p++] = 0x80 | ((c >> 12) & 63);
            buf[p++] = 0x80 | ((c >> 6) & 63);
            buf[p++] = 0x80 | (c & 63);
            i++;
            continue;
          }
          c = 0xfffd;
        }
        byteChar[p] = byteChar[p + 1] = byteChar[p + 2] = i;
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      }
    }
    return p;
  }

  decode(ids: ArrayLike<number>): string {
    let total = 0;
    for (let i = 0; i < ids.length; i++) total += this.bytesOf(ids[i]).length;
    const bytes = new Uint8Array(total);
    let p = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.bytesOf(ids[i]);
      bytes.set(b, p);
      p += b.length;
    }
    return this.decoder.decode(bytes);
  }

  tokenBytes(id: number): Uint8Array {
    return this.bytesOf(id).slice();
  }

  /** Byte length of a token (0 for unknown ids). */
  tokenByteLength(id: number): number {
    return id >= 0 && id < this.table.size ? this.table.byteLength(id) : (this.specialBytes.get(id)?.length ?? 0);
  }

  private bytesOf(id: number): Uint8Array {
    if (Number.isInteger(id) && id >= 0 && id < this.table.size) {
      const s = this.table.offsets[id];
      const e = this.table.offsets[id + 1];
      if (e > s) return this.table.pool.subarray(s, e);
    }
    const special = this.specialBytes.get(id);
    if (special) return special;
    throw new RangeError(`${this.name}: no token with id ${id}`);
  }
}
