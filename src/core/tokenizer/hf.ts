// A model's own tokenizer (Hugging Face tokenizer.json) behind the core's Encoder interface, run by
// @huggingface/tokenizers (the Hugging Face team's pure-JS tokenizers). Ids equal the Hugging Face reference
// (Rust `tokenizers`) `encode(text, add_special_tokens=False)`: chat-template special-token text such as
// `<|im_start|>` is one special token here, as a serving engine tokenizes a rendered template.
// Not incremental: the audit worker re-tokenizes the whole rendering for these (src/auditWorker/coreBridge.ts).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { tokenStarts, type Encoder, type TokenizedText } from '../encodings';
import type { ModelTokenizerName } from '../ids';

/** GPT-2's byte-level alphabet: printable stand-ins for the 256 byte values (inverse map). */
function byteLevelDecoder(): Map<string, number> {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, i) => [String.fromCodePoint(cs[i]), b]));
}

interface TokenizerJson {
  normalizer?: { type?: string } | null;
  decoder?: { type?: string; decoders?: { type?: string }[] } | null;
  added_tokens?: { id: number; content: string }[];
  model: { vocab: Record<string, number> | [string, number][] };
}

export class HfEncoder implements Encoder {
  private readonly tok: Tokenizer;
  private readonly byteLevel: boolean;
  private readonly nfc: boolean;
  private readonly idToToken: string[] = [];
  private readonly added = new Map<number, string>();
  private readonly bytesCache = new Map<number, Uint8Array>();
  private readonly te = new TextEncoder();
  private static byteMap: Map<string, number> | undefined;

  constructor(
    readonly name: ModelTokenizerName,
    json: TokenizerJson,
    config: Record<string, unknown>,
  ) {
    this.tok = new Tokenizer(json, config);
    const dec = json.decoder;
    this.byteLevel = dec?.type === 'ByteLevel' || !!dec?.decoders?.some((d) => d.type === 'ByteLevel');
    this.nfc = json.normalizer?.type === 'NFC';
    const vocab = json.model.vocab;
    if (Array.isArray(vocab)) vocab.forEach(([t], i) => (this.idToToken[i] = t));
    else for (const [t, id] of Object.entries(vocab)) this.idToToken[id] = t;
    for (const a of json.added_tokens ?? []) this.added.set(a.id, a.content);
  }

  static fromDir(name: ModelTokenizerName, dir: string): HfEncoder {
    const json = JSON.parse(readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')) as TokenizerJson;
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      // tokenizer_config.json is optional
    }
    return new HfEncoder(name, json, config);
  }

  encode(text: string): Uint32Array {
    if (text.length === 0) return new Uint32Array(0);
    return Uint32Array.from(this.tok.encode(text, { add_special_tokens: false }).ids);
  }

  tokenize(text: string): TokenizedText {
    const ids = this.encode(text);
    // Token bytes are bytes of the normalized text; map them back to the source text.
    const normalized = this.nfc ? text.normalize('NFC') : text;
    const starts = tokenStarts(normalized, ids, (id) => this.tokenBytes(id).length);
    if (normalized !== text) remapStarts(starts, text);
    return { ids, starts };
  }

  decode(ids: ArrayLike<number>): string {
    return this.tok.decode(Array.from(ids), { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  tokenBytes(id: number): Uint8Array {
    let b = this.bytesCache.get(id);
    if (b) return b;
    const addedText = this.added.get(id);
    const t = addedText ?? this.idToToken[id] ?? '';
    if (addedText !== undefined) b = this.te.encode(this.byteLevel ? addedText : addedText.replace(/\u2581/g, ' '));
    else if (this.byteLevel) {
      const map = (HfEncoder.byteMap ??= byteLevelDecoder());
      b = Uint8Array.from([...t].map((c) => map.get(c) ?? 0x3f));
    } else {
      // SentencePiece-style vocabulary (Gemma): ▁ is a space, <0xNN> a raw byte (byte fallback).
      const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(t);
      b = m ? Uint8Array.of(parseInt(m[1], 16)) : this.te.encode(t.replace(/\u2581/g, ' '));
    }
    this.bytesCache.set(id, b);
    return b;
  }
}

/**
 * Starts were computed on the NFC form of the text; re-express them as offsets in the original (rare: the text had
 * decomposed characters). Each grapheme cluster normalizes on its own, so offsets are mapped cluster by cluster.
 */
function remapStarts(starts: Uint32Array, text: string): void {
  const normToOrig: number[] = [];
  let orig = 0;
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    const n = segment.normalize('NFC').length;
    for (let k = 0; k < n; k++) normToOrig.push(orig);
    orig += segment.length;
  }
  normToOrig.push(text.length);
  for (let i = 0; i < starts.length; i++) starts[i] = normToOrig[Math.min(starts[i], normToOrig.length - 1)];
  starts[starts.length - 1] = text.length;
}
