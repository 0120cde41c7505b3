// Compact BPE rank table: every token's bytes in one pool plus an open-addressing hash from bytes to rank.
// Why not a Map<string, number>: building 200k string keys costs ~0.7 s and ~100 MB at start-up, while
// this layout is three typed arrays that can be written to disk at build time and mapped back in a few ms.
// In tiktoken's encodings a token's rank IS its id.

/** Bumped whenever the layout or the hash function changes, so stale prebuilt files are rebuilt. */
export const RANK_TABLE_FORMAT = 1;
const MAGIC = 0x54524350; // "PCRT" little-endian

export class RankTable {
  /** `offsets[id]..offsets[id + 1]` are token `id`'s bytes in `pool` (empty for ids with no token). */
  readonly offsets: Uint32Array;
  readonly pool: Uint8Array;
  /** Hash slots holding id + 1 (0 = empty); size is a power of two. */
  readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(offsets: Uint32Array, pool: Uint8Array, slots: Uint32Array) {
    this.offsets = offsets;
    this.pool = pool;
    this.slots = slots;
    this.mask = slots.length - 1;
  }

  /** Number of id slots (max id + 1). */
  get size(): number {
    return this.offsets.length - 1;
  }

  /** Rank of `buf[start..end)`, or -1 when those bytes are not a token. */
  rank(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const { slots, offsets, pool, mask } = this;
    let i = hashBytes(buf, start, end) & mask;
    for (;;) {
      const v = slots[i];
      if (v === 0) return -1;
      const id = v - 1;
      const o = offsets[id];
      if (offsets[id + 1] - o === len) {
        let k = 0;
        while (k < len && pool[o + k] === buf[start + k]) k++;
        if (k === len) return id;
      }
      i = (i + 1) & mask;
    }
  }

  /** Byte length of token `id` (0 if there is no such token). */
  byteLength(id: number): number {
    return this.offsets[id + 1] - this.offsets[id];
  }

  /** Serialized form: header, offsets, slots, pool (4-byte aligned so it can be viewed without copying). */
  serialize(): Uint8Array {
    const header = new Uint32Array([MAGIC, RANK_TABLE_FORMAT, this.offsets.length, this.slots.length, this.pool.length]);
    const total = header.byteLength + this.offsets.byteLength + this.slots.byteLength + this.pool.byteLength;
    const out = new Uint8Array(total);
    let p = 0;
    for (const part of [header, this.offsets, this.slots]) {
      out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), p);
      p += part.byteLength;
    }
    out.set(this.pool, p);
    return out;
  }

  /** Inverse of serialize(); undefined when the data is not a table of the current format. */
  static deserialize(data: Uint8Array): RankTable | undefined {
    if (data.byteOffset % 4 !== 0) data = data.slice(); // typed-array views need 4-byte alignment
    if (data.byteLength < 20) return undefined;
    const header = new Uint32Array(data.buffer, data.byteOffset, 5);
    if (header[0] !== MAGIC || header[1] !== RANK_TABLE_FORMAT) return undefined;
    const [, , nOffsets, nSlots, poolLength] = header;
    let p = data.byteOffset + 20;
    if (data.byteLength !== 20 + 4 * nOffsets + 4 * nSlots + poolLength) return undefined;
    const offsets = new Uint32Array(data.buffer, p, nOffsets);
    p += 4 * nOffsets;
    const slots = new Uint32Array(data.buffer, p, nSlots);
    p += 4 * nSlots;
    const pool = new Uint8Array(data.buffer, p, poolLength);
    return new RankTable(offsets, pool, slots);
  }

  /** Builds the table from (bytes, rank) pairs. */
  static fromTokens(tokens: ReadonlyArray<readonly [Uint8Array, number]>): RankTable {
    let maxId = -1;
    let poolLength = 0;
    for (const [bytes, id] of tokens) {
      if (id > maxId) maxId = id;
      poolLength += bytes.length;
    }
    const byId: (Uint8Array | undefined)[] = new Array(maxId + 1);
    for (const [bytes, id] of tokens) byId[id] = bytes;
    const offsets = new Uint32Array(maxId + 2);
    const pool = new Uint8Array(poolLength);
    let p = 0;
    for (let id = 0; id <= maxId; id++) {
      offsets[id] = p;
      const b = byId[id];
      if (b) {
        pool.set(b, p);
        p += b.length;
      }
    }
    offsets[maxId + 1] = p;
    // Load factor below 0.4 keeps linear probing short.
    let cap = 1;
    while (cap < tokens.length * 2.5) cap *= 2;
    const slots = new Uint32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id <= maxId; id++) {
      const s = offsets[id];
      const e = offsets[id + 1];
      if (s === e) continue;
      let i = hashBytes(pool, s, e) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    return new RankTable(offsets, pool, slots);
  }

  /** Parses js-tiktoken's rank format: lines of `<tag> <first rank> <base64 token> <base64 token> ...`. */
  static fromJsTiktoken(bpeRanks: string): RankTable {
    const tokens: [Uint8Array, number][] = [];
    for (const line of bpeRanks.split('\n')) {
      if (!line) continue;
      const fields = line.split(' ');
      const first = Number.parseInt(fields[1], 10);
      for (let i = 2; i < fields.length; i++) {
        tokens.push([new Uint8Array(Buffer.from(fields[i], 'base64')), first + i - 2]);
      }
    }
    return RankTable.fromTokens(tokens);
  }
}

/** FNV-1a over a byte range (32-bit). Part of the on-disk format: changing it needs RANK_TABLE_FORMAT + 1. */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  // Final avalanche so the low bits used for the slot index depend on every byte.
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
