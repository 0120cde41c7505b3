// Pre-tokenizer patterns with the semantics of tiktoken's Rust core (fancy-regex), written for JavaScript.
// The source patterns are the ones embedded in tiktoken 1.0.22's WASM build:
//   r50k/p50k: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//   cl100k:    (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   o200k:     [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|...
// Differences from a naive JavaScript transcription, each one a real mismatch on some input:
// - Rust's `\s` is Unicode White_Space: it has U+0085 (NEL) and lacks U+FEFF (BOM); JavaScript's `\s` is the
//   reverse. So `\s`/`\S` are spelled out as an explicit class.
// - `(?i:'s)` uses simple case folding, under which U+017F (ſ) matches `s`. No other code point folds to one
//   of the letters in the contractions (checked over all code points), so the folded forms are listed.
// - JavaScript has no inline `(?i:...)` in Node 20, hence the explicit letter pairs.
import type { EncodingName } from '../encodings';

/** Rust regex `\s`: the Unicode White_Space property. */
export const WHITE_SPACE = '\\t\\n\\v\\f\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const S = `[${WHITE_SPACE}]`;
const NOT_S = `[^${WHITE_SPACE}]`;

const CONTRACTION_CI = "'(?:[sS\\u017F]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";
const CONTRACTION_CS = "'(?:s|t|re|ve|m|ll|d)";

const R50K = [
  CONTRACTION_CS,
  ' ?\\p{L}+',
  ' ?\\p{N}+',
  ` ?[^${WHITE_SPACE}\\p{L}\\p{N}]+`,
  `${S}+(?!${NOT_S})`,
  `${S}+`,
].join('|');

const CL100K = [
  CONTRACTION_CI,
  '[^\\r\\n\\p{L}\\p{N}]?\\p{L}+',
  '\\p{N}{1,3}',
  ` ?[^${WHITE_SPACE}\\p{L}\\p{N}]+[\\r\\n]*`,
  `${S}*[\\r\\n]+`,
  `${S}+(?!${NOT_S})`,
  `${S}+`,
].join('|');

const UPPERISH = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
const LOWERISH = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';
const O200K = [
  `[^\\r\\n\\p{L}\\p{N}]?${UPPERISH}*${LOWERISH}+(?:${CONTRACTION_CI})?`,
  `[^\\r\\n\\p{L}\\p{N}]?${UPPERISH}+${LOWERISH}*(?:${CONTRACTION_CI})?`,
  '\\p{N}{1,3}',
  ` ?[^${WHITE_SPACE}\\p{L}\\p{N}]+[\\r\\n/]*`,
  `${S}*[\\r\\n]+`,
  `${S}+(?!${NOT_S})`,
  `${S}+`,
].join('|');

export function patternSource(name: EncodingName): string {
  switch (name) {
    case 'o200k_base':
      return O200K;
    case 'cl100k_base':
      return CL100K;
    case 'p50k_base':
    case 'r50k_base':
      return R50K;
  }
}

/**
 * A sticky regex matching one pre-token at `lastIndex`. Sticky rather than global: every position starts a
 * match under these patterns, so a failed sticky match would be a bug, never a silent skip.
 */
export function preTokenizer(name: EncodingName): RegExp {
  return new RegExp(patternSource(name), 'uy');
}

/** True for the code units that Rust's `\s` matches (all White_Space code points are in the BMP). */
export function isWhiteSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}
